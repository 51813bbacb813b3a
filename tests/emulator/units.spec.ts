import { strict as assert } from "node:assert";
import { applyFilterPath } from "#emulator/http/filterPath";
import { formatDuration, parseByteSize, parseDuration, unrecognizedMessage } from "#emulator/params";
import { placeAllocations, reduceAllocations } from "#emulator/planner";
import { SeededRandom } from "#emulator/random";
import { referencedModelIds } from "#emulator/state/pipelines";
import { VersionProfile } from "#emulator/versions";

describe("emulator units", () => {
  describe("durations (TimeValue)", () => {
    it("parses units and prints the canonical form", () => {
      assert.deepEqual(parseDuration("30s", "timeout"), { ms: 30_000, text: "30s" });
      assert.deepEqual(parseDuration("100ms", "timeout"), { ms: 100, text: "100ms" });
      assert.deepEqual(parseDuration("2m", "timeout"), { ms: 120_000, text: "2m" });
      assert.equal(parseDuration("90s", "timeout").text, "1.5m");
      assert.equal(parseDuration("-1", "timeout").ms, -1);
      assert.equal(formatDuration(1999), "1.9s");
    });

    it("rejects missing units, fractions and negatives with Elasticsearch's messages", () => {
      assert.throws(
        () => parseDuration("10", "timeout"),
        /failed to parse setting \[timeout\] with value \[10\] as a time value: unit is missing or unrecognized/,
      );
      assert.throws(
        () => parseDuration("1.5s", "timeout"),
        /failed to parse \[1\.5s\], fractional time values are not supported/,
      );
      assert.throws(() => parseDuration("-5s", "timeout"), /negative durations are not supported/);
    });
  });

  describe("byte sizes (ByteSizeValue)", () => {
    it("parses sizes and keeps the representation Elasticsearch echoes", () => {
      assert.deepEqual(parseByteSize("0", "cache_size"), { bytes: 0, text: "0" });
      assert.deepEqual(parseByteSize("10kb", "cache_size"), { bytes: 10_240, text: "10kb" });
      assert.deepEqual(parseByteSize("10K", "cache_size"), { bytes: 10_240, text: "10kb" });
      assert.deepEqual(parseByteSize("1.5kb", "cache_size"), { bytes: 1536, text: "1536b" });
      assert.throws(
        () => parseByteSize("1024", "cache_size"),
        /as a size in bytes: unit is missing or unrecognized/,
      );
    });
  });

  it("builds unrecognized-parameter messages with did-you-mean hints", () => {
    assert.equal(
      unrecognizedMessage("/p", ["forse", "zzz"], ["force", "allow_no_match"]),
      "request [/p] contains unrecognized parameters: [forse] -> did you mean [force]?, [zzz]",
    );
    assert.equal(
      unrecognizedMessage("/p", ["timeout_"], ["timeout", "timeouts"]),
      "request [/p] contains unrecognized parameter: [timeout_] -> did you mean any of [timeout, timeouts]?",
    );
  });

  describe("planner", () => {
    const nodes = [
      { id: "a", name: "a", processors: 8, used: 0 },
      { id: "b", name: "b", processors: 8, used: 4 },
    ];

    it("spreads allocations to the node with the most free processors", () => {
      const placement = placeAllocations(nodes, 4, 2, new Set());
      assert.deepEqual(
        [...placement.placed],
        [
          ["a", 3],
          ["b", 1],
        ],
      );
      assert.equal(placement.missing, 0);
    });

    it("reports what is missing with a per-node explanation", () => {
      const placement = placeAllocations(nodes, 7, 2, new Set());
      assert.equal(placement.missing, 1);
      assert.match(placement.explanation!, /node \[a\]\. Reason: .*free processors \[0\].*\|.*node \[b\]/);
      assert.match(placeAllocations([], 1, 1, new Set()).explanation!, /No ML nodes exist/);
    });

    it("reduces allocations by freeing whole nodes first", () => {
      const targets = reduceAllocations(
        [
          { nodeId: "a", target: 3 },
          { nodeId: "b", target: 1 },
        ],
        2,
      );
      assert.deepEqual(
        [...targets],
        [
          ["a", 2],
          ["b", 0],
        ],
      );
    });
  });

  describe("version table", () => {
    it("applies the boundaries of the reference's timeline", () => {
      const v86 = new VersionProfile("8.6.2");
      assert.equal(v86.startTimeoutDefaultMs, 20_000);
      assert.equal(v86.has("priority"), true);
      assert.equal(v86.has("deploymentIds"), false);
      const v87 = new VersionProfile("8.7.0");
      assert.equal(v87.startTimeoutDefaultMs, 30_000);
      assert.equal(new VersionProfile("8.19.0").queueCapacityDefault, 1024);
      assert.equal(new VersionProfile("8.19.0").queueCapacityMax, 1_000_000);
      assert.equal(new VersionProfile("9.0.0").queueCapacityDefault, 10_000);
      assert.equal(new VersionProfile("8.2.0").has("singleParallelismKind"), true);
      assert.equal(new VersionProfile("8.3.0").has("singleParallelismKind"), false);
      assert.equal(new VersionProfile("8.2.0").allocationsParam, "model_threads");
      assert.deepEqual(new VersionProfile("9.1.0").compatibleMajors, [8, 9]);
    });
  });

  it("filters responses with filter_path (wildcards, **)", () => {
    const body = { count: 1, items: [{ id: "a", deep: { x: 1, y: 2 } }], other: { z: { x: 3 } } };
    assert.deepEqual(applyFilterPath(body, "count,items.deep.x"), { count: 1, items: [{ deep: { x: 1 } }] });
    assert.deepEqual(applyFilterPath(body, "**.x"), { items: [{ deep: { x: 1 } }], other: { z: { x: 3 } } });
    assert.deepEqual(applyFilterPath(body, "it*.id"), { items: [{ id: "a" }] });
    assert.deepEqual(applyFilterPath(body, "nothing"), {});
  });

  it("finds inference processors in foreach and on_failure, at most 10 levels deep", () => {
    let nested: Record<string, unknown> = { inference: { model_id: "deep" } };
    for (let i = 0; i < 12; i++) nested = { foreach: { field: "f", processor: nested } };
    const pipeline = {
      processors: [
        { set: { field: "a", value: 1, on_failure: [{ inference: { model_id: "in-failure" } }] } },
        nested,
      ],
      on_failure: [{ inference: { model_id: "pipeline-failure" } }],
    };
    assert.deepEqual(referencedModelIds(pipeline), ["in-failure", "pipeline-failure"]);
  });

  it("generates the same sequence from the same seed", () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    assert.deepEqual([a.next(), a.next(), a.id(8)], [b.next(), b.next(), b.id(8)]);
    assert.notEqual(new SeededRandom(6).next(), new SeededRandom(5).next());
  });
});
