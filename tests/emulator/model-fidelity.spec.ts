import { strict as assert } from "node:assert";
import { gzipSync } from "node:zlib";
import { createPytorchModel, expectError, startDeployment, startTestEmulator, TestEmulator } from "./helpers";

const tree = (splitFeature: number, targetType = "regression") => ({
  trained_model: {
    tree: {
      feature_names: ["f0"],
      tree_structure: [
        { node_index: 0, split_feature: splitFeature, threshold: 0.5, left_child: 1, right_child: 2 },
        { node_index: 1, leaf_value: 1 },
        { node_index: 2, leaf_value: 2 },
      ],
      target_type: targetType,
    },
  },
});

const treeModel = (task: "regression" | "classification", definition: unknown = tree(0, task)) => ({
  input: { field_names: ["f0"] },
  inference_config: { [task]: {} },
  definition,
});

describe("emulator: trained model API fidelity", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator();
  });
  afterEach(() => em.close());

  it("a PyTorch model without input gets [input]; an empty field list is refused", async () => {
    const put = await em.es("PUT", "/_ml/trained_models/no-input", {
      model_type: "pytorch",
      inference_config: { text_embedding: {} },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.input, { field_names: ["input"] });
    const empty = await em.es("PUT", "/_ml/trained_models/empty-input", {
      model_type: "pytorch",
      inference_config: { text_embedding: {} },
      input: { field_names: [] },
    });
    expectError(
      empty,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [input.field_names] must not be empty;",
    );
    // Tree models have no default input.
    const treeNoInput = await em.es("PUT", "/_ml/trained_models/tree-no-input", {
      inference_config: { regression: {} },
      definition: tree(0),
    });
    expectError(
      treeNoInput,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [input] must not be null.;",
    );
  });

  it("refuses the fields only the server sets, packaged or not", async () => {
    const generated = {
      version: "8.0.0",
      created_by: "me",
      location: { index: { name: "x" } },
      metadata: { model_aliases: ["a"] },
    };
    const custom = await em.es("PUT", "/_ml/trained_models/gen", {
      model_type: "pytorch",
      inference_config: { pass_through: {} },
      input: { field_names: ["t"] },
      ...generated,
    });
    expectError(
      custom,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: illegal to set [version] at inference model creation;" +
        "2: illegal to set [created_by] at inference model creation;" +
        "3: illegal to set [location] at inference model creation;" +
        "4: illegal to set [metadata.model_aliases] at inference model creation;",
    );
    const packaged = await em.es("PUT", "/_ml/trained_models/.elser_model_2", {
      input: { field_names: ["t"] },
      model_package: { packaged_model_id: "elser_model_2" },
    });
    expectError(
      packaged,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: illegal to set [model_package] at inference model creation;",
    );
  });

  it("fill_mask's mask token follows the tokenizer; one that does not fit is refused", async () => {
    const put = (id: string, fillMask: Record<string, unknown>) =>
      em.es("PUT", `/_ml/trained_models/${id}`, {
        model_type: "pytorch",
        inference_config: { fill_mask: fillMask },
        input: { field_names: ["text_field"] },
      });
    const bert = await put("bert-mask", {});
    assert.equal(bert.body.inference_config.fill_mask.mask_token, "[MASK]");
    const roberta = await put("roberta-mask", { tokenization: { roberta: {} } });
    assert.equal(roberta.body.inference_config.fill_mask.mask_token, "<mask>");
    const wrong = await put("wrong-mask", { tokenization: { roberta: {} }, mask_token: "[MASK]" });
    expectError(
      wrong,
      400,
      "x_content_parse_exception",
      /\[trained_model_config\] failed to parse field \[inference_config\]$/,
    );
    assert.equal(wrong.body.error.caused_by.type, "illegal_argument_exception");
    assert.equal(
      wrong.body.error.caused_by.reason,
      "Mask token requested was [[MASK]] but must be [<mask>] for this model",
    );
  });

  it("refuses a vocabulary location inside an NLP inference config", async () => {
    const res = await em.es("PUT", "/_ml/trained_models/with-vocab", {
      model_type: "pytorch",
      inference_config: { text_embedding: { vocabulary: { index: "my-index" } } },
      input: { field_names: ["text_field"] },
    });
    expectError(res, 400, "x_content_parse_exception", /failed to parse field \[inference_config\]$/);
    assert.match(res.body.error.caused_by.reason, /\[text_embedding\] failed to parse field \[vocabulary\]$/);
    assert.deepEqual(res.body.error.caused_by.caused_by, {
      type: "status_exception",
      reason: "illegal setting [vocabulary] on inference model creation",
    });
  });

  it("compressed definitions: deferred decompression needs model_size_bytes; GET returns the stored text", async () => {
    const compressed = gzipSync(JSON.stringify(tree(0))).toString("base64");
    const body = {
      input: { field_names: ["f0"] },
      inference_config: { regression: {} },
      compressed_definition: compressed,
    };
    const deferred = await em.es(
      "PUT",
      "/_ml/trained_models/deferred?defer_definition_decompression=true",
      body,
    );
    expectError(
      deferred,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: when [defer_definition_decompression] is true and a compressed definition is provided, model_size_bytes must be set;",
    );
    const sized = await em.es("PUT", "/_ml/trained_models/deferred?defer_definition_decompression=true", {
      ...body,
      model_size_bytes: 1000,
    });
    assert.equal(sized.status, 200, sized.text);
    const raw = await em.es(
      "GET",
      "/_ml/trained_models/deferred?include=definition&decompress_definition=false&exclude_generated=true",
    );
    assert.equal(raw.status, 200, raw.text);
    const config = raw.body.trained_model_configs[0];
    assert.equal(config.compressed_definition, compressed);
    assert.equal(config.create_time, undefined);
    const parsed = await em.es("GET", "/_ml/trained_models/deferred?include=definition");
    assert.deepEqual(parsed.body.trained_model_configs[0].definition, tree(0));
    // Not deferred: the definition must decompress.
    const broken = await em.es("PUT", "/_ml/trained_models/broken", {
      ...body,
      compressed_definition: "AAAA",
    });
    expectError(broken, 400, "status_exception", "Failed to parse definition for [broken]");
  });

  it("tree-ensemble definitions are validated: empty ensemble, feature index, target type", async () => {
    const empty = await em.es(
      "PUT",
      "/_ml/trained_models/empty-ensemble",
      treeModel("regression", { trained_model: { ensemble: { feature_names: [], trained_models: [] } } }),
    );
    expectError(empty, 400, "status_exception", "Definition for [empty-ensemble] has validation failures.");
    assert.deepEqual(empty.body.error.caused_by, {
      type: "status_exception",
      reason: "[trained_models] must not be empty",
    });
    const outOfRange = await em.es(
      "PUT",
      "/_ml/trained_models/bad-feature",
      treeModel("regression", tree(3)),
    );
    expectError(outOfRange, 400, "status_exception", "Definition for [bad-feature] has validation failures.");
    assert.equal(
      outOfRange.body.error.caused_by.reason,
      "feature index [3] is out of bounds for the [feature_names] array",
    );
    const mismatch = await em.es(
      "PUT",
      "/_ml/trained_models/mismatch",
      treeModel("classification", tree(0, "regression")),
    );
    expectError(
      mismatch,
      400,
      "status_exception",
      "Model [mismatch] inference config type [classification] does not support definition target type [regression]",
    );
    assert.equal((await em.es("PUT", "/_ml/trained_models/good-tree", treeModel("regression"))).status, 200);
  });

  it("deleting a model whose alias a pipeline uses names the alias; aliases keep their inference type", async () => {
    assert.equal((await em.es("PUT", "/_ml/trained_models/reg-a", treeModel("regression"))).status, 200);
    assert.equal((await em.es("PUT", "/_ml/trained_models/cls-b", treeModel("classification"))).status, 200);
    assert.equal((await em.es("PUT", "/_ml/trained_models/reg-a/model_aliases/my-model")).status, 200);
    const pipeline = await em.es("PUT", "/_ingest/pipeline/p1", {
      processors: [{ inference: { model_id: "my-model" } }],
    });
    assert.equal(pipeline.status, 200, pipeline.text);
    const del = await em.es("DELETE", "/_ml/trained_models/reg-a");
    expectError(
      del,
      409,
      "status_exception",
      "Cannot delete model [reg-a] as it has a model_alias [my-model] that is still referenced by ingest processors; use force to delete the model",
    );
    const reassign = await em.es("PUT", "/_ml/trained_models/cls-b/model_aliases/my-model?reassign=true");
    expectError(
      reassign,
      400,
      "status_exception",
      "cannot reassign model_alias [my-model] to model [cls-b] with inference config type [classification] from model [reg-a] with type [regression]",
    );
  });

  it("a pipeline naming the model is reported before its deployments", async () => {
    await createPytorchModel(em, "used");
    await startDeployment(em, "used");
    await em.es("PUT", "/_ingest/pipeline/p2", { processors: [{ inference: { model_id: "used" } }] });
    const del = await em.es("DELETE", "/_ml/trained_models/used");
    expectError(
      del,
      409,
      "status_exception",
      "Cannot delete model [used] as it is still referenced by ingest processors; use force to delete the model",
    );
  });

  it("_infer checks every document's input field: missing, or not a string", async () => {
    await createPytorchModel(em, "reader", { task: "text_embedding" });
    await startDeployment(em, "reader", "wait_for=started");
    const missing = await em.es("POST", "/_ml/trained_models/reader/_infer", {
      docs: [{ text_field: "ok" }, { other: "x" }],
    });
    expectError(
      missing,
      400,
      "status_exception",
      "Input field [text_field] does not exist in the source document",
    );
    const number = await em.es("POST", "/_ml/trained_models/reader/_infer", { docs: [{ text_field: 42 }] });
    expectError(number, 400, "status_exception", "Input value [42] for field [text_field] must be a string");
    const fine = await em.es("POST", "/_ml/trained_models/reader/_infer", {
      docs: [{ text_field: "hello" }],
    });
    assert.equal(fine.status, 200, fine.text);
  });

  it("clears a deployment's inference cache; an unknown deployment is a 404", async () => {
    await createPytorchModel(em, "cached");
    await startDeployment(em, "cached", "wait_for=started&cache_size=10kb");
    const infer = () =>
      em.es("POST", "/_ml/trained_models/cached/_infer", { docs: [{ text_field: "same" }] });
    await infer();
    await infer();
    const cleared = await em.es("POST", "/_ml/trained_models/cached/deployment/cache/_clear");
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual(cleared.body, { cleared: true });
    await infer();
    const stats = await em.es("GET", "/_ml/trained_models/cached/_stats");
    const node = stats.body.trained_model_stats[0].deployment_stats.nodes[0];
    assert.equal(node.inference_count, 3);
    assert.equal(node.inference_cache_hit_count, 1);
    const unknown = await em.es("POST", "/_ml/trained_models/nope/deployment/cache/_clear");
    expectError(unknown, 404, "resource_not_found_exception", "No known model deployment with id [nope]");
  });

  it("_cat/ml/trained_models lists models as text (v: header) and as JSON", async () => {
    await createPytorchModel(em, "catted");
    const text = await em.es("GET", "/_cat/ml/trained_models?v=true");
    assert.equal(text.status, 200, text.text);
    assert.match(text.headers.get("content-type") ?? "", /^text\/plain/);
    const lines = text.text.trimEnd().split("\n");
    assert.deepEqual(lines[0].split(/\s+/), [
      "id",
      "heap_size",
      "operations",
      "create_time",
      "ingest.pipelines",
      "data_frame.id",
    ]);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(" ")[0]),
      ["catted", "lang_ident_model_1"],
    );
    const json = await em.es("GET", "/_cat/ml/trained_models/catted?format=json&h=id,hs,type&bytes=b");
    assert.deepEqual(json.body, [{ id: "catted", heap_size: "1630", type: "pytorch" }]);
  });
});

describe("emulator: deployment cache clearing by version", () => {
  it("does not exist before 8.5", async () => {
    const em = await startTestEmulator({ esVersion: "8.4.0" });
    try {
      const res = await em.es("POST", "/_ml/trained_models/x/deployment/cache/_clear");
      assert.equal(res.status, 400);
      assert.match(res.body.error, /^no handler found for uri/);
    } finally {
      await em.close();
    }
  });
});
