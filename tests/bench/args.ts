/** Command-line settings of the resource benchmark (`npm run bench -- [flags]`). Pure. */

export const GROUPS = ["sizes", "destroy", "wait"] as const;
export type Group = (typeof GROUPS)[number];

export interface BenchSettings {
  quick: boolean;
  /** Deployment counts of figures 1, 2, 3, 5 and 7 (ascending, at least two). */
  sizes: number[];
  /** Measurements per count up to {@link REPEAT_LARGE_ABOVE}; the median is reported. */
  repeat: number;
  /** Measurements per count above {@link REPEAT_LARGE_ABOVE} (single runs by default: they take minutes). */
  repeatLarge: number;
  /**
   * Deployments per cluster, at most Elasticsearch's 100 (the default); smaller values spread small runs
   * over several clusters, e.g. to check the multi-cluster path quickly.
   */
  perCluster: number;
  /** Resource operations in flight, for the engine (`--parallel`) and the direct script alike. */
  parallel: number;
  /**
   * Emulator: time for a route to go from starting to started. Every size is measured at each: 1000 ms is a
   * floor for a real model start; 0 ms exposes the engine's and the provider's own cost.
   */
  startDelays: number[];
  /** Emulator: time a node takes to stop a drained deployment. */
  stopDelayMs: number;
  /** Emulator: time one inference request occupies an allocation. */
  inferLatencyMs: number;
  /** Figure 4: outstanding inference requests per deployment (one runs, the rest queue). */
  queuedPerDeployment: number;
  /** Figure 6: deployments, and the time over which their capacity arrives. */
  waitDeployments: number;
  waitSpreadMs: number;
  /** Include the peer (figure 2). */
  peer: boolean;
  /** Which scenario groups run: `sizes` (figures 1, 2, 3, 5, 7), `destroy` (4), `wait` (6). */
  only: Group[];
  /** Where the results go, relative to the repository root. */
  output: string;
}

export const FULL: Readonly<BenchSettings> = Object.freeze({
  quick: false,
  sizes: [1, 10, 50, 100, 200],
  // Medians of three: the machine is often shared. Above 50, single runs keep the default run short.
  repeat: 3,
  repeatLarge: 1,
  perCluster: 100,
  parallel: 10,
  startDelays: [1000, 0],
  stopDelayMs: 100,
  inferLatencyMs: 200,
  queuedPerDeployment: 4,
  waitDeployments: 20,
  waitSpreadMs: 16_000,
  peer: true,
  only: [...GROUPS],
  output: "bench/results.json",
});

/** `--quick`: small counts for development; the same scenarios. */
export const QUICK: Readonly<Partial<BenchSettings>> = Object.freeze({
  quick: true,
  repeat: 1,
  repeatLarge: 1,
  // 12 > parallel 10: two waves, so the direct script's marginal cost is not zero.
  sizes: [1, 12],
  waitDeployments: 4,
  waitSpreadMs: 13_000,
});

/** `--large` adds this count (a stack spanning five clusters). */
export const LARGE_SIZE = 500;
/** Counts above this are measured `repeatLarge` times. */
export const REPEAT_LARGE_ABOVE = 50;

/** How many runs a count gets. */
export function repeatsFor(settings: Pick<BenchSettings, "repeat" | "repeatLarge">, n: number): number {
  return n > REPEAT_LARGE_ABOVE ? settings.repeatLarge : settings.repeat;
}

const USAGE =
  "allowed: --quick --large --sizes=1,10,50 --repeat=N --repeat-large=N --parallel=N --start-delays=1000,0 " +
  "--start-delay-ms=N --per-cluster=N --stop-delay-ms=N " +
  "--infer-latency-ms=N --queued=N --wait-deployments=N --wait-spread-ms=N --no-peer " +
  `--only=${GROUPS.join(",")} --output=path`;

function positiveInt(flag: string, text: string, min = 1): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min) {
    throw new Error(`--${flag}: ${JSON.stringify(text)} is not allowed; expected an integer >= ${min}`);
  }
  return value;
}

/** Parses the flags; `--quick` applies first, so explicit flags override it. */
export function parseArgs(argv: readonly string[]): BenchSettings {
  const settings: BenchSettings = { ...FULL, sizes: [...FULL.sizes], only: [...FULL.only] };
  if (argv.includes("--quick")) Object.assign(settings, QUICK, { sizes: [...(QUICK.sizes ?? [])] });
  let repeat: number | undefined;
  let repeatLarge: number | undefined;
  let large = false;
  for (const arg of argv) {
    if (arg === "--quick") continue;
    if (arg === "--large") {
      large = true;
      continue;
    }
    if (arg === "--no-peer") {
      settings.peer = false;
      continue;
    }
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    const [, flag = "", value = ""] = match;
    switch (flag) {
      case "sizes": {
        const sizes = value.split(",").map((v) => positiveInt(flag, v.trim()));
        const distinct = [...new Set(sizes)].sort((a, b) => a - b);
        if (distinct.length < 2)
          throw new Error(
            `--sizes: ${JSON.stringify(value)} is not allowed; give at least two distinct counts`,
          );
        settings.sizes = distinct;
        break;
      }
      case "repeat":
        repeat = positiveInt(flag, value);
        break;
      case "repeat-large":
        repeatLarge = positiveInt(flag, value);
        break;
      case "start-delays": {
        const delays = value.split(",").map((v) => positiveInt(flag, v.trim(), 0));
        if (new Set(delays).size !== delays.length)
          throw new Error(`--start-delays: ${JSON.stringify(value)} is not allowed; give distinct delays`);
        settings.startDelays = delays;
        break;
      }
      case "per-cluster":
        settings.perCluster = positiveInt(flag, value);
        if (settings.perCluster > 100)
          throw new Error(
            `--per-cluster: ${JSON.stringify(value)} is not allowed; Elasticsearch holds at most 100 deployments per cluster`,
          );
        break;
      case "parallel":
        settings.parallel = positiveInt(flag, value);
        break;
      case "start-delay-ms":
        settings.startDelays = [positiveInt(flag, value, 0)];
        break;
      case "stop-delay-ms":
        settings.stopDelayMs = positiveInt(flag, value, 0);
        break;
      case "infer-latency-ms":
        settings.inferLatencyMs = positiveInt(flag, value);
        break;
      case "queued":
        settings.queuedPerDeployment = positiveInt(flag, value, 2);
        break;
      case "wait-deployments":
        settings.waitDeployments = positiveInt(flag, value);
        break;
      case "wait-spread-ms":
        settings.waitSpreadMs = positiveInt(flag, value);
        break;
      case "only": {
        const groups = value.split(",").map((v) => v.trim());
        for (const g of groups) {
          if (!(GROUPS as readonly string[]).includes(g)) {
            throw new Error(
              `--only: ${JSON.stringify(g)} is not allowed; expected some of ${GROUPS.join(", ")}`,
            );
          }
        }
        settings.only = groups as Group[];
        break;
      }
      case "output":
        if (value === "") throw new Error("--output: an empty path is not allowed");
        settings.output = value;
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    }
  }
  // `--repeat` sets every count's runs unless `--repeat-large` says otherwise for the large ones.
  if (repeat !== undefined) settings.repeat = settings.repeatLarge = repeat;
  if (repeatLarge !== undefined) settings.repeatLarge = repeatLarge;
  if (large && !settings.sizes.includes(LARGE_SIZE))
    settings.sizes = [...settings.sizes, LARGE_SIZE].sort((a, b) => a - b);
  return settings;
}
