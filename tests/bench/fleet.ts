/**
 * Several emulated clusters for one stack. Elasticsearch refuses a 101st trained model deployment on a
 * cluster (`MachineLearning.MAX_TRAINED_MODEL_DEPLOYMENTS = 100`: 429 "Could not start model deployment
 * because existing deployments reached the limit of [100]"; the emulator enforces it in
 * emulator/src/routes/start.ts), so N deployments need ⌈N / 100⌉ clusters. The benchmark declares the
 * first as the default connection and the others as named connections (`elasticsearch-ml:connections`),
 * and spreads every side's deployments over them the same way (round robin), so ours, the direct script
 * and the curl peer meet the same clusters.
 */
import type { EmulatorOptions, RequestCounts } from "elasticsearch-ml-emulator";
import { runPool } from "./direct";
import { type BenchCluster, MODEL_ID, startCluster, stopCluster } from "./scenarios";

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

export type Fleet = readonly BenchCluster[];

/** Starts `count` clusters, each with room for 100 one-thread deployments. */
export async function startFleet(count: number, options: EmulatorOptions): Promise<BenchCluster[]> {
  const fleet: BenchCluster[] = [];
  try {
    for (let i = 0; i < count; i++) fleet.push(await startCluster(options));
    return fleet;
  } catch (err) {
    await stopFleet(fleet);
    throw err;
  }
}

export async function stopFleet(fleet: Fleet): Promise<void> {
  for (const cluster of fleet) await stopCluster(cluster);
}

function clusterOf(fleet: Fleet, p: Placed): BenchCluster {
  const cluster = fleet[p.cluster];
  if (cluster === undefined) throw new Error(`no cluster ${p.cluster} for ${p.id}`);
  return cluster;
}

/** The emulators' request counters summed over the fleet (every request, none dropped). */
export function fleetRequestCounts(fleet: Fleet): RequestCounts {
  const byRoute: Record<string, number> = {};
  let total = 0;
  for (const cluster of fleet) {
    const counts = cluster.emulator.admin.requestCounts();
    total += counts.total;
    for (const [key, count] of Object.entries(counts.byRoute)) byRoute[key] = (byRoute[key] ?? 0) + count;
  }
  return { total, byRoute };
}

/** Requests between two snapshots of {@link fleetRequestCounts}. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  const byRoute: Record<string, number> = {};
  for (const [key, count] of Object.entries(after.byRoute)) {
    const delta = count - (before.byRoute[key] ?? 0);
    if (delta > 0) byRoute[key] = delta;
  }
  return { total: after.total - before.total, byRoute };
}

/** The direct script over the fleet: one pool of `parallel` workers, each call to its deployment's cluster. */
export async function directStartAll(
  fleet: Fleet,
  placed: readonly Placed[],
  parallel: number,
): Promise<number> {
  const started = performance.now();
  await runPool(placed, parallel, async (p) => {
    await clusterOf(fleet, p).client.startAll(MODEL_ID, [p.id], 1);
  });
  return performance.now() - started;
}

export async function directStopAll(
  fleet: Fleet,
  placed: readonly Placed[],
  parallel: number,
): Promise<number> {
  const started = performance.now();
  await runPool(placed, parallel, async (p) => {
    await clusterOf(fleet, p).client.stopAll([p.id], 1);
  });
  return performance.now() - started;
}

/** Fails unless each placed deployment runs fully allocated on its cluster (or, `present` false, on none). */
export function expectPlaced(fleet: Fleet, placed: readonly Placed[], present: boolean): void {
  for (let c = 0; c < fleet.length; c++) {
    const wanted = new Set(placed.filter((p) => p.cluster === c).map((p) => p.id));
    const all = (fleet[c] as BenchCluster).emulator.admin.state().deployments;
    const found = all.filter((d) => wanted.has(d.deploymentId));
    if (!present) {
      if (found.length > 0)
        throw new Error(`${found.length} deployments still run on cluster ${c} after the stop`);
      continue;
    }
    const ready = found.filter((d) =>
      Object.values(d.routes).some((r) => r.state === "started" && r.current === d.numberOfAllocations),
    );
    if (ready.length !== wanted.size) {
      throw new Error(
        `expected ${wanted.size} fully allocated deployments on cluster ${c}, it has ${ready.length}`,
      );
    }
  }
}
