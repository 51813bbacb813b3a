/**
 * The plain (non-`Input<T>`) shapes of a `TrainedModelDeployment` as the provider sees them, and the
 * defaults `check` fills in.
 *
 * ## How outputs tell "declared by the user" from "reported by the server"
 *
 * Outputs are `{ ...inputs, effective, ...facts }` (type {@link DeploymentOutputs}):
 *
 * - **Under the input names** (`modelId`, `numberOfAllocations`, `stop`, …) outputs hold the inputs as
 *   `check` returned them at the last create/update: the user's declaration, verbatim, plus the defaults
 *   `check` fills (`deploymentId`, `state`, `waitFor`, `waitTimeoutSeconds`). A field the user left unset
 *   stays absent there. `delete` therefore finds the deployment id, connection and stop flags it needs in
 *   the old outputs, and `diff` can see that the user removed a declaration (e.g. `adaptiveAllocations`).
 * - **Under `effective`** (type {@link EffectiveSettings}, same field names as the inputs) outputs hold
 *   what Elasticsearch reported for the deployment as it runs now: its running state and the start and
 *   scaling parameters actually in force (including ones the user never set, such as the default
 *   `threadsPerAllocation`, and the count adaptive allocations chose). When nothing runs, `effective`
 *   holds only `state: "stopped"`. A key absent from `effective` means "not reported".
 * - **Under other top-level names** (`clusterUuid`, `allocationState`, `nodes`, …) outputs hold the
 *   remaining server facts; `diff` never reads them.
 *
 * `diff` compares each field the user declares in the new inputs with `effective[field]` when the server
 * reported it, else with the old declared value. So an out-of-band scale or stop (seen by `refresh`, which
 * rewrites `effective`) shows up as a change, declaring a value equal to what already runs is not a change,
 * and a field the user does not declare never diffs. One key (`effective`) keeps state small and keeps
 * server facts from ever being mistaken for declarations.
 *
 * During preview any input may hold Pulumi's unknown sentinel ({@link PULUMI_UNKNOWN}) instead of its
 * declared type; `check` and `diff` treat such a value as "not known yet".
 */

/** The declared running state of a deployment. */
export type DeploymentState = "started" | "stopped";

/**
 * The running state a refresh records under `effective.state`: the declared states, plus `failed` when
 * Elasticsearch reports the deployment failed (it exists but serves nothing; the next `up` repairs it).
 */
export type EffectiveState = DeploymentState | "failed";

/** How far a start (or scale) must get before create/update returns. */
export type WaitFor = "starting" | "started" | "fully_allocated";

/** Elasticsearch's deployment priority; `low` deployments get 1 allocation of 1 thread. */
export type Priority = "normal" | "low";

/** Adaptive allocations: Elasticsearch picks the allocation count between the bounds. */
export interface AdaptiveAllocations {
  enabled: boolean;
  minNumberOfAllocations?: number;
  maxNumberOfAllocations?: number;
}

/**
 * Flags for `_stop`. An unset flag is not sent (Elasticsearch's default applies) unless the provider
 * configuration sets it; see `stopFlags.ts`.
 */
export interface StopFlags {
  force?: boolean;
  finishPendingWork?: boolean;
  allowNoMatch?: boolean;
}

/** The resource's inputs after `check`: defaults filled, every rule validated. */
export interface DeploymentInputs {
  modelId: string;
  /** Defaults to `modelId`. */
  deploymentId: string;
  /** Defaults to {@link DEFAULT_STATE}. */
  state: DeploymentState;
  numberOfAllocations?: number;
  adaptiveAllocations?: AdaptiveAllocations;
  threadsPerAllocation?: number;
  priority?: Priority;
  queueCapacity?: number;
  /** Elasticsearch byte-size syntax, e.g. `"0"`, `"512kb"`, `"1.5gb"`. */
  cacheSize?: string;
  /** Defaults to {@link DEFAULT_WAIT_FOR}. */
  waitFor: WaitFor;
  /** The provider's own deadline; defaults to {@link DEFAULT_WAIT_TIMEOUT_SECONDS}. */
  waitTimeoutSeconds: number;
  stop?: StopFlags;
  adoptExisting?: boolean;
  /**
   * Name of a connection from stack config, or an object of connection settings (see
   * `connectionInput.ts`); the default connection when absent.
   */
  connection?: string | Record<string, unknown>;
}

/**
 * What Elasticsearch reports for the deployment as it runs now, under the input names. Filled by
 * create/update/read; see the file comment. Identity fields (`modelId`, `deploymentId`, `connection`) are
 * not here: a model alias would make the served model id differ from the declared one forever.
 */
export interface EffectiveSettings {
  /**
   * `"started"` while a deployment with this id exists on the cluster, `"stopped"` when it does not,
   * `"failed"` when it exists but Elasticsearch reports it failed (`deployment_stats.state: failed`).
   */
  state?: EffectiveState;
  /** The target count (`task_parameters.number_of_allocations`), not the count allocated so far. */
  numberOfAllocations?: number;
  /** `{ enabled: false }` when the server reports no adaptive settings for a running deployment. */
  adaptiveAllocations?: AdaptiveAllocations;
  threadsPerAllocation?: number;
  priority?: Priority;
  queueCapacity?: number;
  /** Byte-size string as reported, e.g. `"1630b"`; compared by bytes. */
  cacheSize?: string;
}

/** A node a deployment is routed to, with its routing state. */
export interface DeploymentNode {
  nodeId: string;
  nodeName?: string;
  routingState: string;
  reason?: string;
  currentAllocations?: number;
  targetAllocations?: number;
}

/** Outputs: the inputs, what runs (`effective`), and the other server facts. `diff` reads only the first two. */
export interface DeploymentOutputs extends DeploymentInputs {
  effective?: EffectiveSettings;
  clusterUuid?: string;
  /**
   * The Elasticsearch version seen at the last create, update or refresh. Record-only (the diff never reads
   * it): a preview judges by it whether a stop of a deployment an inference endpoint uses will be refused.
   */
  esVersion?: string;
  /** `deployment_stats.state` (`starting`, `started`, `stopping`, `failed`); absent when nothing runs. */
  deploymentState?: string;
  /** `deployment_stats.reason`: why the deployment is not (fully) allocated or failed, when reported. */
  reason?: string;
  /** `deployment_stats.allocation_status.state`. */
  allocationState?: string;
  allocationCount?: number;
  targetAllocationCount?: number;
  nodes?: DeploymentNode[];
  /** ISO 8601. */
  startTime?: string;
  /**
   * Ingest pipelines whose inference processors name the deployment id or the declared model id. Absent
   * when the lookup was refused (a warning says so), never a false "none".
   */
  referencingPipelines?: string[];
  /**
   * Inference endpoints that use or own the deployment. Absent when the cluster has no inference API or
   * the lookup was refused (a warning says so).
   */
  inferenceEndpoints?: string[];
}

/** The value Pulumi puts in place of an input that is not known until apply (during preview). */
export const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The key under which the dynamic-provider host carries the serialized provider in inputs and outputs. */
export const PROVIDER_KEY = "__provider";

export const DEFAULT_STATE: DeploymentState = "started";
export const DEFAULT_WAIT_FOR: WaitFor = "fully_allocated";
/** 20 minutes: real models (ELSER, E5) and ML autoscaling routinely take minutes to allocate. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 1200;
/**
 * About 24.8 days: the longest delay a Node.js timer holds is 2^31 - 1 ms, and a longer one fires after 1 ms
 * (with a TimeoutOverflowWarning). The deadline of a stop request is such a timer, so a larger value would
 * make the stop time out at once. There used to be a 25-minute cap here, read from the 30 minutes of
 * `grpc.server_max_unrequested_time_in_server` in `@pulumi/pulumi`'s runtime settings; that setting limits
 * how long a request may wait in a gRPC server's queue before it is handled, not how long a call runs (see
 * docs/pulumi-engine-findings.md).
 */
export const MAX_WAIT_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export const MAX_ID_LENGTH = 64;
export const MAX_THREADS_PER_ALLOCATION = 32;
/** Elasticsearch 9.x maximum; 8.x allowed 1,000,000 (the client refuses version mismatches at run time). */
export const MAX_QUEUE_CAPACITY = 100_000;
/** Elasticsearch parses allocation counts as Java ints. */
export const MAX_INT32 = 2_147_483_647;

export const DEPLOYMENT_STATES: readonly DeploymentState[] = ["started", "stopped"];
export const WAIT_FOR_VALUES: readonly WaitFor[] = ["starting", "started", "fully_allocated"];
export const PRIORITIES: readonly Priority[] = ["normal", "low"];

/** Every input property, in the order messages list them. */
export const INPUT_PROPERTIES: readonly (keyof DeploymentInputs)[] = [
  "modelId",
  "deploymentId",
  "state",
  "numberOfAllocations",
  "adaptiveAllocations",
  "threadsPerAllocation",
  "priority",
  "queueCapacity",
  "cacheSize",
  "waitFor",
  "waitTimeoutSeconds",
  "stop",
  "adoptExisting",
  "connection",
];
export const ADAPTIVE_PROPERTIES: readonly (keyof AdaptiveAllocations)[] = [
  "enabled",
  "minNumberOfAllocations",
  "maxNumberOfAllocations",
];
export const STOP_FLAG_PROPERTIES: readonly (keyof StopFlags)[] = [
  "force",
  "finishPendingWork",
  "allowNoMatch",
];

/** True for Pulumi's unknown sentinel. */
export function isUnknown(value: unknown): boolean {
  return value === PULUMI_UNKNOWN;
}

/** True when the value, or anything nested in it, is Pulumi's unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isPlainObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/** Deep equality of JSON values, for diffs: an unknown new value is never the same as the recorded one. */
export function sameJson(old: unknown, next: unknown): boolean {
  if (containsUnknown(next)) return false;
  if (old === next) return true;
  if (Array.isArray(old) && Array.isArray(next)) {
    return old.length === next.length && old.every((v, i) => sameJson(v, next[i]));
  }
  if (isPlainObject(old) && isPlainObject(next)) {
    const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
    return [...keys].every((k) => sameJson(old[k], next[k]));
  }
  return false;
}

/**
 * The object without its `null` and `undefined` members: `null` means unset everywhere (YAML and JSON
 * programs write it for "not set"), so a nested `null` (a bound of `adaptiveAllocations`, a `stop` flag)
 * must neither be compared by `diff` nor sent. Not an object: returned as is.
 */
export function withoutNulls(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, member]) => member !== null && member !== undefined),
  );
}

/** The inputs whose members are themselves optional settings: nested `null` is dropped from these. */
export const NESTED_INPUTS: readonly (keyof DeploymentInputs)[] = [
  "adaptiveAllocations",
  "stop",
  "connection",
];

/** A non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
