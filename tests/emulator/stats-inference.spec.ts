import { strict as assert } from "node:assert";
import {
  createPytorchModel,
  expectError,
  startDeployment,
  startTestEmulator,
  TestEmulator,
  until,
} from "./helpers";

type Entry = { model_id: string; deployment_stats?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const entries = (body: { trained_model_stats: Entry[] }) =>
  body.trained_model_stats.map((e) => `${e.model_id}/${e.deployment_stats?.deployment_id ?? "-"}`);

describe("emulator: _stats", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator();
    await createPytorchModel(em, "model-b");
    await createPytorchModel(em, "model-a");
    await createPytorchModel(em, "undeployed");
    await startDeployment(em, "model-b", "deployment_id=for-search&priority=low");
    await startDeployment(em, "model-b", "deployment_id=for-ingest");
    await startDeployment(em, "model-a");
  });
  afterEach(() => em.close());

  it("returns one entry per deployment, counts models and sorts by model then deployment id", async () => {
    const all = await em.es("GET", "/_ml/trained_models/_stats");
    assert.equal(all.body.count, 4);
    assert.deepEqual(entries(all.body), [
      "lang_ident_model_1/-",
      "model-a/model-a",
      "model-b/for-ingest",
      "model-b/for-search",
      "undeployed/-",
    ]);
    const byModel = await em.es("GET", "/_ml/trained_models/model-b/_stats");
    assert.equal(byModel.body.count, 1);
    assert.deepEqual(entries(byModel.body), ["model-b/for-ingest", "model-b/for-search"]);
    const byDeployment = await em.es("GET", "/_ml/trained_models/for-search/_stats");
    assert.deepEqual(entries(byDeployment.body), ["model-b/for-search"]);
    const wildcard = await em.es("GET", "/_ml/trained_models/for-*/_stats");
    assert.deepEqual(entries(wildcard.body), ["model-b/for-ingest", "model-b/for-search"]);
    // The configs API does not resolve deployment ids.
    expectError(
      await em.es("GET", "/_ml/trained_models/for-search"),
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [for-search]",
    );
  });

  it("applies allow_no_match to wildcards only, and pages over models", async () => {
    expectError(
      await em.es("GET", "/_ml/trained_models/missing/_stats"),
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [missing]",
    );
    assert.deepEqual((await em.es("GET", "/_ml/trained_models/missing*/_stats")).body, {
      count: 0,
      trained_model_stats: [],
    });
    expectError(
      await em.es("GET", "/_ml/trained_models/missing*/_stats?allow_no_match=false"),
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [missing*]",
    );
    const page = await em.es("GET", "/_ml/trained_models/_stats?from=2&size=1");
    assert.equal(page.body.count, 4);
    assert.deepEqual(entries(page.body), ["model-b/for-ingest", "model-b/for-search"]);
  });

  it("shapes deployment stats: epoch-ms times, allocation status, zero counters omitted", async () => {
    const res = await em.es("GET", "/_ml/trained_models/model-a/_stats");
    const entry = res.body.trained_model_stats[0];
    assert.deepEqual(entry.model_size_stats, {
      model_size_bytes: 1630,
      required_native_memory_bytes: 240 * 1024 * 1024 + 3260,
    });
    assert.equal(entry.pipeline_count, 0);
    assert.equal(entry.ingest, undefined);
    const dep = entry.deployment_stats;
    assert.equal(typeof dep.start_time, "number");
    assert.equal(dep.state, "started");
    assert.deepEqual(dep.allocation_status, {
      allocation_count: 1,
      target_allocation_count: 1,
      state: "fully_allocated",
    });
    for (const counter of ["inference_count", "error_count", "rejected_execution_count", "timeout_count"]) {
      assert.equal(dep[counter], undefined, counter);
    }
    assert.equal(dep.peak_throughput_per_minute, 0);
    const node = dep.nodes[0];
    assert.equal(node.routing_state.routing_state, "started");
    assert.equal(node.inference_count, 0);
    assert.equal(node.last_access, undefined);
    assert.equal(node.average_inference_time_ms, undefined);
    assert.equal(node.number_of_pending_requests, 0);
    assert.equal(Object.values(node.node as Record<string, { name: string }>)[0].name, "ml-node-1");
  });

  it("counts inference and cache hits, with human-readable strings on request", async () => {
    for (const text of ["a", "b", "a"]) {
      const res = await em.es("POST", "/_ml/trained_models/model-a/_infer", { docs: [{ text_field: text }] });
      assert.equal(res.status, 200);
    }
    const res = await em.es("GET", "/_ml/trained_models/model-a/_stats?human=true");
    const entry = res.body.trained_model_stats[0];
    assert.equal(entry.model_size_stats.model_size, "1.5kb");
    assert.equal(entry.model_size_stats.required_native_memory, "240mb");
    assert.equal(entry.inference_stats.inference_count, 3);
    const dep = entry.deployment_stats;
    assert.equal(dep.inference_count, 3);
    assert.equal(dep.peak_throughput_per_minute, 3);
    assert.equal(typeof dep.start_time_string, "string");
    const node = dep.nodes[0];
    assert.equal(node.inference_count, 3);
    assert.equal(node.inference_cache_hit_count, 1);
    assert.equal(typeof node.last_access, "number");
    assert.equal(typeof node.average_inference_time_ms, "number");
    assert.equal(node.throughput_last_minute, 3);
  });

  it("reports pipelines referencing the model, an alias or the deployment", async () => {
    await em.es("PUT", "/_ml/trained_models/model-a/model_aliases/alias-a");
    await em.es("PUT", "/_ingest/pipeline/p1", { processors: [{ inference: { model_id: "alias-a" } }] });
    await em.es("PUT", "/_ingest/pipeline/p2", { processors: [{ inference: { model_id: "for-ingest" } }] });
    const a = (await em.es("GET", "/_ml/trained_models/model-a/_stats")).body.trained_model_stats[0];
    assert.equal(a.pipeline_count, 1);
    assert.deepEqual(Object.keys(a.ingest.pipelines), ["p1"]);
    assert.deepEqual(a.ingest.total, { count: 0, time_in_millis: 0, current: 0, failed: 0 });
    const b = (await em.es("GET", "/_ml/trained_models/model-b/_stats")).body.trained_model_stats;
    assert.deepEqual(
      b.map((e: { pipeline_count: number }) => e.pipeline_count),
      [1, 0],
    );
  });
});

describe("emulator: inference", () => {
  let em: TestEmulator;
  afterEach(() => em.close());

  it("infers by model id, deployment id and alias with task-shaped results", async () => {
    em = await startTestEmulator();
    await createPytorchModel(em, "emb", { task: "text_embedding" });
    await startDeployment(em, "emb", "deployment_id=emb-search");
    await em.es("PUT", "/_ml/trained_models/emb/model_aliases/embedder");
    for (const id of ["emb", "emb-search", "embedder"]) {
      const res = await em.es("POST", `/_ml/trained_models/${id}/_infer`, {
        docs: [{ text_field: "hello" }],
      });
      assert.equal(res.status, 200, `${id}: ${res.text}`);
      assert.equal(res.body.inference_results[0].predicted_value.length, 8);
    }
    const same = await em.es("POST", "/_ml/trained_models/emb/_infer", { docs: [{ text_field: "hello" }] });
    const again = await em.es("POST", "/_ml/trained_models/emb/_infer", { docs: [{ text_field: "hello" }] });
    assert.deepEqual(same.body, again.body);
  });

  it("answers the deprecated /deployment/_infer path with a Warning header", async () => {
    em = await startTestEmulator();
    await createPytorchModel(em, "m");
    await startDeployment(em, "m");
    const res = await em.es("POST", "/_ml/trained_models/m/deployment/_infer", {
      docs: [{ text_field: "x" }],
    });
    assert.equal(res.status, 200);
    assert.match(
      res.headers.get("warning") ?? "",
      /^299 Elasticsearch-9\.2\.0-\w+ ".*deployment\/_infer\] is deprecated/,
    );
  });

  it("rejects requests beyond queue_capacity with 429 and counts them", async () => {
    em = await startTestEmulator({ inferLatencyMs: 300 });
    await createPytorchModel(em, "m");
    await startDeployment(em, "m", "queue_capacity=1");
    const requests = [1, 2, 3].map((i) =>
      em.es("POST", "/_ml/trained_models/m/_infer", { docs: [{ text_field: `t${i}` }] }),
    );
    const statuses = (await Promise.all(requests)).map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 429]);
    const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
    assert.equal(stats.body.trained_model_stats[0].deployment_stats.rejected_execution_count, 1);
    assert.equal(stats.body.trained_model_stats[0].inference_stats.failure_count, 1);
  });

  it("times out a waiting request with 408 and counts it", async () => {
    em = await startTestEmulator({ inferLatencyMs: 80 });
    await createPytorchModel(em, "m");
    await startDeployment(em, "m");
    const first = em.es("POST", "/_ml/trained_models/m/_infer", { docs: [{ text_field: "a" }] });
    const second = await em.es("POST", "/_ml/trained_models/m/_infer?timeout=20ms", {
      docs: [{ text_field: "b" }],
    });
    expectError(second, 408, "status_exception", "timeout [20ms] waiting for inference result");
    assert.equal((await first).status, 200);
    const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
    assert.equal(stats.body.trained_model_stats[0].deployment_stats.timeout_count, 1);
  });

  it("answers 409 for an undeployed PyTorch model, and tree models infer directly", async () => {
    em = await startTestEmulator();
    await createPytorchModel(em, "m");
    expectError(
      await em.es("POST", "/_ml/trained_models/m/_infer", { docs: [{ text_field: "x" }] }),
      409,
      "status_exception",
      "Model [m] must be deployed to use. Please deploy with the start trained model deployment API.",
    );
    const lang = await em.es("POST", "/_ml/trained_models/lang_ident_model_1/_infer", {
      docs: [{ text: "hello" }],
    });
    assert.equal(lang.status, 200);
    assert.equal(typeof lang.body.inference_results[0].predicted_value, "string");
    expectError(
      await em.es("POST", "/_ml/trained_models/m/_infer", { docs: [] }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: at least one document is required;",
    );
  });
});

describe("emulator: adaptive allocations", () => {
  let em: TestEmulator;
  afterEach(() => em.close());

  it("scales up under queued load and back down when idle", async () => {
    em = await startTestEmulator({ inferLatencyMs: 30, adaptiveIntervalMs: 20 });
    await createPytorchModel(em, "m");
    const res = await em.es("POST", "/_ml/trained_models/m/deployment/_start", {
      adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 3 },
    });
    assert.equal(res.body.assignment.task_parameters.number_of_allocations, 1);
    const load = Array.from({ length: 20 }, (_, i) =>
      em.es("POST", "/_ml/trained_models/m/_infer", { docs: [{ text_field: `t${i}` }] }),
    );
    await until(() => em.handle.admin.state().deployments[0].numberOfAllocations > 1);
    await Promise.all(load);
    await until(() => em.handle.admin.state().deployments[0].numberOfAllocations === 1);
    const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
    assert.deepEqual(stats.body.trained_model_stats[0].deployment_stats.adaptive_allocations, {
      enabled: true,
      min_number_of_allocations: 1,
      max_number_of_allocations: 3,
    });
  });

  it("scales to zero when idle (min 0) and back up when a request arrives", async () => {
    em = await startTestEmulator({ adaptiveIntervalMs: 20, scaleToZeroIdleMs: 40 });
    await createPytorchModel(em, "m");
    await em.es("POST", "/_ml/trained_models/m/deployment/_start", {
      adaptive_allocations: { enabled: true, min_number_of_allocations: 0, max_number_of_allocations: 2 },
    });
    await until(() => em.handle.admin.state().deployments[0].numberOfAllocations === 0);
    const stats = await em.es("GET", "/_ml/trained_models/m/_stats");
    const dep = stats.body.trained_model_stats[0].deployment_stats;
    assert.equal(dep.state, "started");
    assert.deepEqual(dep.allocation_status, {
      allocation_count: 0,
      target_allocation_count: 0,
      state: "fully_allocated",
    });
    const res = await em.es("POST", "/_ml/trained_models/m/_infer", { docs: [{ text_field: "wake up" }] });
    assert.equal(res.status, 200, res.text);
    assert.ok(em.handle.admin.state().deployments[0].numberOfAllocations >= 1);
  });
});

describe("emulator: ingest pipelines", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator();
  });
  afterEach(() => em.close());

  it("stores, lists and deletes pipelines; unknown ids answer 404", async () => {
    const body = { description: "d", processors: [{ inference: { model_id: "m", target_field: "ml" } }] };
    assert.deepEqual((await em.es("PUT", "/_ingest/pipeline/p1", body)).body, { acknowledged: true });
    assert.deepEqual((await em.es("GET", "/_ingest/pipeline/p1")).body, { p1: body });
    assert.deepEqual(Object.keys((await em.es("GET", "/_ingest/pipeline")).body), ["p1"]);
    const missing = await em.es("GET", "/_ingest/pipeline/nope");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {});
    assert.deepEqual((await em.es("DELETE", "/_ingest/pipeline/p1")).body, { acknowledged: true });
    expectError(
      await em.es("DELETE", "/_ingest/pipeline/p1"),
      404,
      "resource_not_found_exception",
      "pipeline [p1] is missing",
    );
  });

  it("validates processors", async () => {
    expectError(
      await em.es("PUT", "/_ingest/pipeline/p", { processors: [{ teleport: {} }] }),
      400,
      "parse_exception",
      "No processor type exists with name [teleport]",
    );
    const noModel = await em.es("PUT", "/_ingest/pipeline/p", {
      processors: [{ inference: { target_field: "x" } }],
    });
    expectError(noModel, 400, "parse_exception", "[model_id] required property is missing");
    assert.equal(noModel.body.error.processor_type, "inference");
    expectError(
      await em.es("PUT", "/_ingest/pipeline/p", { description: "x" }),
      400,
      "parse_exception",
      "[processors] required property is missing",
    );
  });
});
