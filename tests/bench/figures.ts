/**
 * Pure arithmetic of the resource benchmark: from raw timings, byte counts and samples to the figures
 * the report prints, with each target's verdict. Kept free of I/O so it is unit-tested.
 */
import { percentile } from "./latency";

const round = (value: number, digits = 1): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// --- 1. up overhead ------------------------------------------------------------------------------

/** Wall times of one deployment count: `pulumi up` and the direct script. */
export interface UpPoint {
  n: number;
  pulumiMs: number;
  directMs: number;
  /** Of pulumiMs, until the engine's summary event (the rest: the Automation API reading outputs and history). */
  engineMs?: number;
}

export interface Marginal {
  from: number;
  to: number;
  /** Cost of one more deployment, ms: (T(to) − T(from)) / (to − from). */
  pulumiMs: number;
  directMs: number;
  /** pulumiMs / directMs; undefined when the direct cost did not grow (both counts fit in one parallel wave). */
  ratio: number | undefined;
}

export interface UpOverhead {
  points: (UpPoint & { ratio: number; overheadPerDeploymentMs: number })[];
  /** The engine's fixed cost: `pulumi up` for one deployment, and what it adds over the direct call. */
  fixedCost: { pulumiMs: number; directMs: number; overheadMs: number; engineMs?: number };
  /** Smallest to largest count. */
  marginal: Marginal;
  /** Between consecutive counts, to see whether the marginal cost grows with N. */
  segments: Marginal[];
  /** See {@link GROWTH_TOLERANCE}; undefined with fewer than two segments. */
  growing: boolean | undefined;
  /** `met` is undefined when the marginal ratio could not be computed. */
  target: { maxMarginalRatio: number; met: boolean | undefined };
}

export const MAX_MARGINAL_RATIO = 1.5;
/**
 * The marginal cost grows with N when the engine's extra cost per added deployment (pulumi's marginal minus
 * the direct script's) in the last segment exceeds the first segment's by more than 25 % and more than
 * {@link GROWTH_NOISE_MS}. The extra, not the ratio: with 10 in flight, counts up to 10 fit in one direct
 * wave, so the first segment's direct marginal is near zero and its ratio meaningless.
 */
export const GROWTH_TOLERANCE = 1.25;
export const GROWTH_NOISE_MS = 5;

function marginal(a: UpPoint, b: UpPoint): Marginal {
  const span = b.n - a.n;
  const pulumiMs = (b.pulumiMs - a.pulumiMs) / span;
  const directMs = (b.directMs - a.directMs) / span;
  return {
    from: a.n,
    to: b.n,
    pulumiMs: round(pulumiMs),
    directMs: round(directMs),
    // Below 1 ms the direct script's difference is noise (e.g. both counts fit in one parallel wave).
    ratio: directMs >= 1 ? round(pulumiMs / directMs, 2) : undefined,
  };
}

/** Figure 1 from the measured points (at least two distinct counts). */
export function upOverhead(input: readonly UpPoint[]): UpOverhead {
  const points = [...input].sort((a, b) => a.n - b.n);
  if (points.length < 2 || (points[0] as UpPoint).n === (points[points.length - 1] as UpPoint).n) {
    throw new Error("upOverhead needs at least two distinct deployment counts");
  }
  const first = points[0] as UpPoint;
  const last = points[points.length - 1] as UpPoint;
  const segments = points.slice(1).map((p, i) => marginal(points[i] as UpPoint, p));
  const overall = marginal(first, last);
  const extra = (m: Marginal) => m.pulumiMs - m.directMs;
  const firstExtra = Math.max(0, extra(segments[0] as Marginal));
  const lastExtra = extra(segments[segments.length - 1] as Marginal);
  const growing =
    segments.length < 2
      ? undefined
      : lastExtra > firstExtra * GROWTH_TOLERANCE && lastExtra > firstExtra + GROWTH_NOISE_MS;
  return {
    points: points.map((p) => ({
      n: p.n,
      pulumiMs: round(p.pulumiMs),
      directMs: round(p.directMs),
      ...(p.engineMs === undefined ? {} : { engineMs: round(p.engineMs) }),
      ratio: round(p.pulumiMs / p.directMs, 2),
      overheadPerDeploymentMs: round((p.pulumiMs - p.directMs) / p.n),
    })),
    fixedCost: {
      pulumiMs: round(first.pulumiMs),
      directMs: round(first.directMs),
      overheadMs: round(first.pulumiMs - first.directMs),
      ...(first.engineMs === undefined ? {} : { engineMs: round(first.engineMs) }),
    },
    marginal: overall,
    segments,
    growing,
    target: {
      maxMarginalRatio: MAX_MARGINAL_RATIO,
      met: overall.ratio === undefined ? undefined : overall.ratio <= MAX_MARGINAL_RATIO && growing !== true,
    },
  };
}

// --- 2. peer / 4. destroy: plain ratios ----------------------------------------------------------

/** `ours / theirs`, rounded; below 1 means ours is faster. */
export function ratio(ours: number, theirs: number): number {
  if (!(theirs > 0)) throw new Error(`ratio: the denominator must be positive, got ${theirs}`);
  return round(ours / theirs, 2);
}

// --- 3. preview ----------------------------------------------------------------------------------

/** Requests the emulator received during one preview. */
export interface PreviewPoint {
  n: number;
  wallMs: number;
  requests: number;
  /** Requests other than GET and HEAD. */
  mutating: number;
}

/** Independent of N: the largest count sent no more requests than the smallest; and nothing mutating. */
export function previewVerdict(points: readonly PreviewPoint[]): { independentOfN: boolean; met: boolean } {
  const sorted = [...points].sort((a, b) => a.n - b.n);
  const independentOfN =
    sorted.length < 2 ||
    (sorted[sorted.length - 1] as PreviewPoint).requests <= (sorted[0] as PreviewPoint).requests;
  return { independentOfN, met: independentOfN && sorted.every((p) => p.mutating === 0) };
}

/** Whether a logged request may change state (anything but a read). */
export function isMutating(method: string): boolean {
  return method !== "GET" && method !== "HEAD";
}

// --- 5. state size -------------------------------------------------------------------------------

/** One resource of an exported checkpoint (the parts measured). */
export interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StateSize {
  n: number;
  /** Mean bytes of one deployment's resource entry (compact JSON). */
  perDeploymentBytes: number;
  /** Of which the serialized provider (`__provider`, in inputs and outputs). */
  providerBytes: number;
  /** Everything else. */
  restBytes: number;
  /** The declared arguments (compact JSON of what the program passed). */
  declaredInputBytes: number;
  /** perDeploymentBytes − declaredInputBytes. */
  beyondInputsBytes: number;
  /** The whole checkpoint (every resource, the stack's, the default provider's) divided by N. */
  checkpointPerDeploymentBytes: number;
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

function withoutProvider(bag: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (bag === undefined) return undefined;
  const copy = { ...bag };
  delete copy.__provider;
  return copy;
}

/**
 * Figure 5 for one deployment count. `declared` maps each resource's logical name (the URN's last
 * segment) to the arguments the program gave it.
 */
export function stateSize(
  checkpoint: { resources?: StateResource[] },
  type: string,
  declared: ReadonlyMap<string, unknown>,
): StateSize {
  const resources = (checkpoint.resources ?? []).filter((r) => r.type === type);
  if (resources.length === 0) throw new Error(`stateSize: no resource of type ${type} in the checkpoint`);
  let total = 0;
  let provider = 0;
  let declaredTotal = 0;
  for (const resource of resources) {
    const name = resource.urn.slice(resource.urn.lastIndexOf("::") + 2);
    if (!declared.has(name)) throw new Error(`stateSize: no declared arguments for ${name}`);
    const size = bytes(resource);
    const stripped = bytes({
      ...resource,
      inputs: withoutProvider(resource.inputs),
      outputs: withoutProvider(resource.outputs),
    });
    total += size;
    provider += size - stripped;
    declaredTotal += bytes(declared.get(name));
  }
  const count = resources.length;
  const perDeploymentBytes = Math.round(total / count);
  const providerBytes = Math.round(provider / count);
  const declaredInputBytes = Math.round(declaredTotal / count);
  return {
    n: count,
    perDeploymentBytes,
    providerBytes,
    restBytes: perDeploymentBytes - providerBytes,
    declaredInputBytes,
    beyondInputsBytes: perDeploymentBytes - declaredInputBytes,
    checkpointPerDeploymentBytes: Math.round(bytes(checkpoint) / count),
  };
}

// --- 6. wait latency -----------------------------------------------------------------------------

export interface WaitSample {
  deploymentId: string;
  /** Epoch ms the emulator received `_start`. */
  startAt: number;
  /** Epoch ms the deployment became fully allocated (emulator). */
  readyAt: number;
  /** Epoch ms the provider's `create` returned (probe in the provider process). */
  returnedAt: number;
  /** Whether the deployment became ready while `_start` still waited server-side, or during polling. */
  path: "server-wait" | "polling";
}

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export function latencyStats(values: readonly number[]): LatencyStats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted[sorted.length - 1] as number),
  };
}

export const MAX_WAIT_P95_MS = 1000;
/** The provider counts as idle while waiting when it used less than this share of one core. */
export const MAX_IDLE_CPU_PERCENT = 5;

export interface WaitLatency {
  all: LatencyStats;
  /** Ready while `_start` still waited server-side (capacity was there; the model was loading). */
  serverWait?: LatencyStats;
  /** Ready after `_start` had answered (e.g. waiting for capacity): the provider's polling found it. */
  polling?: LatencyStats;
  /** Provider CPU over the polling scenario's wait window (from every `_start` answered to the last deployment ready). */
  providerCpu: { windowMs: number; cpuMs: number; percentOfOneCore: number };
  target: { p95Ms: number; maxIdleCpuPercent: number; latencyMet: boolean; idleMet: boolean; met: boolean };
}

/** Figure 6. The latency target holds for each path separately (a large population must not hide the other). */
export function waitLatency(
  samples: readonly WaitSample[],
  cpu: { windowMs: number; cpuMs: number },
): WaitLatency {
  const latency = (s: WaitSample) => s.returnedAt - s.readyAt;
  const all = latencyStats(samples.map(latency));
  if (all === undefined) throw new Error("waitLatency: no samples");
  const serverWait = latencyStats(samples.filter((s) => s.path === "server-wait").map(latency));
  const polling = latencyStats(samples.filter((s) => s.path === "polling").map(latency));
  if (!(cpu.windowMs > 0))
    throw new Error(`waitLatency: the CPU window must be positive, got ${cpu.windowMs}`);
  const percentOfOneCore = round((cpu.cpuMs / cpu.windowMs) * 100, 2);
  const latencyMet = [serverWait, polling].every((p) => p === undefined || p.p95Ms < MAX_WAIT_P95_MS);
  const idleMet = percentOfOneCore < MAX_IDLE_CPU_PERCENT;
  return {
    all,
    serverWait,
    polling,
    providerCpu: { windowMs: Math.round(cpu.windowMs), cpuMs: Math.round(cpu.cpuMs), percentOfOneCore },
    target: {
      p95Ms: MAX_WAIT_P95_MS,
      maxIdleCpuPercent: MAX_IDLE_CPU_PERCENT,
      latencyMet,
      idleMet,
      met: latencyMet && idleMet,
    },
  };
}
