/**
 * `GET _nodes[/<node_id>[/<metric>]]` for the ML nodes and their `os` info: how a client learns
 * the nodes' platform (`os.name`, `os.arch`; Elasticsearch derives `linux-x86_64` from them with
 * `Platforms.platformName`) before choosing a platform-specific packaged model.
 */
import type { Execute, RouteDef } from "../router";
import type { Cluster, MlNode } from "../state/cluster";
import { ok, RouteContext } from "./context";

/** Java's `os.name` / `os.arch` for each platform name. */
const OS_BY_PLATFORM: Record<string, { name: string; arch: string }> = {
  "linux-x86_64": { name: "Linux", arch: "amd64" },
  "linux-aarch64": { name: "Linux", arch: "aarch64" },
  "darwin-x86_64": { name: "Mac OS X", arch: "x86_64" },
  "darwin-aarch64": { name: "Mac OS X", arch: "aarch64" },
  "windows-x86_64": { name: "Windows Server 2022", arch: "amd64" },
};

const METRICS = [
  "settings",
  "os",
  "process",
  "jvm",
  "thread_pool",
  "transport",
  "http",
  "plugins",
  "ingest",
  "aggregations",
  "indices",
];

function nodeInfo(cluster: Cluster, node: MlNode, metrics: string[]): Record<string, unknown> {
  const os = OS_BY_PLATFORM[node.platform] ?? { name: "Linux", arch: "amd64" };
  const info: Record<string, unknown> = {
    name: node.name,
    transport_address: `127.0.0.1:${node.transportPort}`,
    host: "127.0.0.1",
    ip: "127.0.0.1",
    version: cluster.profile.version.text,
    build_flavor: "default",
    build_type: "docker",
    build_hash: cluster.buildHash,
    roles: ["ml", "remote_cluster_client"],
    attributes: {
      "ml.allocated_processors": String(node.processors),
      "ml.config_version": cluster.profile.version.text,
    },
  };
  if (metrics.includes("os")) {
    info.os = {
      refresh_interval_in_millis: 1000,
      name: os.name,
      pretty_name: os.name,
      arch: os.arch,
      version: "emulated",
      available_processors: node.processors,
      allocated_processors: node.processors,
    };
  }
  return info;
}

/** `ml:true`, `_all`, `*`, node ids or names (comma-separated); only ML nodes are modelled. */
function selectNodes(cluster: Cluster, filter: string | undefined): MlNode[] {
  const tokens = (filter ?? "_all").split(",").map((t) => t.trim());
  return cluster.nodes.filter((node) =>
    tokens.some(
      (t) => ["_all", "*", "ml:true", "_local", "_master"].includes(t) || t === node.id || t === node.name,
    ),
  );
}

function nodesInfo(ctx: RouteContext): Execute {
  ctx.query.duration("timeout");
  ctx.query.bool("flat_settings");
  let filter: string | undefined = ctx.params.node_id;
  let metricText = ctx.params.metric;
  // `GET _nodes/os` names metrics, not nodes (the REST layer tells them apart the same way).
  if (
    metricText === undefined &&
    filter !== undefined &&
    filter.split(",").every((m) => METRICS.includes(m))
  ) {
    metricText = filter;
    filter = undefined;
  }
  const metrics = metricText === undefined || metricText === "_all" ? METRICS : metricText.split(",");
  return () => {
    const cluster = ctx.services.cluster;
    const nodes = selectNodes(cluster, filter);
    return ok({
      _nodes: { total: nodes.length, successful: nodes.length, failed: 0 },
      cluster_name: "es-ml-emulator",
      nodes: Object.fromEntries(nodes.map((node) => [node.id, nodeInfo(cluster, node, metrics)])),
    });
  };
}

const ACTION = "cluster:monitor/nodes/info";

export const nodeRoutes: RouteDef[] = [
  { method: "GET", path: "/_nodes", action: ACTION, handler: nodesInfo },
  { method: "GET", path: "/_nodes/{node_id}", action: ACTION, handler: nodesInfo },
  { method: "GET", path: "/_nodes/{node_id}/{metric}", action: ACTION, handler: nodesInfo },
];
