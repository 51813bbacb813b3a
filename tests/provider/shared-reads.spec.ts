/**
 * Issue 16: the creates of one operation share their reads. The two listings behind `referencingPipelines`
 * and `inferenceEndpoints` are taken once for a wave of creates (within `listingReuseMs`), and deployments
 * waiting together share `_stats` requests, while every output stays right for its own deployment.
 */
import * as assert from "node:assert/strict";
import { DEFAULT_TIMING } from "pulumi-elasticsearch-ml/provider";
import { esDirect, providerHarness, rejection } from "./harness";

const N = 10;

function countsOf(byRoute: Record<string, number>, pattern: RegExp): number {
  return Object.entries(byRoute)
    .filter(([route]) => pattern.test(route))
    .reduce((sum, [, count]) => sum + count, 0);
}

describe("provider: the creates of one operation share their reads (issue 16)", function () {
  const h = providerHarness({
    emulator: { processorsPerNode: 32, startDelayMs: 20 },
    timing: { listingReuseMs: DEFAULT_TIMING.listingReuseMs },
  });

  it(`${N} concurrent creates: one listing of each kind, fewer _stats than 2 per create, at most 3 requests each`, async () => {
    // A pipeline using deployment d3, so the shared listing must still be read per deployment.
    await esDirect(h.es, "PUT", "/_ingest/pipeline/uses-d3", {
      processors: [
        { inference: { model_id: "d3", input_output: [{ input_field: "a", output_field: "b" }] } },
      ],
    });
    // Every `_stats` answer takes 30 ms, so deployments whose waits begin within that time of each other
    // meet in the next request, whatever the machine's load (the mechanism itself: stats-poll.spec.ts).
    h.es.admin.addFault({ method: "GET", path: "/_stats$", delayMs: 30, probability: 1 });
    h.es.admin.clearRequestCounts();
    // Staggered as the engine hands them out (a new create as each one ends), not all in one tick.
    const results = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, 4 * i));
        return h.create({ modelId: "tiny", deploymentId: `d${i}` });
      }),
    );
    const { total, byRoute } = h.es.admin.requestCounts();

    assert.equal(countsOf(byRoute, /_ingest\/pipeline/), 1, JSON.stringify(byRoute));
    assert.equal(countsOf(byRoute, /_inference/), 1, JSON.stringify(byRoute));
    assert.equal(countsOf(byRoute, /deployment\/_start/), N);
    const stats = countsOf(byRoute, /_stats$/);
    // N reads before `_start` (they see nothing, so they cannot share: an explicit id that matches nothing
    // fails a whole batch) and the waits, which share.
    assert.ok(stats < 2 * N, `${stats} _stats requests for ${N} creates: ${JSON.stringify(byRoute)}`);
    assert.ok(total / N <= 3, `${total} requests for ${N} creates: ${JSON.stringify(byRoute)}`);

    for (const [i, { outs }] of results.entries()) {
      assert.equal(outs.deploymentId, `d${i}`);
      assert.equal(outs.deploymentState, "started", `d${i}`);
      assert.deepEqual(outs.referencingPipelines, i === 3 ? ["uses-d3"] : [], `d${i}`);
      assert.deepEqual(outs.inferenceEndpoints, [], `d${i}`);
    }
  });

  it("a refused stop names a pipeline created after the shared listing (explanations always list afresh)", async () => {
    const { outs } = await h.create({ modelId: "tiny", deploymentId: "used" });
    assert.deepEqual(outs.referencingPipelines, []);
    await esDirect(h.es, "PUT", "/_ingest/pipeline/new-user", {
      processors: [
        { inference: { model_id: "used", input_output: [{ input_field: "a", output_field: "b" }] } },
      ],
    });
    const err = await rejection(h.provider.delete("used", outs));
    assert.match(err.message, /new-user/);
  });

  describe("with a reuse window shorter than the time between two creates", () => {
    const short = providerHarness({ timing: { listingReuseMs: 1 } });

    it("a listing older than listingReuseMs is taken again", async () => {
      await short.create({ modelId: "tiny", deploymentId: "first" });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await esDirect(short.es, "PUT", "/_ingest/pipeline/late", {
        processors: [
          { inference: { model_id: "second", input_output: [{ input_field: "a", output_field: "b" }] } },
        ],
      });
      const { outs } = await short.create({ modelId: "tiny", deploymentId: "second" });
      assert.deepEqual(outs.referencingPipelines, ["late"]);
    });
  });

  describe("outputs from the _start answer", () => {
    const seq = providerHarness({ emulator: { mlNodes: 2, processorsPerNode: 4 } });

    it("once the nodes' names are known, a create reads no _stats after _start, and its outputs are what a refresh reads", async () => {
      await seq.create({ modelId: "tiny", deploymentId: "first", numberOfAllocations: 2 });
      seq.es.admin.clearRequestCounts();
      const { outs } = await seq.create({ modelId: "tiny", deploymentId: "second", numberOfAllocations: 2 });
      const { byRoute } = seq.es.admin.requestCounts();
      // The one `_stats` is the read before `_start` (an existing deployment would be adopted or refused).
      assert.equal(countsOf(byRoute, /_stats$/), 1, JSON.stringify(byRoute));
      assert.ok(Array.isArray(outs.nodes) && outs.nodes.length > 0, JSON.stringify(outs.nodes));
      for (const node of outs.nodes as Array<Record<string, unknown>>)
        assert.equal(typeof node.nodeName, "string");
      const refreshed = await seq.provider.read("second", outs);
      for (const key of [
        "effective",
        "deploymentState",
        "allocationState",
        "allocationCount",
        "nodes",
        "startTime",
      ]) {
        assert.deepEqual(outs[key], refreshed.props[key], key);
      }
    });
  });
});
