/**
 * The measured scenarios of the resource benchmark: each runs real stack operations (Automation API
 * inline programs through the e2e harness, the real CLI and the real dynamic-provider process) against
 * an in-process emulator, next to the direct baseline on the same emulator.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment, TYPE_TOKEN } from "pulumi-elasticsearch-ml";
import { Journal, steps, TestStack } from "../e2e/harness";
import { DirectClient } from "./direct";
import type { WaitSample } from "./figures";
import { InferenceLoad, type LoadSummary } from "./inference-load";
import { findProviderProcesses, readProcess } from "./proc";
import { PROBE_JOURNAL_ENV, type ProbeEntry } from "./provider-probe";

export const MODEL_ID = "bench-model";
export const PEER_TYPE = "pulumi-nodejs:dynamic/bench:CurlCommand";

/** An emulator with the benchmark's model, and a direct client on it. */
export interface BenchCluster {
  emulator: EmulatorHandle;
  client: DirectClient;
}

export async function startCluster(options: EmulatorOptions): Promise<BenchCluster> {
  const emulator = await startEmulator({ port: 0, ...options });
  const client = new DirectClient(emulator.url);
  try {
    await client.seedModel(MODEL_ID);
  } catch (err) {
    await client.close();
    await emulator.close();
    throw err;
  }
  return { emulator, client };
}

export async function stopCluster(cluster: BenchCluster): Promise<void> {
  await cluster.client.close();
  await cluster.emulator.close();
}

/** Deployment ids of one run, e.g. `ours-n10-r0-d3`. */
export function deploymentIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-d${i}`);
}

/** One cluster's program (figures 4 and 6): the deployments with the default connection. */
export function oursProgram(ids: readonly string[]): PulumiFn {
  return async () => {
    for (const id of ids)
      new TrainedModelDeployment(id, { modelId: MODEL_ID, deploymentId: id, numberOfAllocations: 1 });
  };
}

/** A stack for the benchmark, with the provider probe loaded into its provider processes. */
export interface BenchStack {
  stack: TestStack;
  probe: Journal<ProbeEntry>;
  probeDir: string;
}

export async function createBenchStack(name: string, config: Record<string, string>): Promise<BenchStack> {
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-probe-"));
  const probe = Journal.create<ProbeEntry>(probeDir, "probe.jsonl");
  try {
    const stack = await TestStack.create({
      program: async () => {},
      projectName: "bench",
      stackName: name,
      config,
      env: {
        NODE_OPTIONS: `--require ${path.join(__dirname, "provider-probe.js")}`,
        [PROBE_JOURNAL_ENV]: probe.path,
      },
      operationTimeoutMs: 600_000,
    });
    return { stack, probe, probeDir };
  } catch (err) {
    fs.rmSync(probeDir, { recursive: true, force: true });
    throw err;
  }
}

export async function removeBenchStack(bench: BenchStack): Promise<void> {
  try {
    await bench.stack.cleanup();
  } finally {
    fs.rmSync(bench.probeDir, { recursive: true, force: true });
  }
}

const elapsed = (started: number) => performance.now() - started;

/** Fails unless the operation's engine events show exactly `ids` created (or deleted) as `type`. */
export function expectSteps(
  events: Parameters<typeof steps>[0],
  op: "create" | "delete",
  type: string,
  ids: readonly string[],
): void {
  const done = steps(events)
    .filter((s) => s.op === op && s.metadata.type === type)
    .map((s) => s.name)
    .sort();
  const wanted = [...ids].sort();
  if (JSON.stringify(done) !== JSON.stringify(wanted)) {
    throw new Error(
      `expected ${op} of ${wanted.length} ${type} resources, the engine reported ${done.length}`,
    );
  }
}

/** Fails unless the emulator runs exactly the expected deployments among `ids`, fully allocated or absent. */
function expectDeployments(cluster: BenchCluster, ids: readonly string[], present: boolean): void {
  const wanted = new Set(ids);
  const found = cluster.emulator.admin.state().deployments.filter((d) => wanted.has(d.deploymentId));
  if (!present) {
    if (found.length > 0) throw new Error(`${found.length} deployments still run after the stop`);
    return;
  }
  const ready = found.filter((d) =>
    Object.values(d.routes).some((r) => r.state === "started" && r.current === d.numberOfAllocations),
  );
  if (ready.length !== ids.length) {
    throw new Error(`expected ${ids.length} fully allocated deployments, the emulator has ${ready.length}`);
  }
}

// --- figure 4: destroy under a queued inference load --------------------------------------------

export interface DestroyRun {
  flags: "default" | "finishPendingWork";
  pulumiMs: number;
  directMs: number;
  /** Requests pending (queued + running) when each stop began. */
  pendingAtStop: { pulumi: number; direct: number };
  load: { pulumi: LoadSummary; direct: LoadSummary };
}

export interface LoadSettings {
  perDeployment: number;
  deadlineMs: number;
}

async function underLoad(
  cluster: BenchCluster,
  ids: readonly string[],
  settings: LoadSettings,
  stop: () => Promise<void>,
): Promise<{ ms: number; pending: number; load: LoadSummary }> {
  const load = new InferenceLoad(cluster.client, ids, settings.perDeployment, settings.deadlineMs);
  load.start();
  try {
    const pending = await load.waitUntilQueued(cluster.emulator.admin);
    const started = performance.now();
    await stop();
    const ms = elapsed(started);
    return { ms, pending, load: await load.finish() };
  } catch (err) {
    load.abort();
    await load.finish().catch(() => undefined);
    throw err;
  }
}

export async function runDestroy(
  cluster: BenchCluster,
  bench: BenchStack,
  n: number,
  flags: DestroyRun["flags"],
  parallel: number,
  settings: LoadSettings,
): Promise<DestroyRun> {
  const finishPendingWork = flags === "finishPendingWork";
  const directIds = deploymentIds(`direct-stop-${flagSlug(flags)}`, n);
  await cluster.client.startAll(MODEL_ID, directIds, parallel);
  const direct = await underLoad(cluster, directIds, settings, async () => {
    await cluster.client.stopAll(directIds, parallel, { finishPendingWork });
  });
  expectDeployments(cluster, directIds, false);

  const { stack } = bench;
  const ids = deploymentIds(`ours-stop-${flagSlug(flags)}`, n);
  stack.setProgram(oursProgram(ids));
  await stack.up({ parallel });
  expectDeployments(cluster, ids, true);
  // The documented way to change stop flags at destroy time without editing the program.
  stack.setEnv({ ELASTICSEARCH_ML_FINISH_PENDING_WORK: finishPendingWork ? "true" : undefined });
  try {
    const ours = await underLoad(cluster, ids, settings, async () => {
      const destroy = await stack.destroy({ parallel });
      expectSteps(destroy.events, "delete", TYPE_TOKEN, ids);
    });
    expectDeployments(cluster, ids, false);
    return {
      flags,
      pulumiMs: ours.ms,
      directMs: direct.ms,
      pendingAtStop: { pulumi: ours.pending, direct: direct.pending },
      load: { pulumi: ours.load, direct: direct.load },
    };
  } finally {
    stack.setEnv({ ELASTICSEARCH_ML_FINISH_PENDING_WORK: undefined });
  }
}

// --- figure 6: wait latency ------------------------------------------------------------------------

export interface WaitSettings {
  deployments: number;
  /** Capacity arrives one node at a time, spread evenly over this long after every `_start` arrived. */
  spreadMs: number;
}

export interface WaitRun {
  samples: WaitSample[];
  cpu: { windowMs: number; cpuMs: number };
  providerPid: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

interface StatsEntry {
  deployment_stats?: {
    deployment_id?: string;
    allocation_status?: { state?: string };
    nodes?: { start_time?: number }[];
  };
}

/**
 * The cluster has no ML node (autoscaling is on, so `_start` keeps the deployments waiting); once every
 * `_start` has arrived, one single-processor node joins every `spreadMs / deployments`, each giving the
 * oldest waiting deployment its allocation. Some become ready while `_start` still waits server-side,
 * the rest while the provider polls. For one allocation, the route's `start_time` in `_stats` is the
 * moment the emulator made the deployment fully allocated.
 */
export async function runWaitLatency(
  cluster: BenchCluster,
  bench: BenchStack,
  settings: WaitSettings,
): Promise<WaitRun> {
  const { stack, probe } = bench;
  const { admin } = cluster.emulator;
  const ids = deploymentIds("wait", settings.deployments);
  const wanted = new Set(ids);
  stack.setProgram(oursProgram(ids));
  admin.clearLog();
  probe.clear();

  const up = stack.up({ parallel: settings.deployments });
  const failed = up.then(
    () => undefined,
    (err: unknown) => err,
  );
  try {
    await until("every _start", 300_000, () =>
      admin.state().deployments.filter((d) => wanted.has(d.deploymentId)).length === ids.length
        ? true
        : undefined,
    );
    const pid = await until("the provider process", 10_000, () => findProviderProcesses(stack.workDir)[0]);
    const windowStart = performance.now();
    const cpuStart = readProcess(pid)?.cpuMs;
    if (cpuStart === undefined) throw new Error("the provider process exited while its creates waited");
    const step = settings.spreadMs / ids.length;
    for (let i = 1; i <= ids.length; i++) {
      await sleep(windowStart + i * step - performance.now());
      admin.addMlNode(1);
    }
    await until("every deployment fully allocated", 60_000, () =>
      admin
        .state()
        .deployments.filter((d) => wanted.has(d.deploymentId))
        .every((d) => Object.values(d.routes).some((r) => r.state === "started"))
        ? true
        : undefined,
    );
    const cpuEnd = readProcess(pid)?.cpuMs;
    const windowMs = performance.now() - windowStart;
    if (cpuEnd === undefined)
      throw new Error("the provider process exited before the last deployment was ready");

    const result = await up;
    expectSteps(result.events, "create", TYPE_TOKEN, ids);

    const samples = await collectWaitSamples(cluster, probe, ids);
    return { samples, cpu: { windowMs, cpuMs: cpuEnd - cpuStart }, providerPid: pid };
  } catch (err) {
    // Let the up finish (or fail) before the caller destroys the stack.
    await failed;
    throw err;
  }
}

/**
 * For each deployment: when the emulator received its `_start` and answered it, when the emulator made
 * it fully allocated (for one allocation, the route's `start_time` in `_stats`), and when the provider's
 * `create` returned (probe). A deployment that became ready before `_start` was answered was caught by
 * the server-side wait; the others by polling.
 */
export async function collectWaitSamples(
  cluster: BenchCluster,
  probe: Journal<ProbeEntry>,
  ids: readonly string[],
): Promise<WaitSample[]> {
  const wanted = new Set(ids);
  const stats = (await cluster.client.ok("GET", `/_ml/trained_models/${MODEL_ID}/_stats`)) as {
    trained_model_stats?: StatsEntry[];
  };
  const readyAt = new Map<string, number>();
  for (const entry of stats.trained_model_stats ?? []) {
    const d = entry.deployment_stats;
    const id = d?.deployment_id;
    if (id === undefined || !wanted.has(id)) continue;
    const starts = (d?.nodes ?? []).map((n) => n.start_time);
    if (d?.allocation_status?.state !== "fully_allocated" || starts.length !== 1 || starts[0] === undefined) {
      throw new Error(`deployment ${id} is not fully allocated on exactly one node: ${JSON.stringify(d)}`);
    }
    readyAt.set(id, starts[0]);
  }
  const start = new Map<string, { at: number; answeredAt: number }>();
  for (const entry of cluster.emulator.admin.log()) {
    const id = entry.query.deployment_id;
    if (entry.path.endsWith("/deployment/_start") && id !== undefined && wanted.has(id)) {
      start.set(id, { at: entry.time, answeredAt: entry.time + entry.durationMs });
    }
  }
  const returnedAt = new Map<string, number>();
  for (const entry of probe.entries()) {
    if (entry.method === "create" && entry.ok && entry.id !== undefined) returnedAt.set(entry.id, entry.end);
  }
  return ids.map((id): WaitSample => {
    const ready = readyAt.get(id);
    const started = start.get(id);
    const returned = returnedAt.get(id);
    if (ready === undefined || started === undefined || returned === undefined) {
      throw new Error(
        `wait latency: missing a timestamp for ${id} (ready ${ready}, _start ${JSON.stringify(started)}, returned ${returned})`,
      );
    }
    return {
      deploymentId: id,
      startAt: started.at,
      readyAt: ready,
      returnedAt: returned,
      // Both are whole milliseconds of the same clock: ready no later than the answer means it waited server-side.
      path: ready <= started.answeredAt ? "server-wait" : "polling",
    };
  });
}

/** Deployment ids are lowercase. */
function flagSlug(flags: DestroyRun["flags"]): string {
  return flags === "default" ? "default" : "finish";
}
