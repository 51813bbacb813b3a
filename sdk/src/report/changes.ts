/**
 * From a preview document to the changes a reviewer cares about: one {@link DeploymentChange} per
 * `TrainedModelDeployment` (and per `InferenceEndpoint`, see endpoints.ts) with the operation in words, the properties that change, the ML capacity
 * before and after, and the stop it implies (with the flags it will send). Pure: no I/O; the environment
 * is passed in (it supplies the stop-flag overrides the provider reads while it runs).
 *
 * The operation comes from the engine's step; the detail comes from the resource's own `diffInputs`
 * (the same function the provider's `diff` and `update` use), run on the step's old outputs and new
 * inputs, so the report never re-derives which change restarts, scales, stops or starts a deployment.
 */
import { diffInputs, type PlanKind } from "../provider/diff";
import {
  type DeploymentInputs,
  type DeploymentOutputs,
  type EffectiveSettings,
  type StopFlags,
} from "../provider/inputs";
import { plannedStopFlags, type StopCause } from "../provider/plannedStop";
import {
  ProviderConfigError,
  type ResolvedStopFlags,
  stopFlagsFromConfig,
  stopFlagsFromEnv,
} from "../provider/stopFlags";
import { type Capacity, type CapacityEstimate, isUnknownCapacity, notRunning } from "./capacity";
import { type PreviewDocument, type PreviewStep, SECRET_PLACEHOLDER } from "./previewDocument";
import type { Risk } from "./assess";
import { describeEndpointSteps, ENDPOINT_TYPE } from "./endpoints";
import { identity, IGNORED_OPS, pickSteps, userProps } from "./steps";
import { parseUrn } from "./urn";
import {
  capacityBefore,
  capacityDeclared,
  declaredRunning,
  declaredSettings,
  describeReplace,
  describeUpdate,
  recordedFacts,
  recordedRunning,
} from "./deploymentSteps";
import { shape, stopManner, formatValue } from "./wording";

/** The type token of the resource the report is about. */
export const DEPLOYMENT_TYPE = "pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment";

/** What happens to a deployment, in the terms (`repair`: stop a failed deployment, start it again). */
export type Operation = "create" | "update" | "replace" | "stop" | "start" | "repair" | "delete" | "none";

/** One changing property; values as the preview shows them (`from` is the value in force). */
export interface PropertyChange {
  property: string;
  from: unknown;
  to: unknown;
  /** Recorded in state only: no call to Elasticsearch. */
  recordOnly: boolean;
}

/** The deployment a side of the change names (old: what exists now; new: what the program declares). */
export interface DeploymentIdentity {
  deploymentId?: string;
  modelId?: string;
  connection?: string;
  /** Whether a deployment runs on this side (old: recorded; new: declared). `undefined`: not known yet. */
  running?: boolean;
}

/** A stop the operation sends to Elasticsearch. */
export interface StopIntent {
  /**
   * Why: a declared `state: "stopped"` or a repair (`update`, new inputs' flags), or the delete of a
   * replacement or destroy (`delete`, old outputs' flags).
   */
  reason: "update" | "delete";
  /** The deployment being stopped. */
  deploymentId?: string;
  /** The flags the provider will send, with where each comes from. */
  resolved: ResolvedStopFlags;
  /** The old and new deployment share an id (a restart): pipelines break only until the new one starts. */
  restart: boolean;
}

/** One `TrainedModelDeployment` of the preview. */
export interface DeploymentChange {
  urn: string;
  /** The Pulumi resource name. */
  name: string;
  /** The engine's step operation (`update`, `replace`, …; several joined with `+` when shown separately). */
  stepOp: string;
  operation: Operation;
  /** The resource's own plan kind, when `diffInputs` ran (updates and replacements). */
  plan?: PlanKind;
  /** One line a reviewer reads first, e.g. "scales 2 → 4 allocations". */
  headline: string;
  changes: PropertyChange[];
  /** Properties that force the replacement. */
  replaceReasons: string[];
  old?: DeploymentIdentity;
  new?: DeploymentIdentity;
  /** Recorded server facts from the old outputs (for drift and the wrong-cluster guard). */
  recorded?: { clusterUuid?: string; effective?: EffectiveSettings; referencingPipelines?: string[] };
  capacity: { before: CapacityEstimate; after: CapacityEstimate };
  stop?: StopIntent;
  notes: string[];
  /** Set for an `InferenceEndpoint` (see endpoints.ts); absent for a `TrainedModelDeployment`. */
  resource?: "InferenceEndpoint";
  /** A risk known without the cluster (an endpoint's recorded references); the cluster's findings add theirs. */
  risk?: Risk;
}

/** The changes of one preview document (one stack). */
export interface StackChanges {
  /** Where the document came from (file path or `stdin`). */
  source: string;
  stack?: string;
  project?: string;
  deployments: DeploymentChange[];
  /** `InferenceEndpoint`s, sorted by name (endpoints.ts). */
  endpoints: DeploymentChange[];
  /** Resources of other types the preview changes (creates, updates, deletes, …). */
  otherChanges: number;
  /**
   * Unchanged resources the document does not list (previews leave `same` steps out unless run with
   * `--show-sames`): deployments among them count in neither total.
   */
  unlistedUnchanged: number;
  /** The preview's error diagnostics: when present, the preview failed and the list may be incomplete. */
  previewErrors: string[];
  /** Problems the report found in the stack's configuration or the environment. */
  warnings: string[];
  config: Record<string, unknown>;
}

/** Inputs of {@link buildStackChanges}. */
export interface BuildOptions {
  /** Names the document in the report. */
  source: string;
  /** The environment the stop-flag overrides are read from (`ELASTICSEARCH_ML_FORCE`, …). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds the changes of one preview document.
 */
export function buildStackChanges(doc: PreviewDocument, options: BuildOptions): StackChanges {
  const warnings: string[] = [];
  const configFlags = readConfigStopFlags(doc.config, warnings);
  const envFlags = readEnvStopFlags(options.env ?? {}, warnings);

  let stack: string | undefined;
  let project: string | undefined;
  const groups = new Map<string, PreviewStep[]>();
  const endpointGroups = new Map<string, PreviewStep[]>();
  let otherChanges = 0;
  let listedSames = 0;
  for (const step of doc.steps) {
    const parsed = parseUrn(step.urn);
    if (parsed && stack === undefined) {
      stack = parsed.stack;
      project = parsed.project;
    }
    if (step.op === "same") listedSames++;
    const type = step.newState?.type ?? step.oldState?.type ?? parsed?.type;
    if (type === ENDPOINT_TYPE) {
      endpointGroups.set(step.urn, [...(endpointGroups.get(step.urn) ?? []), step]);
      continue;
    }
    if (type !== DEPLOYMENT_TYPE) {
      if (type === "pulumi:pulumi:Stack" || type?.startsWith("pulumi:providers:")) continue;
      if (
        step.op !== "same" &&
        !IGNORED_OPS.has(step.op) &&
        step.op !== "create-replacement" &&
        step.op !== "delete-replaced"
      ) {
        otherChanges++;
      }
      continue;
    }
    const list = groups.get(step.urn) ?? [];
    list.push(step);
    groups.set(step.urn, list);
  }

  const deployments: DeploymentChange[] = [];
  for (const [urn, steps] of groups) {
    const change = describeSteps(urn, steps, configFlags, envFlags);
    if (change) deployments.push(change);
  }
  deployments.sort(byName);
  const endpoints: DeploymentChange[] = [];
  const flags = { env: options.env ?? {}, config: doc.config, warnings };
  for (const [urn, steps] of endpointGroups) {
    const change = describeEndpointSteps(urn, steps, flags);
    if (change) endpoints.push(change);
  }
  endpoints.sort(byName);

  const summarySames = doc.changeSummary.same ?? 0;
  return {
    source: options.source,
    stack,
    project,
    deployments,
    endpoints,
    otherChanges,
    unlistedUnchanged: Math.max(0, summarySames - listedSames),
    previewErrors: doc.diagnostics.filter((d) => d.severity === "error").map((d) => d.message.trim()),
    warnings,
    config: doc.config,
  };
}

function byName(a: DeploymentChange, b: DeploymentChange): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.urn < b.urn ? -1 : 1;
}

function readConfigStopFlags(config: Record<string, unknown>, warnings: string[]): StopFlags {
  try {
    return stopFlagsFromConfig((key) => (config[key] === SECRET_PLACEHOLDER ? undefined : config[key]));
  } catch (err) {
    if (!(err instanceof ProviderConfigError)) throw err;
    warnings.push(`Stack config: ${err.message}. The provider will refuse to run until it is fixed.`);
    return {};
  }
}

function readEnvStopFlags(env: Readonly<Record<string, string | undefined>>, warnings: string[]): StopFlags {
  try {
    return stopFlagsFromEnv(env);
  } catch (err) {
    if (!(err instanceof ProviderConfigError)) throw err;
    warnings.push(`Environment: ${err.message}; it is ignored in this report.`);
    return {};
  }
}

function describeSteps(
  urn: string,
  steps: PreviewStep[],
  configFlags: StopFlags,
  envFlags: StopFlags,
): DeploymentChange | undefined {
  const picked = pickSteps(steps);
  if (picked === undefined) return undefined;
  const { main, replace, stepOp } = picked;
  const name = parseUrn(urn)?.name ?? urn;

  const olds = main.oldState
    ? (userProps(main.oldState.outputs ?? main.oldState.inputs) as Partial<DeploymentOutputs>)
    : undefined;
  const news = main.newState ? (userProps(main.newState.inputs) as unknown as DeploymentInputs) : undefined;
  const base = {
    urn,
    name,
    stepOp,
    ...(olds ? { old: identity(olds, recordedRunning(olds)) } : {}),
    ...(news ? { new: identity(news, declaredRunning(news)) } : {}),
    ...(olds ? { recorded: recordedFacts(olds) } : {}),
  };
  // The provider's own decision of which side's flags a stop uses (old outputs for a replace or delete).
  const resolve = (cause: StopCause): ResolvedStopFlags =>
    plannedStopFlags(cause, olds?.stop, news?.stop, envFlags, configFlags).resolved;

  if (replace !== undefined || main.op === "update") {
    if (olds === undefined || news === undefined) return undefined;
    const diff = diffInputs(olds, news);
    const before = capacityBefore(olds);
    if (replace !== undefined) return describeReplace(base, replace, diff.plan, olds, news, before, resolve);
    return describeUpdate(base, main.oldState, diff.plan, olds, news, before, resolve);
  }
  if (main.op === "create") {
    if (news === undefined) return undefined;
    const after = capacityDeclared(news);
    const running = declaredRunning(news);
    const headline =
      running === false
        ? "creates, declared stopped: nothing starts"
        : isUnknownCapacity(after)
          ? `creates and starts (${after.reason})`
          : `creates: starts ${shape(after)}`;
    return {
      ...base,
      operation: "create",
      headline,
      changes: declaredSettings(news),
      replaceReasons: [],
      capacity: { before: notRunning(), after },
      notes: [],
    };
  }
  if (main.op === "delete") {
    if (olds === undefined) return undefined;
    const running = recordedRunning(olds);
    const stop: StopIntent | undefined = running
      ? { reason: "delete", deploymentId: olds.deploymentId, resolved: resolve("delete"), restart: false }
      : undefined;
    return {
      ...base,
      operation: "delete",
      headline: stop
        ? `deletes: stops the deployment${stopManner(stop.resolved.flags)}`
        : "deletes (recorded stopped: no call)",
      changes: [],
      replaceReasons: [],
      capacity: { before: capacityBefore(olds), after: notRunning() },
      ...(stop ? { stop } : {}),
      notes: [],
    };
  }
  // same
  const capacity = olds ? capacityBefore(olds) : capacityDeclared(news as DeploymentInputs);
  return {
    ...base,
    operation: "none",
    headline: "no change",
    changes: [],
    replaceReasons: [],
    capacity: { before: capacity, after: capacity },
    notes: [],
  };
}

// Re-exported for the renderers, so they need not reach into the provider layer.
export { formatValue };
export { capacityBefore, capacityDeclared } from "./deploymentSteps";
export type { Capacity };
