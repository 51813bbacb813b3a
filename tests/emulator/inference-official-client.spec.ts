import { strict as assert } from "node:assert";
import { Client, errors } from "@elastic/elasticsearch";
import { startTestEmulator, TestEmulator } from "./helpers";

describe("emulator: inference endpoints driven by the official @elastic/elasticsearch client", () => {
  let em: TestEmulator;
  let client: Client;
  beforeEach(async () => {
    em = await startTestEmulator({ modelDownloadMs: 10 });
    client = new Client({ node: em.url, maxRetries: 0 });
  });
  afterEach(async () => {
    await client.close();
    await em.close();
  });

  it("creates, reads, scales, uses and deletes an ELSER endpoint referenced by a pipeline and an index", async () => {
    const created = await client.inference.put({
      task_type: "sparse_embedding",
      inference_id: "client-elser",
      inference_config: {
        service: "elasticsearch",
        service_settings: { model_id: ".elser_model_2_linux-x86_64", num_allocations: 1, num_threads: 1 },
      },
    });
    assert.equal(created.inference_id, "client-elser");
    const got = await client.inference.get({ inference_id: "client-elser" });
    assert.equal(got.endpoints[0].service_settings.model_id, ".elser_model_2_linux-x86_64");
    const updated = await client.inference.update({
      task_type: "sparse_embedding",
      inference_id: "client-elser",
      inference_config: { service_settings: { num_allocations: 2 } } as never,
    });
    assert.equal(updated.service_settings.num_allocations, 2);
    const result = await client.inference.sparseEmbedding({
      inference_id: "client-elser",
      input: "hello world",
    });
    assert.deepEqual(Object.keys(result.sparse_embedding[0].embedding), ["hello", "world"]);

    await client.ingest.putPipeline({ id: "p", processors: [{ inference: { model_id: "client-elser" } }] });
    await client.indices.create({
      index: "docs",
      mappings: { properties: { body: { type: "semantic_text", inference_id: "client-elser" } } },
    });
    const dry = await client.inference.delete({ inference_id: "client-elser", dry_run: true });
    assert.deepEqual(dry.pipelines, ["p"]);
    await assert.rejects(client.inference.delete({ inference_id: "client-elser" }), (error: unknown) => {
      assert.ok(error instanceof errors.ResponseError);
      assert.equal(error.statusCode, 409);
      assert.match(String(error.body.error.reason), /is referenced by pipelines: \[p\]/);
      return true;
    });
    const forced = await client.inference.delete({ inference_id: "client-elser", force: true });
    assert.equal(forced.acknowledged, true);
    const mapping = await client.indices.getMapping({ index: "docs" });
    assert.equal(mapping.docs.mappings.properties?.body.type, "semantic_text");
  });
});
