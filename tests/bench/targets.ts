/**
 * The targets of issue 16, each judged by the script itself: MET, MISSED, or NOT RUN when the run did not
 * measure what the target needs (a size, enough runs). Pure functions over medians and per-run samples,
 * unit-tested in targets.spec.ts; docs/benchmarks.md explains each.
 */
import { median, type StateSize } from "./figures";

export type Verdict = "MET" | "MISSED" | "NOT RUN";

export interface Judgement {
  verdict: Verdict;
  /** What was measured, in words and numbers (or what was missing). */
  detail: string;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const notRun = (detail: string): Judgement => ({ verdict: "NOT RUN", detail });
const judged = (met: boolean, detail: string): Judgement => ({ verdict: met ? "MET" : "MISSED", detail });

/** Several judgements of one target (e.g. one per start delay): any MISSED misses, else any NOT RUN. */
export function combine(parts: readonly Judgement[]): Judgement {
  const detail = parts.map((p) => p.detail).join("; ");
  if (parts.length === 0) return notRun("nothing measured");
  if (parts.some((p) => p.verdict === "MISSED")) return { verdict: "MISSED", detail };
  if (parts.some((p) => p.verdict === "NOT RUN")) return { verdict: "NOT RUN", detail };
  return { verdict: "MET", detail };
}

// --- requests per deployment -----------------------------------------------------------------------

export const MAX_REQUESTS_PER_DEPLOYMENT = 3;
export const REQUESTS_FROM_N = 10;

/** Requests the emulators counted during each `up` of N deployments. */
export interface RequestsPoint {
  n: number;
  requestsPerRun: readonly number[];
}

/** At most 3 requests per deployment during `up`, at every N ≥ 10 (the worst run counts). */
export function requestsTarget(points: readonly RequestsPoint[]): Judgement {
  const judgedPoints = points.filter((p) => p.n >= REQUESTS_FROM_N && p.requestsPerRun.length > 0);
  if (judgedPoints.length === 0) return notRun(`no up of N >= ${REQUESTS_FROM_N}`);
  const per = judgedPoints.map((p) => ({
    n: p.n,
    perDeployment: round(Math.max(...p.requestsPerRun) / p.n),
  }));
  return judged(
    per.every((p) => p.perDeployment <= MAX_REQUESTS_PER_DEPLOYMENT),
    per.map((p) => `N=${p.n}: ${p.perDeployment}`).join(", ") + " per deployment",
  );
}

// --- growth: the engine's overhead per added deployment, against the curl peer --------------------

/** Up wall times of both sides at one N, one entry per run. */
export interface SidesPoint {
  n: number;
  oursMs: readonly number[];
  peerMs: readonly number[];
}

export const GROWTH_SEGMENTS = [50, 200, 500] as const;
export const GROWTH_MIN_RUNS = 3;
/** The later segment may cost at most this many times the earlier one ... */
export const GROWTH_TOLERANCE = 1.25;
/**
 * ... unless both are within this many ms per deployment of zero: flat, where a ratio of two near-zero
 * differences of medians is noise (three runs of a few seconds differ by hundreds of ms).
 */
export const GROWTH_NOISE_MS = 5;

export interface Growth {
  /** (ours − peer) at each N, medians, ms. */
  extraMs: Record<number, number>;
  /** Overhead per added deployment over 50→200 and 200→500, ms. */
  firstSegmentMs: number;
  lastSegmentMs: number;
}

/**
 * Overhead per added deployment = ((ours − peer)(b) − (ours − peer)(a)) / (b − a), from medians of at least
 * three runs. Met when the 200→500 segment is at most 1.25× the 50→200 one, or both are at most 5 ms.
 */
export function growthTarget(points: readonly SidesPoint[]): Judgement & { growth?: Growth } {
  const at = new Map(points.map((p) => [p.n, p]));
  const missing = GROWTH_SEGMENTS.filter((n) => {
    const p = at.get(n);
    return p === undefined || Math.min(p.oursMs.length, p.peerMs.length) < GROWTH_MIN_RUNS;
  });
  if (missing.length > 0) {
    return notRun(
      `needs N=${GROWTH_SEGMENTS.join(", ")} with >= ${GROWTH_MIN_RUNS} runs each; short: N=${missing.join(", ")}`,
    );
  }
  const extra = (n: number) => {
    const p = at.get(n) as SidesPoint;
    return median(p.oursMs) - median(p.peerMs);
  };
  const [a, b, c] = GROWTH_SEGMENTS;
  const firstSegmentMs = round((extra(b) - extra(a)) / (b - a), 1);
  const lastSegmentMs = round((extra(c) - extra(b)) / (c - b), 1);
  const flat = firstSegmentMs <= GROWTH_NOISE_MS && lastSegmentMs <= GROWTH_NOISE_MS;
  return {
    ...judged(
      lastSegmentMs <= GROWTH_TOLERANCE * firstSegmentMs || flat,
      `${a}->${b}: ${firstSegmentMs} ms, ${b}->${c}: ${lastSegmentMs} ms per added deployment over the peer`,
    ),
    growth: {
      extraMs: Object.fromEntries(GROWTH_SEGMENTS.map((n) => [n, round(extra(n), 1)])),
      firstSegmentMs,
      lastSegmentMs,
    },
  };
}

// --- peer: ours / curl peer below 1 -----------------------------------------------------------------

export const PEER_SIZES = [10, 50, 200] as const;
export const PEER_MIN_RUNS = 5;

/** Runs of both sides at one N, interleaved: run i of ours came right after or before run i of the peer. */
export interface PeerRuns {
  n: number;
  runs: readonly { oursUpMs: number; peerUpMs: number; oursDestroyMs: number; peerDestroyMs: number }[];
}

export interface RatioSpread {
  /** median(ours) / median(peer). */
  ratio: number;
  /** Lowest and highest ratio of one run to its interleaved partner. */
  min: number;
  max: number;
}

export function ratioSpread(ours: readonly number[], peer: readonly number[]): RatioSpread {
  if (ours.length === 0 || ours.length !== peer.length) {
    throw new Error(`ratioSpread: needs as many runs of each side (got ${ours.length} and ${peer.length})`);
  }
  const each = ours.map((o, i) => o / (peer[i] as number));
  return {
    ratio: round(median(ours) / median(peer)),
    min: round(Math.min(...each)),
    max: round(Math.max(...each)),
  };
}

/**
 * ours / peer below 1 for up and destroy at N = 10, 50, 200, each over at least five interleaved runs.
 * MISSED as soon as one size with five runs is not below 1; NOT RUN while a size lacks runs.
 */
export function peerTarget(points: readonly PeerRuns[]): Judgement {
  const at = new Map(points.map((p) => [p.n, p]));
  const short = PEER_SIZES.filter((n) => (at.get(n)?.runs.length ?? 0) < PEER_MIN_RUNS);
  const parts = PEER_SIZES.filter((n) => (at.get(n)?.runs.length ?? 0) > 0).map((n) => {
    const runs = (at.get(n) as PeerRuns).runs;
    const up = ratioSpread(
      runs.map((r) => r.oursUpMs),
      runs.map((r) => r.peerUpMs),
    );
    const destroy = ratioSpread(
      runs.map((r) => r.oursDestroyMs),
      runs.map((r) => r.peerDestroyMs),
    );
    const text = (s: RatioSpread) => `${s.ratio.toFixed(2)}x (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
    return {
      below: up.ratio < 1 && destroy.ratio < 1,
      enough: runs.length >= PEER_MIN_RUNS,
      detail: `N=${n} (${runs.length} runs): up ${text(up)}, destroy ${text(destroy)}`,
    };
  });
  const detail = parts.map((p) => p.detail).join("; ");
  // A size measured often enough and not below 1 misses the target whatever the other sizes give.
  if (parts.some((p) => p.enough && !p.below)) return judged(false, detail);
  if (short.length > 0) {
    return notRun(
      `needs >= ${PEER_MIN_RUNS} runs at N=${PEER_SIZES.join(", ")}; short: N=${short.join(", ")}` +
        (detail ? `; ${detail}` : ""),
    );
  }
  return judged(
    parts.every((p) => p.below),
    detail,
  );
}

// --- state ---------------------------------------------------------------------------------------------

export const MAX_BEYOND_INPUTS_BYTES = 4096;
/** Per-deployment bytes count as constant in N when they vary by at most this fraction. */
export const STATE_CONSTANCY_TOLERANCE = 0.05;

/**
 * At most 4 KB per deployment beyond its declared inputs, constant in N (at least two sizes). `floor`: the
 * same measure for the curl peer, a dynamic resource whose provider is a few lines: what the closure
 * serializer and the dynamic-provider host cost any dynamic resource, shown side by side.
 */
export function stateTarget(ours: readonly StateSize[], floor: readonly StateSize[] = []): Judgement {
  const floorText =
    floor.length === 0
      ? ""
      : `; minimal provider (curl peer): ${Math.max(...floor.map((p) => p.beyondInputsBytes))} B beyond inputs, __provider ${Math.max(...floor.map((p) => p.providerBytes))} B`;
  if (new Set(ours.map((p) => p.n)).size < 2) return notRun(`needs two sizes or more${floorText}`);
  const beyond = ours.map((p) => p.beyondInputsBytes);
  const most = Math.max(...beyond);
  const constant = most - Math.min(...beyond) <= most * STATE_CONSTANCY_TOLERANCE;
  const provider = Math.max(...ours.map((p) => p.providerBytes));
  return judged(
    most <= MAX_BEYOND_INPUTS_BYTES && constant,
    `${most} B max beyond inputs (__provider ${provider} B), ${constant ? "constant" : "not constant"} in N${floorText}`,
  );
}

// --- memory ----------------------------------------------------------------------------------------------

export const MAX_RSS_GROWTH_MIB_PER_DEPLOYMENT = 0.3;
/**
 * The peak RSS of one provider process varies by tens of MiB from run to run (garbage collection timing), so
 * a slope over a few deployments is noise: judged only over at least this many.
 */
export const MIN_RSS_SPAN = 50;

export interface RssPoint {
  n: number;
  peakRssMb: number;
}

/** The provider's peak RSS grows by at most 0.3 MiB per deployment, from the smallest N to the largest. */
export function memoryTarget(points: readonly RssPoint[], peer: readonly RssPoint[] = []): Judgement {
  const slope = (ps: readonly RssPoint[]) => {
    const sorted = [...ps].sort((a, b) => a.n - b.n);
    const first = sorted[0] as RssPoint;
    const last = sorted[sorted.length - 1] as RssPoint;
    return {
      from: first.n,
      to: last.n,
      mib: round((last.peakRssMb - first.peakRssMb) / (last.n - first.n), 3),
    };
  };
  if (points.length === 0) return notRun("nothing measured");
  const ours = slope(points);
  if (ours.to - ours.from < MIN_RSS_SPAN)
    return notRun(`needs sizes ${MIN_RSS_SPAN} or more apart (N=${ours.from}->${ours.to})`);
  const peerText =
    new Set(peer.map((p) => p.n)).size < 2
      ? ""
      : `; curl peer's provider ${slope(peer).mib} MiB per deployment`;
  return judged(
    ours.mib <= MAX_RSS_GROWTH_MIB_PER_DEPLOYMENT,
    `N=${ours.from}->${ours.to}: ${ours.mib} MiB per deployment${peerText}`,
  );
}

// --- preview of 500 unchanged deployments ------------------------------------------------------------------

export const PREVIEW_N = 500;

export interface PreviewRuns {
  n: number;
  requestsPerRun: readonly number[];
  oursMs: readonly number[];
  peerMs: readonly number[];
}

/** A preview of 500 unchanged deployments sends no request; its time is shown against the peer's preview. */
export function previewTarget(points: readonly PreviewRuns[]): Judgement {
  const p = points.find((q) => q.n === PREVIEW_N);
  if (p === undefined || p.requestsPerRun.length === 0)
    return notRun(`no preview at N=${PREVIEW_N} (--large)`);
  const requests = Math.max(...p.requestsPerRun);
  const time =
    p.oursMs.length > 0 && p.peerMs.length > 0
      ? `; ${Math.round(median(p.oursMs))} ms vs the curl peer's ${Math.round(median(p.peerMs))} ms = ${(median(p.oursMs) / median(p.peerMs)).toFixed(2)}x`
      : "";
  return judged(requests === 0, `${requests} requests${time}`);
}
