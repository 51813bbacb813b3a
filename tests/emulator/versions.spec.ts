import { strict as assert } from "node:assert";
import { startEmulator } from "elasticsearch-ml-emulator";
import { createPytorchModel, expectError, startDeployment, startTestEmulator, TestEmulator } from "./helpers";

const unrecognized = (path: string, name: string) =>
  `request [${path}] contains unrecognized parameter: [${name}]`;

describe("emulator: version differences", () => {
  let em: TestEmulator;
  afterEach(() => em?.close());

  it("rejects an unknown or out-of-range esVersion", async () => {
    await assert.rejects(startEmulator({ esVersion: "eight" }), /esVersion: "eight" is not a version/);
    await assert.rejects(startEmulator({ esVersion: "7.17.0" }), /outside the emulated range/);
  });

  describe("8.7 (before deployment ids)", () => {
    beforeEach(async () => {
      em = await startTestEmulator({ esVersion: "8.7.1" });
      await createPytorchModel(em, "m1");
      await createPytorchModel(em, "m2");
    });

    it("rejects deployment_id and finish_pending_work; uses 1024 as default queue capacity", async () => {
      const path = "/_ml/trained_models/m1/deployment/_start";
      expectError(
        await em.es("POST", `${path}?deployment_id=x`),
        400,
        "illegal_argument_exception",
        unrecognized(path, "deployment_id"),
      );
      const started = await startDeployment(em, "m1");
      const task = started.body.assignment.task_parameters;
      assert.equal(task.queue_capacity, 1024);
      assert.equal(task.deployment_id, undefined);
      assert.equal(task.per_deployment_memory_bytes, undefined);
      assert.equal(started.body.assignment.adaptive_allocations, undefined);
      const stop = "/_ml/trained_models/m1/deployment/_stop";
      expectError(
        await em.es("POST", `${stop}?finish_pending_work=true`),
        400,
        "illegal_argument_exception",
        unrecognized(stop, "finish_pending_work"),
      );
      const stats = await em.es("GET", "/_ml/trained_models/m1/_stats");
      assert.equal(stats.body.trained_model_stats[0].deployment_stats.deployment_id, undefined);
      assert.equal(stats.body.trained_model_stats[0].deployment_stats.model_id, "m1");
    });

    it("resolves stop ids through models: aliases, wildcards, several matches", async () => {
      await startDeployment(em, "m1");
      await em.es("PUT", "/_ml/trained_models/m1/model_aliases/alias-one");
      expectError(
        await em.es("POST", "/_ml/trained_models/m*/deployment/_stop"),
        400,
        "status_exception",
        "cannot undeploy multiple models at the same time",
      );
      assert.deepEqual((await em.es("POST", "/_ml/trained_models/zz*/deployment/_stop")).body, {
        stopped: true,
      });
      expectError(
        await em.es("POST", "/_ml/trained_models/zz*/deployment/_stop?allow_no_match=false"),
        404,
        "resource_not_found_exception",
        "No known trained model with model_id [zz*]",
      );
      expectError(
        await em.es("POST", "/_ml/trained_models/unknown/deployment/_stop"),
        404,
        "resource_not_found_exception",
        "No known trained model with model_id [unknown]",
      );
      assert.deepEqual((await em.es("POST", "/_ml/trained_models/m2/deployment/_stop")).body, {
        stopped: true,
      });
      assert.deepEqual((await em.es("POST", "/_ml/trained_models/alias-one/deployment/_stop")).body, {
        stopped: true,
      });
      assert.equal(em.handle.admin.state().deployments.length, 0);
    });

    it("words the in-use error with the model id", async () => {
      await startDeployment(em, "m1");
      await em.es("PUT", "/_ingest/pipeline/p", { processors: [{ inference: { model_id: "m1" } }] });
      expectError(
        await em.es("POST", "/_ml/trained_models/m1/deployment/_stop"),
        409,
        "status_exception",
        "Cannot stop deployment for model [m1] as it is referenced by ingest processors; use force to stop the deployment",
      );
    });
  });

  it("8.10 has deployment ids but no finish_pending_work; 8.11 has it", async () => {
    em = await startTestEmulator({ esVersion: "8.10.4" });
    await createPytorchModel(em, "m");
    await startDeployment(em, "m", "deployment_id=d");
    expectError(
      await em.es("POST", "/_ml/trained_models/d/deployment/_stop?finish_pending_work"),
      400,
      "illegal_argument_exception",
      unrecognized("/_ml/trained_models/d/deployment/_stop", "finish_pending_work"),
    );
    await em.close();
    em = await startTestEmulator({ esVersion: "8.11.0" });
    await createPytorchModel(em, "m");
    await startDeployment(em, "m", "deployment_id=d");
    assert.deepEqual(
      (await em.es("POST", "/_ml/trained_models/d/deployment/_stop?finish_pending_work")).body,
      { stopped: true },
    );
  });

  it("8.5 knows neither priority nor the update API; 8.3 knows no cache_size", async () => {
    em = await startTestEmulator({ esVersion: "8.5.3" });
    await createPytorchModel(em, "m");
    const path = "/_ml/trained_models/m/deployment/_start";
    expectError(
      await em.es("POST", `${path}?priority=low`),
      400,
      "illegal_argument_exception",
      unrecognized(path, "priority"),
    );
    await startDeployment(em, "m");
    const update = await em.es("POST", "/_ml/trained_models/m/deployment/_update", {
      number_of_allocations: 2,
    });
    assert.equal(update.status, 400);
    assert.deepEqual(update.body, {
      error: "no handler found for uri [/_ml/trained_models/m/deployment/_update] and method [POST]",
      status: 400,
    });
    await em.close();
    em = await startTestEmulator({ esVersion: "8.3.3" });
    await createPytorchModel(em, "m");
    expectError(
      await em.es("POST", `${path}?cache_size=0`),
      400,
      "illegal_argument_exception",
      unrecognized(path, "cache_size"),
    );
  });

  it("8.14 treats adaptive_allocations as an unknown body field and requires an update body", async () => {
    em = await startTestEmulator({ esVersion: "8.14.0" });
    await createPytorchModel(em, "m");
    expectError(
      await em.es("POST", "/_ml/trained_models/m/deployment/_start", {
        adaptive_allocations: { enabled: true },
      }),
      400,
      "x_content_parse_exception",
      "[1:2] [cluster:admin/xpack/ml/trained_models/deployment/start] unknown field [adaptive_allocations]",
    );
    await startDeployment(em, "m");
    expectError(
      await em.es("POST", "/_ml/trained_models/m/deployment/_update"),
      400,
      "parse_exception",
      "request body is required",
    );
  });

  it("8.15 refuses min_number_of_allocations 0 (scale to zero arrives in 8.16)", async () => {
    em = await startTestEmulator({ esVersion: "8.15.2" });
    await createPytorchModel(em, "m");
    expectError(
      await em.es("POST", "/_ml/trained_models/m/deployment/_start", {
        adaptive_allocations: { enabled: true, min_number_of_allocations: 0 },
      }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [min_number_of_allocations] must be a positive integer or null;",
    );
  });

  it("8.2 uses allocation / model_threads / inference_threads names and either body or query", async () => {
    em = await startTestEmulator({ esVersion: "8.2.3" });
    await createPytorchModel(em, "m");
    const path = "/_ml/trained_models/m/deployment/_start";
    expectError(
      await em.es("POST", `${path}?number_of_allocations=1`),
      400,
      "illegal_argument_exception",
      unrecognized(path, "number_of_allocations"),
    );
    expectError(
      await em.es("POST", `${path}?timeout=5s`, { model_threads: 1 }),
      400,
      "illegal_argument_exception",
      unrecognized(path, "timeout"),
    );
    const res = await startDeployment(em, "m", "model_threads=2&inference_threads=1");
    const allocation = res.body.allocation;
    assert.equal(res.body.assignment, undefined);
    assert.equal(allocation.allocation_state, "started");
    assert.equal(allocation.task_parameters.model_threads, 2);
    assert.equal(allocation.task_parameters.inference_threads, 1);
    assert.equal(allocation.task_parameters.cache_size, undefined);
    const route = Object.values(allocation.routing_table)[0] as Record<string, unknown>;
    assert.deepEqual(route, { routing_state: "started" });
    const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
    const dep = stats.body.trained_model_stats[0].deployment_stats;
    assert.equal(dep.model_threads, 2);
    assert.equal(dep.inference_threads, 1);
    assert.equal(dep.priority, undefined);
  });

  it("9.x accepts the deprecated thread names only with compatible-with=8", async () => {
    em = await startTestEmulator();
    await createPytorchModel(em, "m");
    const path = "/_ml/trained_models/m/deployment/_start";
    expectError(
      await em.es("POST", `${path}?model_threads=2`),
      400,
      "illegal_argument_exception",
      unrecognized(path, "model_threads"),
    );
    const compat = await em.es("POST", `${path}?model_threads=2`, undefined, {
      Accept: "application/vnd.elasticsearch+json; compatible-with=8",
    });
    assert.equal(compat.status, 200, compat.text);
    assert.equal(compat.body.assignment.task_parameters.number_of_allocations, 2);
    assert.equal(compat.headers.get("content-type"), "application/vnd.elasticsearch+json;compatible-with=8");
  });

  it("before 8.4 a start timeout is a 500", async () => {
    em = await startTestEmulator({ esVersion: "8.3.0", startDelayMs: 200 });
    await createPytorchModel(em, "m");
    expectError(
      await em.es("POST", "/_ml/trained_models/m/deployment/_start?timeout=20ms"),
      500,
      "status_exception",
      /^Timed out after \[20ms\] waiting for trained model deployment \[m\] to start/,
    );
  });
});
