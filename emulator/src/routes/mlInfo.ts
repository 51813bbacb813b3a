/**
 * `GET _ml/info`: machine learning defaults and limits. The emulator answers the parts a deployment
 * tool reads: the processor limits, which Elasticsearch 8.12+ reports (elastic/elasticsearch#101392,
 * `TransportMlInfoAction`), and the anomaly-detection defaults and `upgrade_mode` every version has.
 *
 * - `total_ml_processors`: the allocated processors of every ML node, plus what lazy nodes could still add
 *   (here: autoscaling's remaining nodes, each `processorsPerNode`);
 * - `max_single_ml_node_processors`: the largest ML node, or the size an autoscaled node would have;
 * - each is left out when it would be 0 (no ML node and none to come), as Elasticsearch leaves it out.
 * Memory limits (`effective_max_model_memory_limit`, `total_ml_memory`) are not emulated: the emulator
 * does not model ML memory, so it omits them rather than inventing values.
 */
import { ACTIONS } from "../security/actions";
import type { RouteDef } from "../router";
import type { Cluster } from "../state/cluster";
import { ok } from "./context";

/** The `limits` object for the cluster as it is now. */
export function mlInfoLimits(cluster: Cluster): Record<string, number> {
  const limits: Record<string, number> = {};
  if (!cluster.profile.has("mlInfoProcessorLimits")) return limits;
  const { autoscale, autoscaleMaxNodes, processorsPerNode } = cluster.options;
  const lazyNodes = autoscale ? Math.max(0, autoscaleMaxNodes - cluster.nodes.length) : 0;
  const largest = Math.max(0, ...cluster.nodes.map((node) => node.processors));
  const single = lazyNodes > 0 ? Math.max(largest, processorsPerNode) : largest;
  const total = cluster.nodes.reduce((sum, node) => sum + node.processors, 0) + lazyNodes * processorsPerNode;
  if (single > 0) limits.max_single_ml_node_processors = single;
  if (total > 0) limits.total_ml_processors = total;
  return limits;
}

export const mlInfoRoutes: RouteDef[] = [
  {
    method: "GET",
    path: "/_ml/info",
    action: ACTIONS.mlInfo,
    handler: (ctx) => () => {
      const cluster = ctx.services.cluster;
      return ok({
        defaults: {
          anomaly_detectors: {
            model_memory_limit: "1gb",
            categorization_examples_limit: 4,
            model_snapshot_retention_days: 10,
            daily_model_snapshot_retention_after_days: 1,
          },
          datafeeds: { scroll_size: 1000 },
        },
        upgrade_mode: false,
        native_code: { version: cluster.profile.version.text, build_hash: cluster.buildHash.slice(0, 12) },
        limits: mlInfoLimits(cluster),
      });
    },
  },
];
