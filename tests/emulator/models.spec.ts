import { strict as assert } from "node:assert";
import { createPytorchModel, expectError, startDeployment, startTestEmulator, TestEmulator } from "./helpers";

describe("emulator: cluster and trained models", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator({ clusterUuid: "test-cluster-uuid" });
  });
  afterEach(() => em.close());

  it("answers GET / with the version, cluster uuid and the product header", async () => {
    const res = await em.es("GET", "/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-elastic-product"), "Elasticsearch");
    assert.equal(res.body.version.number, "9.2.0");
    assert.equal(res.body.cluster_uuid, "test-cluster-uuid");
    assert.equal(res.body.tagline, "You Know, for Search");
    assert.equal(typeof res.body.version.build_hash, "string");
  });

  it("always has lang_ident_model_1 as a built-in tree model that cannot be deployed", async () => {
    const res = await em.es("GET", "/_ml/trained_models/lang_ident_model_1");
    assert.equal(res.status, 200);
    assert.equal(res.body.count, 1);
    assert.equal(res.body.trained_model_configs[0].model_type, "lang_ident");
    assert.deepEqual(res.body.trained_model_configs[0].tags, ["lang_ident", "prepackaged"]);
    const start = await em.es("POST", "/_ml/trained_models/lang_ident_model_1/deployment/_start");
    expectError(
      start,
      400,
      "status_exception",
      "model [lang_ident_model_1] of type [lang_ident] cannot be deployed. Only PyTorch models can be deployed",
    );
  });

  it("validates model ids: pattern and 64-character limit, both messages at once", async () => {
    const long = `A${"b".repeat(70)}`;
    const res = await em.es("PUT", `/_ml/trained_models/${long}`, {
      model_type: "pytorch",
      inference_config: { pass_through: {} },
      input: { field_names: ["t"] },
    });
    expectError(
      res,
      400,
      "action_request_validation_exception",
      `Validation Failed: 1: Invalid model_id; '${long}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric;2: Invalid model_id; '${long}' cannot contain more than 64 characters.;`,
    );
  });

  it("rejects a duplicate model, missing fields and unknown body fields", async () => {
    await createPytorchModel(em, "dup");
    const again = await em.es("PUT", "/_ml/trained_models/dup", {
      model_type: "pytorch",
      inference_config: { pass_through: {} },
      input: { field_names: ["t"] },
    });
    expectError(
      again,
      400,
      "resource_already_exists_exception",
      "Trained machine learning model [dup] already exists",
    );
    const missing = await em.es("PUT", "/_ml/trained_models/m2", { model_type: "pytorch" });
    expectError(
      missing,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [inference_config] must not be null.;2: [input] must not be null.;",
    );
    const unknown = await em.es("PUT", "/_ml/trained_models/m3", { model_type: "pytorch", colour: "red" });
    expectError(
      unknown,
      400,
      "x_content_parse_exception",
      /^\[1:\d+\] \[trained_model_config\] unknown field \[colour\]$/,
    );
    const badType = await em.es("PUT", "/_ml/trained_models/m4", {
      model_type: "onnx",
      inference_config: { pass_through: {} },
      input: { field_names: ["t"] },
    });
    expectError(
      badType,
      400,
      "illegal_argument_exception",
      "No enum constant org.elasticsearch.xpack.core.ml.inference.TrainedModelType.ONNX",
    );
  });

  it("tracks definition parts: missing, truncated and complete definitions", async () => {
    await em.es("PUT", "/_ml/trained_models/parts", {
      model_type: "pytorch",
      inference_config: { text_embedding: {} },
      input: { field_names: ["text_field"] },
    });
    expectError(
      await em.es("POST", "/_ml/trained_models/parts/deployment/_start"),
      404,
      "resource_not_found_exception",
      "Could not find trained model definition [parts]",
    );
    const part0 = await em.es("PUT", "/_ml/trained_models/parts/definition/0", {
      definition: Buffer.alloc(10).toString("base64"),
      total_definition_length: 20,
      total_parts: 2,
    });
    assert.deepEqual(part0.body, { acknowledged: true });
    const status = await em.es("GET", "/_ml/trained_models/parts?include=definition_status");
    assert.equal(status.body.trained_model_configs[0].fully_defined, false);
    expectError(
      await em.es("POST", "/_ml/trained_models/parts/deployment/_start"),
      400,
      "status_exception",
      "Model definition truncated. Unable to deserialize trained model definition [parts]",
    );
    const duplicatePart = await em.es("PUT", "/_ml/trained_models/parts/definition/0", {
      definition: Buffer.alloc(10).toString("base64"),
      total_definition_length: 20,
      total_parts: 2,
    });
    assert.equal(duplicatePart.status, 400);
    await em.es("PUT", "/_ml/trained_models/parts/definition/1", {
      definition: Buffer.alloc(10).toString("base64"),
      total_definition_length: 20,
      total_parts: 2,
    });
    const complete = await em.es("GET", "/_ml/trained_models/parts?include=definition_status");
    assert.equal(complete.body.trained_model_configs[0].fully_defined, true);
    await startDeployment(em, "parts");
  });

  it("validates definition part requests", async () => {
    await createPytorchModel(em, "p");
    const bad = await em.es("PUT", "/_ml/trained_models/p/definition/3", {
      definition: "AAAA",
      total_definition_length: 0,
      total_parts: 2,
    });
    expectError(
      bad,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [part] must be less than total_parts;2: [total_definition_length] must be greater than 0;",
    );
    const missingFields = await em.es("PUT", "/_ml/trained_models/p/definition/0", { definition: "AAAA" });
    expectError(
      missingFields,
      400,
      "x_content_parse_exception",
      "[1:1] Required [total_definition_length, total_parts]",
    );
    const unknownModel = await em.es("PUT", "/_ml/trained_models/nope/definition/0", {
      definition: "AAAA",
      total_definition_length: 3,
      total_parts: 1,
    });
    expectError(
      unknownModel,
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [nope]",
    );
  });

  it("lists models with expansion, allow_no_match, from/size and include rules", async () => {
    await createPytorchModel(em, "alpha");
    await createPytorchModel(em, "beta");
    const all = await em.es("GET", "/_ml/trained_models");
    assert.equal(all.body.count, 3);
    assert.deepEqual(
      all.body.trained_model_configs.map((c: { model_id: string }) => c.model_id),
      ["alpha", "beta", "lang_ident_model_1"],
    );
    const page = await em.es("GET", "/_ml/trained_models/_all?from=1&size=1");
    assert.equal(page.body.count, 3);
    assert.deepEqual(
      page.body.trained_model_configs.map((c: { model_id: string }) => c.model_id),
      ["beta"],
    );
    const wildcard = await em.es("GET", "/_ml/trained_models/a*,b*");
    assert.equal(wildcard.body.count, 2);
    const none = await em.es("GET", "/_ml/trained_models/zz*");
    assert.deepEqual(none.body, { count: 0, trained_model_configs: [] });
    expectError(
      await em.es("GET", "/_ml/trained_models/zz*?allow_no_match=false"),
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [zz*]",
    );
    expectError(
      await em.es("GET", "/_ml/trained_models/alpha,missing"),
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [missing]",
    );
    expectError(
      await em.es("GET", "/_ml/trained_models/alpha?include=definition"),
      400,
      "status_exception",
      "[alpha] is type [pytorch] and does not support retrieving the definition",
    );
    expectError(
      await em.es("GET", "/_ml/trained_models/a*,b*?include=definition_status"),
      400,
      "status_exception",
      "Getting the model download status is not supported when getting more than one model",
    );
    expectError(
      await em.es("GET", "/_ml/trained_models/lang_ident_model_1?include=definition_status"),
      400,
      "status_exception",
      "Definition status is only relevant to PyTorch model types",
    );
  });

  it("manages model aliases: rules, reassign and GET by alias", async () => {
    await createPytorchModel(em, "first");
    await createPytorchModel(em, "second");
    expectError(
      await em.es("PUT", "/_ml/trained_models/first/model_aliases/alias1"),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: Invalid model_alias; 'alias1' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start with alphanumeric and cannot end with numbers;",
    );
    expectError(
      await em.es("PUT", "/_ml/trained_models/first/model_aliases/second"),
      400,
      "status_exception",
      "model_alias cannot be the same as an existing trained model_id",
    );
    assert.deepEqual((await em.es("PUT", "/_ml/trained_models/first/model_aliases/current")).body, {
      acknowledged: true,
    });
    const byAlias = await em.es("GET", "/_ml/trained_models/current");
    assert.equal(byAlias.body.trained_model_configs[0].model_id, "first");
    assert.deepEqual(byAlias.body.trained_model_configs[0].metadata.model_aliases, ["current"]);
    expectError(
      await em.es("PUT", "/_ml/trained_models/second/model_aliases/current"),
      400,
      "status_exception",
      "cannot assign model_alias [current] to model_id [second] as model_alias already refers to [first]. Set parameter [reassign] to [true] if model_alias should be reassigned.",
    );
    await startDeployment(em, "first");
    expectError(
      await em.es("PUT", "/_ml/trained_models/second/model_aliases/current?reassign=true"),
      409,
      "status_exception",
      "cannot reassign model_alias [current] to model [second] from model [first] as it is not yet deployed",
    );
    await startDeployment(em, "second");
    assert.equal(
      (await em.es("PUT", "/_ml/trained_models/second/model_aliases/current?reassign")).status,
      200,
    );
    expectError(
      await em.es("DELETE", "/_ml/trained_models/first/model_aliases/current"),
      409,
      "status_exception",
      "trained model alias [current] does not refer to provided model [first]",
    );
    assert.equal((await em.es("DELETE", "/_ml/trained_models/second/model_aliases/current")).status, 200);
    expectError(
      await em.es("GET", "/_ml/trained_models/current"),
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [current]",
    );
  });

  it("refuses to delete a deployed model unless forced; force stops the deployment", async () => {
    await createPytorchModel(em, "deployed");
    await startDeployment(em, "deployed");
    expectError(
      await em.es("DELETE", "/_ml/trained_models/deployed"),
      409,
      "status_exception",
      "Cannot delete model [deployed] as it is currently deployed; use force to delete the model",
    );
    assert.deepEqual((await em.es("DELETE", "/_ml/trained_models/deployed?force=true")).body, {
      acknowledged: true,
    });
    assert.equal(em.handle.admin.state().deployments.length, 0);
    expectError(
      await em.es("DELETE", "/_ml/trained_models/deployed"),
      404,
      "resource_not_found_exception",
      "No known trained model with model_id [deployed]",
    );
  });

  it("refuses a model id that is the id of a current deployment", async () => {
    await createPytorchModel(em, "base");
    await startDeployment(em, "base", "deployment_id=base-for-search");
    const res = await em.es("PUT", "/_ml/trained_models/base-for-search", {
      model_type: "pytorch",
      inference_config: { pass_through: {} },
      input: { field_names: ["t"] },
    });
    expectError(
      res,
      400,
      "status_exception",
      "Cannot create model [base-for-search] the id is the same as an current model deployment",
    );
  });
});
