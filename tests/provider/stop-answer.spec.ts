/**
 * The stop answer's `stopped` (issue 11 item 10): `{"stopped": false}` means Elasticsearch did not
 * confirm the stop. The provider then counts the deployment stopped only once it is gone, and otherwise
 * fails with a clear error (the resource stays in the stack); it never prints "stopped" for it.
 */
import * as assert from "node:assert/strict";
import { WaitTimeoutError } from "pulumi-elasticsearch-ml/provider";
import { providerHarness, rejection } from "./harness";

describe("provider: a stop answered with stopped: false", function () {
  const h = providerHarness();

  it("waits until the deployment is gone, then reports it stopped", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    // Applied, but the answer says not stopped (as a proxy or a lagging node could make it).
    h.es.admin.addFault({
      method: "POST",
      path: "/deployment/_stop$",
      when: "after",
      status: 200,
      body: { stopped: false },
    });
    await h.provider.delete(id, outs);
    assert.equal(h.es.admin.state().deployments.length, 0);
    const lines = h.progress.infos;
    const waiting = lines.findIndex((l) =>
      /^tiny: Elasticsearch answered the stop with stopped: false; waiting until the deployment is gone$/.test(
        l,
      ),
    );
    assert.ok(waiting >= 0, lines.join("\n"));
    assert.ok(lines.indexOf("tiny: stopped") > waiting, "stopped only once it is gone");
  });

  it("fails with a clear error when it stays, and never says stopped", async () => {
    const { id, outs } = await h.create({ modelId: "tiny", waitTimeoutSeconds: 1 });
    // Not applied: the deployment keeps running.
    h.es.admin.addFault({
      method: "POST",
      path: "/deployment/_stop$",
      status: 200,
      body: { stopped: false },
    });
    const err = await rejection(h.provider.delete(id, outs));
    assert.ok(err instanceof WaitTimeoutError, String(err));
    assert.equal(err.code, "ERR_WAIT_TIMEOUT");
    assert.match(
      err.message,
      /^Elasticsearch answered the stop of deployment \[tiny\] with stopped: false, and it was still started after waitTimeoutSeconds \(1 s\), so it is not confirmed stopped\. It stays in the stack; .* run pulumi destroy \(or the pulumi up that replaces it\) again/,
    );
    assert.ok(!h.progress.infos.includes("tiny: stopped"), h.progress.infos.join("\n"));
    assert.equal(h.es.admin.state().deployments.length, 1, "it still runs");
  });
});
