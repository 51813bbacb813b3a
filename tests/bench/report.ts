/**
 * The resource benchmark's report: the results document written to `bench/results.json`, and the
 * table printed on stdout (and pasted into docs/benchmarks.md). Pure.
 */
import type { PreviewPoint, StateSize, UpOverhead, WaitLatency, WaitSample } from "./figures";
import type { LoadSummary } from "./inference-load";

export interface PeerPoint {
  n: number;
  oursUpMs: number;
  theirsUpMs: number;
  /** ours / theirs: below 1, ours is faster. */
  upRatio: number;
  oursDestroyMs: number;
  theirsDestroyMs: number;
  destroyRatio: number;
}

export interface DestroyPoint {
  n: number;
  flags: "default" | "finishPendingWork";
  pulumiMs: number;
  directMs: number;
  /** pulumi / direct. */
  ratio: number;
  pendingAtStop: { pulumi: number; direct: number };
  load: { pulumi: LoadSummary; direct: LoadSummary };
}

export interface MemoryPoint {
  n: number;
  /** Peak resident set size of the dynamic-provider process during `up` (VmHWM), MiB. */
  peakRssMb: number;
  /** CPU time of the provider process during `up`, ms. */
  cpuMs: number;
  /** The same for the peer's provider process (the dynamic-provider host running a trivial provider), when measured. */
  peer?: { peakRssMb: number; cpuMs: number };
}

export interface BenchResults {
  benchmark: string;
  date: string;
  durationSeconds: number;
  machine: {
    cores: number;
    cpu: string;
    node: string;
    pulumi: string;
    os: string;
    /** 1-minute load average when the run started and ended (other work on a shared machine shows here). */
    loadAverage: { start: number; end: number };
  };
  parameters: Record<string, unknown>;
  peer?: { implementation: string; why: string };
  figures: {
    upOverhead?: UpOverhead;
    peer?: { points: PeerPoint[]; met: boolean };
    preview?: { points: PreviewPoint[]; independentOfN: boolean; met: boolean };
    destroy?: { points: DestroyPoint[] };
    stateSize?: { points: StateSize[]; underLimit: boolean; constantInN: boolean; met: boolean };
    waitLatency?: WaitLatency & { samples: (WaitSample & { latencyMs: number })[] };
    providerMemory?: { points: MemoryPoint[] };
  };
  /** Every target with its verdict, in figure order. */
  targets: { figure: string; target: string; met: boolean | undefined }[];
}

/** Aligns rows of cells into columns separated by two spaces, with a rule under the first row. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "";
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (row: readonly string[]) =>
    widths
      .map((w, c) => (row[c] ?? "").padEnd(w))
      .join("  ")
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head as string[]), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function verdict(met: boolean | undefined): string {
  return met === undefined ? "n/a" : met ? "MET" : "MISSED";
}

const ms = (value: number) => `${Math.round(value)} ms`;
const x = (value: number | undefined) => (value === undefined ? "n/a" : `${value.toFixed(2)}x`);

/** The rows of the stdout table: figure, measure, value, target, verdict. */
export function reportRows(results: BenchResults): string[][] {
  const rows: string[][] = [["figure", "measure", "value", "target", "verdict"]];
  const f = results.figures;
  if (f.upOverhead) {
    const up = f.upOverhead;
    for (const p of up.points) {
      rows.push([
        "1 up",
        `N=${p.n}: pulumi up / direct`,
        `${ms(p.pulumiMs)} / ${ms(p.directMs)} = ${x(p.ratio)}; +${ms(p.overheadPerDeploymentMs)} per deployment`,
        "",
        "",
      ]);
    }
    rows.push([
      "1 up",
      "fixed cost (N=1)",
      `${ms(up.fixedCost.pulumiMs)} (+${ms(up.fixedCost.overheadMs)} over direct)` +
        (up.fixedCost.engineMs === undefined
          ? ""
          : `; engine summary at ${ms(up.fixedCost.engineMs)}, the rest is the Automation API reading outputs`),
      "",
      "",
    ]);
    for (const s of up.segments) {
      rows.push([
        "1 up",
        `marginal N=${s.from}->${s.to}`,
        `${s.pulumiMs} ms vs ${s.directMs} ms direct = ${x(s.ratio)}`,
        "",
        "",
      ]);
    }
    rows.push([
      "1 up",
      `marginal per deployment (N=${up.marginal.from}->${up.marginal.to})`,
      `${up.marginal.pulumiMs} ms vs ${up.marginal.directMs} ms direct = ${x(up.marginal.ratio)}` +
        (up.growing === undefined ? "" : up.growing ? ", growing with N" : ", not growing with N"),
      `<= ${up.target.maxMarginalRatio}x direct, not growing`,
      verdict(up.target.met),
    ]);
  }
  if (f.peer) {
    for (const p of f.peer.points) {
      rows.push([
        "2 peer",
        `N=${p.n}: ours / curl resource`,
        `up ${ms(p.oursUpMs)} / ${ms(p.theirsUpMs)} = ${x(p.upRatio)}; destroy ${ms(p.oursDestroyMs)} / ${ms(p.theirsDestroyMs)} = ${x(p.destroyRatio)}`,
        "ours faster (< 1x)",
        verdict(p.upRatio < 1 && p.destroyRatio < 1),
      ]);
    }
  }
  if (f.preview) {
    for (const p of f.preview.points) {
      rows.push([
        "3 preview",
        `N=${p.n}, no changes`,
        `${ms(p.wallMs)}; ${p.requests} requests, ${p.mutating} mutating`,
        "",
        "",
      ]);
    }
    rows.push([
      "3 preview",
      "requests vs N",
      f.preview.independentOfN ? "independent of N" : "grow with N",
      "independent of N, none mutating",
      verdict(f.preview.met),
    ]);
  }
  if (f.destroy) {
    for (const p of f.destroy.points) {
      rows.push([
        "4 destroy",
        `N=${p.n}, ${p.flags}, queued inference`,
        `${ms(p.pulumiMs)} / ${ms(p.directMs)} direct = ${x(p.ratio)} (pending at stop: ${p.pendingAtStop.pulumi} / ${p.pendingAtStop.direct})`,
        "",
        "",
      ]);
    }
  }
  if (f.stateSize) {
    for (const p of f.stateSize.points) {
      rows.push([
        "5 state",
        `N=${p.n}, per deployment`,
        `${p.perDeploymentBytes} B = __provider ${p.providerBytes} + rest ${p.restBytes}; beyond inputs ${p.beyondInputsBytes} B`,
        "",
        "",
      ]);
    }
    rows.push([
      "5 state",
      "beyond inputs",
      `${Math.max(...f.stateSize.points.map((p) => p.beyondInputsBytes))} B max, ${f.stateSize.constantInN ? "constant" : "not constant"} in N`,
      "< 4096 B, constant in N",
      verdict(f.stateSize.met),
    ]);
  }
  if (f.waitLatency) {
    const w = f.waitLatency;
    const stats = (s: typeof w.all | undefined) =>
      s ? `p50 ${ms(s.p50Ms)} p95 ${ms(s.p95Ms)} max ${ms(s.maxMs)} (${s.count})` : "none";
    rows.push(["6 wait", "ready during _start's server wait", stats(w.serverWait), "", ""]);
    rows.push(["6 wait", "ready while the provider polls", stats(w.polling), "", ""]);
    rows.push([
      "6 wait",
      "latency, each path",
      `p95 ${[w.serverWait, w.polling]
        .filter((p) => p !== undefined)
        .map((p) => ms(p.p95Ms))
        .join(" / ")}`,
      `p95 < ${w.target.p95Ms} ms`,
      verdict(w.target.latencyMet),
    ]);
    rows.push([
      "6 wait",
      "provider CPU while waiting",
      `${w.providerCpu.cpuMs} ms in ${w.providerCpu.windowMs} ms = ${w.providerCpu.percentOfOneCore}% of a core`,
      `idle (< ${w.target.maxIdleCpuPercent}%)`,
      verdict(w.target.idleMet),
    ]);
  }
  if (f.providerMemory) {
    for (const p of f.providerMemory.points) {
      rows.push([
        "7 memory",
        `N=${p.n}, provider peak RSS`,
        `${p.peakRssMb} MiB, CPU ${ms(p.cpuMs)}` +
          (p.peer ? ` (curl resource's provider: ${p.peer.peakRssMb} MiB, CPU ${ms(p.peer.cpuMs)})` : ""),
        "",
        "",
      ]);
    }
  }
  return rows;
}
