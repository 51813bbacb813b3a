import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { parseCliArgs } from "#emulator/cli";
import { startEmulator } from "elasticsearch-ml-emulator";
import { startTestEmulator, type TestEmulator } from "./helpers";

const ELSER = ".elser_model_2_linux-x86_64";
const elser = {
  service: "elasticsearch",
  service_settings: { model_id: ELSER, num_allocations: 1, num_threads: 1 },
};

/** Waits (without asserting any duration) until the deployment reports `started`. */
async function untilStarted(em: TestEmulator, id: string): Promise<void> {
  for (;;) {
    const stats = await em.es("GET", `/_ml/trained_models/${id}/_stats`);
    if (stats.body?.trained_model_stats?.[0]?.deployment_stats?.state === "started") return;
    await sleep(10);
  }
}

const appliedPuts = (em: TestEmulator, path: string) =>
  em.handle.admin.log().filter((e) => e.method === "PUT" && e.path === path && e.applied);

describe("emulator: a create that times out while the download and deployment go on", () => {
  let em: TestEmulator;
  afterEach(() => em.close());

  it("answers the start's 408 past ?timeout, keeps the endpoint, and the deployment still starts", async () => {
    em = await startTestEmulator({ modelDownloadMs: 10, startDelayMs: 300 });
    const put = await em.es("PUT", "/_inference/sparse_embedding/slow?timeout=20ms", elser);
    assert.equal(put.status, 408, put.text);
    assert.equal(put.body.error.type, "model_deployment_timeout_exception");
    assert.equal(
      put.body.error.reason,
      "Timed out after [20ms] waiting for trained model deployment [slow] to start. Use the trained model stats API to track the state of the deployment and try again once it has started.",
    );
    // Settled by GET, not by a second PUT: the endpoint is there and its deployment keeps starting.
    const got = await em.es("GET", "/_inference/slow");
    assert.equal(got.status, 200);
    assert.equal(got.body.endpoints[0].service_settings.model_id, ELSER);
    await untilStarted(em, "slow");
    const again = await em.es("PUT", "/_inference/sparse_embedding/slow", elser);
    assert.equal(again.body.error.reason, "Inference endpoint [slow] already exists");
    assert.equal(appliedPuts(em, "/_inference/sparse_embedding/slow").length, 2);
  });

  it("--proxy-timeout-ms: a proxy answers 502 without X-Elastic-Product while Elasticsearch downloads and deploys", async () => {
    em = await startTestEmulator({ modelDownloadMs: 200, proxyTimeoutMs: 30 });
    const put = await em.es("PUT", "/_inference/sparse_embedding/behind-proxy", elser);
    assert.equal(put.status, 502);
    assert.equal(put.headers.get("x-elastic-product"), null);
    assert.deepEqual(put.body, {
      statusCode: 502,
      error: "Bad Gateway",
      message: "upstream request timeout",
    });
    assert.equal((await em.es("GET", "/_inference/behind-proxy")).status, 200);
    await untilStarted(em, "behind-proxy");
    const [entry] = appliedPuts(em, "/_inference/sparse_embedding/behind-proxy");
    assert.equal(entry.status, 502);
    // Fast requests pass the proxy untouched.
    const fast = await em.es("GET", "/_inference/behind-proxy");
    assert.equal(fast.headers.get("x-elastic-product"), "Elasticsearch");
  });

  it("a download that cannot start fails the create but leaves the stored endpoint (as Elasticsearch stores first)", async () => {
    em = await startTestEmulator({ modelRepositoryUnreachable: true });
    const put = await em.es("PUT", "/_inference/sparse_embedding/air-gapped", elser);
    assert.equal(put.status, 400);
    assert.equal(put.body.error.reason, "Failed to load package metadata");
    assert.equal(put.body.error.caused_by.reason, "java.net.UnknownHostException: ml-models.elastic.co");
    assert.equal((await em.es("GET", "/_inference/air-gapped")).status, 200);
  });

  it("8.18.0 never answers a failed start (only a proxy does); 8.18.1 answers it", async () => {
    const tooBig = {
      service: "elasticsearch",
      service_settings: { model_id: ELSER, num_allocations: 64, num_threads: 1 },
    };
    em = await startTestEmulator({ esVersion: "8.18.0", modelDownloadMs: 10, proxyTimeoutMs: 150 });
    const held = await em.es("PUT", "/_inference/sparse_embedding/big", tooBig);
    assert.equal(held.status, 502);
    assert.equal(held.headers.get("x-elastic-product"), null);
    await em.close();
    em = await startTestEmulator({ esVersion: "8.18.1", modelDownloadMs: 10, proxyTimeoutMs: 150 });
    const answered = await em.es("PUT", "/_inference/sparse_embedding/big", tooBig);
    assert.equal(answered.status, 429);
    assert.equal(answered.headers.get("x-elastic-product"), "Elasticsearch");
  });

  it("takes ?timeout= from 8.19 and 9.1 only", async () => {
    em = await startTestEmulator({ esVersion: "9.0.5", modelDownloadMs: 10 });
    const refused = await em.es("PUT", "/_inference/sparse_embedding/e?timeout=5s", elser);
    assert.equal(refused.status, 400);
    assert.equal(
      refused.body.error.reason,
      "request [/_inference/sparse_embedding/e] contains unrecognized parameter: [timeout]",
    );
    await em.close();
    em = await startTestEmulator({ esVersion: "8.19.0", modelDownloadMs: 10 });
    assert.equal((await em.es("PUT", "/_inference/sparse_embedding/e?timeout=5s", elser)).status, 200);
  });

  it("takes --proxy-timeout-ms / proxyTimeoutMs as a non-negative integer", async () => {
    em = await startTestEmulator();
    assert.equal(parseCliArgs(["--proxy-timeout-ms", "250"]).options.proxyTimeoutMs, 250);
    await assert.rejects(
      startEmulator({ proxyTimeoutMs: -1 }),
      /proxyTimeoutMs: -1 is not allowed; expected a non-negative integer/,
    );
  });
});
