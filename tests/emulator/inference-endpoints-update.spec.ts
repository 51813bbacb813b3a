import assert from "node:assert/strict";
import { createPytorchModel, startTestEmulator, type TestEmulator } from "./helpers";

const ELSER = ".elser_model_2_linux-x86_64";
const elser = {
  service: "elasticsearch",
  service_settings: { model_id: ELSER, num_allocations: 1, num_threads: 1 },
};
const reasonOf = (res: { body: { error: { type: string; reason: string } } }) =>
  `${res.body.error.type}: ${res.body.error.reason}`;
const allocations = async (em: TestEmulator, deploymentId: string) =>
  (await em.es("GET", `/_ml/trained_models/${deploymentId}/_stats`)).body.trained_model_stats[0]
    .deployment_stats.number_of_allocations;

describe("emulator: PUT _inference/<task>/<id>/_update and POST _inference", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator({ modelDownloadMs: 10 });
    assert.equal((await em.es("PUT", "/_inference/sparse_embedding/e", elser)).status, 200);
  });
  afterEach(() => em.close());

  it("scales the endpoint's own deployment in place; the ML _update of it is refused (9.2)", async () => {
    const res = await em.es("PUT", "/_inference/sparse_embedding/e/_update", {
      service_settings: { num_allocations: 2 },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.service_settings, { num_allocations: 2, num_threads: 1, model_id: ELSER });
    assert.equal(await allocations(em, "e"), 2);
    assert.equal((await em.es("GET", "/_inference/e")).body.endpoints[0].service_settings.num_allocations, 2);
    const ml = await em.es("POST", "/_ml/trained_models/e/deployment/_update", { number_of_allocations: 3 });
    assert.equal(ml.status, 409);
    assert.equal(
      reasonOf(ml),
      "status_exception: Cannot update deployment [e] as it was created by inference endpoint [e]. This model deployment must be updated through the inference API.",
    );
  });

  it("validates an update with the creation's messages and the ML update's rules", async () => {
    const cases: [string, unknown, number, string][] = [
      [
        "/_inference/e/_update",
        { service_settings: { num_allocations: 2 } },
        400,
        "status_exception: model is missing required setting [task_type]",
      ],
      [
        "/_inference/text_embedding/e/_update",
        { service_settings: { num_allocations: 2 } },
        400,
        "status_exception: Task type must match the task type of the existing endpoint",
      ],
      [
        "/_inference/sparse_embedding/none/_update",
        { service_settings: { num_allocations: 2 } },
        404,
        "resource_not_found_exception: The inference endpoint [none] does not exist and cannot be updated",
      ],
      [
        "/_inference/sparse_embedding/e/_update",
        { service_settings: { num_allocations: 0 } },
        400,
        "validation_exception: Validation Failed: 1: [service_settings] Invalid value [0]. [num_allocations] must be a positive integer;",
      ],
      [
        "/_inference/sparse_embedding/e/_update",
        { service_settings: { num_allocations: 64 } },
        429,
        "status_exception: Could not update deployment because there are not enough resources to provide all requested allocations",
      ],
    ];
    for (const [path, body, status, reason] of cases) {
      const res = await em.es("PUT", path, body);
      assert.equal(res.status, status, `${path}: ${res.text}`);
      assert.equal(reasonOf(res), reason);
    }
    assert.equal(await allocations(em, "e"), 1);
  });

  it("switches to adaptive allocations, after which a fixed count is refused", async () => {
    const adaptive = { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 2 };
    const res = await em.es("PUT", "/_inference/sparse_embedding/e/_update", {
      service_settings: { adaptive_allocations: adaptive },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.service_settings.adaptive_allocations, adaptive);
    const fixed = await em.es("PUT", "/_inference/sparse_embedding/e/_update", {
      service_settings: { num_allocations: 2 },
    });
    assert.equal(
      reasonOf(fixed),
      "action_request_validation_exception: Validation Failed: 1: [number_of_allocations] cannot be set if adaptive allocations is enabled;",
    );
  });

  it("refuses to update a deployment the endpoint only uses (9.2); 9.1 passes the update on", async () => {
    await createPytorchModel(em, "sparse", { task: "text_expansion" });
    await em.es("POST", "/_ml/trained_models/sparse/deployment/_start?deployment_id=dep&wait_for=started");
    await em.es("PUT", "/_inference/sparse_embedding/user", {
      service: "elasticsearch",
      service_settings: { deployment_id: "dep" },
    });
    await em.es("PUT", "/_inference/sparse_embedding/second", {
      service: "elasticsearch",
      service_settings: { deployment_id: "e" },
    });
    const used = await em.es("PUT", "/_inference/sparse_embedding/user/_update", {
      service_settings: { num_allocations: 2 },
    });
    assert.equal(
      reasonOf(used),
      "status_exception: Cannot update inference endpoint [user] using model deployment [dep]. The model deployment must be updated through the trained models API.",
    );
    const other = await em.es("PUT", "/_inference/sparse_embedding/second/_update", {
      service_settings: { num_allocations: 2 },
    });
    assert.equal(
      reasonOf(other),
      "status_exception: Cannot update inference endpoint [second] for model deployment [e] as it was created by another inference endpoint. The model can only be updated using inference endpoint id [e].",
    );
    const old = await startTestEmulator({ esVersion: "9.1.0", modelDownloadMs: 10 });
    try {
      await createPytorchModel(old, "sparse", { task: "text_expansion" });
      await old.es("POST", "/_ml/trained_models/sparse/deployment/_start?deployment_id=dep&wait_for=started");
      await old.es("PUT", "/_inference/sparse_embedding/user", {
        service: "elasticsearch",
        service_settings: { deployment_id: "dep" },
      });
      const passed = await old.es("PUT", "/_inference/sparse_embedding/user/_update", {
        service_settings: { num_allocations: 2 },
      });
      assert.equal(passed.status, 200, passed.text);
      assert.equal(await allocations(old, "dep"), 2);
    } finally {
      await old.close();
    }
  });

  it("answers POST _inference through the deployment's queue, shaped per task type", async () => {
    const sparse = await em.es("POST", "/_inference/sparse_embedding/e", { input: ["Hello world", "hello"] });
    assert.equal(sparse.status, 200, sparse.text);
    assert.equal(sparse.body.sparse_embedding.length, 2);
    assert.equal(sparse.body.sparse_embedding[0].is_truncated, false);
    assert.deepEqual(Object.keys(sparse.body.sparse_embedding[0].embedding), ["hello", "world"]);
    const stats = await em.es("GET", "/_ml/trained_models/e/_stats");
    // Both inputs went through the deployment (counted per document, as _infer counts them).
    assert.equal(stats.body.trained_model_stats[0].deployment_stats.nodes[0].inference_count, 2);
    const mismatch = await em.es("POST", "/_inference/text_embedding/e", { input: "x" });
    assert.equal(
      reasonOf(mismatch),
      "status_exception: Requested task type [text_embedding] does not match the inference endpoint's task type [sparse_embedding]",
    );
    const missing = await em.es("POST", "/_inference/nope", { input: "x" });
    assert.equal(reasonOf(missing), "resource_not_found_exception: Inference endpoint not found [nope]");
  });

  it("validates inference requests first and ranks documents for rerank endpoints", async () => {
    const cases: [string, unknown, string][] = [
      ["/_inference/e", {}, "Field [input] cannot be null if using input style request schema"],
      ["/_inference/e", { input: [] }, "Field [input] cannot be an empty array"],
      ["/_inference/rerank/nope", { input: ["a"] }, "Field [query] cannot be null for task type [rerank]"],
    ];
    for (const [path, body, message] of cases) {
      const res = await em.es("POST", path, body);
      assert.equal(reasonOf(res), `action_request_validation_exception: Validation Failed: 1: ${message};`);
    }
    const put = await em.es("PUT", "/_inference/rerank/rr", {
      service: "elasticsearch",
      service_settings: { model_id: ".rerank-v1", num_allocations: 1, num_threads: 1 },
    });
    assert.equal(put.status, 200, put.text);
    const noQuery = await em.es("POST", "/_inference/rr", { input: ["a"] });
    assert.equal(noQuery.status, 400);
    const ranked = await em.es("POST", "/_inference/rr", { query: "star", input: ["luke", "leia", "han"] });
    assert.equal(ranked.status, 200, ranked.text);
    const scores = ranked.body.rerank.map((r: { relevance_score: number }) => r.relevance_score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    assert.deepEqual(ranked.body.rerank.map((r: { index: number; text: string }) => r.text).sort(), [
      "han",
      "leia",
      "luke",
    ]);
  });

  it("starts a preconfigured endpoint's deployment on first use", async () => {
    const before = (await em.es("GET", "/_inference/.multilingual-e5-small-elasticsearch")).body.endpoints[0];
    assert.equal(before.service_settings.num_allocations, undefined);
    const res = await em.es("POST", "/_inference/.multilingual-e5-small-elasticsearch", { input: "bonjour" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.text_embedding[0].embedding.length, 8);
    const after = (await em.es("GET", "/_inference/.multilingual-e5-small-elasticsearch")).body.endpoints[0];
    assert.equal(after.service_settings.num_allocations, 1);
    const stats = await em.es("GET", "/_ml/trained_models/.multilingual-e5-small-elasticsearch/_stats");
    assert.equal(stats.body.trained_model_stats[0].model_id, ".multilingual-e5-small_linux-x86_64");
  });
});
