/**
 * The JSON summary: everything the report knows, for machines (and the Markdown renderer, which reads
 * only this). Schema version 1; fields are only ever added. Pure.
 */
import { isPlainObject, isUnknown } from "../provider/inputs";
import type { ResolvedStopFlags } from "../provider/stopFlags";
import type { DeploymentFindings, Risk } from "./assess";
import { type CapacityEstimate, difference, isUnknownCapacity, type Range, sum } from "./capacity";
import type { DeploymentChange, Operation, StackChanges } from "./changes";
import { label, UNKNOWN_TEXT } from "./wording";

export const SUMMARY_SCHEMA_VERSION = 1;

/** How a connection was used. */
export interface ConnectionSummary {
  /** `default` or a named connection. */
  connection: string;
  /** Endpoints (no credentials), when known. */
  endpoints?: string[];
  clusterUuid?: string;
  clusterName?: string;
  version?: string;
  /** Whether the cluster was read. */
  reached: boolean;
  /** Why it was not read, or what could not be read. */
  problems: string[];
}

export interface ChangeSummary {
  property: string;
  label: string;
  from: unknown;
  to: unknown;
  recordOnly: boolean;
}

export interface DeploymentSummary {
  name: string;
  urn: string;
  deploymentId?: string;
  /** The old deployment id when a replacement changes it. */
  previousDeploymentId?: string;
  modelId?: string;
  connection?: string;
  operation: Operation;
  /** The engine's step operation(s). */
  stepOp: string;
  /** The resource's own plan kind (`diffInputs`), for updates and replacements. */
  plan?: string;
  headline: string;
  changes: ChangeSummary[];
  replaceReasons: string[];
  capacity: { before: CapacityEstimate; after: CapacityEstimate; change?: Range };
  stop?: { flags: ResolvedStopFlags["flags"]; sources: ResolvedStopFlags["sources"]; restart: boolean };
  /** Absent when the report ran offline. */
  cluster?: DeploymentFindings;
  risk: Risk;
  notes: string[];
  /** `InferenceEndpoint` for an endpoint's entry (in `endpoints`). */
  resource?: "InferenceEndpoint";
}

export interface StackSummary {
  source: string;
  stack?: string;
  project?: string;
  /**
   * Nothing for a reviewer: no `TrainedModelDeployment` changes, and the cluster (when checked) showed no
   * drift for the ones listed.
   */
  nothingToReview: boolean;
  deployments: DeploymentSummary[];
  /** `InferenceEndpoint`s: operation, the capacity of the deployment each creates, the referenced-delete risk. */
  endpoints: DeploymentSummary[];
  capacity: {
    /** Sums over the deployments and endpoints whose capacity is known. */
    before: Range;
    after: Range;
    change: Range;
    /** Some deployment counts as a range (adaptive allocations). */
    adaptive: boolean;
    /** Names of deployments left out of the sums because a value is known only after apply. */
    notCounted: string[];
    /** Unchanged resources the preview JSON does not list (run with `--show-sames`). */
    unlistedUnchanged: number;
  };
  otherChanges: number;
  previewFailed: boolean;
  previewErrors: string[];
  warnings: string[];
}

export interface ReportSummary {
  schemaVersion: number;
  /**
   * `online`: every needed cluster was read; `partial`: some lookups failed; `offline`: none ran (by
   * request, or no cluster could be reached); `not-needed`: no `TrainedModelDeployment` to look up.
   */
  mode: "online" | "partial" | "offline" | "not-needed";
  /** Why the report is offline or partial. */
  modeReason?: string;
  connections: ConnectionSummary[];
  /**
   * True when a stop would be refused, pipelines would break, or a referenced inference endpoint would be
   * deleted (what `--fail-on-risk` acts on).
   */
  risky: boolean;
  counts: {
    deployments: number;
    /** `InferenceEndpoint`s listed (changing or not). */
    endpoints: number;
    changing: number;
    stopsRefused: number;
    breaksPipelines: number;
    /** Endpoints deleted or replaced while references were recorded for them. */
    deletesReferencedEndpoints: number;
    unchecked: number;
    drift: number;
  };
  stacks: StackSummary[];
}

/** Inputs of {@link summarize}. */
export interface SummaryInput {
  stacks: StackChanges[];
  /** Findings per deployment URN (per stack, by index); absent when offline. */
  findings?: Map<string, DeploymentFindings>[];
  connections: ConnectionSummary[];
  offlineReason?: string;
}

/** Builds the summary. */
export function summarize(input: SummaryInput): ReportSummary {
  const stacks = input.stacks.map((s, i) => summarizeStack(s, input.findings?.[i]));
  const all = stacks.flatMap((s) => s.deployments);
  const endpoints = stacks.flatMap((s) => s.endpoints);
  const counts = {
    deployments: all.length,
    endpoints: endpoints.length,
    changing: [...all, ...endpoints].filter((d) => d.operation !== "none").length,
    stopsRefused: all.filter((d) => d.risk === "stop-refused").length,
    breaksPipelines: all.filter((d) => d.risk === "breaks-pipelines").length,
    deletesReferencedEndpoints: endpoints.filter((d) => d.risk === "deletes-referenced-endpoint").length,
    unchecked: all.filter((d) => d.risk === "unchecked").length,
    drift: all.filter((d) => (d.cluster?.drift.length ?? 0) > 0).length,
  };
  let mode: ReportSummary["mode"];
  let modeReason: string | undefined;
  if (all.length === 0) {
    mode = "not-needed";
  } else if (input.findings === undefined) {
    mode = "offline";
    modeReason = input.offlineReason ?? "no cluster lookups were made";
  } else {
    const problems = input.connections.filter((c) => !c.reached || c.problems.length > 0);
    const uncheckedDeployments = all.filter((d) => d.cluster !== undefined && !d.cluster.checked);
    mode = problems.length > 0 || uncheckedDeployments.length > 0 ? "partial" : "online";
    if (mode === "partial") {
      modeReason = [
        ...problems.flatMap((c) => c.problems.map((p) => `${c.connection}: ${p}`)),
        ...uncheckedDeployments
          .filter((d) => !problems.some((c) => c.connection === d.cluster?.connection))
          .map((d) => `${d.name}: ${d.cluster?.reason ?? "not checked"}`),
      ].join("; ");
    }
  }
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    mode,
    ...(modeReason ? { modeReason } : {}),
    connections: input.connections,
    risky: counts.stopsRefused + counts.breaksPipelines + counts.deletesReferencedEndpoints > 0,
    counts,
    stacks,
  };
}

function summarizeStack(
  stack: StackChanges,
  findings: Map<string, DeploymentFindings> | undefined,
): StackSummary {
  const deployments = stack.deployments.map((d) => summarizeDeployment(d, findings?.get(d.urn)));
  const endpoints = stack.endpoints.map((e) => summarizeDeployment(e, undefined));
  const counted = [...deployments, ...endpoints];
  const known = counted.filter(
    (d) => !isUnknownCapacity(d.capacity.before) && !isUnknownCapacity(d.capacity.after),
  );
  const ranges = (side: "before" | "after"): Range[] =>
    known.map((d) => (d.capacity[side] as Exclude<CapacityEstimate, { unknown: true }>).vcpus);
  const before = sum(ranges("before"));
  const after = sum(ranges("after"));
  return {
    source: stack.source,
    ...(stack.stack !== undefined ? { stack: stack.stack } : {}),
    ...(stack.project !== undefined ? { project: stack.project } : {}),
    // A failed preview always needs a look: its list of changes stops at the failure.
    nothingToReview:
      stack.previewErrors.length === 0 &&
      counted.every(
        (d) => d.operation === "none" && (d.cluster?.drift.length ?? 0) === 0 && d.risk === "none",
      ),
    deployments,
    endpoints,
    capacity: {
      before,
      after,
      change: difference(before, after),
      adaptive: known.some((d) =>
        [d.capacity.before, d.capacity.after].some((c) => !isUnknownCapacity(c) && c.adaptive),
      ),
      notCounted: counted.filter((d) => !known.includes(d)).map((d) => d.name),
      unlistedUnchanged: stack.unlistedUnchanged,
    },
    otherChanges: stack.otherChanges,
    previewFailed: stack.previewErrors.length > 0,
    previewErrors: stack.previewErrors,
    warnings: stack.warnings,
  };
}

function summarizeDeployment(
  change: DeploymentChange,
  findings: DeploymentFindings | undefined,
): DeploymentSummary {
  const { before, after } = change.capacity;
  const deploymentId = change.new?.deploymentId ?? change.old?.deploymentId;
  const previous =
    change.old?.deploymentId !== undefined &&
    change.new?.deploymentId !== undefined &&
    change.old.deploymentId !== change.new.deploymentId
      ? change.old.deploymentId
      : undefined;
  const modelId = change.new?.modelId ?? change.old?.modelId;
  const connection = change.new?.connection ?? change.old?.connection;
  const risk: Risk = change.risk ?? (findings ? findings.risk : change.stop ? "unchecked" : "none");
  return {
    name: change.name,
    urn: change.urn,
    ...(deploymentId !== undefined ? { deploymentId } : {}),
    ...(previous !== undefined ? { previousDeploymentId: previous } : {}),
    ...(modelId !== undefined ? { modelId } : {}),
    ...(connection !== undefined ? { connection } : {}),
    operation: change.operation,
    stepOp: change.stepOp,
    ...(change.plan !== undefined ? { plan: change.plan } : {}),
    headline: change.headline,
    changes: change.changes.map((c) => ({
      property: c.property,
      label: label(c.property),
      from: plain(c.from),
      to: plain(c.to),
      recordOnly: c.recordOnly,
    })),
    replaceReasons: change.replaceReasons,
    capacity: {
      before,
      after,
      ...(!isUnknownCapacity(before) && !isUnknownCapacity(after)
        ? { change: difference(before.vcpus, after.vcpus) }
        : {}),
    },
    ...(change.stop
      ? {
          stop: {
            flags: change.stop.resolved.flags,
            sources: change.stop.resolved.sources,
            restart: change.stop.restart,
          },
        }
      : {}),
    ...(findings ? { cluster: findings } : {}),
    risk,
    notes: change.notes,
    ...(change.resource !== undefined ? { resource: change.resource } : {}),
  };
}

/** JSON-safe values: Pulumi's unknown sentinel becomes a readable marker. */
function plain(value: unknown): unknown {
  if (isUnknown(value)) return UNKNOWN_TEXT;
  if (Array.isArray(value)) return value.map(plain);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
