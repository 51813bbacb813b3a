/**
 * A `TrainedModel`'s `connection` argument, adopted as every resource of the package does
 * (`sdk/src/provider/connectionInput.ts`): a name or the settings, checked at preview; a change is an
 * in-place update that connects with the new settings first and refuses another cluster; delete and read
 * use the recorded settings.
 */
import * as assert from "node:assert/strict";
import { startEmulator } from "elasticsearch-ml-emulator";
import { rejection } from "../provider/harness";
import { modelHarness } from "./harness";

const E5 = ".multilingual-e5-small";

describe("TrainedModel: the connection argument", function () {
  // No default endpoint in stack config: the argument is the only source.
  const h = modelHarness({ config: { "elasticsearch-ml:endpoints": undefined } });

  it("the settings as an object: checked at preview, used to download, recorded", async () => {
    const { failures } = await h.provider.check({}, { modelId: E5, connection: { endpoints: "not a url" } });
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.property, /^connection/);
    const { outs } = await h.create({ modelId: E5, connection: { endpoints: h.es.url } });
    assert.equal(outs.fullyDefined, true);
    assert.deepEqual(outs.connection, { endpoints: h.es.url });
  });

  it("a connection change is an update, not a replacement; another cluster is refused, the same one recorded", async () => {
    const { outs } = await h.create({ modelId: E5, connection: { endpoints: h.es.url } });
    const other = await startEmulator({ startDelayMs: 5, stopDelayMs: 1 });
    try {
      const moved = await h.checked({ modelId: E5, connection: { endpoints: other.url } });
      const diff = await h.provider.diff(E5, outs, moved);
      assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.ok(h.progress.warnings.some((w) => /the connection changes: the endpoint/.test(w)));
      const err = await rejection(h.provider.update(E5, outs, moved));
      assert.equal(err.code, "ERR_WRONG_CLUSTER");
      assert.match(err.message, /Refusing to update model \[\.multilingual-e5-small\]/);
    } finally {
      await other.close();
    }
    const sameCluster = await h.checked({
      modelId: E5,
      connection: { endpoints: h.es.url, requestTimeoutSeconds: 20 },
    });
    h.es.admin.clearLog();
    const { outs: updated } = await h.provider.update(E5, outs, sameCluster);
    assert.deepEqual(updated.connection, { endpoints: h.es.url, requestTimeoutSeconds: 20 });
    assert.deepEqual(
      h.es.admin.log().map((e) => `${e.method} ${e.path}`),
      ["GET /"],
      "only the check of the new settings",
    );
    await h.provider.delete(E5, updated);
    assert.equal(
      h.es.admin.state().models.some((m) => m.modelId === E5),
      false,
    );
  });
});
