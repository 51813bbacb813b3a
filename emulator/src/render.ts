/**
 * The assignment object returned by start and update (`TrainedModelAssignment`, §2.4), shaped
 * for the emulated version: `allocation`/`allocation_state` and the old thread names before 8.3,
 * no route counts before 8.4, `adaptive_allocations` always present (null when unset) from 8.15.
 */
import type { Cluster } from "./state/cluster";
import type { AdaptiveSettings, Deployment } from "./state/deployments";

export function renderAdaptive(settings: AdaptiveSettings): Record<string, unknown> {
  const out: Record<string, unknown> = { enabled: settings.enabled };
  if (settings.min_number_of_allocations !== undefined)
    out.min_number_of_allocations = settings.min_number_of_allocations;
  if (settings.max_number_of_allocations !== undefined)
    out.max_number_of_allocations = settings.max_number_of_allocations;
  return out;
}

export function taskParameters(dep: Deployment, cluster: Cluster): Record<string, unknown> {
  const profile = cluster.profile;
  const task: Record<string, unknown> = { model_id: dep.modelId };
  if (profile.has("deploymentIds")) task.deployment_id = dep.deploymentId;
  task.model_bytes = dep.modelBytes;
  task[profile.threadsParam] = dep.threadsPerAllocation;
  task[profile.allocationsParam] = dep.numberOfAllocations;
  task.queue_capacity = dep.queueCapacity;
  if (profile.has("cacheSize")) task.cache_size = dep.cacheSize.text;
  if (profile.has("priority")) task.priority = dep.priority;
  if (profile.has("taskMemoryBytes")) {
    // The emulator does not model memory: Elasticsearch reports 0 when it has no estimate.
    task.per_deployment_memory_bytes = 0;
    task.per_allocation_memory_bytes = 0;
  }
  return task;
}

export function renderAssignment(dep: Deployment, cluster: Cluster): Record<string, unknown> {
  const profile = cluster.profile;
  const routingTable: Record<string, unknown> = {};
  for (const route of [...dep.routes.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId))) {
    const entry: Record<string, unknown> = {};
    if (profile.has("routeAllocationCounts")) {
      entry.current_allocations = route.current;
      entry.target_allocations = route.target;
    }
    entry.routing_state = route.state;
    if (route.reason) entry.reason = route.reason;
    routingTable[route.nodeId] = entry;
  }
  const out: Record<string, unknown> = {
    task_parameters: taskParameters(dep, cluster),
    routing_table: routingTable,
    [profile.has("assignmentNaming") ? "assignment_state" : "allocation_state"]: dep.state,
  };
  if (dep.reason) out.reason = dep.reason;
  out.start_time = new Date(dep.startTime).toISOString();
  if (profile.has("routeAllocationCounts")) out.max_assigned_allocations = dep.maxAssignedAllocations;
  if (profile.has("adaptiveAllocations"))
    out.adaptive_allocations = dep.adaptive ? renderAdaptive(dep.adaptive) : null;
  return out;
}

/** `{ "assignment": ... }` (8.3+) or `{ "allocation": ... }` (8.0–8.2). */
export function assignmentResponse(dep: Deployment, cluster: Cluster): Record<string, unknown> {
  return {
    [cluster.profile.has("assignmentNaming") ? "assignment" : "allocation"]: renderAssignment(dep, cluster),
  };
}
