/**
 * Benchmark (not a test): how close a `pulumi up` of `TrainedModelDeployment`s comes to the cost of the
 * Elasticsearch calls themselves (issue #6). Real engine (Automation API inline programs through the e2e
 * harness), real dynamic-provider process, in-process emulator with fixed server timings. Every figure is
 * a ratio or a count taken within one run, so a busy machine moves both sides alike.
 *
 *   npm run bench -- [--quick] [--sizes=1,10,50] [--repeat=N] [--only=sizes,destroy,wait] [--no-peer] …
 *
 * Prints a table and writes `bench/results.json` (gitignored). docs/benchmarks.md explains each figure.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { getPulumiCli, repoRoot } from "../e2e/harness";
import { parseArgs, type BenchSettings } from "./args";
import {
  median,
  previewVerdict,
  ratio,
  stateVerdict,
  upOverhead,
  waitLatency,
  type StateSize,
  type WaitSample,
} from "./figures";
import {
  type BenchResults,
  type DestroyPoint,
  type MemoryPoint,
  type PeerPoint,
  renderTable,
  reportRows,
  verdict,
} from "./report";
import {
  type BenchCluster,
  type BenchStack,
  createBenchStack,
  deploymentIds,
  type DirectRun,
  type OursRun,
  type PeerRun,
  removeBenchStack,
  runDestroy,
  runDirect,
  runOurs,
  runPeer,
  runWaitLatency,
  startCluster,
  stopCluster,
} from "./scenarios";

const PEER = {
  implementation: "hand-written dynamic resource running curl through /bin/sh (tests/bench/curl-resource.ts)",
  why:
    "@pulumi/command's provider plugin cannot be built here: the Go module proxy answers 403 for " +
    "github.com/pulumi/pulumi-command/provider (and /sdk), and no registry ships the plugin binary",
};

function log(line: string): void {
  console.error(`bench: ${line}`);
}

/** Stacks are created on first use and always removed. */
class Stacks {
  readonly #stacks = new Map<string, BenchStack>();

  async get(name: string, url: string): Promise<BenchStack> {
    let stack = this.#stacks.get(name);
    if (!stack) {
      stack = await createBenchStack(name, url);
      this.#stacks.set(name, stack);
    }
    return stack;
  }

  async removeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const stack of this.#stacks.values()) {
      try {
        await removeBenchStack(stack);
      } catch (err) {
        errors.push(err);
      }
    }
    this.#stacks.clear();
    if (errors.length > 0) throw new AggregateError(errors, "removing the benchmark stacks failed");
  }
}

interface SizeSamples {
  direct: DirectRun[];
  ours: OursRun[];
  peer: PeerRun[];
}

async function runSizes(
  settings: BenchSettings,
  cluster: BenchCluster,
  stacks: Stacks,
  results: BenchResults,
): Promise<WaitSample[]> {
  const url = cluster.emulator.url;
  const ours = await stacks.get("ours", url);
  const peer = settings.peer ? await stacks.get("peer", url) : undefined;
  // The first operations of a run pay for cold caches (CLI, plugin, modules): not measured.
  log("warm-up (not measured)");
  await runOurs(cluster, ours, deploymentIds("warmup-ours", 1), settings.parallel);
  if (peer) await runPeer(cluster, peer, deploymentIds("warmup-peer", 1), settings.parallel);
  await runDirect(cluster, deploymentIds("warmup-direct", 1), settings.parallel);

  const samples = new Map<number, SizeSamples>();
  for (const n of settings.sizes) {
    const s: SizeSamples = { direct: [], ours: [], peer: [] };
    samples.set(n, s);
    for (let r = 0; r < settings.repeat; r++) {
      log(`N=${n} run ${r + 1}/${settings.repeat}: direct, pulumi${peer ? ", peer" : ""}`);
      s.direct.push(await runDirect(cluster, deploymentIds(`direct-n${n}-r${r}`, n), settings.parallel));
      s.ours.push(await runOurs(cluster, ours, deploymentIds(`ours-n${n}-r${r}`, n), settings.parallel));
      if (peer)
        s.peer.push(await runPeer(cluster, peer, deploymentIds(`peer-n${n}-r${r}`, n), settings.parallel));
    }
  }

  const pick = <T>(runs: T[], value: (run: T) => number) => median(runs.map(value));
  const entries = [...samples.entries()];
  const up = upOverhead(
    entries.map(([n, s]) => ({
      n,
      pulumiMs: pick(s.ours, (o) => o.upMs),
      directMs: pick(s.direct, (d) => d.upMs),
      engineMs: pick(s.ours, (o) => o.upEngineMs),
    })),
  );
  results.figures.upOverhead = up;
  results.targets.push({
    figure: "1 up",
    target: "marginal cost per deployment <= 1.5x direct, not growing with N",
    met: up.target.met,
  });

  if (peer) {
    const points: PeerPoint[] = entries.map(([n, s]) => {
      const oursUpMs = pick(s.ours, (o) => o.upMs);
      const theirsUpMs = pick(s.peer, (p) => p.upMs);
      const oursDestroyMs = pick(s.ours, (o) => o.destroyMs);
      const theirsDestroyMs = pick(s.peer, (p) => p.destroyMs);
      return {
        n,
        oursUpMs: Math.round(oursUpMs),
        theirsUpMs: Math.round(theirsUpMs),
        upRatio: ratio(oursUpMs, theirsUpMs),
        oursDestroyMs: Math.round(oursDestroyMs),
        theirsDestroyMs: Math.round(theirsDestroyMs),
        destroyRatio: ratio(oursDestroyMs, theirsDestroyMs),
      };
    });
    const met = points.every((p) => p.upRatio < 1 && p.destroyRatio < 1);
    results.figures.peer = { points, met };
    results.targets.push({
      figure: "2 peer",
      target: "ours faster than the curl resource (up and destroy)",
      met,
    });
  }

  const previewPoints = entries.map(([n, s]) => {
    const last = s.ours[s.ours.length - 1] as OursRun;
    return {
      n,
      wallMs: Math.round(pick(s.ours, (o) => o.preview.wallMs)),
      requests: Math.max(...s.ours.map((o) => o.preview.requests)),
      mutating: Math.max(...s.ours.map((o) => o.preview.mutating)),
      upRequests: last.upRequests,
    };
  });
  const pv = previewVerdict(previewPoints);
  results.figures.preview = { points: previewPoints, ...pv };
  results.targets.push({
    figure: "3 preview",
    target: "requests independent of N, none mutating",
    met: pv.met,
  });

  const statePoints: StateSize[] = entries.map(([, s]) => (s.ours[s.ours.length - 1] as OursRun).state);
  const sv = stateVerdict(statePoints);
  results.figures.stateSize = { points: statePoints, ...sv };
  results.targets.push({
    figure: "5 state",
    target: "< 4096 B per deployment beyond its inputs, constant in N",
    met: sv.met,
  });

  const peakMb = (runs: { provider: { peakHwmKb?: number } }[]) =>
    Math.round((Math.max(...runs.map((o) => o.provider.peakHwmKb ?? 0)) / 1024) * 10) / 10;
  const memory: MemoryPoint[] = entries.map(([n, s]) => ({
    n,
    peakRssMb: peakMb(s.ours),
    cpuMs: Math.round(pick(s.ours, (o) => o.provider.cpuMs ?? 0)),
    ...(s.peer.length > 0
      ? { peer: { peakRssMb: peakMb(s.peer), cpuMs: Math.round(pick(s.peer, (p) => p.provider.cpuMs ?? 0)) } }
      : {}),
  }));
  results.figures.providerMemory = { points: memory };
  results.targets.push({ figure: "7 memory", target: "reported (no target)", met: undefined });

  const largest = samples.get(Math.max(...settings.sizes)) as SizeSamples;
  return (largest.ours[largest.ours.length - 1] as OursRun).waitSamples;
}

async function runDestroyFigure(
  settings: BenchSettings,
  cluster: BenchCluster,
  stacks: Stacks,
  results: BenchResults,
): Promise<void> {
  const n = Math.max(...settings.sizes);
  const ours = await stacks.get("ours", cluster.emulator.url);
  const points: DestroyPoint[] = [];
  for (const flags of ["default", "finishPendingWork"] as const) {
    log(`destroy N=${n} (${flags}) under queued inference: direct, pulumi`);
    const run = await runDestroy(cluster, ours, n, flags, settings.parallel, {
      perDeployment: settings.queuedPerDeployment,
      deadlineMs: 300_000,
    });
    points.push({
      n,
      ...run,
      pulumiMs: Math.round(run.pulumiMs),
      directMs: Math.round(run.directMs),
      ratio: ratio(run.pulumiMs, run.directMs),
    });
  }
  results.figures.destroy = { points };
  results.targets.push({
    figure: "4 destroy",
    target: "ratio to direct stops reported (no target)",
    met: undefined,
  });
}

async function runWaitFigure(
  settings: BenchSettings,
  stacks: Stacks,
  results: BenchResults,
  serverWaitSamples: readonly WaitSample[],
): Promise<void> {
  log(
    `wait latency: ${settings.waitDeployments} deployments, capacity arriving over ${settings.waitSpreadMs} ms`,
  );
  const cluster = await startCluster({
    mlNodes: 0,
    processorsPerNode: 1,
    autoscale: true,
    // Capacity comes only from the benchmark's own node joins.
    autoscaleDelayMs: 3_600_000,
    autoscaleMaxNodes: 100_000,
    startDelayMs: 200,
    stopDelayMs: settings.stopDelayMs,
  });
  try {
    const stack = await stacks.get("wait", cluster.emulator.url);
    const run = await runWaitLatency(cluster, stack, {
      deployments: settings.waitDeployments,
      spreadMs: settings.waitSpreadMs,
    });
    await stack.stack.destroy({ parallel: settings.waitDeployments });
    // The polling scenario's samples, plus the creates of the largest up (capacity there: server-side wait).
    const samples = [...run.samples, ...serverWaitSamples];
    const figure = waitLatency(samples, run.cpu);
    results.figures.waitLatency = {
      ...figure,
      samples: samples.map((s) => ({ ...s, latencyMs: s.returnedAt - s.readyAt })),
    };
    results.targets.push({
      figure: "6 wait",
      target: "p95 < 1 s, provider idle while waiting",
      met: figure.target.met,
    });
  } finally {
    await stopCluster(cluster);
  }
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const began = performance.now();
  const loadStart = os.loadavg()[0] ?? 0;
  const cli = await getPulumiCli();
  const results: BenchResults = {
    benchmark: "pulumi-elasticsearch-ml: TrainedModelDeployment through the real engine vs direct calls",
    date: new Date().toISOString(),
    durationSeconds: 0,
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? "unknown",
      node: process.version,
      pulumi: cli.version,
      os: `${os.type()} ${os.release()}`,
      loadAverage: { start: loadStart, end: 0 },
    },
    parameters: {
      ...settings,
      emulator: {
        esVersion: "9.2.0 (default)",
        startDelayMs: settings.startDelayMs,
        stopDelayMs: settings.stopDelayMs,
        inferLatencyMs: settings.inferLatencyMs,
        deploymentShape: "1 allocation x 1 thread",
      },
      engineDefaultParallel:
        "the CLI's own default is 4 x cores (8 here); the benchmark sets --parallel explicitly",
    },
    peer: settings.peer ? PEER : undefined,
    figures: {},
    targets: [],
  };

  const stacks = new Stacks();
  let serverWaitSamples: WaitSample[] = [];
  let failure: unknown;
  try {
    if (settings.only.includes("sizes") || settings.only.includes("destroy")) {
      const cluster = await startCluster({
        mlNodes: 1,
        processorsPerNode: 256,
        startDelayMs: settings.startDelayMs,
        stopDelayMs: settings.stopDelayMs,
        inferLatencyMs: settings.inferLatencyMs,
      });
      try {
        if (settings.only.includes("sizes"))
          serverWaitSamples = await runSizes(settings, cluster, stacks, results);
        if (settings.only.includes("destroy")) await runDestroyFigure(settings, cluster, stacks, results);
      } finally {
        await stacks.removeAll();
        await stopCluster(cluster);
      }
    }
    if (settings.only.includes("wait")) await runWaitFigure(settings, stacks, results, serverWaitSamples);
  } catch (err) {
    failure = err;
  } finally {
    try {
      await stacks.removeAll();
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;

  results.durationSeconds = Math.round((performance.now() - began) / 1000);
  results.machine.loadAverage.end = os.loadavg()[0] ?? 0;
  const order = ["1", "2", "3", "4", "5", "6", "7"];
  results.targets.sort((a, b) => order.indexOf(a.figure[0] ?? "") - order.indexOf(b.figure[0] ?? ""));

  const output = path.resolve(repoRoot(), settings.output);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`);

  const m = results.machine;
  console.log(
    `pulumi-elasticsearch-ml benchmark${settings.quick ? " (--quick)" : ""}: ${m.cores} cores, Node ${m.node}, ` +
      `Pulumi ${m.pulumi}, parallel ${settings.parallel}, emulator start ${settings.startDelayMs} ms; ` +
      `load average ${m.loadAverage.start.toFixed(2)} -> ${m.loadAverage.end.toFixed(2)}; ${results.durationSeconds} s`,
  );
  if (results.peer) console.log(`peer: ${results.peer.implementation}`);
  console.log(renderTable(reportRows(results)));
  console.log("");
  for (const t of results.targets) console.log(`${verdict(t.met).padEnd(6)}  ${t.figure}: ${t.target}`);
  console.log(`results: ${path.relative(process.cwd(), output) || output}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  if (error instanceof AggregateError)
    for (const e of error.errors) console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
