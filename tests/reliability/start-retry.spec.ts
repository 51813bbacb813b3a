/**
 * The provider's start under "try later" answers (found by the fault storm: a single 429 or 503 on
 * `_start` failed the whole `up`). The client sends `_start` once per call; the provider starts again
 * only after reading back that nothing was started, so a start that was applied despite the error is
 * adopted, never doubled.
 */
import * as assert from "node:assert/strict";
import { PartialFailureError } from "pulumi-elasticsearch-ml/provider";
import { providerHarness, requests } from "../provider/harness";
import { appliedStarts } from "./support";

const START = /\/deployment\/_start$/;

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}

describe("reliability: start under 'try later' answers (provider against the emulator)", () => {
  const h = providerHarness();

  for (const status of [429, 502, 503]) {
    it(`a ${status} before the start was applied: starts again once the stats show nothing, and succeeds`, async () => {
      h.es.admin.addFault({ method: "POST", path: "/_start$", status, times: 2 });
      const { outs } = await h.create({ modelId: "tiny" });
      assert.equal(outs.allocationState, "fully_allocated");
      assert.deepEqual(
        requests(h.es, START).map((e) => [e.status, e.applied]),
        [
          [status, false],
          [status, false],
          [200, true],
        ],
      );
      const retries = h.progress.infos.filter((l) => /^tiny: the start was not applied \(/.test(l));
      assert.equal(retries.length, 2, h.progress.infos.join("\n"));
      assert.match(retries[0] ?? "", /starting again in \d+ ms \(retry 1 of 3\)$/);
    });
  }

  for (const status of [429, 503]) {
    it(`a ${status} after the start was applied: adopts what it started, no second start`, async () => {
      h.es.admin.addFault({ method: "POST", path: "/_start$", status, when: "after" });
      const { outs } = await h.create({ modelId: "tiny", numberOfAllocations: 2 });
      assert.equal(outs.allocationCount, 2);
      assert.deepEqual(
        requests(h.es, START).map((e) => [e.status, e.applied]),
        [[status, true]],
      );
      assert.deepEqual([...appliedStarts(h.es.admin.log())], [["tiny", 1]]);
    });
  }

  it("a connection lost before the start was applied: starts again", async () => {
    h.es.admin.addFault({ method: "POST", path: "/_start$", reset: true });
    await h.create({ modelId: "tiny" });
    assert.deepEqual(
      requests(h.es, START).map((e) => [e.status, e.applied]),
      [
        [0, false],
        [200, true],
      ],
    );
  });

  it("gives up after the connection's maxRetries, with the cluster's answer and nothing started", async () => {
    h.config["elasticsearch-ml:maxRetries"] = "1";
    h.reconfigure();
    h.es.admin.addFault({ method: "POST", path: "/_start$", status: 429, times: 10 });
    const err = await rejection(h.create({ modelId: "tiny" }));
    assert.ok(!(err instanceof PartialFailureError), "nothing was started, so nothing is recorded");
    assert.equal(err.statusCode, 429);
    assert.match(err.message, /fault \[fault-1\] injected by the emulator \(HTTP 429\)/);
    assert.equal(requests(h.es, START).length, 2, "the first start and one retry");
    assert.deepEqual(h.es.admin.state().deployments, []);
  });

  it("an answer that is not 'try later' is final: one start", async () => {
    h.es.admin.addFault({ method: "POST", path: "/_start$", status: 500 });
    const err = await rejection(h.create({ modelId: "tiny" }));
    assert.equal(err.statusCode, 500);
    assert.equal(requests(h.es, START).length, 1);
  });
});
