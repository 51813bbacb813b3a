import { strict as assert } from "node:assert";
import {
  createPytorchModel,
  EsResponse,
  startDeployment,
  startTestEmulator,
  TestEmulator,
  until,
} from "./helpers";
import { OpenApiValidator } from "./openapi";

/**
 * Every start/stop/update/stats response of the default (current) version, across the
 * scenarios below, must match the OpenAPI schemas; errors of those routes must match
 * `_types.ErrorResponseBase`.
 */
describe("emulator: responses match the OpenAPI schemas (default version)", () => {
  const validator = new OpenApiValidator();
  let em: TestEmulator;

  /** Wraps `em.es` so every response of the four operations is validated. */
  const checked = (emulator: TestEmulator) => {
    const call = async (method: string, path: string, body?: unknown): Promise<EsResponse> => {
      const response = await emulator.es(method, path, body);
      const operation = OpenApiValidator.operationOf(method, path);
      if (operation) validator.check(response.status === 200 ? operation : "error", response.body);
      return response;
    };
    return call;
  };

  afterEach(() => em?.close());

  it("validates a realistic scenario mix", async () => {
    em = await startTestEmulator({ inferLatencyMs: 150, mlNodes: 1, processorsPerNode: 4 });
    const es = checked(em);
    await createPytorchModel(em, "m");
    await createPytorchModel(em, "n", { task: "text_embedding" });
    await es("GET", "/_ml/trained_models/_stats");
    // Start variants.
    await es("POST", "/_ml/trained_models/m/deployment/_start?wait_for=starting&deployment_id=m-starting");
    await es("GET", "/_ml/trained_models/_stats");
    await es("POST", "/_ml/trained_models/m/deployment/_start?priority=low&cache_size=0&deployment_id=m-low");
    await es(
      "POST",
      "/_ml/trained_models/n/deployment/_start?number_of_allocations=2&threads_per_allocation=1&cache_size=10kb",
    );
    await es("POST", "/_ml/trained_models/m/deployment/_start?deployment_id=m-adaptive", {
      adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 2 },
    });
    // Errors of the four operations are Elasticsearch error envelopes.
    await es("POST", "/_ml/trained_models/m/deployment/_start?number_of_allocations=0");
    await es(
      "POST",
      "/_ml/trained_models/m/deployment/_start?threads_per_allocation=8&deployment_id=too-big",
    );
    await es("POST", "/_ml/trained_models/missing/deployment/_update", { number_of_allocations: 2 });
    await es("POST", "/_ml/trained_models/missing/deployment/_stop?allow_no_match=false");
    await es("GET", "/_ml/trained_models/missing/_stats");
    // Inference to fill counters: hits, a timeout and a rejection.
    await em.es("PUT", "/_ingest/pipeline/p", { processors: [{ inference: { model_id: "n" } }] });
    await Promise.all(
      ["a", "b", "a"].map((t) =>
        em.es("POST", "/_ml/trained_models/n/_infer", { docs: [{ text_field: t }] }),
      ),
    );
    await es("GET", "/_ml/trained_models/_stats");
    // (`?human` adds `*_string` and size fields the schemas do not model, so it is not checked here.)
    await es("GET", "/_ml/trained_models/n/_stats");
    // Update variants.
    await es("POST", "/_ml/trained_models/n/deployment/_update", { number_of_allocations: 2 });
    await es("POST", "/_ml/trained_models/n/deployment/_update", { number_of_allocations: 3 });
    await es("POST", "/_ml/trained_models/n/deployment/_update?number_of_allocations=1");
    await es("POST", "/_ml/trained_models/m-adaptive/deployment/_update", {
      adaptive_allocations: { max_number_of_allocations: 3 },
    });
    await es("POST", "/_ml/trained_models/m-adaptive/deployment/_update", { adaptive_allocations: null });
    await es("GET", "/_ml/trained_models/for-*,m*,n/_stats");
    // Stop variants, with stats taken while stopping.
    const inflight = [1, 2].map((i) =>
      em.es("POST", "/_ml/trained_models/n/_infer", { docs: [{ text_field: `s${i}` }] }),
    );
    await until(
      () => em.handle.admin.state().deployments.find((d) => d.deploymentId === "n")!.pendingInference === 2,
    );
    const stopping = es("POST", "/_ml/trained_models/n/deployment/_stop?finish_pending_work=true&force=true");
    await until(
      () =>
        em.handle.admin.state().deployments.find((d) => d.deploymentId === "n")?.assignmentState ===
        "stopping",
    );
    const during = await es("GET", "/_ml/trained_models/n/_stats");
    assert.equal(during.body.trained_model_stats[0].deployment_stats.allocation_status, undefined);
    await stopping;
    await Promise.all(inflight);
    await es("POST", "/_ml/trained_models/m-low/deployment/_stop");
    await es("POST", "/_ml/trained_models/nothing/deployment/_stop");
    await es("POST", "/_ml/trained_models/m-starting/deployment/_stop", { force: true });
    await es("GET", "/_ml/trained_models/_stats");
    assert.ok(validator.checked.start >= 4, JSON.stringify(validator.checked));
    assert.ok(validator.checked.update >= 4, JSON.stringify(validator.checked));
    assert.ok(validator.checked.stop >= 4, JSON.stringify(validator.checked));
    assert.ok(validator.checked.stats >= 7, JSON.stringify(validator.checked));
    assert.ok(validator.checked.error >= 5, JSON.stringify(validator.checked));
  });

  it("validates autoscaling (empty routing table with a reason) and scale-to-zero", async () => {
    em = await startTestEmulator({
      mlNodes: 0,
      autoscale: true,
      autoscaleDelayMs: 40,
      adaptiveIntervalMs: 20,
      scaleToZeroIdleMs: 30,
    });
    const es = checked(em);
    await createPytorchModel(em, "m");
    const waiting = await es("POST", "/_ml/trained_models/m/deployment/_start", {
      adaptive_allocations: { enabled: true, min_number_of_allocations: 0, max_number_of_allocations: 1 },
    });
    assert.deepEqual(waiting.body.assignment.routing_table, {});
    await es("GET", "/_ml/trained_models/m/_stats");
    await until(() => em.handle.admin.state().deployments[0].numberOfAllocations === 0);
    const stats = await es("GET", "/_ml/trained_models/m/_stats");
    assert.equal(
      stats.body.trained_model_stats[0].deployment_stats.allocation_status.state,
      "fully_allocated",
    );
    await es("POST", "/_ml/trained_models/m/deployment/_stop");
  });

  it("fails on a response with an invented field (the check can fail)", () => {
    assert.throws(
      () => validator.check("stop", { stopped: true, extra: 1 }),
      /does not match the OpenAPI schema/,
    );
    assert.throws(() => validator.check("stop", { stopped: "yes" }), /does not match/);
  });

  it("also checks the start responses of the official clients' flow", async () => {
    em = await startTestEmulator();
    const es = checked(em);
    await createPytorchModel(em, "m");
    await startDeployment(em, "m", "priority=low&wait_for=fully_allocated&timeout=60s");
    await es("POST", "/_ml/trained_models/m/deployment/_update", { number_of_allocations: 1 });
    await es("POST", "/_ml/trained_models/m/deployment/_stop");
  });
});
