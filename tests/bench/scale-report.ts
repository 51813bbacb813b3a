/**
 * From the series' samples to issue 16's verdicts and the per-size table rows. Pure (type-only imports of
 * the runner), so the report is tested without running anything.
 */
import type { Series, SizeFigures } from "./scale";
import {
  combine,
  growthTarget,
  type Judgement,
  memoryTarget,
  peerTarget,
  previewTarget,
  requestsTarget,
  stateTarget,
} from "./targets";

export interface TargetVerdict extends Judgement {
  target: string;
}

const at = (s: Series) => `start ${s.startDelayMs} ms`;
const prefixed = (s: Series, j: Judgement): Judgement => ({ ...j, detail: `${at(s)}: ${j.detail}` });

/** Every target of issue 16, judged over the series measured. */
export function scaleTargets(series: readonly Series[]): TargetVerdict[] {
  const withPeer = (s: Series) => s.sizes.filter((z) => z.peer.length > 0);
  const zero = series.find((s) => s.startDelayMs === 0);
  return [
    {
      target: "requests: <= 3 per deployment during up, N >= 10",
      ...combine(
        series.map((s) =>
          prefixed(
            s,
            requestsTarget(
              s.sizes.map((z) => ({ n: z.n, requestsPerRun: z.ours.map((o) => o.upRequests.total) })),
            ),
          ),
        ),
      ),
    },
    {
      target:
        "growth: overhead over the peer per added deployment, 200->500 <= 1.25x 50->200 (0 ms start, >= 3 runs)",
      ...(zero
        ? prefixed(
            zero,
            growthTarget(
              withPeer(zero).map((z) => ({
                n: z.n,
                oursMs: z.ours.map((o) => o.upMs),
                peerMs: z.peer.map((p) => p.upMs),
              })),
            ),
          )
        : { verdict: "NOT RUN" as const, detail: "no series at 0 ms start delay" }),
    },
    {
      target: "peer: ours / curl peer < 1 for up and destroy at N = 10, 50, 200 (>= 5 interleaved runs)",
      ...combine(
        series.map((s) =>
          prefixed(
            s,
            peerTarget(
              withPeer(s).map((z) => ({
                n: z.n,
                runs: z.ours.map((o, i) => ({
                  oursUpMs: o.upMs,
                  oursDestroyMs: o.destroyMs,
                  peerUpMs: z.peer[i]?.upMs ?? Number.NaN,
                  peerDestroyMs: z.peer[i]?.destroyMs ?? Number.NaN,
                })),
              })),
            ),
          ),
        ),
      ),
    },
    {
      target: "state: <= 4096 B per deployment beyond inputs, constant in N",
      ...stateTarget(
        series.flatMap((s) =>
          s.sizes.map((z) => z.ours[z.ours.length - 1]?.state).filter((x) => x !== undefined),
        ),
        series.flatMap((s) =>
          s.sizes.map((z) => z.peer[z.peer.length - 1]?.state).filter((x) => x !== undefined),
        ),
      ),
    },
    {
      target: "memory: provider peak RSS grows <= 0.3 MiB per deployment",
      ...combine(
        series.map((s) => {
          const rss = (runs: readonly { provider: { peakHwmKb?: number } }[]) =>
            Math.max(...runs.map((r) => r.provider.peakHwmKb ?? 0)) / 1024;
          return prefixed(
            s,
            memoryTarget(
              s.sizes.map((z) => ({ n: z.n, peakRssMb: rss(z.ours) })),
              withPeer(s).map((z) => ({ n: z.n, peakRssMb: rss(z.peer) })),
            ),
          );
        }),
      ),
    },
    {
      target: "preview: 500 unchanged deployments, 0 requests (time vs the curl peer's preview)",
      ...combine(
        series.map((s) =>
          prefixed(
            s,
            previewTarget(
              s.sizes.map((z) => ({
                n: z.n,
                requestsPerRun: z.ours.map((o) => o.preview.requests),
                oursMs: z.ours.map((o) => o.preview.wallMs),
                peerMs: z.peer.map((p) => p.preview.wallMs),
              })),
            ),
          ),
        ),
      ),
    },
  ];
}

const x = (v: number | undefined) => (v === undefined ? "n/a" : `${v.toFixed(2)}x`);

/**
 * Per size and start delay: the figures of issue 16 item 1. The curl peer's value sits next to each figure
 * the engine rather than the resource bounds (time, RSS, CPU, state of a dynamic resource).
 */
export function scaleRows(startDelayMs: number, sizes: readonly SizeFigures[]): string[][] {
  const rows: string[][] = [];
  const tag = (z: SizeFigures) =>
    `N=${z.n} start ${startDelayMs} ms (${z.clusters} cluster${z.clusters > 1 ? "s" : ""}, ${z.runs} run${z.runs > 1 ? "s" : ""})`;
  for (const z of sizes) {
    const p = z.peer;
    rows.push([
      "scale up",
      tag(z),
      `ours ${z.ours.upMs} ms / direct ${z.directUpMs} ms = ${x(z.oursOverDirect)}` +
        (p
          ? `; / peer ${p.upMs} ms = ${x(z.oursOverPeer?.up)}; destroy ${z.ours.destroyMs} / ${p.destroyMs} ms = ${x(z.oursOverPeer?.destroy)}`
          : ""),
    ]);
    rows.push([
      "scale overhead",
      tag(z),
      `+${z.overheadPerDeploymentMs} ms per deployment over direct` +
        (z.overPeerPerDeploymentMs === undefined
          ? ""
          : `, ${z.overPeerPerDeploymentMs >= 0 ? "+" : ""}${z.overPeerPerDeploymentMs} ms over the peer`),
    ]);
    rows.push([
      "scale requests",
      tag(z),
      `${z.ours.requestsPerDeployment} per deployment during up (worst run ${z.ours.maxRequestsPerDeployment}): ` +
        Object.entries(z.ours.requestsByRoute)
          .map(([route, count]) => `${route} ${count}`)
          .join(", ") +
        (p ? `; peer ${p.requestsPerDeployment}` : ""),
    ]);
    rows.push([
      "scale state",
      tag(z),
      `${z.ours.state.beyondInputsBytes} B per deployment beyond inputs (__provider ${z.ours.state.providerBytes} B)` +
        (p ? `; peer ${p.state.beyondInputsBytes} B (__provider ${p.state.providerBytes} B)` : ""),
    ]);
    rows.push([
      "scale provider",
      tag(z),
      `peak RSS ${z.ours.peakRssMb} MiB, CPU ${z.ours.cpuMs} ms` +
        (p ? `; peer ${p.peakRssMb} MiB, CPU ${p.cpuMs} ms` : ""),
    ]);
    rows.push([
      "scale preview",
      tag(z),
      `${z.ours.previewMs} ms, ${z.ours.previewRequests} requests` + (p ? `; peer ${p.previewMs} ms` : ""),
    ]);
  }
  return rows;
}
