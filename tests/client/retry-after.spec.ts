/**
 * `Retry-After` on a retried answer (issue 11, item 8): the transport waits what the server asked, capped at
 * its longest backoff step (`maxBackoffMs`). The wait is read from the trace line, not measured.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { createClient, type ElasticsearchClient } from "#sdk/client";
import { FAST, putTinyPytorchModel, traceCollector } from "./fixtures";

describe("client: Retry-After is honoured, capped", function () {
  this.timeout(20_000);
  let es: EmulatorHandle;
  let client: ElasticsearchClient | undefined;
  beforeEach(async () => {
    es = await startEmulator({ startDelayMs: 5 });
    await putTinyPytorchModel(es, "tiny");
  });
  afterEach(async () => {
    await client?.close();
    await es?.close();
  });

  async function retryWait(retryAfter: string, maxBackoffMs: number): Promise<string[]> {
    const trace = traceCollector();
    client = createClient({ endpoints: es.url, ...FAST, maxBackoffMs, trace: trace.sink }, {});
    await client.info();
    es.admin.addFault({
      method: "GET",
      path: "_stats$",
      status: 429,
      headers: { "Retry-After": retryAfter },
    });
    assert.equal((await client.getTrainedModelStats("tiny")).count, 1);
    return trace.lines.filter((l) => l.includes("retrying"));
  }

  it("waits the Retry-After (1 s) rather than its own short backoff", async () => {
    assert.deepEqual(await retryWait("1", 2_000), [
      "elasticsearch-ml: retrying GET /_ml/trained_models/tiny/_stats in 1000 ms (status)",
    ]);
  });

  it("caps a long Retry-After (1 h) at maxBackoffMs", async () => {
    assert.deepEqual(await retryWait("3600", 50), [
      "elasticsearch-ml: retrying GET /_ml/trained_models/tiny/_stats in 50 ms (status)",
    ]);
  });
});
