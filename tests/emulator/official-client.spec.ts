import { strict as assert } from "node:assert";
import { Client, errors } from "@elastic/elasticsearch";
import { startTestEmulator, TestEmulator } from "./helpers";

describe("emulator: driven by the official @elastic/elasticsearch client", () => {
  let em: TestEmulator;
  let client: Client;
  beforeEach(async () => {
    em = await startTestEmulator({ mlNodes: 1, processorsPerNode: 8 });
    client = new Client({ node: em.url, maxRetries: 0 });
  });
  afterEach(async () => {
    await client.close();
    await em.close();
  });

  it("creates a model, then starts, scales, infers, reads stats and stops a deployment", async () => {
    const info = await client.info();
    assert.equal(info.version.number, "9.2.0");
    await client.ml.putTrainedModel({
      model_id: "client-model",
      model_type: "pytorch",
      inference_config: { text_embedding: {} },
      input: { field_names: ["text_field"] },
    });
    await client.ml.putTrainedModelVocabulary({ model_id: "client-model", vocabulary: ["[PAD]", "[UNK]"] });
    await client.ml.putTrainedModelDefinitionPart({
      model_id: "client-model",
      part: 0,
      definition: Buffer.alloc(1630, 1).toString("base64"),
      total_definition_length: 1630,
      total_parts: 1,
    });

    const started = await client.ml.startTrainedModelDeployment({
      model_id: "client-model",
      deployment_id: "client-deployment",
      number_of_allocations: 1,
      threads_per_allocation: 2,
      wait_for: "started",
      timeout: "10s",
    });
    assert.equal(started.assignment.assignment_state, "started");
    assert.equal(started.assignment.task_parameters.deployment_id, "client-deployment");
    assert.equal(started.assignment.task_parameters.threads_per_allocation, 2);

    const updated = await client.ml.updateTrainedModelDeployment({
      model_id: "client-deployment",
      number_of_allocations: 2,
    });
    assert.equal(updated.assignment.task_parameters.number_of_allocations, 2);

    const inferred = await client.ml.inferTrainedModel({
      model_id: "client-deployment",
      docs: [{ text_field: "hello" }],
    });
    assert.equal(inferred.inference_results.length, 1);

    const stats = await client.ml.getTrainedModelsStats({ model_id: "client-model" });
    assert.equal(stats.count, 1);
    const deployment = stats.trained_model_stats[0].deployment_stats!;
    assert.equal(deployment.deployment_id, "client-deployment");
    assert.equal(deployment.number_of_allocations, 2);
    assert.equal(deployment.inference_count, 1);

    const stopped = await client.ml.stopTrainedModelDeployment({ model_id: "client-deployment" });
    assert.equal(stopped.stopped, true);
    const after = await client.ml.getTrainedModelsStats({ model_id: "client-model" });
    assert.equal(after.trained_model_stats[0].deployment_stats, undefined);
  });

  it("surfaces Elasticsearch errors as ResponseError with the status and type", async () => {
    await assert.rejects(
      client.ml.startTrainedModelDeployment({ model_id: "missing" }),
      (error: unknown) =>
        error instanceof errors.ResponseError &&
        error.statusCode === 404 &&
        (error.body as { error: { type: string } }).error.type === "resource_not_found_exception",
    );
    await assert.rejects(
      client.ml.stopTrainedModelDeployment({ model_id: "missing", allow_no_match: false }),
      (error: unknown) => error instanceof errors.ResponseError && error.statusCode === 404,
    );
  });
});
