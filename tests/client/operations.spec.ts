import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "elasticsearch-ml-emulator";
import {
  createClient,
  isDeploymentAlreadyExists,
  isNotFound,
  ResponseError,
  UnsupportedVersionError,
  type ElasticsearchClient,
} from "#sdk/client";
import { FAST, putInferencePipeline, putTinyPytorchModel } from "./fixtures";

/** One emulator and one client per test, both closed afterwards. */
function harness(options: EmulatorOptions = {}) {
  const h: { es: EmulatorHandle; client: ElasticsearchClient } = {} as never;
  beforeEach(async () => {
    h.es = await startEmulator({ startDelayMs: 5, ...options });
    h.client = createClient({ endpoints: h.es.url, ...FAST }, {});
  });
  afterEach(async () => {
    await h.client?.close();
    await h.es?.close();
  });
  return h;
}

const requestsTo = (es: EmulatorHandle, pattern: RegExp) =>
  es.admin.log().filter((e) => pattern.test(e.path));

describe("client operations against the emulator", function () {
  describe("cluster info and version gating", () => {
    const h = harness();

    it("reads GET / once per client and reports the version", async () => {
      const info = await h.client.info();
      assert.equal(info.version.number, "9.2.0");
      await h.client.getTrainedModelStats();
      await h.client.getTrainedModels();
      assert.equal((await h.client.version()).raw, "9.2.0");
      assert.equal(requestsTo(h.es, /^\/$/).length, 1);
    });
  });

  describe("an 8.7 cluster", () => {
    const h = harness({ esVersion: "8.7.1" });

    it("is refused at the first operation, before the operation is sent", async () => {
      await assert.rejects(h.client.getTrainedModelStats("x"), (err: unknown) => {
        assert.ok(err instanceof UnsupportedVersionError);
        assert.equal(err.code, "ES_VERSION_UNSUPPORTED");
        assert.match(
          err.message,
          /^Elasticsearch 8\.7\.1 at http:\/\/127\.0\.0\.1:\d+ is not supported: .*8\.8\.0 or later/,
        );
        return true;
      });
      await assert.rejects(h.client.startDeployment({ modelId: "m" }), { code: "ES_VERSION_UNSUPPORTED" });
      assert.deepEqual(
        h.es.admin.log().map((e) => `${e.method} ${e.path}`),
        ["GET /"],
      );
    });
  });

  describe("start, stats, update, stop on 9.2", () => {
    const h = harness();
    beforeEach(() => putTinyPytorchModel(h.es, "tiny"));

    it("starts with the parameters in the query string and no body, and reports the assignment", async () => {
      const result = await h.client.startDeployment({
        modelId: "tiny",
        deploymentId: "tiny-search",
        numberOfAllocations: 2,
        threadsPerAllocation: 1,
        queueCapacity: 100,
        priority: "normal",
        cacheSize: "1kb",
        waitFor: "started",
        timeout: "20s",
      });
      assert.equal(result.outcome, "started");
      assert.equal(result.deploymentId, "tiny-search");
      assert.ok(result.outcome === "started");
      assert.equal(result.assignment.task_parameters.deployment_id, "tiny-search");
      assert.equal(result.assignment.task_parameters.number_of_allocations, 2);
      assert.equal(result.assignment.task_parameters.queue_capacity, 100);
      const [start] = requestsTo(h.es, /_start$/);
      assert.equal(start.path, "/_ml/trained_models/tiny/deployment/_start");
      assert.deepEqual(start.query, {
        deployment_id: "tiny-search",
        number_of_allocations: "2",
        threads_per_allocation: "1",
        priority: "normal",
        queue_capacity: "100",
        cache_size: "1kb",
        wait_for: "started",
        timeout: "20s",
      });
      assert.equal(start.body, undefined);
    });

    it("sends adaptive allocations in the body only", async () => {
      const result = await h.client.startDeployment({
        modelId: "tiny",
        adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 3 },
      });
      assert.equal(result.outcome, "started");
      const [start] = requestsTo(h.es, /_start$/);
      assert.deepEqual(start.query, {});
      assert.deepEqual(start.body, {
        adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 3 },
      });
    });

    it("a second start of the same id fails once, with the server's answer, not retried", async () => {
      await h.client.startDeployment({ modelId: "tiny" });
      await assert.rejects(h.client.startDeployment({ modelId: "tiny" }), (err: unknown) => {
        assert.ok(isDeploymentAlreadyExists(err));
        assert.equal(err.statusCode, 400);
        // 400 status_exception is not on the refused-before-acting list (`_start` also answers it after
        // creating the assignment, "removed while waiting"), so the client does not vouch for it.
        assert.equal(err.applied, undefined);
        assert.equal(
          err.message,
          "400 status_exception: Could not start model deployment because an existing deployment with the same id " +
            "[tiny] exist (POST /_ml/trained_models/tiny/deployment/_start)",
        );
        return true;
      });
      assert.equal(requestsTo(h.es, /_start$/).length, 2);
    });

    it("start of an unknown model is a 404", async () => {
      await assert.rejects(h.client.startDeployment({ modelId: "nope" }), (err: unknown) => {
        assert.ok(isNotFound(err));
        assert.equal(err.reason, "No known trained model with model_id [nope]");
        return true;
      });
    });

    it("stats for one id, many ids and all; a missing deployment is undefined", async () => {
      await putTinyPytorchModel(h.es, "tiny2");
      await h.client.startDeployment({ modelId: "tiny", deploymentId: "for-search" });
      const one = await h.client.getDeploymentStats("for-search");
      assert.equal(one?.deployment_id, "for-search");
      assert.equal(one?.model_id, "tiny");
      assert.equal(one?.state, "started");
      const many = await h.client.getTrainedModelStats(["tiny", "tiny2"]);
      assert.deepEqual(
        many.trained_model_stats.map((s) => [s.model_id, s.deployment_stats?.deployment_id]),
        [
          ["tiny", "for-search"],
          ["tiny2", undefined],
        ],
      );
      assert.ok((await h.client.getTrainedModelStats()).count >= 3);
      assert.equal(await h.client.getDeploymentStats("tiny2"), undefined);
      assert.equal(await h.client.getDeploymentStats("no-such-thing"), undefined);
      assert.equal(requestsTo(h.es, /_stats$/).at(-1)?.path, "/_ml/trained_models/no-such-thing/_stats");
      assert.equal(
        requestsTo(h.es, /_stats$/).find((e) => e.path.includes(","))?.path,
        "/_ml/trained_models/tiny,tiny2/_stats",
      );
    });

    it("gets a trained model, and undefined for a missing one", async () => {
      const model = await h.client.getTrainedModel("tiny", { includeDefinitionStatus: true });
      assert.equal(model?.model_id, "tiny");
      assert.equal(model?.model_type, "pytorch");
      assert.equal(model?.fully_defined, true);
      assert.equal(await h.client.getTrainedModel("missing"), undefined);
      const all = await h.client.getTrainedModels();
      assert.ok(all.trained_model_configs.some((c) => c.model_id === "tiny"));
    });

    it("updates the number of allocations through the body", async () => {
      await h.client.startDeployment({ modelId: "tiny" });
      const { assignment } = await h.client.updateDeployment({
        deploymentId: "tiny",
        numberOfAllocations: 2,
      });
      assert.equal(assignment.task_parameters.number_of_allocations, 2);
      const [update] = requestsTo(h.es, /_update$/);
      assert.deepEqual(update.body, { number_of_allocations: 2 });
      assert.deepEqual(update.query, {});
      await assert.rejects(
        h.client.updateDeployment({ deploymentId: "missing", numberOfAllocations: 1 }),
        (err: unknown) => {
          assert.ok(isNotFound(err));
          assert.equal(err.reason, "No known model deployment with id [missing]");
          return true;
        },
      );
    });

    it("stops with only the flags that are set, as query parameters and no body", async () => {
      await h.client.startDeployment({ modelId: "tiny" });
      assert.deepEqual(
        await h.client.stopDeployment({ deploymentId: "tiny", force: true, finishPendingWork: true }),
        {
          stopped: true,
        },
      );
      assert.equal(await h.client.getDeploymentStats("tiny"), undefined);
      const [stop] = requestsTo(h.es, /_stop$/);
      assert.deepEqual(stop.query, { force: "true", finish_pending_work: "true" });
      assert.equal(stop.body, undefined);
      assert.deepEqual(await h.client.stopDeployment({ deploymentId: "tiny" }), { stopped: true });
      assert.deepEqual(requestsTo(h.es, /_stop$/)[1].query, {});
      await assert.rejects(
        h.client.stopDeployment({ deploymentId: "tiny", allowNoMatch: false }),
        (err: unknown) => {
          assert.ok(isNotFound(err));
          assert.equal(err.reason, "No known model deployment with id [tiny]");
          return true;
        },
      );
    });

    it("a stop refused because pipelines use the deployment names those pipelines", async () => {
      await h.client.startDeployment({ modelId: "tiny", deploymentId: "dep-x" });
      await putInferencePipeline(h.es, "p-nested", "dep-x", true);
      await putInferencePipeline(h.es, "p-direct", "dep-x");
      await putInferencePipeline(h.es, "p-other", "tiny");
      await assert.rejects(h.client.stopDeployment({ deploymentId: "dep-x" }), (err: unknown) => {
        assert.ok(err instanceof ResponseError);
        assert.equal(err.statusCode, 409);
        assert.deepEqual(err.referencingPipelines, ["p-direct", "p-nested"]);
        assert.equal(
          err.message,
          "409 status_exception: Cannot stop deployment [dep-x] as it is referenced by ingest processors; use force to " +
            "stop the deployment (POST /_ml/trained_models/dep-x/deployment/_stop). Ingest pipelines referencing it: " +
            "[p-direct, p-nested]; remove those references or stop with force",
        );
        return true;
      });
      assert.deepEqual(
        (await h.client.findPipelinesReferencing(["dep-x"])).map((r) => r.pipelineId),
        ["p-direct", "p-nested"],
      );
      assert.deepEqual(await h.client.stopDeployment({ deploymentId: "dep-x", force: true }), {
        stopped: true,
      });
    });

    it("lists ingest pipelines, and none is an empty object", async () => {
      assert.deepEqual(await h.client.getIngestPipelines(), {});
      await putInferencePipeline(h.es, "p1", "tiny");
      assert.deepEqual(Object.keys(await h.client.getIngestPipelines()), ["p1"]);
      assert.deepEqual(Object.keys(await h.client.getIngestPipelines("p1")), ["p1"]);
    });

    it("encodes path segments", async () => {
      await h.client.getDeploymentStats("a b/c?d");
      assert.equal(requestsTo(h.es, /_stats$/)[0].path, "/_ml/trained_models/a%20b%2Fc%3Fd/_stats");
    });

    it("a closed client refuses further calls", async () => {
      await h.client.info();
      await h.client.close();
      await assert.rejects(h.client.getTrainedModelStats(), { code: "ES_CLIENT_CLOSED" });
    });
  });

  describe("whole-cluster listings asked for by many deployments at once", () => {
    const h = harness();

    it("shares one request among concurrent callers, and asks again once it has settled", async () => {
      await putInferencePipeline(h.es, "p-a", "dep-a");
      await h.client.info();
      h.es.admin.clearLog();
      const answers = await Promise.all(
        ["dep-a", "dep-b", "dep-a"].map((id) => h.client.findPipelinesReferencing([id])),
      );
      assert.deepEqual(
        answers.map((refs) => refs.map((r) => r.pipelineId)),
        [["p-a"], [], ["p-a"]],
      );
      await Promise.all([h.client.getInferenceEndpoints(), h.client.getInferenceEndpoints()]);
      assert.equal(requestsTo(h.es, /^\/_ingest\/pipeline/).length, 1);
      assert.equal(requestsTo(h.es, /^\/_inference/).length, 1);

      // Nothing is cached after the request settles: a later caller sees a pipeline added since.
      await putInferencePipeline(h.es, "p-b", "dep-b");
      assert.deepEqual(
        (await h.client.findPipelinesReferencing(["dep-b"])).map((r) => r.pipelineId),
        ["p-b"],
      );
      assert.equal(requestsTo(h.es, /^\/_ingest\/pipeline$/).length, 2);
    });
  });

  describe("start that times out on the server (408)", () => {
    const h = harness({ startDelayMs: 2_000 });

    it("reports still-starting, not a failure, and sends start once", async () => {
      await putTinyPytorchModel(h.es, "tiny");
      const result = await h.client.startDeployment({ modelId: "tiny", timeout: "50ms" });
      assert.equal(result.outcome, "still-starting");
      assert.ok(result.outcome === "still-starting");
      assert.equal(result.cause.type, "model_deployment_timeout_exception");
      assert.equal((await h.client.getDeploymentStats("tiny"))?.state, "starting");
      assert.equal(requestsTo(h.es, /_start$/).length, 1);
    });
  });

  describe("parameters the connected version lacks", () => {
    describe("8.10 (no finish_pending_work, no adaptive allocations)", () => {
      const h = harness({ esVersion: "8.10.4" });

      it("refuses finish_pending_work locally when set, and leaves it out when false", async () => {
        await putTinyPytorchModel(h.es, "tiny");
        await h.client.startDeployment({ modelId: "tiny" });
        await assert.rejects(h.client.stopDeployment({ deploymentId: "tiny", finishPendingWork: true }), {
          code: "ES_PARAMETER_UNSUPPORTED",
          parameter: "finishPendingWork",
        });
        assert.equal(requestsTo(h.es, /_stop$/).length, 0);
        assert.deepEqual(await h.client.stopDeployment({ deploymentId: "tiny", finishPendingWork: false }), {
          stopped: true,
        });
        assert.deepEqual(requestsTo(h.es, /_stop$/)[0].query, {});
      });

      it("refuses enabled adaptive allocations locally; a disabled one is not sent", async () => {
        await putTinyPytorchModel(h.es, "tiny");
        await assert.rejects(
          h.client.startDeployment({ modelId: "tiny", adaptiveAllocations: { enabled: true } }),
          {
            code: "ES_PARAMETER_UNSUPPORTED",
            parameter: "adaptiveAllocations",
          },
        );
        assert.equal(requestsTo(h.es, /_start$/).length, 0);
        const started = await h.client.startDeployment({
          modelId: "tiny",
          adaptiveAllocations: { enabled: false },
        });
        assert.equal(started.outcome, "started");
        assert.equal(requestsTo(h.es, /_start$/)[0].body, undefined);
      });
    });

    describe("8.15 (adaptive allocations without scale-to-zero)", () => {
      const h = harness({ esVersion: "8.15.0" });

      it("refuses a minimum of 0 allocations locally", async () => {
        await putTinyPytorchModel(h.es, "tiny");
        await assert.rejects(
          h.client.startDeployment({
            modelId: "tiny",
            adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0 },
          }),
          { code: "ES_PARAMETER_UNSUPPORTED", requiredVersion: "8.16.0" },
        );
        assert.equal(requestsTo(h.es, /_start$/).length, 0);
      });
    });
  });
});
