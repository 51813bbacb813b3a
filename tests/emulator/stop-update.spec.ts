import { strict as assert } from "node:assert";
import {
  createPytorchModel,
  expectError,
  startDeployment,
  startTestEmulator,
  TestEmulator,
  until,
} from "./helpers";

const stopPath = (id: string, query = "") =>
  `/_ml/trained_models/${id}/deployment/_stop${query ? `?${query}` : ""}`;
const updatePath = (id: string, query = "") =>
  `/_ml/trained_models/${id}/deployment/_update${query ? `?${query}` : ""}`;
const infer = (em: TestEmulator, id: string, text: string) =>
  em.es("POST", `/_ml/trained_models/${id}/_infer`, { docs: [{ text_field: text }] });

describe("emulator: stop deployment", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    // Long enough that concurrent requests are still pending when the stop arrives, even on a busy machine.
    em = await startTestEmulator({ inferLatencyMs: 150 });
    await createPytorchModel(em, "m");
  });
  afterEach(() => em.close());

  it("stops and removes the deployment before answering", async () => {
    await startDeployment(em, "m");
    assert.deepEqual((await em.es("POST", stopPath("m"))).body, { stopped: true });
    assert.equal(em.handle.admin.state().deployments.length, 0);
    const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
    assert.equal(stats.body.trained_model_stats[0].deployment_stats, undefined);
  });

  it("looks ids up exactly: unknown ids, model ids and wildcards are no-ops unless allow_no_match=false", async () => {
    await startDeployment(em, "m", "deployment_id=m-for-search");
    for (const id of ["m", "m-*", "_all", "nope"]) {
      assert.deepEqual((await em.es("POST", stopPath(id))).body, { stopped: true }, id);
    }
    assert.equal(em.handle.admin.state().deployments.length, 1);
    expectError(
      await em.es("POST", stopPath("m", "allow_no_match=false")),
      404,
      "resource_not_found_exception",
      "No known model deployment with id [m]",
    );
    assert.deepEqual((await em.es("POST", stopPath("m-for-search"))).body, { stopped: true });
  });

  it("refuses to stop a deployment used by an ingest pipeline (nested in foreach/on_failure) unless forced", async () => {
    await startDeployment(em, "m");
    await em.es("PUT", "/_ingest/pipeline/nested", {
      processors: [
        {
          foreach: {
            field: "items",
            processor: { set: { field: "x", value: 1, on_failure: [{ inference: { model_id: "m" } }] } },
          },
        },
      ],
    });
    expectError(
      await em.es("POST", stopPath("m")),
      409,
      "status_exception",
      "Cannot stop deployment [m] as it is referenced by ingest processors; use force to stop the deployment",
    );
    assert.deepEqual((await em.es("POST", stopPath("m", "force"))).body, { stopped: true });
  });

  it("refuses when an alias of the model is used, and ignores pipelines naming the model for another deployment id", async () => {
    await em.es("PUT", "/_ml/trained_models/m/model_aliases/current");
    await em.es("PUT", "/_ingest/pipeline/by-alias", {
      processors: [{ inference: { model_id: "current" } }],
    });
    await startDeployment(em, "m");
    expectError(
      await em.es("POST", stopPath("m")),
      409,
      "status_exception",
      "Cannot stop deployment [m] as it has a model_alias [current] that is still referenced by ingest processors; use force to stop the deployment",
    );
    await startDeployment(em, "m", "deployment_id=m-for-search");
    assert.deepEqual((await em.es("POST", stopPath("m-for-search"))).body, { stopped: true });
  });

  it("reads the body instead of the query: query parameters next to a body are rejected", async () => {
    await startDeployment(em, "m");
    await em.es("PUT", "/_ingest/pipeline/p", { processors: [{ inference: { model_id: "m" } }] });
    expectError(
      await em.es("POST", stopPath("m", "force=true"), { allow_no_match: true }),
      400,
      "illegal_argument_exception",
      "request [/_ml/trained_models/m/deployment/_stop] contains unrecognized parameter: [force]",
    );
    expectError(
      await em.es("POST", stopPath("m"), { id: "m" }),
      400,
      "x_content_parse_exception",
      "[1:2] [cluster:admin/xpack/ml/trained_models/deployment/stop] unknown field [id]",
    );
    expectError(
      await em.es("POST", stopPath("m"), { model_id: "x" }),
      400,
      "illegal_argument_exception",
      "Inconsistent model_id; 'x' specified in the body differs from 'm' specified as a URL argument",
    );
    expectError(
      await em.es("POST", stopPath("m", "timeout=10s")),
      400,
      "illegal_argument_exception",
      "request [/_ml/trained_models/m/deployment/_stop] contains unrecognized parameter: [timeout]",
    );
    assert.deepEqual((await em.es("POST", stopPath("m"), { force: true })).body, { stopped: true });
  });

  it("finish_pending_work drains queued inference before stopping; stats show stopping meanwhile", async () => {
    await startDeployment(em, "m");
    const requests = [1, 2, 3, 4].map((i) => infer(em, "m", `text ${i}`));
    await until(() => em.handle.admin.state().deployments[0].pendingInference === 4);
    const stop = em.es("POST", stopPath("m", "finish_pending_work=true"));
    await until(() => em.handle.admin.state().deployments[0]?.assignmentState === "stopping");
    const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
    const deployment = stats.body.trained_model_stats[0].deployment_stats;
    assert.equal(deployment.state, "stopping");
    assert.equal(deployment.allocation_status, undefined);
    const responses = await Promise.all(requests);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.deepEqual((await stop).body, { stopped: true });
    assert.equal(em.handle.admin.state().deployments.length, 0);
  });

  it("a plain stop fails queued inference with 429 and lets the running request finish", async () => {
    await startDeployment(em, "m");
    const requests = [1, 2, 3].map((i) => infer(em, "m", `text ${i}`));
    await until(() => em.handle.admin.state().deployments[0].pendingInference === 3);
    const stop = await em.es("POST", stopPath("m"));
    assert.deepEqual(stop.body, { stopped: true });
    const [running, ...queued] = await Promise.all(requests);
    assert.equal(running.status, 200);
    for (const response of queued) {
      expectError(
        response,
        429,
        "es_rejected_execution_exception",
        "unable to process as pytorch_inference worker service has shutdown",
      );
    }
  });

  it("a second stop while stopping waits for the same completion", async () => {
    await startDeployment(em, "m");
    const pending = infer(em, "m", "slow");
    await until(() => em.handle.admin.state().deployments[0].pendingInference === 1);
    const first = em.es("POST", stopPath("m"));
    await until(() => em.handle.admin.state().deployments[0]?.assignmentState === "stopping");
    const second = await em.es("POST", stopPath("m"));
    assert.deepEqual(second.body, { stopped: true });
    assert.equal(em.handle.admin.state().deployments.length, 0);
    assert.deepEqual((await first).body, { stopped: true });
    assert.equal((await pending).status, 200);
  });

  it("frees capacity: a deployment waiting for allocations gets them after another stops", async () => {
    await em.close();
    em = await startTestEmulator({
      mlNodes: 1,
      processorsPerNode: 2,
      autoscale: true,
      autoscaleMaxNodes: 2,
      autoscaleDelayMs: 60_000,
    });
    await createPytorchModel(em, "a");
    await createPytorchModel(em, "b");
    await startDeployment(em, "a", "threads_per_allocation=2");
    const waiting = await startDeployment(em, "b", "threads_per_allocation=2");
    assert.deepEqual(waiting.body.assignment.routing_table, {});
    await em.es("POST", stopPath("a"));
    await until(() => em.handle.admin.state().deployments[0].assignmentState === "started");
  });
});

describe("emulator: update deployment", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator({ mlNodes: 1, processorsPerNode: 4 });
    await createPytorchModel(em, "m");
  });
  afterEach(() => em.close());

  it("answers 404 for an unknown deployment", async () => {
    expectError(
      await em.es("POST", updatePath("missing"), { number_of_allocations: 4 }),
      404,
      "resource_not_found_exception",
      "No known model deployment with id [missing]",
    );
  });

  it("scales up (current catches up with target) and down", async () => {
    await startDeployment(em, "m");
    const up = await em.es("POST", updatePath("m"), { number_of_allocations: 3 });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.assignment.task_parameters.number_of_allocations, 3);
    const route = Object.values(up.body.assignment.routing_table)[0] as {
      current_allocations: number;
      target_allocations: number;
    };
    assert.deepEqual([route.current_allocations, route.target_allocations], [1, 3]);
    await until(async () => {
      const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
      return stats.body.trained_model_stats[0].deployment_stats.allocation_status.allocation_count === 3;
    });
    const down = await em.es("POST", updatePath("m", "number_of_allocations=2"));
    assert.equal(down.body.assignment.task_parameters.number_of_allocations, 2);
    assert.equal(down.body.assignment.max_assigned_allocations, 3);
  });

  it("answers 429 when an increase cannot fit, changing nothing", async () => {
    await startDeployment(em, "m", "threads_per_allocation=2");
    expectError(
      await em.es("POST", updatePath("m"), { number_of_allocations: 3 }),
      429,
      "status_exception",
      "Could not update deployment because there are not enough resources to provide all requested allocations",
    );
    assert.equal(em.handle.admin.state().deployments[0].numberOfAllocations, 1);
  });

  it("returns the unchanged assignment for a no-op even while starting, else 409 until started", async () => {
    await em.close();
    em = await startTestEmulator({ startDelayMs: 200 });
    await createPytorchModel(em, "m");
    await startDeployment(em, "m", "wait_for=starting");
    const noop = await em.es("POST", updatePath("m"), { number_of_allocations: 1 });
    assert.equal(noop.status, 200);
    assert.equal(noop.body.assignment.assignment_state, "starting");
    expectError(
      await em.es("POST", updatePath("m"), { number_of_allocations: 2 }),
      409,
      "status_exception",
      "cannot update deployment that is not in [started] state",
    );
  });

  it("takes number_of_allocations from the query string and then ignores the body", async () => {
    await startDeployment(em, "m");
    const res = await em.es("POST", updatePath("m", "number_of_allocations=2"), { not_a_field: true });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.assignment.task_parameters.number_of_allocations, 2);
  });

  it("validates the request", async () => {
    await startDeployment(em, "m");
    expectError(
      await em.es("POST", updatePath("m"), { number_of_allocations: 0 }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [number_of_allocations] must be a positive integer;",
    );
    expectError(
      await em.es("POST", updatePath("m"), {}),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [number_of_allocations] or [adaptive_allocations] is required;",
    );
    expectError(
      await em.es("POST", updatePath("m"), {
        number_of_allocations: 2,
        adaptive_allocations: { enabled: true },
      }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [number_of_allocations] cannot be set if adaptive allocations is enabled;",
    );
  });

  it("merges adaptive settings, refuses a number while they are enabled, and removes them with null", async () => {
    await startDeployment(em, "m");
    const on = await em.es("POST", updatePath("m"), {
      adaptive_allocations: { enabled: true, min_number_of_allocations: 2, max_number_of_allocations: 3 },
    });
    assert.deepEqual(on.body.assignment.adaptive_allocations, {
      enabled: true,
      min_number_of_allocations: 2,
      max_number_of_allocations: 3,
    });
    assert.equal(on.body.assignment.task_parameters.number_of_allocations, 2);
    expectError(
      await em.es("POST", updatePath("m"), { number_of_allocations: 3 }),
      400,
      "validation_exception",
      "Validation Failed: 1: [number_of_allocations] cannot be set if adaptive allocations is enabled;",
    );
    const merged = await em.es("POST", updatePath("m"), {
      adaptive_allocations: { max_number_of_allocations: -1 },
    });
    assert.deepEqual(merged.body.assignment.adaptive_allocations, {
      enabled: true,
      min_number_of_allocations: 2,
    });
    const off = await em.es("POST", updatePath("m"), { adaptive_allocations: null });
    assert.equal(off.body.assignment.adaptive_allocations, null);
  });
});
