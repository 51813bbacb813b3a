import assert from "node:assert/strict";
import { percentile, summarize } from "./latency";

describe("bench latency summary", () => {
  it("takes nearest-rank percentiles", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
    assert.equal(percentile(sorted, 0), 1);
    assert.equal(percentile([7], 90), 7);
  });

  it("refuses empty samples and out-of-range percentiles", () => {
    assert.throws(() => percentile([], 50), /percentile of an empty sample set/);
    assert.throws(() => percentile([1], 101), /percentile must be within 0\.\.100, got 101/);
  });

  it("summarizes unsorted samples", () => {
    assert.deepEqual(summarize([3, 1, 2, 10]), {
      count: 4,
      minMs: 1,
      meanMs: 4,
      p50Ms: 2,
      p90Ms: 10,
      p99Ms: 10,
      maxMs: 10,
    });
  });
});
