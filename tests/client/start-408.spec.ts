/**
 * A 408 on `_start` (issue 11, item 9) is ambiguous whoever sends it: Elasticsearch's own start timeout
 * keeps the deployment starting, its "model download still running" 408 refused before acting, and a
 * proxy's 408 says nothing about what happened behind it. The client settles every one through `_stats`
 * and never reports a 408 as final.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { createClient, ResponseError, type ElasticsearchClient } from "#sdk/client";
import { FAST, putTinyPytorchModel } from "./fixtures";

describe("client: a 408 on _start is settled through _stats", function () {
  this.timeout(20_000);
  let es: EmulatorHandle;
  let client: ElasticsearchClient;
  beforeEach(async () => {
    es = await startEmulator({ startDelayMs: 5 });
    await putTinyPytorchModel(es, "tiny");
    client = createClient({ endpoints: es.url, ...FAST }, {});
    await client.info();
    es.admin.clearLog();
  });
  afterEach(async () => {
    await client?.close();
    await es?.close();
  });

  const calls = () =>
    es.admin.log().map((e) => [e.method, e.path.replace("/_ml/trained_models/tiny", ""), e.status]);

  it("408 from Elasticsearch (header) before acting: the stats show nothing, so: not applied, safe to retry", async () => {
    es.admin.addFault({ method: "POST", path: "_start$", status: 408 });
    const err = await client.startDeployment({ modelId: "tiny" }).then(
      () => assert.fail("expected the 408"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ResponseError);
    assert.equal(err.statusCode, 408);
    assert.equal(err.fromElasticsearch, true);
    assert.equal(err.applied, false);
    assert.match(
      err.message,
      /No deployment \[tiny\] exists afterwards: the start was not applied and is safe to retry$/,
    );
    assert.deepEqual(calls(), [
      ["POST", "/deployment/_start", 408],
      ["GET", "/_stats", 200],
    ]);
  });

  it("408 from a proxy (no header) after Elasticsearch started it: reports the deployment, no second start", async () => {
    es.admin.addFault({ method: "POST", path: "_start$", status: 408, when: "after" });
    const result = await client.startDeployment({ modelId: "tiny" });
    assert.equal(result.outcome, "started-after-ambiguous-failure");
    assert.ok(result.outcome === "started-after-ambiguous-failure");
    assert.ok(result.cause instanceof ResponseError && result.cause.fromElasticsearch === false);
    assert.equal(result.stats.deployment_id, "tiny");
    assert.deepEqual(calls(), [
      ["POST", "/deployment/_start", 408],
      ["GET", "/_stats", 200],
    ]);
  });

  it("408 from a proxy that never forwarded it: the stats show nothing, so: not applied", async () => {
    es.admin.addFault({ method: "POST", path: "_start$", status: 408, elasticProduct: false });
    await assert.rejects(client.startDeployment({ modelId: "tiny" }), { statusCode: 408, applied: false });
    assert.deepEqual(es.admin.state().deployments, []);
  });

  it("Elasticsearch's own start timeout, with the deployment still there: still-starting", async () => {
    await es.close();
    es = await startEmulator({ startDelayMs: 2_000 });
    await putTinyPytorchModel(es, "tiny");
    await client.close();
    client = createClient({ endpoints: es.url, ...FAST }, {});
    const result = await client.startDeployment({ modelId: "tiny", timeout: "50ms" });
    assert.equal(result.outcome, "still-starting");
    assert.ok(result.outcome === "still-starting");
    assert.equal(result.cause.type, "model_deployment_timeout_exception");
    assert.equal(
      es.admin.log().filter((e) => e.path.endsWith("/_stats")).length,
      1,
      "settled through _stats",
    );
  });
});
