import assert from "node:assert/strict";
import { createPytorchModel, startTestEmulator, type TestEmulator } from "./helpers";

const elserSettings = { model_id: ".elser_model_2", num_allocations: 1, num_threads: 1 };
const reasonOf = (res: { body: { error: { type: string; reason: string } } }) =>
  `${res.body.error.type}: ${res.body.error.reason}`;

async function withEmulator(
  options: Parameters<typeof startTestEmulator>[0],
  run: (em: TestEmulator) => Promise<void>,
): Promise<void> {
  const em = await startTestEmulator({ modelDownloadMs: 10, ...options });
  try {
    await run(em);
  } finally {
    await em.close();
  }
}

const listedIds = async (em: TestEmulator) =>
  (await em.es("GET", "/_inference/_all")).body.endpoints.map(
    (e: { inference_id: string }) => e.inference_id,
  );

describe("emulator: the inference API across versions", () => {
  it("has the preconfigured endpoints from 8.16 (rerank from 8.18), with the variants the ML nodes prefer", async () => {
    await withEmulator({ esVersion: "8.15.0" }, async (em) => assert.deepEqual(await listedIds(em), []));
    await withEmulator({ esVersion: "8.16.0" }, async (em) => {
      assert.deepEqual(await listedIds(em), [
        ".elser-2-elasticsearch",
        ".multilingual-e5-small-elasticsearch",
      ]);
      const elser = (await em.es("GET", "/_inference/.elser-2-elasticsearch")).body.endpoints[0];
      assert.deepEqual(elser, {
        inference_id: ".elser-2-elasticsearch",
        task_type: "sparse_embedding",
        service: "elasticsearch",
        service_settings: {
          num_threads: 1,
          model_id: ".elser_model_2_linux-x86_64",
          adaptive_allocations: {
            enabled: true,
            min_number_of_allocations: 0,
            max_number_of_allocations: 32,
          },
        },
        chunking_settings: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 },
      });
    });
    await withEmulator({ esVersion: "8.18.0", mlNodePlatform: "linux-aarch64" }, async (em) => {
      const all = (await em.es("GET", "/_inference/_all")).body.endpoints;
      assert.deepEqual(
        all.map((e: { service_settings: { model_id: string } }) => e.service_settings.model_id),
        [".elser_model_2", ".multilingual-e5-small", ".rerank-v1"],
      );
      const reranks = (await em.es("GET", "/_inference/rerank/_all")).body.endpoints;
      assert.deepEqual(reranks[0].task_settings, { return_documents: true });
    });
    await withEmulator({ mlNodes: 0, autoscale: true }, async (em) => {
      const e5 = (await em.es("GET", "/_inference/.multilingual-e5-small-elasticsearch")).body.endpoints[0];
      assert.equal(e5.service_settings.model_id, ".multilingual-e5-small_linux-x86_64");
    });
  });

  it("refuses to delete a preconfigured endpoint; 9.x deletes it with force", async () => {
    await withEmulator({ esVersion: "8.16.0" }, async (em) => {
      const res = await em.es("DELETE", "/_inference/.elser-2-elasticsearch?force=true");
      assert.equal(
        reasonOf(res),
        "status_exception: [.elser-2-elasticsearch] is a reserved inference endpoint. Cannot delete a reserved inference endpoint.",
      );
    });
    await withEmulator({}, async (em) => {
      const refused = await em.es("DELETE", "/_inference/.elser-2-elasticsearch");
      assert.equal(
        reasonOf(refused),
        "status_exception: [.elser-2-elasticsearch] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.",
      );
      assert.equal((await em.es("DELETE", "/_inference/.elser-2-elasticsearch?force=true")).status, 200);
      assert.equal((await em.es("GET", "/_inference/.elser-2-elasticsearch")).status, 404);
    });
  });

  it("reports the elser service as itself before 8.16 and as elasticsearch with a deprecation warning after", async () => {
    await withEmulator({ esVersion: "8.15.0", mlNodePlatform: "linux-aarch64" }, async (em) => {
      const put = await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elser",
        service_settings: elserSettings,
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.service, "elser");
      assert.equal(put.headers.get("warning"), null);
      assert.equal(put.body.chunking_settings, undefined);
    });
    await withEmulator({}, async (em) => {
      const put = await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elser",
        service_settings: { num_allocations: 1, num_threads: 1 },
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.service, "elasticsearch");
      assert.equal(put.body.service_settings.model_id, ".elser_model_2_linux-x86_64");
      const warning = put.headers.get("warning") ?? "";
      assert.match(warning, /without a model_id field is deprecated/);
      assert.match(
        warning,
        /The \[elser\] service is deprecated and will be removed in a future release\. Use the \[elasticsearch\] service instead, with \[model_id\] set to \[\.elser_model_2_linux-x86_64\] in the \[service_settings\]/,
      );
      const text = await em.es("PUT", "/_inference/text_embedding/t", {
        service: "elser",
        service_settings: elserSettings,
      });
      assert.equal(
        reasonOf(text),
        "status_exception: The [elser] service does not support task type [text_embedding]",
      );
    });
  });

  it("follows the settings each version knows: elasticsearch service 8.13, adaptive 8.15, deployment_id 8.16", async () => {
    await withEmulator({ esVersion: "8.12.0" }, async (em) => {
      const res = await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elasticsearch",
        service_settings: elserSettings,
      });
      assert.equal(reasonOf(res), "status_exception: Unknown service [elasticsearch]");
    });
    await withEmulator({ esVersion: "8.14.0", mlNodePlatform: "linux-aarch64" }, async (em) => {
      const res = await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elasticsearch",
        service_settings: {
          model_id: ".elser_model_2",
          num_threads: 1,
          adaptive_allocations: { enabled: true },
        },
      });
      assert.equal(
        reasonOf(res),
        "validation_exception: Validation Failed: 1: [service_settings] does not contain the required setting [num_allocations];",
      );
    });
    await withEmulator({ esVersion: "8.15.0" }, async (em) => {
      await createPytorchModel(em, "sparse", { task: "text_expansion" });
      await em.es("POST", "/_ml/trained_models/sparse/deployment/_start?deployment_id=dep&wait_for=started");
      const res = await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elasticsearch",
        service_settings: { ...elserSettings, model_id: "sparse", deployment_id: "dep" },
      });
      assert.equal(
        reasonOf(res),
        "status_exception: Model configuration contains settings [{deployment_id=dep}] unknown to the [elasticsearch] service",
      );
    });
  });

  it("reports the configured num_allocations before 8.16 and the deployment's current one from 8.16", async () => {
    for (const [esVersion, expected] of [
      ["8.15.0", 1],
      ["8.16.0", 2],
    ] as const) {
      await withEmulator({ esVersion, mlNodePlatform: "linux-aarch64" }, async (em) => {
        const put = await em.es("PUT", "/_inference/sparse_embedding/e", {
          service: "elasticsearch",
          service_settings: elserSettings,
        });
        assert.equal(put.status, 200, put.text);
        const ml = await em.es("POST", "/_ml/trained_models/e/deployment/_update", {
          number_of_allocations: 2,
        });
        assert.equal(ml.status, 200, ml.text);
        const got = await em.es("GET", "/_inference/e");
        assert.equal(got.body.endpoints[0].service_settings.num_allocations, expected, esVersion);
      });
    }
  });

  it("names the list `models` with `model_id` in 8.11", async () => {
    await withEmulator({ esVersion: "8.11.0", mlNodePlatform: "linux-aarch64" }, async (em) => {
      await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elser",
        service_settings: elserSettings,
      });
      const got = await em.es("GET", "/_inference/_all");
      assert.deepEqual(Object.keys(got.body), ["models"]);
      assert.equal(got.body.models[0].model_id, "e");
    });
  });

  it("knows semantic_text from 8.15 (inference_id required until 8.16); delete checks pipelines from 8.15, indices from 8.16", async () => {
    const mapping = { mappings: { properties: { t: { type: "semantic_text" } } } };
    await withEmulator({ esVersion: "8.14.0" }, async (em) => {
      const res = await em.es("PUT", "/docs", mapping);
      assert.equal(
        reasonOf(res),
        "mapper_parsing_exception: Failed to parse mapping: No handler for type [semantic_text] declared on field [t]",
      );
      await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elser",
        service_settings: elserSettings,
      });
      await em.es("PUT", "/_ingest/pipeline/p", { processors: [{ inference: { model_id: "e" } }] });
      const dry = await em.es("DELETE", "/_inference/e?dry_run=true");
      assert.equal(
        reasonOf(dry),
        "illegal_argument_exception: request [/_inference/e] contains unrecognized parameter: [dry_run]",
      );
      assert.deepEqual((await em.es("DELETE", "/_inference/e")).body, { acknowledged: true });
    });
    await withEmulator({ esVersion: "8.15.0" }, async (em) => {
      // 8.15: pipelines only, 403, and the check comes before dry_run.
      await em.es("PUT", "/_inference/sparse_embedding/e", {
        service: "elser",
        service_settings: elserSettings,
      });
      await em.es("PUT", "/_ingest/pipeline/p", { processors: [{ inference: { model_id: "e" } }] });
      const refused = await em.es("DELETE", "/_inference/e");
      assert.equal(refused.status, 403);
      assert.equal(
        reasonOf(refused),
        "status_exception: Model e is referenced by pipelines and cannot be deleted. Use `force` to delete it anyway, or use `dry_run` to list the pipelines that reference it.",
      );
      assert.equal((await em.es("DELETE", "/_inference/e?dry_run=true")).status, 403);
      const dry = await em.es("DELETE", "/_inference/e?dry_run=true&force=true");
      assert.deepEqual(dry.body, { acknowledged: false, pipelines: ["p"] });
      await em.es("DELETE", "/_ingest/pipeline/p");
      await em.es("PUT", "/docs", {
        mappings: { properties: { t: { type: "semantic_text", inference_id: "e" } } },
      });
      assert.deepEqual((await em.es("DELETE", "/_inference/e")).body, { acknowledged: true });
      const res = await em.es("PUT", "/other", mapping);
      assert.equal(
        reasonOf(res),
        "mapper_parsing_exception: Failed to parse mapping: [inference_id] on mapper [t] of type [semantic_text] must not be empty",
      );
    });
  });

  it("serves _update from 8.17 only", async () => {
    await withEmulator({ esVersion: "8.16.0" }, async (em) => {
      const res = await em.es("PUT", "/_inference/sparse_embedding/e/_update", {
        service_settings: { num_allocations: 2 },
      });
      assert.equal(res.status, 400);
      assert.match(res.body.error, /^no handler found for uri/);
    });
  });
});
