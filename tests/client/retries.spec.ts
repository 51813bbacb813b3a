import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import {
  ConnectionError,
  createClient,
  ResponseError,
  TimeoutError,
  type ConnectionOptions,
  type ElasticsearchClient,
} from "#sdk/client";
import { FAST, putTinyPytorchModel, traceCollector } from "./fixtures";

const START = "_start$";
/** Polls `condition` every 20 ms for up to 3 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 150 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
}
const count = (es: EmulatorHandle, pattern: RegExp) =>
  es.admin.log().filter((e) => pattern.test(e.path)).length;

describe("client retries under injected faults", function () {
  let es: EmulatorHandle;
  let client: ElasticsearchClient;
  const make = (options: ConnectionOptions & Record<string, unknown> = {}) => {
    client = createClient({ endpoints: es.url, ...FAST, ...options }, {});
    return client;
  };

  beforeEach(async () => {
    es = await startEmulator({ startDelayMs: 5 });
    await putTinyPytorchModel(es, "tiny");
  });
  afterEach(async () => {
    await client?.close();
    await es?.close();
  });

  describe("idempotent calls", () => {
    for (const status of [429, 502, 503, 504]) {
      it(`retries ${status} and succeeds, counted in the emulator's log`, async () => {
        make();
        await client.info();
        es.admin.addFault({ method: "GET", path: "_stats$", status, times: 2 });
        const stats = await client.getTrainedModelStats("tiny");
        assert.equal(stats.count, 1);
        assert.deepEqual(
          es.admin
            .log()
            .filter((e) => e.path.endsWith("_stats"))
            .map((e) => e.status),
          [status, status, 200],
        );
      });
    }

    it("retries a connection reset", async () => {
      make();
      await client.info();
      es.admin.addFault({ method: "GET", path: "_stats$", reset: true, times: 1 });
      assert.equal((await client.getTrainedModelStats("tiny")).count, 1);
      assert.equal(count(es, /_stats$/), 2);
    });

    for (const status of [400, 401, 403, 404, 409, 500]) {
      it(`never retries ${status}`, async () => {
        make();
        await client.info();
        es.admin.addFault({ method: "GET", path: "_stats$", status, times: 5 });
        await assert.rejects(client.getTrainedModelStats("tiny"), (err: unknown) => {
          assert.ok(err instanceof ResponseError);
          assert.equal(err.statusCode, status);
          assert.equal(err.attempts, 1);
          return true;
        });
        assert.equal(count(es, /_stats$/), 1);
      });
    }

    it("gives up after maxRetries and says so", async () => {
      make({ maxRetries: 2 });
      await client.info();
      es.admin.addFault({ method: "GET", path: "_stats$", status: 503, times: 10 });
      await assert.rejects(client.getTrainedModelStats("tiny"), (err: unknown) => {
        assert.ok(err instanceof ResponseError);
        assert.equal(err.attempts, 3);
        assert.match(
          err.message,
          /\(GET \/_ml\/trained_models\/tiny\/_stats\)\. Gave up after 3 attempts \(maxRetries 2 reached\)$/,
        );
        assert.doesNotMatch(err.message, /gave up after.*gave up after/i, "said once");
        return true;
      });
      assert.equal(count(es, /_stats$/), 3);
    });

    it("stops retrying at the overall deadline", async () => {
      make({ requestTimeoutMs: 100, retryDeadlineMs: 250 });
      await client.info();
      es.admin.addFault({ method: "GET", path: "_stats$", delayMs: 400, status: 503, times: 10 });
      await assert.rejects(client.getTrainedModelStats("tiny"), (err: unknown) => {
        assert.ok(err instanceof TimeoutError);
        assert.equal(err.code, "ES_TIMEOUT");
        return true;
      });
    });

    it("retries an update (it sets absolute values)", async () => {
      make();
      await client.startDeployment({ modelId: "tiny" });
      es.admin.addFault({ method: "POST", path: "_update$", status: 503, times: 1 });
      const { assignment } = await client.updateDeployment({ deploymentId: "tiny", numberOfAllocations: 2 });
      assert.equal(assignment.task_parameters.number_of_allocations, 2);
      assert.equal(count(es, /_update$/), 2);
    });

    it("retries a stop, but not one with allowNoMatch false (a repeat would 404)", async () => {
      make();
      await client.startDeployment({ modelId: "tiny" });
      es.admin.addFault({ method: "POST", path: "_stop$", status: 503, times: 1 });
      await assert.rejects(client.stopDeployment({ deploymentId: "tiny", allowNoMatch: false }), {
        statusCode: 503,
      });
      assert.equal(count(es, /_stop$/), 1);
      es.admin.addFault({ method: "POST", path: "_stop$", status: 503, times: 1 });
      assert.deepEqual(await client.stopDeployment({ deploymentId: "tiny" }), { stopped: true });
      assert.equal(count(es, /_stop$/), 3);
    });
  });

  describe("_start is sent exactly once", () => {
    it("a reset after the start was applied: reports the deployment found afterwards", async () => {
      const trace = traceCollector();
      make({ trace: trace.sink });
      es.admin.addFault({ method: "POST", path: START, when: "after", reset: true });
      const result = await client.startDeployment({ modelId: "tiny" });
      assert.equal(result.outcome, "started-after-ambiguous-failure");
      assert.ok(result.outcome === "started-after-ambiguous-failure");
      assert.ok(result.cause instanceof ConnectionError);
      assert.equal(result.cause.requestSent, true);
      assert.equal(result.stats.deployment_id, "tiny");
      assert.ok(["starting", "started"].includes(result.stats.state ?? ""));
      assert.equal(count(es, new RegExp(START)), 1);
      assert.equal(es.admin.log().find((e) => e.path.endsWith("_start"))?.applied, true);
      assert.equal(trace.lines.filter((l) => /-> POST .*_start/.test(l)).length, 1);
    });

    it("a 502 after the start was applied: reports the deployment found afterwards", async () => {
      make();
      es.admin.addFault({ method: "POST", path: START, when: "after", status: 502 });
      const result = await client.startDeployment({ modelId: "tiny", deploymentId: "d1" });
      assert.equal(result.outcome, "started-after-ambiguous-failure");
      assert.ok(result.outcome === "started-after-ambiguous-failure");
      assert.ok(result.cause instanceof ResponseError && result.cause.statusCode === 502);
      assert.equal(result.stats.deployment_id, "d1");
      assert.equal(count(es, new RegExp(START)), 1);
      assert.equal(es.admin.state().deployments.length, 1);
    });

    it("a 503 before the start was applied: throws it marked not applied, safe to retry", async () => {
      make();
      es.admin.addFault({ method: "POST", path: START, when: "before", status: 503 });
      await assert.rejects(client.startDeployment({ modelId: "tiny" }), (err: unknown) => {
        assert.ok(err instanceof ResponseError);
        assert.equal(err.statusCode, 503);
        assert.equal(err.applied, false);
        assert.ok(
          err.message.endsWith(
            "(POST /_ml/trained_models/tiny/deployment/_start). No deployment [tiny] exists afterwards: the start was " +
              "not applied and is safe to retry",
          ),
          err.message,
        );
        return true;
      });
      assert.equal(count(es, new RegExp(START)), 1);
      assert.equal(es.admin.state().deployments.length, 0);
      // The caller may now retry knowing it is safe.
      assert.equal((await client.startDeployment({ modelId: "tiny" })).outcome, "started");
    });

    it("a reset before the start was applied: not applied", async () => {
      make();
      es.admin.addFault({ method: "POST", path: START, when: "before", reset: true });
      await assert.rejects(client.startDeployment({ modelId: "tiny" }), (err: unknown) => {
        assert.ok(err instanceof ConnectionError);
        assert.equal(err.code, "ES_CONNECTION_ERROR");
        assert.equal(err.applied, false);
        return true;
      });
      assert.equal(count(es, new RegExp(START)), 1);
    });

    it("a client-side timeout after the start was applied: reports the deployment", async () => {
      make({ requestTimeoutMs: 150, startTimeoutMarginMs: 50 });
      await client.info();
      es.admin.addFault({ method: "POST", path: START, when: "after", delayMs: 400 });
      const result = await client.startDeployment({ modelId: "tiny", timeout: "100ms" });
      assert.equal(result.outcome, "started-after-ambiguous-failure");
      assert.ok(result.outcome === "started-after-ambiguous-failure");
      assert.ok(result.cause instanceof TimeoutError);
      // The emulator logs the delayed request when it finally answers (to a closed socket).
      await until(() => count(es, new RegExp(START)) > 0);
      assert.equal(count(es, new RegExp(START)), 1);
    });

    it("when the check afterwards fails too, says the outcome is unknown", async () => {
      make({ maxRetries: 0 });
      await client.info();
      es.admin.addFault({ method: "POST", path: START, when: "after", status: 502 });
      es.admin.addFault({ method: "GET", path: "_stats$", status: 503 });
      await assert.rejects(client.startDeployment({ modelId: "tiny" }), (err: unknown) => {
        assert.ok(err instanceof ResponseError);
        assert.equal(err.statusCode, 502);
        assert.equal(err.applied, undefined);
        assert.match(
          err.message,
          /Whether deployment \[tiny\] started is unknown: reading its stats afterwards failed too \(503 /,
        );
        return true;
      });
      assert.equal(count(es, new RegExp(START)), 1);
    });

    it("429 from start (no capacity) is an answer: thrown once, not retried", async () => {
      make();
      es.admin.addFault({ method: "POST", path: START, status: 429, times: 3 });
      await assert.rejects(client.startDeployment({ modelId: "tiny" }), { statusCode: 429, applied: false });
      assert.equal(count(es, new RegExp(START)), 1);
    });
  });
});
