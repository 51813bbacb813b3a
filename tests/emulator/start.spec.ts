import { strict as assert } from "node:assert";
import {
  createPytorchModel,
  expectError,
  startDeployment,
  startTestEmulator,
  TestEmulator,
  until,
} from "./helpers";

const START = "/_ml/trained_models/m/deployment/_start";

describe("emulator: start deployment", () => {
  let em: TestEmulator;
  afterEach(() => em?.close());

  describe("parameters and validation", () => {
    beforeEach(async () => {
      em = await startTestEmulator();
      await createPytorchModel(em, "m");
    });

    it("starts with the documented defaults and answers with the assignment", async () => {
      const res = await startDeployment(em, "m");
      const assignment = res.body.assignment;
      assert.equal(assignment.assignment_state, "started");
      assert.deepEqual(assignment.task_parameters, {
        model_id: "m",
        deployment_id: "m",
        model_bytes: 1630,
        threads_per_allocation: 1,
        number_of_allocations: 1,
        queue_capacity: 10000,
        cache_size: "1630b",
        priority: "normal",
        per_deployment_memory_bytes: 0,
        per_allocation_memory_bytes: 0,
      });
      const routes = Object.values(assignment.routing_table) as {
        routing_state: string;
        current_allocations: number;
      }[];
      assert.equal(routes.length, 1);
      assert.equal(routes[0].routing_state, "started");
      assert.equal(routes[0].current_allocations, 1);
      assert.equal(assignment.max_assigned_allocations, 1);
      assert.equal(assignment.adaptive_allocations, null);
      assert.match(assignment.start_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it("lets query parameters override body values", async () => {
      const res = await em.es("POST", `${START}?number_of_allocations=3&cache_size=10kb`, {
        number_of_allocations: 2,
        threads_per_allocation: 2,
        queue_capacity: 50,
      });
      assert.equal(res.status, 200, res.text);
      const task = res.body.assignment.task_parameters;
      assert.equal(task.number_of_allocations, 3);
      assert.equal(task.threads_per_allocation, 2);
      assert.equal(task.queue_capacity, 50);
      assert.equal(task.cache_size, "10kb");
    });

    it("echoes cache_size 0 and a low priority", async () => {
      const res = await startDeployment(em, "m", "cache_size=0&priority=LOW");
      assert.equal(res.body.assignment.task_parameters.cache_size, "0");
      assert.equal(res.body.assignment.task_parameters.priority, "low");
    });

    it("reports every validation error in one message", async () => {
      const res = await em.es(
        "POST",
        `${START}?number_of_allocations=0&threads_per_allocation=3&queue_capacity=100001&timeout=0s`,
      );
      expectError(
        res,
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: [number_of_allocations] must be a positive integer;2: [threads_per_allocation] must be a power of 2 less than or equal to 32;3: [queue_capacity] must be less than 100000;4: [timeout] must be positive;",
      );
    });

    it("enforces the low priority rules", async () => {
      const res = await em.es(
        "POST",
        `${START}?priority=low&number_of_allocations=3&threads_per_allocation=4`,
      );
      expectError(
        res,
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: [number_of_allocations] must be 1 when [priority] is low;2: [threads_per_allocation] must be 1 when [priority] is low;",
      );
    });

    it("validates adaptive allocations and their conflict with number_of_allocations", async () => {
      const res = await em.es("POST", `${START}?number_of_allocations=2`, {
        adaptive_allocations: { enabled: true, min_number_of_allocations: 5, max_number_of_allocations: 0 },
      });
      expectError(
        res,
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: [number_of_allocations] cannot be set if adaptive allocations is enabled;2: [max_number_of_allocations] must be a positive integer or null;3: [min_number_of_allocations] must not be larger than [max_number_of_allocations];",
      );
    });

    it("rejects bad enum, int, duration and byte-size values with Elasticsearch's messages", async () => {
      expectError(
        await em.es("POST", `${START}?wait_for=ready`),
        400,
        "illegal_argument_exception",
        "No enum constant org.elasticsearch.xpack.core.ml.inference.assignment.AllocationStatus.State.READY",
      );
      expectError(
        await em.es("POST", `${START}?priority=high`),
        400,
        "illegal_argument_exception",
        "No enum constant org.elasticsearch.xpack.core.ml.inference.assignment.Priority.HIGH",
      );
      const badInt = await em.es("POST", `${START}?number_of_allocations=two`);
      expectError(
        badInt,
        400,
        "illegal_argument_exception",
        "Failed to parse int parameter [number_of_allocations] with value [two]",
      );
      assert.equal(badInt.body.error.caused_by.type, "number_format_exception");
      expectError(
        await em.es("POST", `${START}?timeout=soon`),
        400,
        "parse_exception",
        "failed to parse setting [timeout] with value [soon] as a time value: unit is missing or unrecognized",
      );
      expectError(
        await em.es("POST", `${START}?cache_size=lots`),
        400,
        "parse_exception",
        "failed to parse setting [cache_size] with value [lots] as a size in bytes: unit is missing or unrecognized",
      );
    });

    it("rejects unknown body fields, wrong body types and a body model_id that differs from the path", async () => {
      expectError(
        await em.es("POST", START, { number_of_allocation: 1 }),
        400,
        "x_content_parse_exception",
        "[1:2] [cluster:admin/xpack/ml/trained_models/deployment/start] unknown field [number_of_allocation]",
      );
      expectError(
        await em.es("POST", START, { number_of_allocations: { n: 1 } }),
        400,
        "x_content_parse_exception",
        "[1:2] [cluster:admin/xpack/ml/trained_models/deployment/start] number_of_allocations doesn't support values of type: START_OBJECT",
      );
      expectError(
        await em.es("POST", START, { model_id: "other" }),
        400,
        "status_exception",
        "Inconsistent model_id; 'other' specified in the body differs from 'm' specified as a URL argument",
      );
    });

    it("rejects unknown query parameters with a did-you-mean hint", async () => {
      expectError(
        await em.es("POST", `${START}?number_of_alocations=2`),
        400,
        "illegal_argument_exception",
        "request [/_ml/trained_models/m/deployment/_start] contains unrecognized parameter: [number_of_alocations] -> did you mean [number_of_allocations]?",
      );
      assert.equal(em.handle.admin.state().deployments.length, 0);
    });
  });

  describe("server-side checks", () => {
    beforeEach(async () => {
      em = await startTestEmulator();
      await createPytorchModel(em, "m");
      await createPytorchModel(em, "other");
    });

    it("answers 404 for an unknown model and 400 when the id matches several models", async () => {
      expectError(
        await em.es("POST", "/_ml/trained_models/nope/deployment/_start"),
        404,
        "resource_not_found_exception",
        "No known trained model with model_id [nope]",
      );
      expectError(
        await em.es("POST", "/_ml/trained_models/*/deployment/_start"),
        400,
        "status_exception",
        "cannot deploy more than one model at the same time; [*] matches models [lang_ident_model_1, m, other]",
      );
    });

    it("refuses a second deployment with the same id, and a deployment id that is another model's id", async () => {
      await startDeployment(em, "m");
      expectError(
        await em.es("POST", START),
        400,
        "status_exception",
        "Could not start model deployment because an existing deployment with the same id [m] exist",
      );
      expectError(
        await em.es("POST", `${START}?deployment_id=other`),
        400,
        "status_exception",
        "Deployment id [other] is the same as an another model which is not the model being deployed. Deployment id can be the same as the model being deployed but cannot match a different model",
      );
    });

    it("runs several deployments of one model under distinct deployment ids", async () => {
      const a = await startDeployment(em, "m", "deployment_id=m-for-search&priority=low");
      const b = await startDeployment(em, "m", "deployment_id=m-for-ingest");
      assert.equal(a.body.assignment.task_parameters.deployment_id, "m-for-search");
      assert.equal(b.body.assignment.task_parameters.model_id, "m");
      const ids = em.handle.admin.state().deployments.map((d) => d.deploymentId);
      assert.deepEqual(ids, ["m-for-ingest", "m-for-search"]);
    });

    it("starts through a model alias, keeping the alias as deployment id", async () => {
      await em.es("PUT", "/_ml/trained_models/m/model_aliases/my-model");
      const res = await startDeployment(em, "my-model");
      assert.equal(res.body.assignment.task_parameters.model_id, "m");
      assert.equal(res.body.assignment.task_parameters.deployment_id, "my-model");
    });
  });

  describe("capacity", () => {
    it("answers 429 when nothing fits and when only part fits, leaving no deployment", async () => {
      em = await startTestEmulator({ mlNodes: 1, processorsPerNode: 8 });
      await createPytorchModel(em, "m");
      const none = await em.es("POST", `${START}?threads_per_allocation=16`);
      expectError(
        none,
        429,
        "status_exception",
        "Could not start deployment because no ML nodes with sufficient capacity were found",
      );
      assert.equal(none.body.error.caused_by.type, "illegal_state_exception");
      assert.match(
        none.body.error.caused_by.reason,
        /^Could not start deployment because no suitable nodes were found, allocation explanation \[Could not assign \(more\) allocations on node \[ml-node-1\]/,
      );
      expectError(
        await em.es("POST", `${START}?threads_per_allocation=4&number_of_allocations=3`),
        429,
        "status_exception",
        "Could not start deployment because there are not enough resources to provide all requested allocations",
      );
      const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
      assert.equal(stats.body.trained_model_stats[0].deployment_stats, undefined);
    });

    it("spreads allocations over nodes and counts processors as allocations × threads", async () => {
      em = await startTestEmulator({ mlNodes: 2, processorsPerNode: 4 });
      await createPytorchModel(em, "m");
      await createPytorchModel(em, "n");
      const res = await startDeployment(em, "m", "number_of_allocations=2&threads_per_allocation=2");
      const routes = Object.values(res.body.assignment.routing_table) as { target_allocations: number }[];
      assert.deepEqual(
        routes.map((r) => r.target_allocations),
        [1, 1],
      );
      assert.deepEqual(
        em.handle.admin.state().nodes.map((n) => n.usedProcessors),
        [2, 2],
      );
      await startDeployment(em, "n", "number_of_allocations=2&threads_per_allocation=2");
      expectError(
        await em.es("POST", "/_ml/trained_models/m/deployment/_start?deployment_id=m2"),
        429,
        "status_exception",
        "Could not start deployment because no ML nodes with sufficient capacity were found",
      );
    });

    it("with autoscaling keeps the assignment with a reason and starts once a node joins", async () => {
      em = await startTestEmulator({
        mlNodes: 0,
        autoscale: true,
        autoscaleDelayMs: 60,
        autoscaleMaxNodes: 1,
      });
      await createPytorchModel(em, "m");
      const res = await startDeployment(em, "m");
      assert.equal(res.body.assignment.assignment_state, "starting");
      assert.deepEqual(res.body.assignment.routing_table, {});
      assert.match(res.body.assignment.reason, /No ML nodes exist/);
      await until(async () => {
        const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
        return (
          stats.body.trained_model_stats[0].deployment_stats.allocation_status.state === "fully_allocated"
        );
      });
      assert.equal(em.handle.admin.state().nodes.length, 1);
      // The only node a scale-out could add is already there.
      expectError(
        await em.es("POST", `${START}?deployment_id=m-big&threads_per_allocation=4&number_of_allocations=2`),
        429,
        "status_exception",
        "Could not start deployment because there are not enough resources to provide all requested allocations",
      );
    });

    it("refuses more than 100 deployments", async () => {
      em = await startTestEmulator({ startDelayMs: 0 });
      await createPytorchModel(em, "m");
      for (let i = 0; i < 100; i++)
        await startDeployment(em, "m", `deployment_id=d${i}&priority=low&wait_for=starting`);
      expectError(
        await em.es("POST", `${START}?deployment_id=d100&priority=low`),
        429,
        "status_exception",
        "Could not start model deployment because existing deployments reached the limit of [100]",
      );
    });
  });

  describe("wait_for and timeout", () => {
    beforeEach(async () => {
      em = await startTestEmulator({ startDelayMs: 150 });
      await createPytorchModel(em, "m");
    });

    it("answers 408 on timeout while the deployment keeps starting; a naive retry then collides", async () => {
      const res = await em.es("POST", `${START}?timeout=30ms`);
      expectError(
        res,
        408,
        "model_deployment_timeout_exception",
        "Timed out after [30ms] waiting for trained model deployment [m] to start. Use the trained model stats API to track the state of the deployment and try again once it has started.",
      );
      assert.equal(em.handle.admin.state().deployments[0].assignmentState, "starting");
      await until(() => em.handle.admin.state().deployments[0].assignmentState === "started");
      expectError(
        await em.es("POST", START),
        400,
        "status_exception",
        "Could not start model deployment because an existing deployment with the same id [m] exist",
      );
    });

    it("returns at once with wait_for=starting, routes still starting", async () => {
      const res = await startDeployment(em, "m", "wait_for=starting");
      assert.equal(res.body.assignment.assignment_state, "starting");
      const routes = Object.values(res.body.assignment.routing_table) as { routing_state: string }[];
      assert.equal(routes[0].routing_state, "starting");
    });

    it("waits for fully_allocated across nodes", async () => {
      await em.close();
      em = await startTestEmulator({ startDelayMs: 30, mlNodes: 2, processorsPerNode: 2 });
      await createPytorchModel(em, "m");
      const res = await startDeployment(em, "m", "wait_for=fully_allocated&number_of_allocations=4");
      const routes = Object.values(res.body.assignment.routing_table) as {
        routing_state: string;
        current_allocations: number;
      }[];
      assert.deepEqual(
        routes.map((r) => [r.routing_state, r.current_allocations]),
        [
          ["started", 2],
          ["started", 2],
        ],
      );
    });

    it("fails a waiting start with 400 when the deployment is stopped meanwhile", async () => {
      const pending = em.es("POST", START);
      await until(() => em.handle.admin.state().deployments.length === 1);
      const stop = await em.es("POST", "/_ml/trained_models/m/deployment/_stop");
      assert.deepEqual(stop.body, { stopped: true });
      expectError(
        await pending,
        400,
        "status_exception",
        "Error waiting for the model deployment to start. The trained model assignment was removed while waiting",
      );
    });
  });
});
