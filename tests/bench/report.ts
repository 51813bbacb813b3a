/**
 * The resource benchmark's report: the results document written to `bench/results.json`, and the
 * table printed on stdout (and pasted into docs/benchmarks.md). Pure.
 */
import type { PreviewPoint, UpOverhead, WaitLatency, WaitSample } from "./figures";
import type { LoadSummary } from "./inference-load";
import type { SizeFigures, SizeSamples } from "./scale";
import { scaleRows, type TargetVerdict } from "./scale-report";

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
    /**
     * How the resources' provider is written to the state: `installed` (one require of the stable entry, as
     * from a registry; `npm run bench` sets NODE_PRESERVE_SYMLINKS=1 so the workspace link resolves that
     * way) or `linked` (seven forwarding methods, as in the workspace). See sdk/src/serializedProvider.ts.
     */
    providerLayout: "installed" | "linked";
  };
  parameters: Record<string, unknown>;
  peer?: { implementation: string; why: string };
  figures: {
    /** Per start delay: every size's figures (issue 16 item 1), figure 1's fit against direct, figure 3. */
    scale?: {
      startDelayMs: number;
      sizes: SizeFigures[];
      upOverhead: UpOverhead;
      preview: { points: PreviewPoint[]; independentOfN: boolean; met: boolean };
      /** Every run as measured (the figures above are medians of these). */
      raw: SizeSamples[];
    }[];
    destroy?: { points: DestroyPoint[] };
    waitLatency?: WaitLatency & { samples: (WaitSample & { latencyMs: number })[] };
  };
  /** The figures' own targets (1, 3, 6) with their verdicts, in figure order. */
  targets: { figure: string; target: string; met: boolean | undefined }[];
  /** Issue 16's targets: MET, MISSED or NOT RUN, as the script judged them. */
  issue16: TargetVerdict[];
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
  for (const series of f.scale ?? []) {
    const up = series.upOverhead;
    const d = `start ${series.startDelayMs} ms`;
    for (const p of up.points) {
      rows.push([
        "1 up",
        `N=${p.n} ${d}: pulumi up / direct`,
        `${ms(p.pulumiMs)} / ${ms(p.directMs)} = ${x(p.ratio)}; +${ms(p.overheadPerDeploymentMs)} per deployment`,
        "",
        "",
      ]);
    }
    rows.push([
      "1 up",
      `fixed cost (N=${up.points[0]?.n ?? 1}) ${d}`,
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
        `marginal N=${s.from}->${s.to} ${d}`,
        `${s.pulumiMs} ms vs ${s.directMs} ms direct = ${x(s.ratio)}`,
        "",
        "",
      ]);
    }
    rows.push([
      "1 up",
      `marginal per deployment (N=${up.marginal.from}->${up.marginal.to}) ${d}`,
      `${up.marginal.pulumiMs} ms vs ${up.marginal.directMs} ms direct = ${x(up.marginal.ratio)}` +
        (up.growing === undefined ? "" : up.growing ? ", growing with N" : ", not growing with N"),
      `<= ${up.target.maxMarginalRatio}x direct, not growing`,
      verdict(up.target.met),
    ]);
    rows.push([
      "3 preview",
      `requests vs N ${d}`,
      series.preview.independentOfN ? "independent of N" : "grow with N",
      "independent of N, none mutating",
      verdict(series.preview.met),
    ]);
    for (const row of scaleRows(series.startDelayMs, series.sizes)) rows.push([...row, "", ""]);
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
  return rows;
}
