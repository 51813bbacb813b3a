/**
 * Several emulated clusters for one stack (placement.ts says why: at most 100 deployments per cluster, as
 * Elasticsearch), with the direct script and the checks spread over them the same way as the stack.
 */
import type { EmulatorOptions, RequestCounts } from "elasticsearch-ml-emulator";
import { runPool } from "./direct";
import type { Placed } from "./placement";
import { type BenchCluster, MODEL_ID, startCluster, stopCluster } from "./scenarios";

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
