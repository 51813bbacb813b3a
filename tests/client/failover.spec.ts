import * as assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { ConnectionError, createClient, type ElasticsearchClient } from "#sdk/client";
import { FAST, putTinyPytorchModel, traceCollector } from "./fixtures";

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("client failover between endpoints", function () {
  let es: EmulatorHandle;
  let client: ElasticsearchClient | undefined;
  let dead: string;

  beforeEach(async () => {
    es = await startEmulator({ startDelayMs: 5 });
    dead = `http://127.0.0.1:${await deadPort()}`;
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await es?.close();
  });

  it("moves on from a dead endpoint and keeps away from it afterwards", async () => {
    const trace = traceCollector();
    client = createClient({ endpoints: [dead, es.url], ...FAST, trace: trace.sink }, {});
    for (let i = 0; i < 4; i++) await client.getTrainedModelStats();
    const toDead = trace.lines.filter((l) => l.includes(`-> GET ${dead}`));
    const refused = trace.lines.filter((l) => l.includes(dead) && l.includes("ES_CONNECTION_ERROR"));
    assert.equal(toDead.length, 1, trace.lines.join("\n"));
    assert.equal(refused.length, 1);
    assert.match(refused[0], /ECONNREFUSED/);
    // GET / and four stats calls all reached the emulator.
    assert.equal(es.admin.log().length, 5);
  });

  it("fails a start over too: nothing was sent to the dead endpoint, and start reaches the live one once", async () => {
    await putTinyPytorchModel(es, "tiny");
    client = createClient({ endpoints: [es.url, dead], ...FAST }, {});
    await client.info(); // round-robin: the next request goes to the dead endpoint first
    const result = await client.startDeployment({ modelId: "tiny" });
    assert.equal(result.outcome, "started");
    assert.equal(es.admin.log().filter((e) => e.path.endsWith("_start")).length, 1);
  });

  it("when every endpoint is down, throws a connection error marked not applied", async () => {
    const other = `http://127.0.0.1:${await deadPort()}`;
    client = createClient({ endpoints: [dead, other], ...FAST, maxRetries: 3 }, {});
    await assert.rejects(client.info(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, "ES_CONNECTION_ERROR");
      assert.equal(err.requestSent, false);
      assert.equal(err.applied, false);
      assert.equal(err.attempts, 4);
      assert.match(
        err.message,
        /^Cannot connect to Elasticsearch: .*ECONNREFUSED.* \(GET http:\/\/127\.0\.0\.1:\d+\/\)\. Gave up after 4 attempts/,
      );
      return true;
    });
  });
});
