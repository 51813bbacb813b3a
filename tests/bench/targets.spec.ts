import assert from "node:assert/strict";
import { LARGE_SIZE, parseArgs, repeatsFor } from "./args";
import type { StateSize } from "./figures";
import { clustersFor, connectionName, countsSince, fleetConfig, place } from "./placement";
import {
  combine,
  growthTarget,
  type Judgement,
  memoryTarget,
  peerTarget,
  previewTarget,
  ratioSpread,
  requestsTarget,
  stateTarget,
} from "./targets";

const j = (verdict: Judgement["verdict"]): Judgement => ({ verdict, detail: verdict });

describe("issue 16 targets: the script's verdicts", () => {
  it("combines parts: any MISSED misses, else any NOT RUN, else MET", () => {
    const table: [Judgement["verdict"][], Judgement["verdict"]][] = [
      [["MET", "MET"], "MET"],
      [["MET", "NOT RUN"], "NOT RUN"],
      [["NOT RUN", "MISSED"], "MISSED"],
      [[], "NOT RUN"],
    ];
    for (const [parts, expected] of table)
      assert.equal(combine(parts.map(j)).verdict, expected, parts.join(","));
  });

  it("requests: the worst run per deployment at N >= 10, at most 3", () => {
    const table: [Parameters<typeof requestsTarget>[0], Judgement["verdict"], string][] = [
      [[{ n: 1, requestsPerRun: [6] }], "NOT RUN", "no up of N >= 10"],
      [
        [
          { n: 1, requestsPerRun: [6] },
          { n: 10, requestsPerRun: [30, 29] },
        ],
        "MET",
        "N=10: 3 per deployment",
      ],
      [
        [
          { n: 10, requestsPerRun: [30] },
          { n: 200, requestsPerRun: [590, 601] },
        ],
        "MISSED",
        "N=200: 3.01",
      ],
      [[{ n: 500, requestsPerRun: [1500] }], "MET", "N=500: 3 per"],
    ];
    for (const [points, verdict, detail] of table) {
      const got = requestsTarget(points);
      assert.equal(got.verdict, verdict, JSON.stringify(points));
      assert.match(got.detail, new RegExp(detail.replace(/[.]/g, "\\.")));
    }
  });

  describe("growth", () => {
    // (ours − peer) medians: 50 → 1000 ms, 200 → 2500 ms (10 ms per added deployment over 150).
    const point = (n: number, extra: number, runs = 3) => ({
      n,
      oursMs: Array.from({ length: runs }, (_, i) => 10_000 + extra + i),
      peerMs: Array.from({ length: runs }, (_, i) => 10_000 + i),
    });
    it("judges 200->500 against 50->200 on the overhead over the peer", () => {
      const table: [number, Judgement["verdict"], number][] = [
        // extra at 500 → last segment (extra − 2500) / 300
        [2500 + 300 * 12.5, "MET", 12.5], // exactly 1.25x
        [2500 + 300 * 12.6, "MISSED", 12.6],
        [2500 + 300 * 5, "MET", 5], // shrinking
      ];
      for (const [extra500, verdict, last] of table) {
        const got = growthTarget([point(50, 1000), point(200, 2500), point(500, extra500)]);
        assert.equal(got.verdict, verdict, String(extra500));
        assert.equal(got.growth?.firstSegmentMs, 10);
        assert.equal(got.growth?.lastSegmentMs, last);
      }
    });
    it("both segments within 5 ms per deployment of zero: flat, not growth", () => {
      const flat = (extra500: number) =>
        growthTarget([point(50, 1000), point(200, 1000), point(500, extra500)]);
      assert.equal(flat(1000 + 300 * 4.9).verdict, "MET");
      assert.equal(flat(1000 + 300 * 5.1).verdict, "MISSED");
    });
    it("is NOT RUN without 50, 200 and 500 measured three times each", () => {
      const got = growthTarget([point(50, 1000), point(200, 2500), point(500, 5000, 1)]);
      assert.equal(got.verdict, "NOT RUN");
      assert.match(got.detail, /short: N=500/);
      assert.equal(growthTarget([point(50, 1), point(200, 2)]).verdict, "NOT RUN");
    });
  });

  describe("peer", () => {
    const runs = (count: number, oursUp: number, oursDestroy = 900) =>
      Array.from({ length: count }, (_, i) => ({
        oursUpMs: oursUp + i,
        peerUpMs: 1000 + i,
        oursDestroyMs: oursDestroy,
        peerDestroyMs: 1000,
      }));
    it("median ratio with the spread of the interleaved pairs", () => {
      assert.deepEqual(ratioSpread([900, 1100, 1000], [1000, 1000, 1000]), { ratio: 1, min: 0.9, max: 1.1 });
      assert.throws(() => ratioSpread([1], [1, 2]), /as many runs of each side/);
    });
    it("below 1 for up and destroy at 10, 50 and 200, five runs each", () => {
      const table: [Parameters<typeof peerTarget>[0], Judgement["verdict"]][] = [
        [[10, 50, 200].map((n) => ({ n, runs: runs(5, 950) })), "MET"],
        [[10, 50, 200].map((n) => ({ n, runs: runs(5, n === 200 ? 1000 : 950) })), "MISSED"],
        [[10, 50, 200].map((n) => ({ n, runs: runs(5, 950, 1000) })), "MISSED"],
        [[10, 50, 200].map((n) => ({ n, runs: runs(n === 200 ? 1 : 5, 950) })), "NOT RUN"],
        [[10, 50].map((n) => ({ n, runs: runs(5, 950) })), "NOT RUN"],
        // Short at 200, but 50 already misses with five runs.
        [[10, 50, 200].map((n) => ({ n, runs: runs(n === 200 ? 1 : 5, n === 50 ? 1000 : 950) })), "MISSED"],
      ];
      for (const [points, verdict] of table)
        assert.equal(
          peerTarget(points).verdict,
          verdict,
          JSON.stringify(points.map((p) => [p.n, p.runs.length])),
        );
      assert.match(
        peerTarget([{ n: 10, runs: runs(5, 950) }]).detail,
        /N=10 \(5 runs\): up 0\.95x \(0\.95-0\.95\)/,
      );
    });
  });

  describe("state", () => {
    const point = (n: number, beyond: number, provider = 2000): StateSize => ({
      n,
      perDeploymentBytes: beyond + 80,
      providerBytes: provider,
      restBytes: beyond + 80 - provider,
      declaredInputBytes: 80,
      beyondInputsBytes: beyond,
      checkpointPerDeploymentBytes: 0,
    });
    it("at most 4096 B beyond inputs, constant in N within 5 %, with the minimal provider's floor beside it", () => {
      const table: [StateSize[], Judgement["verdict"]][] = [
        [[point(1, 4096), point(200, 4000)], "MET"],
        [[point(1, 4097), point(200, 4097)], "MISSED"],
        [[point(1, 2000), point(200, 3000)], "MISSED"],
        [[point(1, 2000)], "NOT RUN"],
      ];
      for (const [points, verdict] of table) assert.equal(stateTarget(points).verdict, verdict);
      assert.match(
        stateTarget([point(1, 3000), point(10, 3000)], [point(1, 4800, 2900)]).detail,
        /minimal provider \(curl peer\): 4800 B beyond inputs, __provider 2900 B/,
      );
    });
  });

  it("memory: peak RSS slope from the smallest to the largest N, over at least 50 deployments", () => {
    const table: [Parameters<typeof memoryTarget>[0], Judgement["verdict"]][] = [
      [
        [
          { n: 1, peakRssMb: 150 },
          { n: 201, peakRssMb: 210 },
        ],
        "MET",
      ], // 0.3
      [
        [
          { n: 1, peakRssMb: 150 },
          { n: 201, peakRssMb: 210.4 },
        ],
        "MISSED",
      ],
      [
        [
          { n: 1, peakRssMb: 150 },
          { n: 12, peakRssMb: 150 },
        ],
        "NOT RUN",
      ],
    ];
    for (const [points, verdict] of table)
      assert.equal(memoryTarget(points).verdict, verdict, JSON.stringify(points));
    assert.match(
      memoryTarget(
        [
          { n: 1, peakRssMb: 150 },
          { n: 201, peakRssMb: 170 },
        ],
        [
          { n: 1, peakRssMb: 120 },
          { n: 201, peakRssMb: 130 },
        ],
      ).detail,
      /N=1->201: 0\.1 MiB per deployment; curl peer's provider 0\.05 MiB/,
    );
  });

  it("preview: 0 requests at N = 500, its time beside the peer's", () => {
    const at500 = (requests: number) => [
      { n: 500, requestsPerRun: [requests], oursMs: [1200], peerMs: [1000] },
    ];
    assert.equal(previewTarget(at500(0)).verdict, "MET");
    assert.match(previewTarget(at500(0)).detail, /1200 ms vs the curl peer's 1000 ms = 1\.20x/);
    assert.equal(previewTarget(at500(1)).verdict, "MISSED");
    assert.equal(
      previewTarget([{ n: 200, requestsPerRun: [0], oursMs: [1], peerMs: [1] }]).verdict,
      "NOT RUN",
    );
  });
});

describe("benchmark fleet: at most 100 deployments per cluster", () => {
  it("needs ceil(N / 100) clusters and spreads round robin", () => {
    const table: [number, number][] = [
      [1, 1],
      [100, 1],
      [101, 2],
      [200, 2],
      [500, 5],
    ];
    for (const [n, k] of table) assert.equal(clustersFor(n), k, String(n));
    assert.throws(
      () => clustersFor(10, 101),
      /perCluster: 101 is not allowed; expected an integer from 1 to 100/,
    );
    const placed = place(["a", "b", "c"], 2, 2);
    assert.deepEqual(
      placed.map((p) => p.cluster),
      [0, 1, 0],
    );
    const counts = place(
      Array.from({ length: 500 }, (_, i) => `d${i}`),
      5,
    ).reduce((acc, p) => acc.set(p.cluster, (acc.get(p.cluster) ?? 0) + 1), new Map<number, number>());
    assert.deepEqual([...counts.values()], [100, 100, 100, 100, 100]);
    assert.throws(
      () => place(["a", "b", "c"], 1, 2),
      /3 deployments need 2 clusters \(at most 2 each\), the fleet has 1/,
    );
  });

  it("declares the first cluster as the default connection and the others by name", () => {
    assert.deepEqual(fleetConfig(["http://a"]), { "elasticsearch-ml:endpoints": "http://a" });
    assert.deepEqual(fleetConfig(["http://a", "http://b", "http://c"]), {
      "elasticsearch-ml:endpoints": "http://a",
      "elasticsearch-ml:connections": JSON.stringify({
        c1: { endpoints: "http://b" },
        c2: { endpoints: "http://c" },
      }),
    });
    assert.equal(connectionName(0), undefined);
    assert.equal(connectionName(3), "c3");
  });

  it("counts requests between two snapshots of the counters", () => {
    assert.deepEqual(
      countsSince(
        { total: 3, byRoute: { "GET /": 3 } },
        { total: 10, byRoute: { "GET /": 4, "POST /x": 6 } },
      ),
      { total: 7, byRoute: { "GET /": 1, "POST /x": 6 } },
    );
  });
});

describe("benchmark flags for issue 16", () => {
  it("--large adds 500; --repeat sets every size unless --repeat-large says otherwise", () => {
    assert.deepEqual(parseArgs(["--large"]).sizes, [1, 10, 50, 100, 200, LARGE_SIZE]);
    const settings = parseArgs(["--repeat-large=3", "--repeat=5"]);
    assert.deepEqual([repeatsFor(settings, 50), repeatsFor(settings, 200)], [5, 3]);
    const both = parseArgs(["--repeat=5"]);
    assert.deepEqual([repeatsFor(both, 10), repeatsFor(both, 500)], [5, 5]);
    const defaults = parseArgs([]);
    assert.deepEqual([repeatsFor(defaults, 50), repeatsFor(defaults, 100)], [3, 1]);
  });

  it("start delays and deployments per cluster name the flag, the value and what is allowed", () => {
    assert.deepEqual(parseArgs(["--start-delays=0,1000"]).startDelays, [0, 1000]);
    assert.deepEqual(parseArgs(["--start-delay-ms=250"]).startDelays, [250]);
    assert.throws(
      () => parseArgs(["--start-delays=0,0"]),
      /--start-delays: "0,0" is not allowed; give distinct delays/,
    );
    assert.throws(
      () => parseArgs(["--per-cluster=101"]),
      /--per-cluster: "101" is not allowed; Elasticsearch holds at most 100/,
    );
  });
});
