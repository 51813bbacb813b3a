/**
 * `GET _ml/trained_models[/<ids>]/_stats` bodies (§5.2): one entry per undeployed model and one
 * per deployment, `count` per model, sorted by model id then deployment id, epoch-ms times,
 * zero error counters omitted, `allocation_status` absent while stopping.
 */
import { pruneRecent } from "./inference";
import { humanBytes } from "./params";
import { renderAdaptive } from "./render";
import type { Cluster, MlNode } from "./state/cluster";
import { allocationCount, allocationState, Deployment, reportedState, Route } from "./state/deployments";
import type { Expansion, Model } from "./state/models";
import { referencedModelIds } from "./state/pipelines";

const PYTORCH_BASE_MEMORY = 240 * 1024 * 1024;
/** ELSER v1/v2 need a fixed 2004 MB (`StartTrainedModelDeploymentAction.ELSER_1_OR_2_MEMORY_USAGE`). */
const ELSER_MEMORY = 2004 * 1024 * 1024;
const isElser = (modelId: string): boolean => /^\.elser_model_[12]/.test(modelId);

export function statsResponse(
  cluster: Cluster,
  expansion: Expansion,
  page: { from: number; size: number },
  human: boolean,
): Record<string, unknown> {
  const entries: Record<string, unknown>[] = [];
  for (const modelId of expansion.modelIds.slice(page.from, page.from + page.size)) {
    const model = cluster.models.get(modelId);
    if (!model) continue;
    const selection = expansion.deployments.get(modelId) ?? "all";
    const deployments = [...cluster.deployments.values()]
      .filter((dep) => dep.modelId === modelId && (selection === "all" || selection.has(dep.deploymentId)))
      .sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));
    if (deployments.length === 0) entries.push(modelEntry(cluster, model, undefined, human));
    for (const dep of deployments) entries.push(modelEntry(cluster, model, dep, human));
  }
  return { count: expansion.modelIds.length, trained_model_stats: entries };
}

function modelEntry(
  cluster: Cluster,
  model: Model,
  dep: Deployment | undefined,
  human: boolean,
): Record<string, unknown> {
  const bytes = cluster.models.modelBytes(model);
  const required =
    model.modelType !== "pytorch"
      ? bytes
      : isElser(model.modelId)
        ? ELSER_MEMORY
        : PYTORCH_BASE_MEMORY + 2 * bytes;
  const sizeStats: Record<string, unknown> = {
    model_size_bytes: bytes,
    required_native_memory_bytes: required,
  };
  if (human) {
    sizeStats.model_size = humanBytes(bytes);
    sizeStats.required_native_memory = humanBytes(required);
  }
  const ids = [model.modelId, ...cluster.models.aliasesOf(model.modelId)];
  if (dep) ids.push(dep.deploymentId);
  const pipelines = cluster.pipelines.referencing(ids);
  const entry: Record<string, unknown> = {
    model_id: model.modelId,
    model_size_stats: sizeStats,
    pipeline_count: pipelines.length,
  };
  if (pipelines.length > 0) entry.ingest = ingestStats(cluster, pipelines, new Set(ids));
  const totals = dep ? deploymentTotals(dep) : undefined;
  entry.inference_stats = {
    failure_count: totals ? totals.errors + totals.timeouts + totals.rejections : 0,
    inference_count: totals?.inferences ?? 0,
    cache_miss_count: 0,
    missing_all_fields_count: 0,
    timestamp: Date.now(),
  };
  if (dep) entry.deployment_stats = deploymentStats(cluster, dep, human);
  return entry;
}

function zeroCounters(): Record<string, number> {
  return { count: 0, time_in_millis: 0, current: 0, failed: 0 };
}

/** Nodes-stats shaped ingest counters; the emulator does not run pipelines, so they stay 0. */
function ingestStats(cluster: Cluster, pipelineIds: string[], ids: Set<string>): Record<string, unknown> {
  const pipelines: Record<string, unknown> = {};
  for (const id of pipelineIds) {
    const config = cluster.pipelines.pipelines.get(id) ?? {};
    const processors = referencedModelIds(config)
      .filter((modelId) => ids.has(modelId))
      .map(() => ({ inference: { type: "inference", stats: zeroCounters() } }));
    pipelines[id] = {
      ...zeroCounters(),
      ingested_as_first_pipeline_in_bytes: 0,
      produced_as_first_pipeline_in_bytes: 0,
      processors,
    };
  }
  return { total: zeroCounters(), pipelines };
}

interface Totals {
  inferences: number;
  errors: number;
  rejections: number;
  timeouts: number;
  peak: number;
}

function deploymentTotals(dep: Deployment): Totals {
  const totals: Totals = { inferences: 0, errors: 0, rejections: 0, timeouts: 0, peak: 0 };
  for (const route of dep.routes.values()) {
    totals.inferences += route.stats.inferenceCount;
    totals.errors += route.stats.errorCount;
    totals.rejections += route.stats.rejectedExecutionCount;
    totals.timeouts += route.stats.timeoutCount;
    totals.peak += route.stats.peakThroughputPerMinute;
  }
  return totals;
}

function deploymentStats(cluster: Cluster, dep: Deployment, human: boolean): Record<string, unknown> {
  const profile = cluster.profile;
  const out: Record<string, unknown> = {};
  if (profile.has("deploymentIds")) out.deployment_id = dep.deploymentId;
  out.model_id = dep.modelId;
  out[profile.threadsParam] = dep.threadsPerAllocation;
  out[profile.allocationsParam] = dep.numberOfAllocations;
  if (profile.has("adaptiveInStats") && dep.adaptive) out.adaptive_allocations = renderAdaptive(dep.adaptive);
  out.queue_capacity = dep.queueCapacity;
  if (profile.has("cacheSize")) out.cache_size = dep.cacheSize.text;
  if (profile.has("priority")) out.priority = dep.priority;
  out.state = reportedState(dep);
  if (dep.reason) out.reason = dep.reason;
  if (dep.state !== "stopping") {
    out.allocation_status = {
      allocation_count: allocationCount(dep),
      target_allocation_count: dep.numberOfAllocations,
      state: allocationState(dep, profile.has("scaleToZero")),
    };
  }
  out.start_time = dep.startTime;
  if (human) out.start_time_string = new Date(dep.startTime).toISOString();
  const totals = deploymentTotals(dep);
  if (totals.inferences > 0) out.inference_count = totals.inferences;
  if (totals.errors > 0) out.error_count = totals.errors;
  if (totals.rejections > 0) out.rejected_execution_count = totals.rejections;
  if (totals.timeouts > 0) out.timeout_count = totals.timeouts;
  out.peak_throughput_per_minute = totals.peak;
  const routes = [...dep.routes.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  // Queued requests wait at the deployment; report them on the first serving node.
  const queueHolder = routes.find((route) => route.state === "started");
  out.nodes = routes.map((route) =>
    nodeStats(cluster, dep, route, route === queueHolder ? dep.queue.length : 0, human),
  );
  return out;
}

function nodeStats(
  cluster: Cluster,
  dep: Deployment,
  route: Route,
  queued: number,
  human: boolean,
): Record<string, unknown> {
  const profile = cluster.profile;
  const node = cluster.node(route.nodeId);
  const stats = route.stats;
  const now = Date.now();
  pruneRecent(stats, now);
  const out: Record<string, unknown> = {};
  if (node) out.node = { [node.id]: discoveryNode(cluster, node) };
  out.routing_state = route.reason
    ? { routing_state: route.state, reason: route.reason }
    : { routing_state: route.state };
  const started = route.state === "started";
  if (started) {
    out.inference_count = stats.inferenceCount;
    if (stats.inferenceCount > 0) {
      out.average_inference_time_ms = stats.totalTimeMs / stats.inferenceCount;
      const misses = stats.inferenceCount - stats.cacheHitCount;
      out.average_inference_time_ms_excluding_cache_hits =
        misses > 0 ? stats.totalTimeExcludingCacheHitsMs / misses : 0;
    }
    if (profile.has("cacheSize")) out.inference_cache_hit_count = stats.cacheHitCount;
    if (stats.lastAccess !== undefined) {
      out.last_access = stats.lastAccess;
      if (human) out.last_access_string = new Date(stats.lastAccess).toISOString();
    }
    out.number_of_pending_requests = stats.inFlight + queued;
  }
  if (stats.errorCount > 0) out.error_count = stats.errorCount;
  if (stats.rejectedExecutionCount > 0) out.rejected_execution_count = stats.rejectedExecutionCount;
  if (stats.timeoutCount > 0) out.timeout_count = stats.timeoutCount;
  if (started) {
    if (route.startTime !== undefined) {
      out.start_time = route.startTime;
      if (human) out.start_time_string = new Date(route.startTime).toISOString();
    }
    out[profile.threadsParam] = dep.threadsPerAllocation;
    out[profile.allocationsParam] = route.current;
  }
  out.peak_throughput_per_minute = stats.peakThroughputPerMinute;
  out.throughput_last_minute = stats.recent.length;
  if (started && stats.recent.length > 0) {
    out.average_inference_time_ms_last_minute =
      stats.recent.reduce((sum, r) => sum + r.ms, 0) / stats.recent.length;
    if (profile.has("cacheSize"))
      out.inference_cache_hit_count_last_minute = stats.recent.filter((r) => r.cacheHit).length;
  }
  return out;
}

/** The DiscoveryNode object Elasticsearch nests under the node id in deployment stats. */
export function discoveryNode(cluster: Cluster, node: MlNode): Record<string, unknown> {
  return {
    name: node.name,
    ephemeral_id: node.ephemeralId,
    transport_address: `127.0.0.1:${node.transportPort}`,
    external_id: node.name,
    attributes: {
      "ml.allocated_processors": String(node.processors),
      "ml.allocated_processors_double": `${node.processors}.0`,
      "ml.machine_memory": String(16 * 1024 ** 3),
      "ml.max_jvm_size": String(4 * 1024 ** 3),
      "xpack.installed": "true",
    },
    roles: ["ml", "remote_cluster_client"],
    version: cluster.profile.version.text,
  };
}
