/**
 * Benchmark (not a test): requests per second the emulator serves for `GET _ml/trained_models/_stats`
 * on loopback. Target: at least 2,000 req/s on one core.
 *
 * The emulator runs in this process (Node runs its JavaScript on one thread, so it uses one core);
 * the load comes from a child process (another core) with a fixed number of requests and a bounded
 * number in flight. Also reported: requests per CPU-second spent by the emulator's process, which
 * stays meaningful when the machine is shared.
 *
 *   npm run bench:emulator -- [--requests=20000] [--concurrency=16] [--warmup=1000] [--models=3] [--security]
 *
 * `--security` turns the realm on and sends basic credentials with every request (the cost of
 * authentication and authorization included).
 *
 * Writes `bench/results-emulator.json` (gitignored).
 */
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { Pool, request } from "undici";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { summarize, type LatencySummary } from "./latency";

const TARGET_RPS = 2000;
const STATS_PATH = "/_ml/trained_models/_stats";

interface Settings {
  requests: number;
  concurrency: number;
  warmup: number;
  models: number;
  security: boolean;
}

const BENCH_PASSWORD = "bench-password";
const AUTHORIZATION = `Basic ${Buffer.from(`elastic:${BENCH_PASSWORD}`).toString("base64")}`;

function readSettings(argv: readonly string[]): Settings {
  const settings: Settings = { requests: 20_000, concurrency: 16, warmup: 1_000, models: 3, security: false };
  for (const arg of argv) {
    if (arg === "--security") {
      settings.security = true;
      continue;
    }
    const match = /^--(requests|concurrency|warmup|models)=(\d+)$/.exec(arg);
    if (!match) {
      throw new Error(
        `unknown argument ${JSON.stringify(arg)}; allowed: --requests=N --concurrency=N --warmup=N --models=N --security`,
      );
    }
    const value = Number(match[2]);
    const key = match[1] as "requests" | "concurrency" | "warmup" | "models";
    if (value < (key === "warmup" ? 0 : 1))
      throw new Error(`--${key} must be a positive integer, got ${value}`);
    settings[key] = value;
  }
  return settings;
}

// --- load generator (child process) -----------------------------------------------------------

interface ClientResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  latency: LatencySummary;
}

async function runClient(url: string, settings: Settings): Promise<ClientResult> {
  const pool = new Pool(url, { connections: settings.concurrency, pipelining: 1 });
  const headers = settings.security ? { authorization: AUTHORIZATION } : {};
  const statuses: Record<string, number> = {};
  const samples: number[] = [];
  let errors = 0;

  const fire = async (record: boolean) => {
    const started = process.hrtime.bigint();
    try {
      const res = await pool.request({ path: STATS_PATH, method: "GET", headers });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode !== 200) errors++;
    } catch {
      errors++;
      statuses.error = (statuses.error ?? 0) + 1;
    }
    if (record) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  };
  // `concurrency` workers, each sending its next request when the previous one has answered.
  const run = async (total: number, record: boolean) => {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        await fire(record);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, total) }, worker));
  };

  try {
    await run(settings.warmup, false);
    for (const key of Object.keys(statuses)) delete statuses[key];
    errors = 0;
    const started = process.hrtime.bigint();
    await run(settings.requests, true);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    return { requests: settings.requests, errors, statuses, elapsedMs, latency: summarize(samples) };
  } finally {
    await pool.close();
  }
}

// --- emulator side (this process) -------------------------------------------------------------

async function call(emulator: EmulatorHandle, method: "PUT" | "POST" | "GET", path: string, body?: unknown) {
  const res = await request(`${emulator.url}${path}`, {
    method,
    // Sent whether or not security is on; without it the emulator ignores the header.
    headers: { "content-type": "application/json", authorization: AUTHORIZATION },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Tiny PyTorch models, fully defined, each started once; the first one gets a second deployment. */
async function seed(emulator: EmulatorHandle, models: number): Promise<number> {
  const definition = Buffer.from("bench-model-definition".repeat(8));
  let deployments = 0;
  for (let i = 0; i < models; i++) {
    const id = `bench-model-${i}`;
    await call(emulator, "PUT", `/_ml/trained_models/${id}`, {
      model_type: "pytorch",
      inference_config: { pass_through: {} },
      input: { field_names: ["text_field"] },
    });
    await call(emulator, "PUT", `/_ml/trained_models/${id}/definition/0`, {
      definition: definition.toString("base64"),
      total_definition_length: definition.length,
      total_parts: 1,
    });
    await call(emulator, "PUT", `/_ml/trained_models/${id}/vocabulary`, {
      vocabulary: ["[PAD]", "[UNK]", "bench"],
    });
    const ids = i === 0 ? [id, `${id}-search`] : [id];
    for (const deploymentId of ids) {
      await call(
        emulator,
        "POST",
        `/_ml/trained_models/${id}/deployment/_start?deployment_id=${deploymentId}&wait_for=started&timeout=30s`,
      );
      deployments++;
    }
  }
  return deployments;
}

function runChild(url: string, argv: readonly string[]): Promise<ClientResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(__filename, ["--client", url, ...argv], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: ClientResult | undefined;
    child.once("message", (message) => {
      result = message as ClientResult;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (result && code === 0) resolvePromise(result);
      else reject(new Error(`load generator exited with code ${code} signal ${signal} before reporting`));
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--client") {
    const result = await runClient(argv[1], readSettings(argv.slice(2)));
    process.send?.(result);
    return;
  }

  const settings = readSettings(argv);
  const emulator = await startEmulator({
    startDelayMs: 1,
    ...(settings.security ? { security: true, elasticPassword: BENCH_PASSWORD } : {}),
  });
  try {
    const deployments = await seed(emulator, settings.models);
    const check = await call(emulator, "GET", STATS_PATH);
    // lang_ident_model_1 is present in every cluster, hence + 1.
    if (check.count !== settings.models + 1) {
      throw new Error(`_stats count is ${String(check.count)}, expected ${settings.models + 1}`);
    }

    const cpuBefore = process.cpuUsage();
    const client = await runChild(emulator.url, argv);
    const cpu = process.cpuUsage(cpuBefore);
    // Includes the warmup requests, which the CPU figure also covers.
    const served = client.requests + settings.warmup;
    const emulatorCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const requestsPerSecond = Math.round((client.requests / client.elapsedMs) * 1000);
    const requestsPerCpuSecond = Math.round(served / emulatorCpuSeconds);
    const met = requestsPerSecond >= TARGET_RPS && client.errors === 0;

    const results = {
      benchmark: "emulator GET _ml/trained_models/_stats",
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
      cpuCount: cpus().length,
      settings,
      models: settings.models + 1,
      deployments,
      requests: client.requests,
      errors: client.errors,
      statuses: client.statuses,
      elapsedMs: Math.round(client.elapsedMs),
      requestsPerSecond,
      emulatorCpuSeconds: Math.round(emulatorCpuSeconds * 1000) / 1000,
      requestsPerCpuSecond,
      latency: client.latency,
      target: { requestsPerSecond: TARGET_RPS, met },
    };
    const dir = resolve(__dirname, "../../../bench");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "results-emulator.json"), `${JSON.stringify(results, null, 2)}\n`);

    const l = client.latency;
    console.log(
      `emulator _stats${settings.security ? " (security on)" : ""}: ` +
        `${client.requests} requests, concurrency ${settings.concurrency}, ` +
        `${results.models} models / ${deployments} deployments`,
    );
    console.log(
      `  throughput: ${requestsPerSecond} req/s (wall clock), ${requestsPerCpuSecond} req per emulator CPU-second`,
    );
    console.log(`  latency ms: p50 ${l.p50Ms}  p90 ${l.p90Ms}  p99 ${l.p99Ms}  max ${l.maxMs}`);
    console.log(`  errors: ${client.errors} ${JSON.stringify(client.statuses)}`);
    console.log(
      `  target ${TARGET_RPS} req/s on one core: ${met ? "MET" : "NOT MET"}` +
        ` (results in ${join("bench", "results-emulator.json")})`,
    );
    // A miss is reported, not failed: on a shared machine the figure varies; errors are failures.
    if (client.errors > 0) process.exitCode = 1;
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
