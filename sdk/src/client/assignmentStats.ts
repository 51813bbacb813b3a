/**
 * A deployment's stats, derived from the `assignment` that `_start` answers with (issue 16: a create then
 * needs no `_stats` read of its own). Elasticsearch computes the stats of a deployment from that same
 * assignment (reference §2.3 and §5.2): the state, `allocation_status` (allocations on started routes
 * against `number_of_allocations`), the task parameters and one entry per route. What the assignment lacks
 * is each node's name, which `_stats` nests under the node id; the client remembers the names it has seen
 * in earlier `_stats` answers.
 *
 * Pure. Returns undefined whenever the result could differ from what `_stats` would say: a field missing
 * or of another shape, a node whose name is not known yet, or adaptive allocations before 8.16 (whose
 * `_stats` do not report them). The caller then reads `_stats` as before.
 */
import type {
  AllocationState,
  AssignmentState,
  DeploymentStats,
  RoutingTableEntry,
  TrainedModelAssignment,
} from "./types";
import { type EsVersion, isAtLeast } from "./version";

const ASSIGNMENT_STATES: readonly string[] = ["starting", "started", "stopping", "failed"];
const ROUTING_STATES: readonly string[] = ["starting", "started", "stopping", "stopped", "failed"];

export function statsFromAssignment(
  assignment: TrainedModelAssignment,
  nodeName: (nodeId: string) => string | undefined,
  version: EsVersion,
): DeploymentStats | undefined {
  const task = assignment.task_parameters;
  if (typeof task !== "object" || task === null) return undefined;
  const { model_id, deployment_id, number_of_allocations, threads_per_allocation, queue_capacity } = task;
  if (
    typeof model_id !== "string" ||
    typeof number_of_allocations !== "number" ||
    typeof threads_per_allocation !== "number" ||
    typeof queue_capacity !== "number" ||
    !ASSIGNMENT_STATES.includes(assignment.assignment_state)
  ) {
    return undefined;
  }
  const startTime = Date.parse(assignment.start_time);
  if (Number.isNaN(startTime)) return undefined;
  const adaptive = assignment.adaptive_allocations;
  const adaptiveInStats = isAtLeast(version, "8.16.0");
  if (adaptive?.enabled === true && !adaptiveInStats) return undefined;

  const routes = Object.entries(assignment.routing_table ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const nodes: Array<Record<string, unknown>> = [];
  let allocationCount = 0;
  for (const [nodeId, route] of routes) {
    const name = nodeName(nodeId);
    if (name === undefined || !isRoute(route)) return undefined;
    const started = route.routing_state === "started";
    if (started) allocationCount += route.current_allocations;
    const entry: Record<string, unknown> = {
      node: { [nodeId]: { name } },
      routing_state: route.reason
        ? { routing_state: route.routing_state, reason: route.reason }
        : { routing_state: route.routing_state },
    };
    if (started) {
      entry.threads_per_allocation = threads_per_allocation;
      entry.number_of_allocations = route.current_allocations;
    }
    nodes.push(entry);
  }

  const stats: DeploymentStats = {
    deployment_id: typeof deployment_id === "string" ? deployment_id : model_id,
    model_id,
    threads_per_allocation,
    number_of_allocations,
    queue_capacity,
    state: reportedState(
      assignment.assignment_state,
      routes.map(([, r]) => r),
    ),
    start_time: startTime,
    nodes,
  };
  if (adaptive && adaptiveInStats) stats.adaptive_allocations = adaptive;
  if (task.cache_size !== undefined) stats.cache_size = task.cache_size;
  if (task.priority !== undefined) stats.priority = task.priority;
  if (typeof assignment.reason === "string" && assignment.reason !== "") stats.reason = assignment.reason;
  if (assignment.assignment_state !== "stopping") {
    stats.allocation_status = {
      allocation_count: allocationCount,
      target_allocation_count: number_of_allocations,
      state: allocationState(allocationCount, number_of_allocations, adaptiveInStats),
    };
  }
  return stats;
}

function isRoute(route: unknown): route is RoutingTableEntry {
  const r = route as Partial<RoutingTableEntry> | null;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.current_allocations === "number" &&
    typeof r.routing_state === "string" &&
    ROUTING_STATES.includes(r.routing_state)
  );
}

// `_stats` reports a deployment whose every route failed as failed (reference §5.2, `state`).
function reportedState(state: AssignmentState, routes: readonly RoutingTableEntry[]): AssignmentState {
  if (state === "stopping" || routes.length === 0) return state;
  return routes.every((r) => r.routing_state === "failed") ? "failed" : state;
}

// `allocation_status.state` (reference §5.2): with a target of 0 (8.16+) the deployment is fully allocated.
function allocationState(count: number, target: number, scaleToZero: boolean): AllocationState {
  if (target === 0 && scaleToZero) return "fully_allocated";
  if (count === 0) return "starting";
  return count < target ? "started" : "fully_allocated";
}

/** Node id → name, from the `nodes` of deployment stats. */
export function nodeNamesIn(stats: DeploymentStats | undefined): Array<[string, string]> {
  const names: Array<[string, string]> = [];
  for (const entry of stats?.nodes ?? []) {
    const node = entry.node;
    if (typeof node !== "object" || node === null) continue;
    for (const [id, info] of Object.entries(node as Record<string, unknown>)) {
      const name = (info as { name?: unknown } | null)?.name;
      if (typeof name === "string") names.push([id, name]);
    }
  }
  return names;
}
