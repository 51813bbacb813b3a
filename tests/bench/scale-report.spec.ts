import assert from "node:assert/strict";
import type { StateSize } from "./figures";
import type { Series, SizeSamples } from "./scale";
import { scaleTargets } from "./scale-report";
import type { OursRun, SideRun } from "./size-runs";

const state = (n: number): StateSize => ({
  n,
  perDeploymentBytes: 3000,
  providerBytes: 1000,
  restBytes: 2000,
  declaredInputBytes: 80,
  beyondInputsBytes: 2920,
  checkpointPerDeploymentBytes: 3100,
});

function side(n: number, upMs: number, requests: number, rssMb: number): OursRun {
  const run: SideRun = {
    upMs,
    upEngineMs: upMs,
    upRequests: { total: requests, byRoute: {} },
    preview: { n, wallMs: 1000, requests: 0, mutating: 0 },
    state: state(n),
    provider: { peakHwmKb: rssMb * 1024, cpuMs: 100, samples: 1 },
    destroyMs: upMs / 2,
  };
  return { ...run, waitSamples: [] };
}

/** One size: `runs` runs, ours `oursMs` and the peer `peerMs` per run, 2 requests per deployment. */
function size(n: number, runs: number, oursMs: number, peerMs: number): SizeSamples {
  return {
    n,
    clusters: Math.ceil(n / 100),
    direct: Array.from({ length: runs }, () => ({ upMs: 1000, stopMs: 100 })),
    ours: Array.from({ length: runs }, () => side(n, oursMs, 2 * n, 150 + n * 0.1)),
    peer: Array.from({ length: runs }, () => side(n, peerMs, n, 120)),
  };
}

describe("issue 16 verdicts from the measured series", () => {
  it("judges growth on the 0 ms series only, and each other target over both", () => {
    // At 1000 ms the overhead over the peer grows fast; at 0 ms it is flat: growth is MET from the 0 ms series.
    const fast: Series = {
      startDelayMs: 1000,
      sizes: [size(50, 5, 5000, 4000), size(200, 5, 20_000, 8000), size(500, 3, 90_000, 10_000)],
    };
    const flat: Series = {
      startDelayMs: 0,
      sizes: [size(50, 5, 3000, 3100), size(200, 5, 6000, 6100), size(500, 3, 12_000, 12_100)],
    };
    const verdicts = Object.fromEntries(
      scaleTargets([fast, flat]).map((t) => [t.target.split(":")[0], t.verdict]),
    );
    assert.deepEqual(verdicts, {
      requests: "MET",
      growth: "MET",
      // N = 10 was not run, and at 1000 ms ours is slower.
      peer: "MISSED",
      state: "MET",
      memory: "MET",
      preview: "MET",
    });
    assert.equal(scaleTargets([fast])[1]?.verdict, "NOT RUN");
    assert.match(scaleTargets([fast])[1]?.detail ?? "", /no series at 0 ms start delay/);
  });
});
