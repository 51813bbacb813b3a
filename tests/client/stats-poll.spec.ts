/**
 * The shared `_stats` poll (issue 16): reads asked together share one request, a read never takes an
 * answer from a request that started before it asked, and a failed batch is repeated id by id so each
 * caller gets its own answer or its own error.
 */
import * as assert from "node:assert/strict";
import type { DeploymentStats, TrainedModelStatsResponse } from "#sdk/client";
import { DeploymentStatsPoll, MAX_BATCH_IDS, MAX_BATCH_PATH_CHARS, takeBatch } from "#sdk/client/statsPoll";

function statsFor(ids: readonly string[]): TrainedModelStatsResponse {
  return {
    count: ids.length,
    trained_model_stats: ids.map((id) => ({
      model_id: "m",
      deployment_stats: { deployment_id: id, model_id: "m", state: "started" } as DeploymentStats,
    })),
  } as TrainedModelStatsResponse;
}

/** Fake requests that record every call and answer after `gate` resolves. */
function fakeRequests(options: { failBatch?: (ids: readonly string[]) => Error | undefined } = {}) {
  const calls: string[][] = [];
  let release: () => void = () => {};
  let gate = Promise.resolve();
  return {
    calls,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
    requests: {
      async statsOf(ids: readonly string[]) {
        calls.push([...ids]);
        await gate;
        const failure = options.failBatch?.(ids);
        if (failure) throw failure;
        return statsFor(ids);
      },
      async one(id: string) {
        calls.push([`one:${id}`]);
        await gate;
        if (id.startsWith("gone")) return undefined;
        if (id.startsWith("broken")) throw new Error(`read of ${id} failed`);
        return statsFor([id]).trained_model_stats[0]?.deployment_stats;
      },
      encodedLength: (id: string) => id.length + 1,
    },
  };
}

describe("DeploymentStatsPoll: one _stats request for the deployments waiting together", () => {
  it("reads asked in the same tick share one request, and each gets its own deployment", async () => {
    const fake = fakeRequests();
    const poll = new DeploymentStatsPoll(fake.requests);
    const answers = await Promise.all(["a", "b", "c"].map((id) => poll.read(id)));
    assert.deepEqual(fake.calls, [["a", "b", "c"]]);
    assert.deepEqual(
      answers.map((s) => s?.deployment_id),
      ["a", "b", "c"],
    );
  });

  it("a read asked while a request is in flight waits for the next one (never an older answer)", async () => {
    const fake = fakeRequests();
    const poll = new DeploymentStatsPoll(fake.requests);
    fake.hold();
    const first = poll.read("a");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(fake.calls, [["one:a"]], "the first request is in flight");
    const second = poll.read("b");
    const third = poll.read("c");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(fake.calls.length, 1, "nothing more is sent while one request is in flight");
    fake.release();
    await Promise.all([first, second, third]);
    assert.deepEqual(fake.calls, [["one:a"], ["b", "c"]]);
  });

  it("a failed batch (e.g. 404 because one id is gone) is repeated id by id with separate errors", async () => {
    const fake = fakeRequests({
      failBatch: (ids) => (ids.length > 1 ? new Error("404 No known trained model") : undefined),
    });
    const poll = new DeploymentStatsPoll(fake.requests);
    const results = await Promise.allSettled([
      poll.read("a"),
      poll.read("gone-1"),
      poll.read("broken-1"),
      poll.read("broken-2"),
    ]);
    assert.deepEqual(fake.calls, [
      ["a", "gone-1", "broken-1", "broken-2"],
      ["one:a"],
      ["one:gone-1"],
      ["one:broken-1"],
      ["one:broken-2"],
    ]);
    assert.equal(results[0].status === "fulfilled" && results[0].value?.deployment_id, "a");
    assert.deepEqual(results[1], { status: "fulfilled", value: undefined });
    const errors = results.slice(2).map((r) => (r.status === "rejected" ? (r.reason as Error) : undefined));
    assert.match(String(errors[0]?.message), /broken-1/);
    assert.match(String(errors[1]?.message), /broken-2/);
    assert.notEqual(errors[0], errors[1], "callers add details to errors, so none is shared");
  });

  it("an id absent from a successful answer is undefined (a model of that id not deployed under it)", async () => {
    const poll = new DeploymentStatsPoll({
      statsOf: async () => statsFor(["a"]),
      one: async () => assert.fail("no single read after a successful batch"),
      encodedLength: (id) => id.length + 1,
    });
    const [a, b] = await Promise.all([poll.read("a"), poll.read("b")]);
    assert.equal(a?.deployment_id, "a");
    assert.equal(b, undefined);
  });

  it("a batch holds at most 100 ids and stays under the request-line budget; the rest go next", () => {
    const waiter = (id: string) => ({ id, resolve() {}, reject() {} });
    const many = Array.from({ length: MAX_BATCH_IDS + 5 }, (_, i) => waiter(`d${i}`));
    assert.equal(takeBatch(many, (id) => id.length + 1).length, MAX_BATCH_IDS);
    assert.equal(many.length, 5, "the rest stay waiting");

    const long = Array.from({ length: 40 }, (_, i) => waiter(`${"x".repeat(199)}${i % 10}${i}`));
    const batch = takeBatch(long, (id) => id.length + 1);
    const chars = batch.reduce((sum, w) => sum + w.id.length + 1, 0);
    assert.ok(chars <= MAX_BATCH_PATH_CHARS, `${chars} chars`);
    assert.ok(batch.length >= 10 && long.length > 0, `${batch.length} taken, ${long.length} left`);

    const repeated = [waiter("a"), waiter("a"), waiter("b")];
    assert.equal(takeBatch(repeated, (id) => id.length + 1).length, 3, "a repeated id costs nothing more");
  });
});
