/**
 * Deployment (trained model assignment) state: task parameters, the routing table with one
 * route per ML node, counters per route, and the pending inference queue. Pure helpers here
 * compute the derived states the APIs report (§2.4, §5.2).
 */
import type { ByteSize } from "../params";

export type AssignmentState = "starting" | "started" | "stopping";
export type RoutingState = "starting" | "started" | "stopping" | "stopped" | "failed";
export type AllocationState = "starting" | "started" | "fully_allocated";
export type Priority = "normal" | "low";

export interface AdaptiveSettings {
  enabled: boolean;
  min_number_of_allocations?: number;
  max_number_of_allocations?: number;
}

/** Inference counters of one route (node), the source of `deployment_stats.nodes[]`. */
export interface RouteStats {
  inferenceCount: number;
  cacheHitCount: number;
  errorCount: number;
  rejectedExecutionCount: number;
  timeoutCount: number;
  /** Sum of inference times (ms), with and without cache hits. */
  totalTimeMs: number;
  totalTimeExcludingCacheHitsMs: number;
  lastAccess?: number;
  /** Completion times (epoch ms) and durations within the last minute. */
  recent: { at: number; ms: number; cacheHit: boolean }[];
  peakThroughputPerMinute: number;
  inFlight: number;
}

export interface Route {
  nodeId: string;
  current: number;
  target: number;
  state: RoutingState;
  reason?: string;
  startTime?: number;
  stats: RouteStats;
}

export interface InferenceJob {
  docs: Record<string, unknown>[];
  cacheHit: boolean;
  enqueuedAt: number;
  resolve: (results: unknown[]) => void;
  reject: (error: Error) => void;
  /** Cancels the job's timeout timer. */
  settle: () => void;
}

export interface Deployment {
  deploymentId: string;
  modelId: string;
  modelBytes: number;
  threadsPerAllocation: number;
  numberOfAllocations: number;
  queueCapacity: number;
  cacheSize: ByteSize;
  priority: Priority;
  adaptive: AdaptiveSettings | null;
  /** Epoch ms. */
  startTime: number;
  state: AssignmentState;
  reason?: string;
  routes: Map<string, Route>;
  maxAssignedAllocations: number;
  queue: InferenceJob[];
  /** Inputs seen, for cache hits (only when cache_size is not 0). */
  cache: Set<string>;
  /** Epoch ms of the last inference request, for the adaptive scaler. */
  lastActivity: number;
  /** Requests received since the scaler last looked. */
  recentRequests: number;
  /** Set while stopping: resolves when the deployment is gone. */
  stopped?: Promise<void>;
  stopOptions?: { finishPendingWork: boolean };
}

export function emptyRouteStats(): RouteStats {
  return {
    inferenceCount: 0,
    cacheHitCount: 0,
    errorCount: 0,
    rejectedExecutionCount: 0,
    timeoutCount: 0,
    totalTimeMs: 0,
    totalTimeExcludingCacheHitsMs: 0,
    recent: [],
    peakThroughputPerMinute: 0,
    inFlight: 0,
  };
}

/** Allocations serving requests: current allocations of started routes. */
export function allocationCount(dep: Deployment): number {
  let count = 0;
  for (const route of dep.routes.values()) if (route.state === "started") count += route.current;
  return count;
}

/**
 * Allocations planned on nodes (targets of live routes, and of failed ones: a failed route keeps its
 * place in the routing table until the deployment is stopped, so the planner does not move it).
 */
export function plannedAllocations(dep: Deployment): number {
  let count = 0;
  for (const route of dep.routes.values())
    if (route.state === "starting" || route.state === "started" || route.state === "failed")
      count += route.target;
  return count;
}

/**
 * `deployment_stats.state`: the stored assignment state, except that a deployment whose every route
 * failed is reported `failed` — Elasticsearch computes `failed`, it never stores it (reference §2.4,
 * `assignment_state`; `PyTorchModelIT.testFailedDeploymentStats` sees `failed` for a model whose native
 * process could not load on its node).
 */
export function reportedState(dep: Deployment): AssignmentState | "failed" {
  if (dep.state === "stopping" || dep.routes.size === 0) return dep.state;
  for (const route of dep.routes.values()) if (route.state !== "failed") return dep.state;
  return "failed";
}

/**
 * `allocation_status.state`: starting with no serving allocation, started while some are
 * missing, fully_allocated when all are there. With scale-to-zero (8.16+) a target of 0 is
 * fully allocated.
 */
export function allocationState(dep: Deployment, scaleToZero: boolean): AllocationState {
  const count = allocationCount(dep);
  if (dep.numberOfAllocations === 0 && scaleToZero) return "fully_allocated";
  if (count === 0) return "starting";
  return count < dep.numberOfAllocations ? "started" : "fully_allocated";
}

const ALLOCATION_ORDER: AllocationState[] = ["starting", "started", "fully_allocated"];

export function allocationRank(state: AllocationState): number {
  return ALLOCATION_ORDER.indexOf(state);
}

/** Inference slots: allocations × threads on started routes (see README for why threads count). */
export function routeSlots(dep: Deployment, route: Route): number {
  return route.state === "started" ? route.current * dep.threadsPerAllocation : 0;
}

export function inFlight(dep: Deployment): number {
  let total = 0;
  for (const route of dep.routes.values()) total += route.stats.inFlight;
  return total;
}
