/**
 * The per-N measurements of the resource benchmark at one emulator start delay (a "series"): direct, ours
 * and the curl peer interleaved run by run, on ⌈max N / 100⌉ clusters; then the per-size figures.
 */
import type { RequestCounts } from "elasticsearch-ml-emulator";
import { repeatsFor, type BenchSettings } from "./args";
import { median, ratio, type StateSize, type WaitSample } from "./figures";
import { startFleet, stopFleet } from "./fleet";
import { clustersFor, fleetConfig, place } from "./placement";
import { type BenchStack, createBenchStack, deploymentIds, removeBenchStack } from "./scenarios";
import { type DirectRun, type OursRun, runDirect, runOurs, runPeer, type SideRun } from "./size-runs";

export interface SizeSamples {
  n: number;
  clusters: number;
  direct: DirectRun[];
  ours: OursRun[];
  peer: SideRun[];
}

export interface Series {
  startDelayMs: number;
  sizes: SizeSamples[];
}

function log(line: string): void {
  console.error(`bench: ${line}`);
}

/** Runs every size at one start delay, on its own clusters and stacks (removed at the end). */
export async function runSeries(settings: BenchSettings, startDelayMs: number): Promise<Series> {
  const maxN = Math.max(...settings.sizes);
  const fleet = await startFleet(clustersFor(maxN, settings.perCluster), {
    mlNodes: 1,
    // Room for the 100 one-thread deployments a cluster can hold, with every start in flight at once.
    processorsPerNode: 128,
    startDelayMs,
    stopDelayMs: settings.stopDelayMs,
    inferLatencyMs: settings.inferLatencyMs,
  });
  const stacks: BenchStack[] = [];
  try {
    const config = fleetConfig(fleet.map((c) => c.emulator.url));
    const ours = await createBenchStack(`ours-d${startDelayMs}`, config);
    stacks.push(ours);
    const peer = settings.peer ? await createBenchStack(`peer-d${startDelayMs}`, config) : undefined;
    if (peer) stacks.push(peer);
    const k = fleet.length;
    const ids = (prefix: string, n: number) =>
      place(deploymentIds(`${prefix}-n${n}`, n), k, settings.perCluster);
    // The first operations pay for cold caches (CLI, plugin, modules): not measured.
    log(`start delay ${startDelayMs} ms, ${k} cluster(s): warm-up (not measured)`);
    await runOurs(fleet, ours, ids("warmup-ours", 1), settings.parallel);
    if (peer) await runPeer(fleet, peer, ids("warmup-peer", 1), settings.parallel);
    await runDirect(fleet, ids("warmup-direct", 1), settings.parallel);

    const sizes: SizeSamples[] = [];
    for (const n of settings.sizes) {
      const s: SizeSamples = {
        n,
        clusters: clustersFor(n, settings.perCluster),
        direct: [],
        ours: [],
        peer: [],
      };
      sizes.push(s);
      const repeat = repeatsFor(settings, n);
      for (let r = 0; r < repeat; r++) {
        log(
          `start delay ${startDelayMs} ms, N=${n} run ${r + 1}/${repeat}: direct, pulumi${peer ? ", peer" : ""}`,
        );
        s.direct.push(await runDirect(fleet, ids(`direct-r${r}`, n), settings.parallel));
        s.ours.push(await runOurs(fleet, ours, ids(`ours-r${r}`, n), settings.parallel));
        if (peer) s.peer.push(await runPeer(fleet, peer, ids(`peer-r${r}`, n), settings.parallel));
      }
    }
    return { startDelayMs, sizes };
  } finally {
    const errors: unknown[] = [];
    for (const stack of stacks) await removeBenchStack(stack).catch((err: unknown) => errors.push(err));
    await stopFleet(fleet);
    if (errors.length > 0) throw new AggregateError(errors, "removing the benchmark stacks failed");
  }
}

// --- the per-size figures of a series (pure) --------------------------------------------------------

export interface SideFigures {
  upMs: number;
  destroyMs: number;
  previewMs: number;
  previewRequests: number;
  /** Requests the emulators counted during `up`, divided by N (median run; the worst run in `maxRequestsPerDeployment`). */
  requestsPerDeployment: number;
  maxRequestsPerDeployment: number;
  /** Requests per deployment by method and route template (median run's counts are not kept: the last run's). */
  requestsByRoute: Record<string, number>;
  state: StateSize;
  /** Highest peak RSS of the provider process over the runs, MiB; CPU time during `up`, median, ms. */
  peakRssMb: number;
  cpuMs: number;
}

export interface SizeFigures {
  n: number;
  clusters: number;
  runs: number;
  directUpMs: number;
  directStopMs: number;
  ours: SideFigures;
  peer?: SideFigures;
  /** ours / direct, ours / peer (up and destroy). */
  oursOverDirect: number;
  oursOverPeer?: { up: number; destroy: number };
  /** (ours − direct) / N and (ours − peer) / N, ms. */
  overheadPerDeploymentMs: number;
  overPeerPerDeploymentMs?: number;
}

const perDeployment = (counts: RequestCounts, n: number): Record<string, number> =>
  Object.fromEntries(Object.entries(counts.byRoute).map(([k, v]) => [k, Math.round((v / n) * 100) / 100]));

function sideFigures(runs: readonly SideRun[], n: number): SideFigures {
  const last = runs[runs.length - 1] as SideRun;
  const med = (value: (r: SideRun) => number) => median(runs.map(value));
  return {
    upMs: Math.round(med((r) => r.upMs)),
    destroyMs: Math.round(med((r) => r.destroyMs)),
    previewMs: Math.round(med((r) => r.preview.wallMs)),
    previewRequests: Math.max(...runs.map((r) => r.preview.requests)),
    requestsPerDeployment: Math.round((med((r) => r.upRequests.total) / n) * 100) / 100,
    maxRequestsPerDeployment: Math.round((Math.max(...runs.map((r) => r.upRequests.total)) / n) * 100) / 100,
    requestsByRoute: perDeployment(last.upRequests, n),
    state: last.state,
    peakRssMb: Math.round((Math.max(...runs.map((r) => r.provider.peakHwmKb ?? 0)) / 1024) * 10) / 10,
    cpuMs: Math.round(med((r) => r.provider.cpuMs ?? 0)),
  };
}

export function sizeFigures(s: SizeSamples): SizeFigures {
  const directUpMs = median(s.direct.map((d) => d.upMs));
  const ours = sideFigures(s.ours, s.n);
  const peer = s.peer.length > 0 ? sideFigures(s.peer, s.n) : undefined;
  return {
    n: s.n,
    clusters: s.clusters,
    runs: s.ours.length,
    directUpMs: Math.round(directUpMs),
    directStopMs: Math.round(median(s.direct.map((d) => d.stopMs))),
    ours,
    ...(peer ? { peer } : {}),
    oursOverDirect: ratio(ours.upMs, directUpMs),
    ...(peer
      ? {
          oursOverPeer: { up: ratio(ours.upMs, peer.upMs), destroy: ratio(ours.destroyMs, peer.destroyMs) },
          overPeerPerDeploymentMs: Math.round(((ours.upMs - peer.upMs) / s.n) * 10) / 10,
        }
      : {}),
    overheadPerDeploymentMs: Math.round(((ours.upMs - directUpMs) / s.n) * 10) / 10,
  };
}

/** The server-side-wait samples of the largest size's last run (figure 6). */
export function serverWaitSamples(series: Series): WaitSample[] {
  const largest = series.sizes[series.sizes.length - 1];
  return largest?.ours[largest.ours.length - 1]?.waitSamples ?? [];
}
