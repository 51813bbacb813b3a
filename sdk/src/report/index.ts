/**
 * The pull-request preview report: reads `pulumi preview --json`, describes what each
 * `TrainedModelDeployment` will do (operation, changed properties, ML capacity), and — when it can reach
 * the cluster — which ingest pipelines a stop would break, whether Elasticsearch will refuse the stop, and
 * drift between the stack and the cluster. Produces Markdown for a PR comment and a JSON summary.
 *
 * Everything but {@link createReport}'s cluster lookups is pure and exported for reuse and tests.
 */
import { type ClientOptions, createClient } from "../client";
import { assessChange, type DeploymentFindings } from "./assess";
import { buildStackChanges, type DeploymentChange, type StackChanges } from "./changes";
import { type ClusterSnapshot, readCluster } from "./cluster";
import { type ConnectionFlags, DEFAULT_CONNECTION, resolveTargets } from "./connections";
import { renderMarkdown } from "./markdown";
import { parsePreviewDocument } from "./previewDocument";
import { type ConnectionSummary, type ReportSummary, summarize } from "./summary";

export { PreviewInputError, ReportUsageError } from "./errors";
export {
  parsePreviewDocument,
  SECRET_PLACEHOLDER,
  type PreviewDocument,
  type PreviewStep,
  type PreviewResourceState,
  type PreviewDiagnostic,
} from "./previewDocument";
export {
  buildStackChanges,
  capacityBefore,
  capacityDeclared,
  DEPLOYMENT_TYPE,
  type BuildOptions,
  type DeploymentChange,
  type DeploymentIdentity,
  type Operation,
  type PropertyChange,
  type StackChanges,
  type StopIntent,
} from "./changes";
export * as capacity from "./capacity";
export type { Capacity, CapacityEstimate, Range, UnknownCapacity } from "./capacity";
export {
  assessChange,
  type DeploymentFindings,
  type PipelineImpact,
  type ReferenceKind,
  type Risk,
} from "./assess";
export { readCluster, type ClusterSnapshot } from "./cluster";
export {
  ARGUMENT_CONNECTION,
  resolveTargets,
  DEFAULT_CONNECTION,
  type ConnectionFlags,
  type ConnectionTarget,
} from "./connections";
export {
  summarize,
  SUMMARY_SCHEMA_VERSION,
  type ReportSummary,
  type StackSummary,
  type DeploymentSummary,
  type ConnectionSummary,
  type ChangeSummary,
  type SummaryInput,
} from "./summary";
export { renderMarkdown, REPORT_MARKER } from "./markdown";
export { parseUrn, type ParsedUrn } from "./urn";

/** One preview document to report on. */
export interface ReportInput {
  /** The text `pulumi preview --json` printed. */
  text: string;
  /** Names the input in messages and in the report (file path, `stdin`). */
  source: string;
}

/** Options of {@link createReport}. */
export interface ReportOptions {
  /**
   * The environment: `ELASTICSEARCH_*` connection settings and credentials, and the stop-flag overrides
   * (`ELASTICSEARCH_ML_FORCE`, …) the provider would read. Default: none (pass `process.env` explicitly).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Skip every cluster lookup; the string says why (shown in the report). */
  offline?: string;
  /** Connection settings from the command line. */
  connection?: ConnectionFlags;
  /** Client tuning (timeouts, retries); never connection settings. */
  clientOptions?: Pick<
    ClientOptions,
    "initialBackoffMs" | "maxBackoffMs" | "keepAliveTimeoutMs" | "connectTimeoutMs"
  > & {
    maxRetries?: number;
    requestTimeoutMs?: number;
    retryDeadlineMs?: number;
  };
}

/** The report in both forms. */
export interface Report {
  summary: ReportSummary;
  markdown: string;
}

/**
 * Builds the report for one or more preview documents (one per stack).
 *
 * @throws {PreviewInputError} When an input is empty or not a `pulumi preview --json` document.
 * @throws {ConfigurationError} When the connection flags are invalid.
 */
export async function createReport(
  inputs: readonly ReportInput[],
  options: ReportOptions = {},
): Promise<Report> {
  const env = options.env ?? {};
  const stacks = inputs.map((input) =>
    buildStackChanges(parsePreviewDocument(input.text, input.source), { source: input.source, env }),
  );
  const anyDeployment = stacks.some((s) => s.deployments.length > 0);

  let summary: ReportSummary;
  if (options.offline !== undefined || !anyDeployment) {
    summary = summarize({
      stacks,
      connections: [],
      ...(options.offline !== undefined ? { offlineReason: options.offline } : {}),
    });
  } else {
    const connections: ConnectionSummary[] = [];
    const findings: Map<string, DeploymentFindings>[] = [];
    for (const stack of stacks) {
      findings.push(await lookUp(stack, options, env, connections));
    }
    const reached = connections.filter((c) => c.reached);
    summary =
      reached.length === 0
        ? summarize({
            stacks,
            connections,
            offlineReason: connections.flatMap((c) => c.problems).join("; ") || "no cluster could be read",
          })
        : summarize({ stacks, connections, findings });
  }
  return { summary, markdown: renderMarkdown(summary) };
}

/** The connection a change acts through (the old side's for anything that exists already). */
function connectionOf(change: DeploymentChange): string {
  return change.old?.connection ?? change.new?.connection ?? DEFAULT_CONNECTION;
}

async function lookUp(
  stack: StackChanges,
  options: ReportOptions,
  env: Readonly<Record<string, string | undefined>>,
  connections: ConnectionSummary[],
): Promise<Map<string, DeploymentFindings>> {
  const result = new Map<string, DeploymentFindings>();
  if (stack.deployments.length === 0) return result;
  const names = stack.deployments.map(connectionOf);
  const targets = resolveTargets(names, stack.config, options.connection ?? {}, env);
  const snapshots = new Map<string, ClusterSnapshot>();
  for (const target of targets) {
    if ("unavailable" in target) {
      connections.push({ connection: target.connection, reached: false, problems: [target.unavailable] });
      continue;
    }
    const modelIds = stack.deployments
      .filter((d) => connectionOf(d) === target.connection)
      .flatMap((d) => [d.old?.modelId, d.new?.modelId])
      .filter((id): id is string => id !== undefined);
    const client = createClient({ ...target.options, ...options.clientOptions }, target.env);
    try {
      const snapshot = await readCluster(client, target.connection, modelIds);
      if (target.credentialHint && snapshot.error && /\(401\)/.test(snapshot.error)) {
        snapshot.error = `${snapshot.error} (${target.credentialHint})`;
      }
      snapshots.set(target.connection, snapshot);
      const problems = [
        snapshot.error,
        snapshot.deploymentsError,
        snapshot.modelsError,
        snapshot.pipelinesError,
        snapshot.inferenceEndpointsError,
      ].filter((p): p is string => p !== undefined);
      connections.push({
        connection: target.connection,
        endpoints: snapshot.endpoints,
        ...(snapshot.clusterUuid ? { clusterUuid: snapshot.clusterUuid } : {}),
        ...(snapshot.clusterName ? { clusterName: snapshot.clusterName } : {}),
        ...(snapshot.version ? { version: snapshot.version } : {}),
        reached: snapshot.error === undefined,
        problems,
      });
    } finally {
      await client.close();
    }
  }
  const unavailable = new Map(
    targets
      .filter((t): t is { connection: string; unavailable: string } => "unavailable" in t)
      .map((t) => [t.connection, t.unavailable]),
  );
  for (const change of stack.deployments) {
    const name = connectionOf(change);
    const stopping = new Set(
      stack.deployments
        .filter((d) => connectionOf(d) === name && d.stop?.deploymentId !== undefined)
        .map((d) => d.stop!.deploymentId!),
    );
    const snapshot = snapshots.get(name);
    const findings = assessChange(change, snapshot, stopping, name);
    if (snapshot === undefined && unavailable.has(name)) findings.reason = unavailable.get(name);
    result.set(change.urn, findings);
  }
  return result;
}
