/** The programmatic admin handle (`EmulatorHandle.admin`). */
import type { AdaptiveScaler } from "../adaptive";
import type { Lifecycle } from "../lifecycle";
import type { Cluster } from "../state/cluster";
import { inFlight, reportedState } from "../state/deployments";
import { PLATFORMS } from "../state/packagedModels";
import type { FaultManager } from "./faults";
import type { Realm } from "../security/types";
import type { RequestLog } from "./log";
import type { EmulatorAdmin, EmulatorStateSnapshot } from "./types";

export function createAdmin(deps: {
  cluster: Cluster;
  lifecycle: Lifecycle;
  scaler: AdaptiveScaler;
  faults: FaultManager;
  log: RequestLog;
  /** Present with security on: a reset also forgets users, roles and API keys. */
  realm?: Realm;
}): EmulatorAdmin {
  const { cluster, lifecycle, scaler, faults, log, realm } = deps;
  return {
    addFault: (spec) => faults.add(spec),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    log: () => log.list(),
    clearLog: () => log.clear(),
    requestCounts: () => log.requestCounts(),
    clearRequestCounts: () => log.clearCounts(),
    reset() {
      lifecycle.cancelPending();
      scaler.stop();
      cluster.populate();
      faults.reset();
      log.clear();
      log.clearCounts();
      realm?.reset?.();
      // Requests still waiting on removed deployments re-evaluate and fail.
      cluster.scheduler.notify();
    },
    state: () => snapshot(cluster, lifecycle),
    addMlNode: (processors, platform) => {
      const count = processors ?? cluster.options.processorsPerNode;
      if (!Number.isInteger(count) || count < 1) {
        throw new Error(`addMlNode: processors ${count} is not allowed; expected a positive integer`);
      }
      if (platform !== undefined && !PLATFORMS.includes(platform)) {
        throw new Error(
          `addMlNode: platform "${platform}" is not allowed; expected one of ${PLATFORMS.join(", ")}`,
        );
      }
      return lifecycle.addNode(count, platform).id;
    },
    killModelDownload: (modelId) => cluster.downloads.kill(modelId),
    setModelRepositoryReachable: (reachable) => {
      cluster.modelRepositoryReachable = reachable;
      if (!reachable) cluster.downloads.failRunning();
    },
    removeMlNode: (nodeId) => lifecycle.removeNode(nodeId),
    failDeployment: (deploymentId, options) => {
      if (typeof options?.reason !== "string" || options.reason === "") {
        throw new Error("failDeployment: reason is required (the text Elasticsearch would report)");
      }
      lifecycle.failRoutes(deploymentId, options.nodeId, options.reason);
    },
  };
}

function snapshot(cluster: Cluster, lifecycle: Lifecycle): EmulatorStateSnapshot {
  const usage = new Map(lifecycle.planNodes().map((node) => [node.id, node.used]));
  return {
    clusterUuid: cluster.clusterUuid,
    esVersion: cluster.profile.version.text,
    nodes: cluster.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      processors: node.processors,
      usedProcessors: usage.get(node.id) ?? 0,
      platform: node.platform,
    })),
    models: [...cluster.models.models.values()]
      .sort((a, b) => a.modelId.localeCompare(b.modelId))
      .map((model) => ({
        modelId: model.modelId,
        modelType: model.modelType,
        fullyDefined: cluster.models.definitionStatus(model) === "complete",
        aliases: cluster.models.aliasesOf(model.modelId),
        ...(cluster.downloads.get(model.modelId)
          ? { download: cluster.downloads.get(model.modelId)?.state }
          : {}),
      })),
    deployments: [...cluster.deployments.values()]
      .sort((a, b) => a.deploymentId.localeCompare(b.deploymentId))
      .map((dep) => ({
        deploymentId: dep.deploymentId,
        modelId: dep.modelId,
        assignmentState: dep.state,
        numberOfAllocations: dep.numberOfAllocations,
        threadsPerAllocation: dep.threadsPerAllocation,
        priority: dep.priority,
        queueCapacity: dep.queueCapacity,
        cacheSize: dep.cacheSize.text,
        adaptiveAllocations: dep.adaptive,
        routes: Object.fromEntries(
          [...dep.routes.values()].map((route) => [
            route.nodeId,
            {
              current: route.current,
              target: route.target,
              state: route.state,
              ...(route.reason ? { reason: route.reason } : {}),
            },
          ]),
        ),
        pendingInference: dep.queue.length + inFlight(dep),
        reportedState: reportedState(dep),
      })),
    pipelines: [...cluster.pipelines.pipelines.keys()].sort(),
  };
}
