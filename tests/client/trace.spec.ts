import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { ConfigurationError, createClient, type ElasticsearchClient } from "#sdk/client";
import { FAST } from "./fixtures";

/** Captures what is written to stderr while `fn` runs. */
async function captureStderr(fn: () => Promise<void>): Promise<string> {
  const original = process.stderr.write.bind(process.stderr);
  let captured = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = original;
  }
  return captured;
}

describe("client trace (ELASTICSEARCH_ML_TRACE)", function () {
  let es: EmulatorHandle;
  let client: ElasticsearchClient | undefined;

  beforeEach(async () => {
    es = await startEmulator();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await es?.close();
  });

  it("is off by default", async () => {
    const out = await captureStderr(async () => {
      client = createClient({ endpoints: es.url, ...FAST }, {});
      await client.info();
    });
    assert.equal(out, "");
  });

  it("ELASTICSEARCH_ML_TRACE=1 writes each request and response status to stderr, without credentials", async () => {
    const out = await captureStderr(async () => {
      client = createClient(
        { ...FAST },
        {
          ELASTICSEARCH_ML_TRACE: "1",
          ELASTICSEARCH_ENDPOINTS: es.url.replace("http://", "http://elastic:trace-secret-pw@"),
        },
      );
      await client.info();
      es.admin.addFault({ method: "GET", path: "_stats$", status: 503 });
      await client.getTrainedModelStats();
    });
    const lines = out.trim().split("\n");
    const url = es.url;
    assert.deepEqual(
      lines.map((l) => l.replace(/\(\d+ ms\)/, "(N ms)").replace(/in \d+ ms/, "in N ms")),
      [
        `elasticsearch-ml: -> GET ${url}/ (attempt 1)`,
        `elasticsearch-ml: <- 200 GET ${url}/ (N ms)`,
        `elasticsearch-ml: -> GET ${url}/_ml/trained_models/_stats (attempt 1)`,
        `elasticsearch-ml: <- 503 GET ${url}/_ml/trained_models/_stats (N ms)`,
        "elasticsearch-ml: retrying GET /_ml/trained_models/_stats in N ms (status)",
        `elasticsearch-ml: -> GET ${url}/_ml/trained_models/_stats (attempt 2)`,
        `elasticsearch-ml: <- 200 GET ${url}/_ml/trained_models/_stats (N ms)`,
      ],
    );
    assert.ok(!out.includes("trace-secret-pw"));
  });

  it("configuration errors are thrown by createClient, before any request", () => {
    assert.throws(() => createClient({ endpoints: es.url, caFingerprint: "nope" }, {}), ConfigurationError);
    assert.equal(es.admin.log().length, 0);
  });
});
