/**
 * `diff`: what an update of a `TrainedModelDeployment` will do, decided from the old outputs and the new
 * (checked) inputs. Pure: no I/O, no Pulumi runtime.
 *
 * Classes of properties and what a change does:
 *
 * | class | properties | deployment running before and after | otherwise |
 * |---|---|---|---|
 * | identity | `deploymentId` | replace | replace (nothing to stop or start on the idle side) |
 * | connection | `connection` | in place: `GET /` checks the credentials and the cluster uuid, then the new settings are recorded | the same |
 * | start-only | `modelId`, `threadsPerAllocation`, `priority`, `queueCapacity`, `cacheSize` | replace | in place: applied by the start, or recorded |
 * | scaling | `numberOfAllocations`, `adaptiveAllocations` | in place (`_update`) | recorded, or applied by the start |
 * | state | `state` | — | in place: start or stop; `failed → started` (seen by a refresh): stop, then start |
 * | record-only | `waitFor`, `waitTimeoutSeconds`, `stop`, `adoptExisting` | recorded, no call | recorded, no call |
 *
 * Identity changes replace even when nothing runs: they name a different deployment, and an update could
 * not change the resource's id. A connection change (name ↔ object ↔ default, new credentials, a new
 * endpoint) is an in-place update: the same deployment is reached another way. The update connects with the
 * new settings, so `GET /` verifies the credentials and the wrong-cluster guard refuses an endpoint that
 * answers as another cluster than the recorded uuid; the new settings are then recorded, which is what a
 * later `pulumi destroy` uses (it runs on recorded outputs) once the old key is revoked. Moving a
 * deployment to another cluster is therefore not a connection change but a new resource.
 * Start-only changes need a restart only when a deployment runs before and after; when it is (or becomes)
 * stopped, the next start uses the new values, so an in-place start/stop/record is exact and avoids a
 * pointless replace. A replace deletes before creating whenever old and new share a deployment id, since
 * Elasticsearch refuses a second deployment with the same id.
 *
 * A field the user does not declare in the new inputs never diffs (the server's value is an output only),
 * with one exception: removing a declared `adaptiveAllocations` while adaptive allocations are on leaves
 * adaptive mode, because keeping autoscaling after the user deleted it would be silent drift. Record-only
 * fields are provider behaviour, not server state, so removing one (e.g. `stop.force`) is a change: `delete`
 * reads them from the old outputs and must not act on a stale flag.
 */
import { parseByteSize } from "./check";
import { type ConnectionChange, connectionChange, redactConnection } from "./connectionInput";
import {
  AdaptiveAllocations,
  containsUnknown,
  DeploymentInputs,
  DeploymentOutputs,
  DeploymentState,
  EffectiveSettings,
  INPUT_PROPERTIES,
  isPlainObject,
  isUnknown,
  NESTED_INPUTS,
  STOP_FLAG_PROPERTIES,
  withoutNulls,
} from "./inputs";

/** What the update does, for the provider's `update` and for the preview report. */
export type PlanKind =
  /** Nothing differs. */
  | "none"
  /** Only provider settings (or parameters of a deployment that stays stopped) change: no call. */
  | "record-only"
  /**
   * The deployment keeps running and is scaled with `_update` ({@link DeploymentPlan.scaling}); in a preview,
   * also a running deployment whose new `state` is not known yet.
   */
  | "update-in-place"
  /** Nothing runs and the deployment must start (with every new parameter). */
  | "start"
  /**
   * Elasticsearch reports the deployment failed (seen by a refresh) and it is declared started: stop it
   * (with the new inputs' stop flags), then start it with the declared parameters.
   */
  | "repair"
  /** The running deployment must stop (with the effective stop flags). */
  | "stop"
  /**
   * Only the connection changes: `GET /` verifies the new credentials and that the endpoint answers as the
   * recorded cluster; the new settings are recorded; nothing else is sent.
   */
  | "reconnect"
  /** The engine replaces the resource: create the new, delete the old (order per `deleteBeforeReplace`). */
  | "replace";

/** One differing property: `from` is the value in force (reported by the server when known), `to` the new. */
export interface Difference {
  property: keyof DeploymentInputs;
  from: unknown;
  to: unknown;
}

/** The `_update` to send for an in-place scale. */
export interface ScalingPlan {
  /** `number_of_allocations` to send; absent: do not send it. */
  numberOfAllocations?: number;
  /** `adaptive_allocations` to send; `{ enabled: false }` when leaving adaptive mode. */
  adaptiveAllocations?: AdaptiveAllocations;
  /** True when adaptive allocations are on now and must be switched off (sent with a fixed count). */
  leavesAdaptive: boolean;
}

/** Our richer description of an update, beyond what the engine accepts. */
export interface DeploymentPlan {
  kind: PlanKind;
  /** Every differing property, in input order. */
  differences: Difference[];
  /** The differences that force a replacement (empty unless `kind` is `"replace"`). */
  replaceReasons: Difference[];
  /** Differing properties that need no call to Elasticsearch. */
  recordOnly: (keyof DeploymentInputs)[];
  /** Present when `kind` is `"update-in-place"` and allocations change. */
  scaling?: ScalingPlan;
  /** Whether a running deployment gets stopped (by a stop, or by the delete half of a replace). */
  stopsRunning: boolean;
  /** Whether a deployment gets started (by a start, or by the create half of a replace). */
  startsNew: boolean;
  /** Properties whose new value is not known yet (preview); the plan assumes the costliest outcome. */
  unknowns: (keyof DeploymentInputs)[];
  /**
   * Present when `connection` changes, whatever the kind: the update connects with the new settings first
   * (`GET /`: credentials, and the wrong-cluster guard).
   */
  connection?: ConnectionChange;
}

/** The engine's `DiffResult` fields plus {@link DeploymentPlan}. */
export interface DeploymentDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  plan: DeploymentPlan;
}

const IDENTITY: readonly (keyof DeploymentInputs)[] = ["deploymentId"];
/** Scaling parameters: `_update` applies them to a running deployment. */
export const SCALING: readonly (keyof DeploymentInputs)[] = ["numberOfAllocations", "adaptiveAllocations"];
/** Parameters that only a start applies: changing them on a running deployment needs a restart. */
export const START_ONLY: readonly (keyof DeploymentInputs)[] = [
  "modelId",
  "threadsPerAllocation",
  "priority",
  "queueCapacity",
  "cacheSize",
];
/** Provider-side settings: changing them is recorded in state, nothing is sent to Elasticsearch. */
export const RECORD_ONLY: readonly (keyof DeploymentInputs)[] = [
  "waitFor",
  "waitTimeoutSeconds",
  "stop",
  "adoptExisting",
];

/**
 * Decide what changes between the old outputs and the new inputs.
 *
 * @param oldOutputs The resource's outputs as recorded (inputs under their names plus `effective`; see
 *   `inputs.ts`). Unknown extra keys, `__provider` included, are ignored.
 * @param newInputs The inputs as `check` returned them (may hold unknown sentinels during preview).
 */
export function diffInputs(
  oldOutputs: Partial<DeploymentOutputs>,
  newInputs: DeploymentInputs,
): DeploymentDiff {
  const olds = withoutUnset(oldOutputs) as Partial<DeploymentOutputs>;
  const news = withoutUnset(newInputs);
  const effective: EffectiveSettings = isPlainObject(olds.effective) ? olds.effective : {};
  const current = (key: keyof EffectiveSettings): unknown =>
    effective[key] !== undefined ? effective[key] : olds[key];

  const differences: Difference[] = [];
  const unknowns: (keyof DeploymentInputs)[] = [];
  const differ = (property: keyof DeploymentInputs, from: unknown, to: unknown): void => {
    differences.push({ property, from, to });
    if (containsUnknown(to) && !unknowns.includes(property)) unknowns.push(property);
  };

  // A failed deployment still exists (it must be stopped before it can start again) but serves nothing.
  const oldRunning = current("state") !== "stopped";
  const oldFailed = current("state") === "failed";
  const newState = news.state as DeploymentState | undefined;
  // An unknown state may turn out "started": plan for the costlier outcome.
  const newRunning = newState !== "stopped";

  for (const key of IDENTITY) {
    if (!sameValue(olds[key], news[key])) differ(key, olds[key], news[key]);
  }
  // Compared setting by setting; the difference carries no credential (plans end up in reports).
  const connection = connectionChange(olds.connection, news.connection);
  if (connection !== undefined) {
    differ("connection", redactConnection(olds.connection), redactConnection(news.connection));
  }
  if (!sameValue(olds.modelId, news.modelId)) differ("modelId", olds.modelId, news.modelId);
  for (const key of ["threadsPerAllocation", "priority", "queueCapacity"] as const) {
    if (news[key] === undefined) continue;
    if (!sameValue(current(key), news[key])) differ(key, current(key), news[key]);
  }
  if (news.cacheSize !== undefined && !sameByteSize(current("cacheSize"), news.cacheSize)) {
    differ("cacheSize", current("cacheSize"), news.cacheSize);
  }

  const scaling = diffScaling(olds, news, current, differ);

  if (!sameValue(current("state"), newState)) differ("state", current("state"), newState);

  if (!sameValue(olds.waitFor, news.waitFor)) differ("waitFor", olds.waitFor, news.waitFor);
  if (!sameValue(olds.waitTimeoutSeconds, news.waitTimeoutSeconds)) {
    differ("waitTimeoutSeconds", olds.waitTimeoutSeconds, news.waitTimeoutSeconds);
  }
  if (!sameStopFlags(olds.stop, news.stop)) differ("stop", olds.stop, news.stop);
  if (!sameValue(olds.adoptExisting ?? false, news.adoptExisting ?? false)) {
    differ("adoptExisting", olds.adoptExisting, news.adoptExisting);
  }

  differences.sort((a, b) => INPUT_PROPERTIES.indexOf(a.property) - INPUT_PROPERTIES.indexOf(b.property));
  unknowns.sort((a, b) => INPUT_PROPERTIES.indexOf(a) - INPUT_PROPERTIES.indexOf(b));

  const replaceReasons = differences.filter(
    (d) => IDENTITY.includes(d.property) || (START_ONLY.includes(d.property) && oldRunning && newRunning),
  );
  const scalingDiffers = differences.some(
    (d) => d.property === "numberOfAllocations" || d.property === "adaptiveAllocations",
  );

  let kind: PlanKind;
  if (differences.length === 0) kind = "none";
  else if (replaceReasons.length > 0) kind = "replace";
  else if (oldRunning && !newRunning) kind = "stop";
  else if (oldFailed) kind = "repair";
  else if (!oldRunning && newRunning) kind = "start";
  // An unknown state may yet stop the deployment: not something to call "record-only" in a preview.
  else if (oldRunning && newRunning && (scalingDiffers || isUnknown(newState))) kind = "update-in-place";
  else if (connection !== undefined) kind = "reconnect";
  else kind = "record-only";

  // A stop applies only the state; everything else it carries takes effect at the next start.
  const recordOnly = differences
    .map((d) => d.property)
    // The connection is never record-only: the update sends `GET /` with it first.
    .filter(
      (p) =>
        p !== "connection" &&
        (RECORD_ONLY.includes(p) || kind === "record-only" || (kind === "stop" && p !== "state")),
    );

  const plan: DeploymentPlan = {
    kind,
    differences,
    replaceReasons,
    recordOnly,
    stopsRunning: oldRunning && (kind === "stop" || kind === "replace" || kind === "repair"),
    startsNew: newRunning && (kind === "start" || kind === "replace" || kind === "repair"),
    unknowns,
  };
  if (kind === "update-in-place" && scaling !== undefined) plan.scaling = scaling;
  if (connection !== undefined) plan.connection = connection;

  const replaces = replaceReasons.map((d) => d.property);
  // An unknown new id might equal the old one: deleting first is the safe order.
  const sameDeploymentId = olds.deploymentId === news.deploymentId || isUnknown(news.deploymentId);
  return {
    changes: differences.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && sameDeploymentId,
    plan,
  };
}

/**
 * Compare the declared allocation mode with the one in force and build the `_update` that would reach it.
 * `numberOfAllocations` is never compared while the new inputs enable adaptive allocations.
 */
function diffScaling(
  olds: Partial<DeploymentOutputs>,
  news: Record<string, unknown>,
  current: (key: keyof EffectiveSettings) => unknown,
  differ: (property: keyof DeploymentInputs, from: unknown, to: unknown) => void,
): ScalingPlan | undefined {
  const newAdaptive = news.adaptiveAllocations;
  const newCount = news.numberOfAllocations;
  const curAdaptive = current("adaptiveAllocations");
  const curCount = current("numberOfAllocations");
  const curAdaptiveOn = isPlainObject(curAdaptive) && curAdaptive.enabled === true;

  const leave = (to: unknown): ScalingPlan => {
    differ("adaptiveAllocations", curAdaptive, to);
    // Without a declared count keep the count adaptive mode had reached, but at least 1: a deployment it had
    // scaled to zero would otherwise never serve again.
    const count =
      newCount !== undefined ? newCount : typeof curCount === "number" && curCount >= 1 ? curCount : 1;
    if (newCount !== undefined && !sameValue(curCount, newCount))
      differ("numberOfAllocations", curCount, newCount);
    return {
      adaptiveAllocations: { enabled: false },
      numberOfAllocations: count as number,
      leavesAdaptive: true,
    };
  };
  const compareCount = (): ScalingPlan | undefined => {
    if (newCount === undefined || sameValue(curCount, newCount)) return undefined;
    differ("numberOfAllocations", curCount, newCount);
    return { numberOfAllocations: newCount as number, leavesAdaptive: false };
  };

  if (containsUnknown(newAdaptive)) {
    differ("adaptiveAllocations", curAdaptive, newAdaptive);
    return { adaptiveAllocations: newAdaptive as AdaptiveAllocations, leavesAdaptive: false };
  }
  if (isPlainObject(newAdaptive)) {
    if (newAdaptive.enabled === true) {
      if (curAdaptiveOn && sameDeclaredBounds(newAdaptive, curAdaptive)) return undefined;
      differ("adaptiveAllocations", curAdaptive, newAdaptive);
      return { adaptiveAllocations: newAdaptive as unknown as AdaptiveAllocations, leavesAdaptive: false };
    }
    return curAdaptiveOn ? leave(newAdaptive) : compareCount();
  }
  // Adaptive not declared now: a declared count means fixed mode; a removed declaration means "switch it off".
  if (newCount !== undefined) return curAdaptiveOn ? leave(undefined) : compareCount();
  const declaredBefore = isPlainObject(olds.adaptiveAllocations) && olds.adaptiveAllocations.enabled === true;
  return declaredBefore && curAdaptiveOn ? leave(undefined) : undefined;
}

/**
 * `null` means unset, at the top level and inside `adaptiveAllocations` and `stop`. `check` already drops
 * it from new inputs; old outputs recorded by an earlier version may still hold it, and a `null` bound or
 * flag compared as a value would show a change on every preview.
 */
function withoutUnset(record: unknown): Record<string, unknown> {
  if (!isPlainObject(record)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === null || value === undefined) continue;
    out[key] = (NESTED_INPUTS as readonly string[]).includes(key) ? withoutNulls(value) : value;
  }
  return out;
}

/** The bounds the user declares equal the ones in force; an undeclared bound is not compared. */
function sameDeclaredBounds(declared: Record<string, unknown>, inForce: unknown): boolean {
  if (!isPlainObject(inForce)) return false;
  for (const key of ["minNumberOfAllocations", "maxNumberOfAllocations"]) {
    if (declared[key] !== undefined && declared[key] !== inForce[key]) return false;
  }
  return true;
}

function sameStopFlags(old: unknown, next: unknown): boolean {
  if (isUnknown(next) || containsUnknown(next)) return false;
  const a = isPlainObject(old) ? old : {};
  const b = isPlainObject(next) ? next : {};
  return STOP_FLAG_PROPERTIES.every((key) => a[key] === b[key]);
}

function sameByteSize(old: unknown, next: unknown): boolean {
  if (isUnknown(next)) return false;
  if (typeof old !== "string" || typeof next !== "string") return old === next;
  const a = parseByteSize(old);
  const b = parseByteSize(next);
  return a !== undefined && b !== undefined ? a === b : old === next;
}

/** Equality for scalars; an unknown new value is never "the same". */
function sameValue(old: unknown, next: unknown): boolean {
  if (isUnknown(next)) return false;
  return old === next;
}
