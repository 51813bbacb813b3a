/**
 * Where a benchmark run's deployments go (pure). Elasticsearch refuses a 101st trained model deployment on a
 * cluster (`MachineLearning.MAX_TRAINED_MODEL_DEPLOYMENTS = 100`: 429 "Could not start model deployment
 * because existing deployments reached the limit of [100]"; the emulator enforces it in
 * emulator/src/routes/start.ts), so N deployments need ⌈N / 100⌉ clusters: the first is the stack's
 * default connection, the others named connections; deployments are spread round robin.
 */
import type { RequestCounts } from "elasticsearch-ml-emulator";

/** Elasticsearch's `MachineLearning.MAX_TRAINED_MODEL_DEPLOYMENTS`. */
export const MAX_DEPLOYMENTS_PER_CLUSTER = 100;

/** Clusters for `n` deployments, at most `perCluster` (≤ 100) on each. */
export function clustersFor(n: number, perCluster = MAX_DEPLOYMENTS_PER_CLUSTER): number {
  if (!Number.isInteger(perCluster) || perCluster < 1 || perCluster > MAX_DEPLOYMENTS_PER_CLUSTER) {
    throw new Error(
      `perCluster: ${perCluster} is not allowed; expected an integer from 1 to ${MAX_DEPLOYMENTS_PER_CLUSTER}`,
    );
  }
  return Math.max(1, Math.ceil(n / perCluster));
}

/** The named connection of cluster `index` (undefined: the default connection, cluster 0). */
export function connectionName(index: number): string | undefined {
  return index === 0 ? undefined : `c${index}`;
}

/** Which cluster deployment `i` of a run goes to: round robin, so no cluster holds more than ⌈N / k⌉. */
export function clusterIndex(i: number, clusters: number): number {
  return i % clusters;
}

export interface Placed {
  id: string;
  cluster: number;
}

/** Places `ids` on the first ⌈N / perCluster⌉ clusters; fails when the fleet is too small. */
export function place(
  ids: readonly string[],
  fleetSize: number,
  perCluster = MAX_DEPLOYMENTS_PER_CLUSTER,
): Placed[] {
  const k = clustersFor(ids.length, perCluster);
  if (k > fleetSize) {
    throw new Error(
      `${ids.length} deployments need ${k} clusters (at most ${perCluster} each), the fleet has ${fleetSize}`,
    );
  }
  return ids.map((id, i) => ({ id, cluster: clusterIndex(i, k) }));
}

/** Stack config: the first cluster as the default connection, the others named `c1`, `c2`, … */
export function fleetConfig(urls: readonly string[]): Record<string, string> {
  const [first, ...rest] = urls;
  if (first === undefined) throw new Error("fleetConfig: no cluster");
  const config: Record<string, string> = { "elasticsearch-ml:endpoints": first };
  if (rest.length > 0) {
    const named = Object.fromEntries(rest.map((url, i) => [connectionName(i + 1), { endpoints: url }]));
    config["elasticsearch-ml:connections"] = JSON.stringify(named);
  }
  return config;
}

/** Requests between two snapshots of the counters (fleet.ts sums them over the clusters). */
/** Requests between two snapshots of {@link fleetRequestCounts}. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  const byRoute: Record<string, number> = {};
  for (const [key, count] of Object.entries(after.byRoute)) {
    const delta = count - (before.byRoute[key] ?? 0);
    if (delta > 0) byRoute[key] = delta;
  }
  return { total: after.total - before.total, byRoute };
}
