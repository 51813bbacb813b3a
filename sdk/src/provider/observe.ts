/**
 * What Elasticsearch reports about a deployment, mapped onto the resource's outputs (`effective` and the
 * other facts), how far it got (readiness), and the inputs a refresh returns so the engine shows drift.
 * Pure: no I/O.
 */
import type { DeploymentStats } from "../client";
import { parseByteSize } from "./check";
import {
  AdaptiveAllocations,
  DeploymentInputs,
  DeploymentNode,
  DeploymentOutputs,
  EffectiveSettings,
  INPUT_PROPERTIES,
  isPlainObject,
  PROVIDER_KEY,
  WaitFor,
} from "./inputs";

/** The outputs that describe what runs (everything but the inputs). */
export type Observation = Pick<
  DeploymentOutputs,
  | "effective"
  | "deploymentState"
  | "reason"
  | "allocationState"
  | "allocationCount"
  | "targetAllocationCount"
  | "nodes"
  | "startTime"
>;

/** Every key of {@link Observation}, plus the lookups and the cluster uuid: the outputs that are not inputs. */
export const OBSERVED_KEYS = [
  "effective",
  "clusterUuid",
  "esVersion",
  "deploymentState",
  "reason",
  "allocationState",
  "allocationCount",
  "targetAllocationCount",
  "nodes",
  "startTime",
  "referencingPipelines",
  "inferenceEndpoints",
] as const;

/** The observation of a deployment that does not exist: `effective.state` is `stopped`, nothing else. */
export const ABSENT: Observation = Object.freeze({ effective: Object.freeze({ state: "stopped" as const }) });

/**
 * Map a deployment's stats onto outputs. `undefined` (no such deployment) maps to {@link ABSENT}: a
 * refresh reports it stopped, never gone, so the next `up` starts it again. A deployment Elasticsearch
 * reports `failed` maps to `effective.state: "failed"`, so a refresh shows `failed => started` and the
 * next `up` repairs it (a deployment with only some routes failed still serves: it stays `started`, and
 * {@link failedRoutesWarning} says which routes failed).
 */
export function observe(stats: DeploymentStats | undefined): Observation {
  if (stats === undefined) return { effective: { state: "stopped" } };
  const effective: EffectiveSettings = { state: stats.state === "failed" ? "failed" : "started" };
  if (typeof stats.number_of_allocations === "number")
    effective.numberOfAllocations = stats.number_of_allocations;
  effective.adaptiveAllocations = adaptiveFromStats(stats.adaptive_allocations);
  if (typeof stats.threads_per_allocation === "number")
    effective.threadsPerAllocation = stats.threads_per_allocation;
  if (stats.priority === "normal" || stats.priority === "low") effective.priority = stats.priority;
  if (typeof stats.queue_capacity === "number") effective.queueCapacity = stats.queue_capacity;
  if (typeof stats.cache_size === "string") effective.cacheSize = stats.cache_size;
  else if (typeof stats.cache_size === "number") effective.cacheSize = `${stats.cache_size}b`;

  const observation: Observation = { effective, nodes: nodesFromStats(stats.nodes) };
  if (stats.state !== undefined) observation.deploymentState = stats.state;
  if (typeof stats.reason === "string" && stats.reason !== "") observation.reason = stats.reason;
  const status = stats.allocation_status;
  if (status !== undefined) {
    observation.allocationState = status.state;
    observation.allocationCount = status.allocation_count;
    observation.targetAllocationCount = status.target_allocation_count;
  }
  if (typeof stats.start_time === "number") observation.startTime = new Date(stats.start_time).toISOString();
  return observation;
}

// A running deployment without adaptive settings has them off: that is what diff compares a declaration with.
function adaptiveFromStats(raw: DeploymentStats["adaptive_allocations"]): AdaptiveAllocations {
  if (!isPlainObject(raw) || raw.enabled !== true) return { enabled: false };
  const adaptive: AdaptiveAllocations = { enabled: true };
  if (typeof raw.min_number_of_allocations === "number")
    adaptive.minNumberOfAllocations = raw.min_number_of_allocations;
  if (typeof raw.max_number_of_allocations === "number")
    adaptive.maxNumberOfAllocations = raw.max_number_of_allocations;
  return adaptive;
}

/** `nodes[i]` of deployment stats: `{ node: { <id>: { name } }, routing_state: { routing_state, reason }, number_of_allocations }`. */
function nodesFromStats(raw: unknown): DeploymentNode[] {
  if (!Array.isArray(raw)) return [];
  const nodes: DeploymentNode[] = [];
  for (const entry of raw) {
    if (!isPlainObject(entry)) continue;
    const node = isPlainObject(entry.node) ? entry.node : {};
    const [nodeId, info] = Object.entries(node)[0] ?? ["unknown", undefined];
    const routing = isPlainObject(entry.routing_state) ? entry.routing_state : {};
    const item: DeploymentNode = {
      nodeId,
      routingState: typeof routing.routing_state === "string" ? routing.routing_state : "unknown",
    };
    if (isPlainObject(info) && typeof info.name === "string") item.nodeName = info.name;
    if (typeof routing.reason === "string" && routing.reason !== "") item.reason = routing.reason;
    if (typeof entry.number_of_allocations === "number")
      item.currentAllocations = entry.number_of_allocations;
    nodes.push(item);
  }
  return nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

/**
 * The warning for a deployment that still runs but has failed routes (Elasticsearch reports
 * `routing_state: failed` on some nodes): it is not repaired (it serves on the other nodes, and a restart
 * would interrupt that), but the user should know. Undefined when no route failed or the whole deployment
 * failed (that is repaired instead).
 */
export function failedRoutesWarning(deploymentId: string, observation: Observation): string | undefined {
  if (observation.effective?.state !== "started") return undefined;
  const failed = (observation.nodes ?? []).filter((n) => n.routingState === "failed");
  if (failed.length === 0) return undefined;
  const routes = failed
    .map((n) => `[${n.nodeName ?? n.nodeId}]${n.reason ? ` (${n.reason})` : ""}`)
    .join(", ");
  return (
    `${deploymentId}: its route${failed.length === 1 ? "" : "s"} on node${failed.length === 1 ? "" : "s"} ` +
    `${routes} failed; it keeps serving on its other nodes, so it is not restarted. To restart it, stop it ` +
    "(state: stopped) and start it again, or replace it (pulumi up --replace <urn>)."
  );
}

/** How far a deployment got towards what is waited for. */
export type Readiness =
  | { status: "reached"; summary: string }
  | { status: "waiting"; summary: string }
  | { status: "failed"; summary: string; reason: string }
  | { status: "absent"; summary: string };

/** What to wait for: the `waitFor` level and, after a scale, the allocation count the target must show. */
export interface WaitTarget {
  waitFor: WaitFor;
  /** With `fully_allocated`: the target count must equal this (a scale is not done until the server took it). */
  expectedAllocations?: number;
}

/**
 * Whether `stats` satisfies `target`. `fully_allocated` means Elasticsearch's own readiness signal:
 * allocation state `fully_allocated` and as many allocations as targeted; an adaptive deployment scaled
 * to zero (target 0) counts as ready, since versions before ES #114570 report it `starting` forever.
 * A failed deployment or route, or one that is stopping, fails the wait with Elasticsearch's reason.
 */
export function assessReadiness(stats: DeploymentStats | undefined, target: WaitTarget): Readiness {
  if (stats === undefined) return { status: "absent", summary: "absent" };
  const summary = summarize(stats);
  if (stats.state === "failed") {
    return { status: "failed", summary, reason: stats.reason ?? "Elasticsearch gave no reason" };
  }
  if (stats.state === "stopping") {
    return {
      status: "failed",
      summary,
      reason: "it is stopping (stopped by someone else while this operation waited)",
    };
  }
  const reached = reachedLevel(stats, target);
  if (reached) return { status: "reached", summary };
  const failedRoute = nodesFromStats(stats.nodes).find((n) => n.routingState === "failed");
  if (failedRoute) {
    const where = failedRoute.nodeName ?? failedRoute.nodeId;
    return {
      status: "failed",
      summary,
      reason: `its route on node [${where}] failed: ${failedRoute.reason ?? "Elasticsearch gave no reason"}`,
    };
  }
  return { status: "waiting", summary };
}

function reachedLevel(stats: DeploymentStats, target: WaitTarget): boolean {
  const status = stats.allocation_status;
  switch (target.waitFor) {
    case "starting":
      return true;
    case "started":
      return status !== undefined
        ? status.state === "started" || status.state === "fully_allocated"
        : stats.state === "started";
    case "fully_allocated": {
      if (status === undefined) return false;
      if (
        target.expectedAllocations !== undefined &&
        status.target_allocation_count !== target.expectedAllocations
      ) {
        return false;
      }
      const scaledToZero =
        status.target_allocation_count === 0 && stats.adaptive_allocations?.enabled === true;
      return (
        scaledToZero ||
        (status.state === "fully_allocated" && status.allocation_count >= status.target_allocation_count)
      );
    }
  }
}

/** `starting, 1/2 allocations` — what progress lines and messages show. */
export function summarize(stats: DeploymentStats): string {
  const status = stats.allocation_status;
  const state = status?.state ?? stats.state ?? "unknown";
  const counts =
    status === undefined ? "" : `, ${status.allocation_count}/${status.target_allocation_count} allocations`;
  const reason = typeof stats.reason === "string" && stats.reason !== "" ? ` (${stats.reason})` : "";
  return `${state}${counts}${reason}`;
}

/**
 * Whether recorded outputs show the deployment had reached its `waitFor` when they were written, so an
 * update that only records provider settings needs no call to Elasticsearch.
 */
export function recordedReady(outputs: Partial<DeploymentOutputs>): boolean {
  if (outputs.effective?.state !== "started") return false;
  if (outputs.deploymentState === "failed" || outputs.deploymentState === "stopping") return false;
  switch (outputs.waitFor) {
    case "starting":
      return outputs.deploymentState !== undefined;
    case "started":
      return outputs.allocationState === "started" || outputs.allocationState === "fully_allocated";
    default:
      return (
        outputs.allocationState === "fully_allocated" &&
        typeof outputs.allocationCount === "number" &&
        typeof outputs.targetAllocationCount === "number" &&
        outputs.allocationCount >= outputs.targetAllocationCount
      );
  }
}

/** The declared inputs held in outputs (the input names only; `__provider` and facts left out). */
export function declaredInputs(outputs: Record<string, unknown>): DeploymentInputs {
  const inputs: Record<string, unknown> = {};
  for (const key of INPUT_PROPERTIES) {
    if (outputs[key] !== undefined && outputs[key] !== null) inputs[key] = outputs[key];
  }
  return inputs as unknown as DeploymentInputs;
}

/**
 * The inputs a refresh returns: the declaration with each *declared* value that differs from what runs
 * replaced by the running value, so the next preview shows exactly the drift (the engine diffs the
 * program's inputs against these). Undeclared fields stay undeclared; `numberOfAllocations` is left
 * alone while adaptive allocations are declared on.
 */
export function inputsWithDrift(declared: DeploymentInputs, effective: EffectiveSettings): DeploymentInputs {
  const out: Record<string, unknown> = { ...declared };
  delete out[PROVIDER_KEY];
  if (effective.state !== undefined && effective.state !== declared.state) out.state = effective.state;
  if (effective.state !== "started") return out as unknown as DeploymentInputs;

  for (const key of ["threadsPerAllocation", "priority", "queueCapacity"] as const) {
    if (declared[key] !== undefined && effective[key] !== undefined && declared[key] !== effective[key]) {
      out[key] = effective[key];
    }
  }
  if (declared.cacheSize !== undefined && effective.cacheSize !== undefined) {
    const a = parseByteSize(declared.cacheSize);
    const b = parseByteSize(effective.cacheSize);
    if (a === undefined || b === undefined ? declared.cacheSize !== effective.cacheSize : a !== b) {
      out.cacheSize = effective.cacheSize;
    }
  }

  const declaredAdaptive = declared.adaptiveAllocations;
  const runningAdaptive = effective.adaptiveAllocations;
  const runningAdaptiveOn = runningAdaptive?.enabled === true;
  if (declaredAdaptive?.enabled === true) {
    if (runningAdaptive !== undefined && !runningAdaptiveOn) {
      out.adaptiveAllocations = { enabled: false };
      if (effective.numberOfAllocations !== undefined)
        out.numberOfAllocations = effective.numberOfAllocations;
    } else if (runningAdaptiveOn) {
      const bounds = { ...declaredAdaptive };
      for (const bound of ["minNumberOfAllocations", "maxNumberOfAllocations"] as const) {
        if (declaredAdaptive[bound] !== undefined && declaredAdaptive[bound] !== runningAdaptive[bound]) {
          bounds[bound] = runningAdaptive[bound];
        }
      }
      out.adaptiveAllocations = bounds;
    }
  } else if (
    runningAdaptiveOn &&
    (declared.numberOfAllocations !== undefined || declaredAdaptive !== undefined)
  ) {
    // Someone switched adaptive allocations on out of band: show the mode change, not a count change.
    out.adaptiveAllocations = runningAdaptive;
    delete out.numberOfAllocations;
  } else if (
    declared.numberOfAllocations !== undefined &&
    effective.numberOfAllocations !== undefined &&
    declared.numberOfAllocations !== effective.numberOfAllocations
  ) {
    out.numberOfAllocations = effective.numberOfAllocations;
  }
  return out as unknown as DeploymentInputs;
}

/** A copy without `undefined` values (the engine's struct encoding has no `undefined`). */
export function compact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
