import assert from "node:assert/strict";
import { parseArgs } from "./args";
import { runPool } from "./direct";
import {
  median,
  previewVerdict,
  ratio,
  stateSize,
  upOverhead,
  waitLatency,
  type WaitSample,
} from "./figures";
import { parseStatTicks, parseStatusMemory } from "./proc";
import { renderTable } from "./report";

describe("resource benchmark arithmetic", () => {
  it("takes medians of odd and even counts", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /median of no values/);
  });

  describe("up overhead", () => {
    const points = [
      { n: 50, pulumiMs: 12_000, directMs: 5_100 },
      { n: 1, pulumiMs: 4_000, directMs: 1_100 },
      { n: 10, pulumiMs: 5_800, directMs: 1_300, engineMs: 4_500 },
    ];

    it("separates the fixed cost from the marginal cost per deployment", () => {
      const up = upOverhead(points);
      assert.deepEqual(
        up.points.map((p) => p.n),
        [1, 10, 50],
      );
      assert.deepEqual(up.fixedCost, { pulumiMs: 4000, directMs: 1100, overheadMs: 2900 });
      // (12000 - 4000) / 49 and (5100 - 1100) / 49
      assert.equal(up.marginal.pulumiMs, 163.3);
      assert.equal(up.marginal.directMs, 81.6);
      assert.equal(up.marginal.ratio, 2);
      assert.equal(up.points[2]?.overheadPerDeploymentMs, 138);
      assert.equal(up.points[1]?.engineMs, 4500);
      assert.equal(up.points[0]?.ratio, 3.64);
    });

    it("judges the target on the marginal ratio and on growth between segments", () => {
      const up = upOverhead(points);
      // extra per added deployment: 1->10: 200 - 22.2 = 177.8 ms; 10->50: 155 - 95 = 60 ms: not growing
      assert.equal(up.segments.length, 2);
      assert.equal(up.growing, false);
      assert.equal(up.target.met, false, "a 2x marginal ratio misses the 1.5x target");

      const cheap = upOverhead([
        { n: 1, pulumiMs: 4_000, directMs: 1_000 },
        { n: 10, pulumiMs: 4_900, directMs: 1_800 },
        { n: 50, pulumiMs: 10_000, directMs: 5_000 },
      ]);
      // extra: 1->10: 100 - 88.9 = 11.1 ms; 10->50: 127.5 - 80 = 47.5 ms > 11.1 * 1.25 and > 11.1 + 5
      assert.equal(cheap.growing, true);
      assert.equal(cheap.marginal.ratio, 1.5); // 122.4 / 81.6: on the limit
      assert.equal(cheap.target.met, false, "a growing marginal cost misses the target");

      const flat = upOverhead([
        { n: 1, pulumiMs: 4_000, directMs: 1_000 },
        { n: 10, pulumiMs: 4_900, directMs: 1_800 },
        { n: 50, pulumiMs: 8_600, directMs: 5_000 },
      ]);
      // extra: 11.1 ms then 92.5 - 80 = 12.5 ms: within the noise
      assert.equal(flat.growing, false);
      assert.equal(flat.target.met, true);

      // Counts up to `parallel` fit in one direct wave: the first segment's ratio is huge, its extra is what counts.
      const oneWave = upOverhead([
        { n: 1, pulumiMs: 2_709, directMs: 1_006 },
        { n: 10, pulumiMs: 2_998, directMs: 1_022 },
        { n: 50, pulumiMs: 7_619, directMs: 5_138 },
      ]);
      assert.equal(oneWave.segments[0]?.ratio, 18.06);
      assert.equal(oneWave.growing, false);
    });

    it("cannot judge when the direct script did not get slower (one parallel wave)", () => {
      const up = upOverhead([
        { n: 1, pulumiMs: 4_000, directMs: 1_100 },
        { n: 5, pulumiMs: 4_200, directMs: 1_000 },
      ]);
      assert.equal(up.marginal.ratio, undefined);
      assert.equal(up.growing, undefined);
      assert.equal(up.target.met, undefined);
    });

    it("needs two distinct counts", () => {
      assert.throws(() => upOverhead([{ n: 1, pulumiMs: 1, directMs: 1 }]), /two distinct deployment counts/);
    });
  });

  it("divides ours by theirs and refuses a zero denominator", () => {
    assert.equal(ratio(900, 1200), 0.75);
    assert.throws(() => ratio(1, 0), /denominator must be positive, got 0/);
  });

  it("calls preview requests independent of N only when they do not grow, and fails any mutation", () => {
    const base = { wallMs: 1 };
    assert.deepEqual(
      previewVerdict([
        { n: 1, requests: 0, mutating: 0, ...base },
        { n: 50, requests: 0, mutating: 0, ...base },
      ]),
      { independentOfN: true, met: true },
    );
    assert.deepEqual(
      previewVerdict([
        { n: 1, requests: 1, mutating: 0, ...base },
        { n: 50, requests: 50, mutating: 0, ...base },
      ]),
      { independentOfN: false, met: false },
    );
    assert.equal(
      previewVerdict([
        { n: 1, requests: 1, mutating: 1, ...base },
        { n: 50, requests: 1, mutating: 1, ...base },
      ]).met,
      false,
    );
  });

  describe("state size", () => {
    const type = "pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment";
    const provider = "x".repeat(1000);
    const resource = (name: string) => ({
      urn: `urn:pulumi:s::p::${type}::${name}`,
      type,
      inputs: { __provider: provider, modelId: "m" },
      outputs: { __provider: provider, modelId: "m", state: "started" },
    });

    it("splits each deployment into the serialized provider and the rest, and subtracts the declared inputs", () => {
      const checkpoint = {
        resources: [
          resource("a"),
          resource("b"),
          { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type: "pulumi:pulumi:Stack" },
        ],
      };
      const declared = new Map([
        ["a", { modelId: "m" }],
        ["b", { modelId: "m" }],
      ]);
      const size = stateSize(checkpoint, type, declared);
      const one = Buffer.byteLength(JSON.stringify(resource("a")));
      // `"__provider":"<1000 x>",` appears twice: 1000 + 15 bytes each.
      assert.equal(size.providerBytes, 2 * (1000 + '"__provider":"",'.length));
      assert.equal(size.perDeploymentBytes, one);
      assert.equal(size.restBytes, one - size.providerBytes);
      assert.equal(size.declaredInputBytes, '{"modelId":"m"}'.length);
      assert.equal(size.beyondInputsBytes, one - '{"modelId":"m"}'.length);
      assert.equal(
        size.checkpointPerDeploymentBytes,
        Math.round(Buffer.byteLength(JSON.stringify(checkpoint)) / 2),
      );
    });

    it("refuses a checkpoint without the type or without declared arguments", () => {
      assert.throws(() => stateSize({ resources: [] }, type, new Map()), /no resource of type/);
      assert.throws(
        () => stateSize({ resources: [resource("a")] }, type, new Map()),
        /no declared arguments for a/,
      );
    });
  });

  describe("wait latency", () => {
    const sample = (latency: number, path: WaitSample["path"]): WaitSample => ({
      deploymentId: "d",
      startAt: 0,
      readyAt: 1000,
      returnedAt: 1000 + latency,
      path,
    });

    it("summarizes each path and holds the target on each", () => {
      const samples = [
        ...Array.from({ length: 19 }, () => sample(10, "server-wait")),
        sample(30, "server-wait"),
        sample(200, "polling"),
        sample(1500, "polling"),
      ];
      const w = waitLatency(samples, { windowMs: 10_000, cpuMs: 100 });
      assert.equal(w.serverWait?.p95Ms, 10);
      assert.equal(w.polling?.p95Ms, 1500);
      assert.equal(w.all.count, 22);
      assert.equal(w.providerCpu.percentOfOneCore, 1);
      assert.equal(w.target.idleMet, true);
      assert.equal(w.target.latencyMet, false, "the many fast server-side waits must not hide slow polling");
      assert.equal(w.target.met, false);
    });

    it("calls a provider spinning while it waits not idle", () => {
      const w = waitLatency([sample(100, "polling")], { windowMs: 1000, cpuMs: 500 });
      assert.equal(w.target.latencyMet, true);
      assert.equal(w.target.idleMet, false);
    });

    it("refuses no samples and an empty window", () => {
      assert.throws(() => waitLatency([], { windowMs: 1, cpuMs: 0 }), /no samples/);
      assert.throws(
        () => waitLatency([sample(1, "polling")], { windowMs: 0, cpuMs: 0 }),
        /window must be positive/,
      );
    });
  });
});

describe("resource benchmark flags", () => {
  it("defaults to the full run and lets explicit flags override --quick", () => {
    const full = parseArgs([]);
    assert.deepEqual(full.sizes, [1, 10, 50, 100, 200]);
    assert.equal(full.repeat, 3);
    assert.equal(full.repeatLarge, 1);
    assert.deepEqual(full.startDelays, [1000, 0]);
    assert.equal(full.perCluster, 100);
    assert.equal(full.parallel, 10);
    const quick = parseArgs(["--sizes=3,1", "--quick", "--parallel=4", "--no-peer", "--only=wait,sizes"]);
    assert.equal(quick.quick, true);
    assert.deepEqual(quick.sizes, [1, 3]);
    assert.equal(quick.parallel, 4);
    assert.equal(quick.peer, false);
    assert.deepEqual(quick.only, ["wait", "sizes"]);
    assert.deepEqual(parseArgs(["--quick"]).sizes, [1, 12]);
    assert.equal(parseArgs(["--quick"]).repeat, 1);
  });

  it("names the flag, the value and what is allowed", () => {
    assert.throws(
      () => parseArgs(["--sizes=5"]),
      /--sizes: "5" is not allowed; give at least two distinct counts/,
    );
    assert.throws(
      () => parseArgs(["--parallel=0"]),
      /--parallel: "0" is not allowed; expected an integer >= 1/,
    );
    assert.throws(() => parseArgs(["--repeat=two"]), /--repeat: "two" is not allowed/);
    assert.throws(
      () => parseArgs(["--only=peer"]),
      /--only: "peer" is not allowed; expected some of sizes, destroy, wait/,
    );
    assert.throws(() => parseArgs(["--fast"]), /unknown argument "--fast"; allowed: --quick/);
  });
});

describe("resource benchmark helpers", () => {
  it("reads CPU ticks from /proc/<pid>/stat, also with spaces and parentheses in the name", () => {
    const rest = "S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0";
    assert.equal(parseStatTicks(`123 (node) ${rest}`), 300);
    assert.equal(parseStatTicks(`123 (a (b) c) ${rest}`), 300);
    assert.throws(() => parseStatTicks("garbage"), /not a \/proc\/<pid>\/stat line/);
  });

  it("reads VmHWM and VmRSS from /proc/<pid>/status", () => {
    const status = "Name:\tnode\nVmPeak:\t  900 kB\nVmHWM:\t  160000 kB\nVmRSS:\t  150000 kB\n";
    assert.deepEqual(parseStatusMemory(status), { hwmKb: 160_000, rssKb: 150_000 });
    assert.throws(() => parseStatusMemory("Name:\tnode\n"), /no VmHWM/);
  });

  it("keeps at most `parallel` jobs in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      done.push(item);
    });
    assert.equal(peak, 3);
    assert.deepEqual(
      done.sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7],
    );
    await assert.rejects(
      runPool([1], 0, async () => {}),
      /parallel must be a positive integer, got 0/,
    );
  });

  it("aligns the report table", () => {
    assert.equal(
      renderTable([
        ["figure", "value"],
        ["1 up", "3.5x"],
      ]),
      "figure  value\n------  -----\n1 up    3.5x",
    );
  });
});
