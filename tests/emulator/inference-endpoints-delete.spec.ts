import assert from "node:assert/strict";
import { createPytorchModel, startTestEmulator, type TestEmulator } from "./helpers";

const ELSER = ".elser_model_2_linux-x86_64";
const elser = {
  service: "elasticsearch",
  service_settings: { model_id: ELSER, num_allocations: 1, num_threads: 1 },
};
const reasonOf = (res: { body: { error: { type: string; reason: string } } }) =>
  `${res.body.error.type}: ${res.body.error.reason}`;
const PIPELINE_MSG =
  "Inference endpoint e is referenced by pipelines: [p]. Ensure that no pipelines are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.";
const INDEX_MSG =
  " Inference endpoint e is being used in the mapping for indexes: [docs]. Ensure that no index mappings are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.";

describe("emulator: DELETE _inference and the references that hold an endpoint", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator({ modelDownloadMs: 20 });
    assert.equal((await em.es("PUT", "/_inference/sparse_embedding/e", elser)).status, 200);
  });
  afterEach(() => em.close());

  it("refuses while a pipeline or a semantic_text field references the endpoint, names them, and lists them on dry_run", async () => {
    await em.es("PUT", "/_ingest/pipeline/p", { processors: [{ inference: { model_id: "e" } }] });
    const index = await em.es("PUT", "/docs", {
      mappings: {
        properties: { body: { properties: { text: { type: "semantic_text", inference_id: "e" } } } },
      },
    });
    assert.deepEqual(index.body, { acknowledged: true, shards_acknowledged: true, index: "docs" });
    const refused = await em.es("DELETE", "/_inference/e");
    assert.equal(refused.status, 409);
    assert.equal(reasonOf(refused), `status_exception: ${PIPELINE_MSG}${INDEX_MSG}`);
    const dry = await em.es("DELETE", "/_inference/sparse_embedding/e?dry_run=true");
    assert.deepEqual(dry.body, {
      acknowledged: false,
      pipelines: ["p"],
      indexes: ["docs"],
      error_message: `${PIPELINE_MSG}${INDEX_MSG}`,
    });
    assert.equal((await em.es("GET", "/_inference/e")).status, 200);
    await em.es("DELETE", "/_ingest/pipeline/p");
    const indexOnly = await em.es("DELETE", "/_inference/e");
    assert.equal(reasonOf(indexOnly), `status_exception: ${INDEX_MSG}`);
    const forced = await em.es("DELETE", "/_inference/e?force=true");
    assert.deepEqual(forced.body, { acknowledged: true, pipelines: [], indexes: [] });
    assert.equal((await em.es("GET", "/_ml/trained_models/e/_stats")).status, 404);
    const gone = await em.es("GET", "/_inference/e");
    assert.equal(gone.status, 404);
    assert.equal(reasonOf(gone), "resource_not_found_exception: Inference endpoint not found [e]");
  });

  it("dry_run without references acknowledges nothing and keeps the endpoint", async () => {
    const dry = await em.es("DELETE", "/_inference/e?dry_run=true");
    assert.deepEqual(dry.body, { acknowledged: false, pipelines: [], indexes: [] });
    assert.equal((await em.es("GET", "/_inference/e")).status, 200);
  });

  it("deleting the owner stops and removes its deployment; a mismatched task type is refused", async () => {
    const mismatch = await em.es("DELETE", "/_inference/text_embedding/e");
    assert.equal(
      reasonOf(mismatch),
      "status_exception: Requested task type [text_embedding] does not match the inference endpoint's task type [sparse_embedding]",
    );
    assert.deepEqual((await em.es("DELETE", "/_inference/e")).body, {
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
    const state = await em.handle.admin.state();
    assert.deepEqual(
      state.deployments.map((d: { deploymentId: string }) => d.deploymentId),
      [],
    );
  });

  it("semantic_text defaults to .elser-2-elasticsearch; index routes answer like Elasticsearch", async () => {
    await em.es("PUT", "/plain", { mappings: { properties: { t: { type: "semantic_text" } } } });
    assert.deepEqual((await em.es("GET", "/plain/_mapping")).body, {
      plain: {
        mappings: { properties: { t: { type: "semantic_text", inference_id: ".elser-2-elasticsearch" } } },
      },
    });
    const empty = await em.es("PUT", "/other", {
      mappings: { properties: { t: { type: "semantic_text", inference_id: "" } } },
    });
    assert.equal(
      reasonOf(empty),
      "mapper_parsing_exception: Failed to parse mapping: [inference_id] on mapper [t] of type [semantic_text] must not be empty",
    );
    const again = await em.es("PUT", "/plain");
    assert.equal(again.body.error.type, "resource_already_exists_exception");
    assert.match(again.body.error.reason, /^index \[plain\/[\w-]{22}\] already exists$/);
    const upper = await em.es("PUT", "/Plain");
    assert.equal(
      reasonOf(upper),
      "invalid_index_name_exception: Invalid index name [Plain], must be lowercase",
    );
    assert.deepEqual((await em.es("DELETE", "/plain")).body, { acknowledged: true });
    const missing = await em.es("GET", "/plain/_mapping");
    assert.equal(missing.status, 404);
    assert.equal(reasonOf(missing), "index_not_found_exception: no such index [plain]");
    assert.equal((await em.es("DELETE", "/plain")).status, 404);
  });

  it("refuses _stop of a deployment an endpoint created or uses unless forced (9.x)", async () => {
    const owned = await em.es("POST", "/_ml/trained_models/e/deployment/_stop");
    assert.equal(owned.status, 409);
    assert.equal(
      reasonOf(owned),
      "status_exception: Cannot stop deployment [e] as it was created by inference endpoint [e]",
    );
    await createPytorchModel(em, "sparse", { task: "text_expansion" });
    await em.es("POST", "/_ml/trained_models/sparse/deployment/_start?deployment_id=dep&wait_for=started");
    await em.es("PUT", "/_inference/sparse_embedding/user", {
      service: "elasticsearch",
      service_settings: { deployment_id: "dep" },
    });
    const used = await em.es("POST", "/_ml/trained_models/dep/deployment/_stop");
    assert.equal(
      reasonOf(used),
      "status_exception: Cannot stop deployment [dep] as it is used by inference endpoint [user]",
    );
    assert.deepEqual((await em.es("POST", "/_ml/trained_models/dep/deployment/_stop?force=true")).body, {
      stopped: true,
    });
    // The endpoint now points at nothing: inference fails as _infer does for an unknown id.
    const broken = await em.es("POST", "/_inference/user", { input: "x" });
    assert.equal(broken.status, 404);
  });

  it("lets the stop through before the check existed (8.18.3) and after the deletion", async () => {
    const old = await startTestEmulator({ esVersion: "8.18.3", modelDownloadMs: 10 });
    try {
      assert.equal((await old.es("PUT", "/_inference/sparse_embedding/e", elser)).status, 200);
      assert.deepEqual((await old.es("POST", "/_ml/trained_models/e/deployment/_stop")).body, {
        stopped: true,
      });
    } finally {
      await old.close();
    }
    const patched = await startTestEmulator({ esVersion: "8.18.4", modelDownloadMs: 10 });
    try {
      assert.equal((await patched.es("PUT", "/_inference/sparse_embedding/e", elser)).status, 200);
      assert.equal((await patched.es("POST", "/_ml/trained_models/e/deployment/_stop")).status, 409);
    } finally {
      await patched.close();
    }
  });
});
