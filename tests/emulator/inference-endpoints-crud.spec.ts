import assert from "node:assert/strict";
import { createPytorchModel, startTestEmulator, type TestEmulator } from "./helpers";

const ELSER = ".elser_model_2_linux-x86_64";
const elserBody = (settings: Record<string, unknown> = {}) => ({
  service: "elasticsearch",
  service_settings: { model_id: ELSER, num_allocations: 1, num_threads: 1, ...settings },
});
const reasonOf = (res: { body: { error: { type: string; reason: string } } }) =>
  `${res.body.error.type}: ${res.body.error.reason}`;

describe("emulator: PUT and GET _inference for the elasticsearch service", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator({ modelDownloadMs: 40 });
  });
  afterEach(() => em.close());

  it("downloads the packaged model, starts a deployment named after the endpoint and answers once started", async () => {
    assert.equal((await em.es("GET", `/_ml/trained_models/${ELSER}`)).status, 404);
    const put = await em.es("PUT", "/_inference/sparse_embedding/my-elser", elserBody());
    assert.equal(put.status, 200, put.text);
    const expected = {
      inference_id: "my-elser",
      task_type: "sparse_embedding",
      service: "elasticsearch",
      service_settings: { num_allocations: 1, num_threads: 1, model_id: ELSER },
      chunking_settings: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 },
    };
    assert.deepEqual(put.body, expected);
    const model = await em.es("GET", `/_ml/trained_models/${ELSER}?include=definition_status`);
    assert.equal(model.body.trained_model_configs[0].fully_defined, true);
    assert.deepEqual(model.body.trained_model_configs[0].input, { field_names: ["text_field"] });
    const stats = await em.es("GET", "/_ml/trained_models/my-elser/_stats");
    assert.equal(stats.body.trained_model_stats[0].model_id, ELSER);
    assert.equal(stats.body.trained_model_stats[0].deployment_stats.state, "started");
    assert.deepEqual((await em.es("GET", "/_inference/my-elser")).body, { endpoints: [expected] });
    assert.deepEqual((await em.es("GET", "/_inference/sparse_embedding/my-elser")).body, {
      endpoints: [expected],
    });
  });

  it("refuses a second PUT of the same id without touching the deployment", async () => {
    assert.equal((await em.es("PUT", "/_inference/sparse_embedding/e", elserBody())).status, 200);
    const again = await em.es("PUT", "/_inference/sparse_embedding/e", elserBody({ num_allocations: 2 }));
    assert.equal(again.status, 400);
    assert.equal(reasonOf(again), "resource_already_exists_exception: Inference endpoint [e] already exists");
    const stats = await em.es("GET", "/_ml/trained_models/e/_stats");
    assert.equal(stats.body.trained_model_stats[0].deployment_stats.number_of_allocations, 1);
  });

  it("validates the request with Elasticsearch's messages", async () => {
    const cases: [string, unknown, number, string][] = [
      [
        "/_inference/sparse_embedding/x",
        { service: "openai" },
        400,
        "status_exception: Unknown service [openai]",
      ],
      [
        "/_inference/sparse_embedding/x",
        { service_settings: {} },
        400,
        "status_exception: Model configuration is missing a service",
      ],
      ["/_inference/x", elserBody(), 400, "status_exception: model is missing required setting [task_type]"],
      ["/_inference/nope/x", elserBody(), 400, "status_exception: Unknown task_type [nope]"],
      [
        "/_inference/x",
        { ...elserBody(), task_type: "any" },
        400,
        "status_exception: task_type [any] is not valid type for inference",
      ],
      [
        "/_inference/sparse_embedding/x",
        { ...elserBody(), task_type: "text_embedding" },
        400,
        "status_exception: Cannot resolve conflicting task_type parameter in the request URL [sparse_embedding] and the request body [text_embedding]",
      ],
      [
        "/_inference/sparse_embedding/x",
        { service: "elasticsearch", service_settings: { num_allocations: 1, num_threads: 1 } },
        400,
        "illegal_argument_exception: Error parsing service settings, model_id must be provided",
      ],
      [
        "/_inference/sparse_embedding/x",
        { service: "elasticsearch", service_settings: { model_id: ELSER, num_threads: 0 } },
        400,
        "validation_exception: Validation Failed: 1: [service_settings] Invalid value [0]. [num_threads] must be a positive integer;2: [service_settings] does not contain one of the required settings [num_allocations, adaptive_allocations];",
      ],
      [
        "/_inference/sparse_embedding/x",
        { service: "elasticsearch", service_settings: { model_id: ELSER, num_allocations: 1 } },
        400,
        "validation_exception: Validation Failed: 1: [service_settings] does not contain the required setting [num_threads];",
      ],
      [
        "/_inference/sparse_embedding/x",
        { ...elserBody({ foo: "bar" }) },
        400,
        "status_exception: Model configuration contains settings [{foo=bar}] unknown to the [elasticsearch] service",
      ],
      [
        "/_inference/sparse_embedding/x",
        { ...elserBody(), extra: { a: 1 } },
        400,
        "status_exception: Model configuration contains settings [{extra={a=1}}] unknown to the [elasticsearch] service",
      ],
      [
        "/_inference/sparse_embedding/x",
        elserBody({ model_id: "my-own-model" }),
        400,
        "illegal_argument_exception: Error parsing request config, model id does not match any models available on this platform. Was [my-own-model]. You may need to load it into the cluster using eland.",
      ],
      [
        "/_inference/completion/x",
        elserBody(),
        400,
        "status_exception: The [elasticsearch] service does not support task type [completion]",
      ],
      [
        "/_inference/sparse_embedding/.elser-2-elasticsearch",
        elserBody(),
        400,
        "status_exception: [.elser-2-elasticsearch] is a reserved inference Id. Cannot create a new inference endpoint with a reserved Id",
      ],
      [
        "/_inference/sparse_embedding/x",
        elserBody({ num_threads: 3 }),
        400,
        "action_request_validation_exception: Validation Failed: 1: [threads_per_allocation] must be a power of 2 less than or equal to 32;",
      ],
    ];
    for (const [path, body, status, reason] of cases) {
      const res = await em.es("PUT", path, body);
      assert.equal(res.status, status, `${path} ${JSON.stringify(body)}: ${res.text}`);
      assert.equal(reasonOf(res), reason);
    }
    // Nothing was kept but the endpoint whose start failed after it was stored (num_threads 3).
    const listed = (await em.es("GET", "/_inference/_all")).body.endpoints.map(
      (e: { inference_id: string }) => e.inference_id,
    );
    assert.deepEqual(listed, [
      ".elser-2-elasticsearch",
      ".multilingual-e5-small-elasticsearch",
      ".rerank-v1-elasticsearch",
      "x",
    ]);
  });

  it("checks custom models' task type; endpoint and deployment ids may not collide", async () => {
    await createPytorchModel(em, "my-embedder", { task: "text_embedding" });
    const wrongTask = await em.es(
      "PUT",
      "/_inference/sparse_embedding/e",
      elserBody({ model_id: "my-embedder" }),
    );
    assert.equal(
      reasonOf(wrongTask),
      "status_exception: Deployed model [my-embedder] with type [text_embedding] does not match the requested task type [sparse_embedding]",
    );
    await em.es(
      "POST",
      "/_ml/trained_models/my-embedder/deployment/_start?deployment_id=running&wait_for=started",
    );
    const clash = await em.es(
      "PUT",
      "/_inference/text_embedding/running",
      elserBody({ model_id: "my-embedder" }),
    );
    assert.equal(
      reasonOf(clash),
      "status_exception: Inference endpoint IDs must be unique. Requested inference endpoint ID [running] matches existing trained model ID(s) but must not.",
    );
    const ok = await em.es("PUT", "/_inference/text_embedding/emb", elserBody({ model_id: "my-embedder" }));
    assert.equal(ok.status, 200, ok.text);
    const start = await em.es("POST", "/_ml/trained_models/my-embedder/deployment/_start?deployment_id=emb");
    assert.equal(
      reasonOf(start),
      "status_exception: Model IDs must be unique. Requested model ID [emb] matches existing model IDs but must not.",
    );
  });

  it("picks the ELSER and E5 variants by the ML nodes' platform", async () => {
    const portable = await em.es(
      "PUT",
      "/_inference/sparse_embedding/portable",
      elserBody({ model_id: ".elser_model_2" }),
    );
    assert.equal(portable.status, 200, portable.text);
    const v1 = await em.es(
      "PUT",
      "/_inference/sparse_embedding/v1",
      elserBody({ model_id: ".elser_model_1" }),
    );
    assert.equal(
      reasonOf(v1),
      "illegal_argument_exception: Error parsing request config, model id does not match any models available on this platform. Was [.elser_model_1]. You may need to use a platform agnostic model.",
    );
    const arm = await startTestEmulator({ mlNodePlatform: "linux-aarch64", modelDownloadMs: 10 });
    try {
      const optimized = await arm.es("PUT", "/_inference/text_embedding/e5", {
        service: "elasticsearch",
        service_settings: {
          model_id: ".multilingual-e5-small_linux-x86_64",
          num_allocations: 1,
          num_threads: 1,
        },
      });
      assert.equal(
        reasonOf(optimized),
        "illegal_argument_exception: Error parsing request config, model id does not match any models available on this platform. Was [.multilingual-e5-small_linux-x86_64]",
      );
    } finally {
      await arm.close();
    }
  });

  it("reports adaptive settings and the deployment's current num_allocations", async () => {
    const put = await em.es("PUT", "/_inference/sparse_embedding/adaptive", {
      service: "elasticsearch",
      service_settings: {
        model_id: ELSER,
        num_threads: 1,
        adaptive_allocations: { enabled: true, min_number_of_allocations: 2, max_number_of_allocations: 4 },
      },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.service_settings, {
      num_threads: 1,
      model_id: ELSER,
      adaptive_allocations: { enabled: true, min_number_of_allocations: 2, max_number_of_allocations: 4 },
    });
    const got = await em.es("GET", "/_inference/adaptive");
    assert.equal(got.body.endpoints[0].service_settings.num_allocations, 2);
  });

  it("uses an existing deployment through service_settings.deployment_id and never owns it", async () => {
    await createPytorchModel(em, "sparse", { task: "text_expansion" });
    await em.es(
      "POST",
      "/_ml/trained_models/sparse/deployment/_start?deployment_id=dep&number_of_allocations=2&wait_for=started",
    );
    const put = await em.es("PUT", "/_inference/sparse_embedding/on-dep", {
      service: "elasticsearch",
      service_settings: { deployment_id: "dep" },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.service_settings, {
      num_allocations: 2,
      num_threads: 1,
      model_id: "sparse",
      deployment_id: "dep",
    });
    const mismatch = await em.es("PUT", "/_inference/sparse_embedding/x", {
      service: "elasticsearch",
      service_settings: { deployment_id: "dep", model_id: "other" },
    });
    assert.equal(
      reasonOf(mismatch),
      "status_exception: Deployment [dep] uses model [sparse] which does not match the model [other] in the request.",
    );
    const missing = await em.es("PUT", "/_inference/sparse_embedding/x", {
      service: "elasticsearch",
      service_settings: { deployment_id: "nope" },
    });
    assert.equal(missing.status, 404);
    assert.equal(reasonOf(missing), "status_exception: Cannot find deployment [nope]");
    await em.es("POST", "/_ml/trained_models/dep/deployment/_update", { number_of_allocations: 3 });
    const got = await em.es("GET", "/_inference/on-dep");
    assert.equal(got.body.endpoints[0].service_settings.num_allocations, 3);
    assert.equal((await em.es("DELETE", "/_inference/on-dep")).status, 200);
    const stats = await em.es("GET", "/_ml/trained_models/dep/_stats");
    assert.equal(stats.body.trained_model_stats[0].deployment_stats.state, "started");
  });
});
