#!/usr/bin/env node
/**
 * `es-ml-emulator`: starts the emulator from the command line, prints one line with its URL
 * once it listens, and stops cleanly on SIGINT/SIGTERM. Bad flags exit with status 2.
 */
import { parseArgs } from "node:util";
import { startEmulator } from "./index";
import type { EmulatorOptions } from "./options";

const USAGE = `Usage: es-ml-emulator [options]

A local stand-in for an Elasticsearch cluster with ML nodes (trained model deployment APIs).

Options:
  --port <n>                  port to listen on; 0 picks a free port (default 9200)
  --host <addr>               address to bind (default 127.0.0.1)
  --es-version <x.y.z>        Elasticsearch version to emulate, 8.0.0 to 9.x (default 9.2.0)
  --ml-nodes <n>              ML nodes at start (default 1)
  --processors-per-node <n>   allocated processors per ML node (default 8)
  --autoscale                 keep deployments that do not fit and add ML nodes later
  --autoscale-delay-ms <n>    time for a new ML node to join (default 1000)
  --autoscale-max-nodes <n>   upper bound on ML nodes with --autoscale (default 4)
  --start-delay-ms <n>        time for a route to go from starting to started (default 50)
  --stop-delay-ms <n>         time a node takes to stop a drained deployment (default 10)
  --infer-latency-ms <n>      time one inference request occupies an allocation (default 10)
  --adaptive-interval-ms <n>  period of the adaptive allocations scaler (default 1000)
  --scale-to-zero-ms <n>      idle time before scaling to zero allocations (default 900000)
  --security                  require credentials (built-in superuser "elastic")
  --elastic-password <pw>     password of the "elastic" user (default "changeme")
  --tls-cert <file>           PEM certificate: serve HTTPS (needs --tls-key)
  --tls-key <file>            PEM private key
  --seed <n>                  seed for probabilistic faults and generated ids (default 1);
                              when given, the cluster uuid is derived from it too
  --cluster-uuid <id>         cluster uuid reported by GET / (default: random per process,
                              or derived from --seed when that is given)
  --ml-node-platform <name>   platform of the ML nodes, e.g. linux-aarch64 (default linux-x86_64)
  --model-download-ms <n>     time a packaged model's download takes (default 300)
  --model-repository-unreachable
                              the model repository cannot be reached (air-gapped cluster)
  --proxy-timeout-ms <n>      a proxy in front answers 502 to requests slower than this,
                              while Elasticsearch goes on with them (default 0: no proxy)
  --log-capacity <n>          request log entries kept, the most recent (default 10000);
                              the request counters count every request regardless
  --help                      print this help and exit

Admin API (faults, request log, reset, nodes): see the README, under /_emulator/.`;

const INT_FLAGS = {
  port: "port",
  "ml-nodes": "mlNodes",
  "processors-per-node": "processorsPerNode",
  "autoscale-delay-ms": "autoscaleDelayMs",
  "autoscale-max-nodes": "autoscaleMaxNodes",
  "start-delay-ms": "startDelayMs",
  "stop-delay-ms": "stopDelayMs",
  "infer-latency-ms": "inferLatencyMs",
  "adaptive-interval-ms": "adaptiveIntervalMs",
  "scale-to-zero-ms": "scaleToZeroIdleMs",
  "model-download-ms": "modelDownloadMs",
  "proxy-timeout-ms": "proxyTimeoutMs",
  "log-capacity": "logCapacity",
  seed: "seed",
} as const;

const STRING_FLAGS = {
  host: "host",
  "es-version": "esVersion",
  "elastic-password": "elasticPassword",
  "tls-cert": "tlsCert",
  "tls-key": "tlsKey",
  "cluster-uuid": "clusterUuid",
  "ml-node-platform": "mlNodePlatform",
} as const;

class UsageError extends Error {}

/** Parses argv into options (pure; throws UsageError for bad flags). */
export function parseCliArgs(argv: string[]): { help: boolean; options: EmulatorOptions } {
  const spec: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
    autoscale: { type: "boolean" },
    security: { type: "boolean" },
    "model-repository-unreachable": { type: "boolean" },
  };
  for (const flag of [...Object.keys(INT_FLAGS), ...Object.keys(STRING_FLAGS)])
    spec[flag] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const options: Record<string, unknown> = { port: 9200 };
  for (const [flag, key] of Object.entries(INT_FLAGS)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    if (typeof raw !== "string" || !/^\d+$/.test(raw)) {
      throw new UsageError(`--${flag}: "${String(raw)}" is not allowed; expected a non-negative integer`);
    }
    options[key] = Number(raw);
  }
  for (const [flag, key] of Object.entries(STRING_FLAGS)) {
    if (values[flag] !== undefined) options[key] = values[flag];
  }
  if (values.autoscale) options.autoscale = true;
  if (values.security) options.security = true;
  if (values["model-repository-unreachable"]) options.modelRepositoryUnreachable = true;
  return { help: values.help === true, options: options as EmulatorOptions };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `es-ml-emulator: ${(error as Error).message}\nRun "es-ml-emulator --help" for usage.\n`,
    );
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let handle: Awaited<ReturnType<typeof startEmulator>>;
  try {
    handle = await startEmulator(parsed.options);
  } catch (error) {
    const message = (error as Error).message;
    const isOptionError = !/EADDRINUSE|EACCES|EADDRNOTAVAIL/.test(message);
    process.stderr.write(`es-ml-emulator: ${message}\n`);
    process.exit(isOptionError ? 2 : 1);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`es-ml-emulator: failed to stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // Printed last: whoever waits for this line may signal the process right away.
  const version = parsed.options.esVersion ?? "9.2.0";
  process.stdout.write(`es-ml-emulator (Elasticsearch ${version}) listening on ${handle.url}\n`);
}

/** Runs the command in this process. Called by the package's bin (`bin/es-ml-emulator.js`) and by `node dist/cli.js`. */
export function run(): void {
  // Nothing to await at the top level: main reports its own failures and sets the exit code.
  void main();
}

if (require.main === module) run();
