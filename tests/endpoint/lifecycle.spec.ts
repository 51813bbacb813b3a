/**
 * An `InferenceEndpoint` against the emulator: create waits until the deployment it owns is allocated; a
 * create a proxy times out (502) is settled by GET without a second PUT; scaling is in place through the
 * inference `_update`; the delete is refused naming the pipelines and `semantic_text` indices that reference
 * the endpoint and forced only by its own flag; refresh sees drift of a fixed count and an endpoint removed
 * out of band; an endpoint on an existing deployment leaves it running when deleted.
 */
import * as assert from "node:assert/strict";
import { esDirect, rejection, startDirectly } from "../provider/harness";
import { endpointHarness } from "./harness";

const ELSER = {
  taskType: "sparse_embedding",
  inferenceId: "my-elser",
  service: "elasticsearch",
  serviceSettings: { modelId: ".elser_model_2", numAllocations: 1, numThreads: 1 },
};

function deployment(h: ReturnType<typeof endpointHarness>, id: string) {
  return h.es.admin.state().deployments.find((d) => d.deploymentId === id);
}

describe("InferenceEndpoint: create, scale, refresh, delete", function () {
  const h = endpointHarness();

  it("creates the endpoint, waits until its own deployment is allocated, and records what it reports", async () => {
    const { id, outs } = await h.create(ELSER);
    assert.equal(id, "my-elser");
    // 9.x from 9.1 takes the provider's deadline as the server's own (`?timeout=`, elastic/elasticsearch#126805).
    assert.deepEqual(
      h.inferenceRequests().filter((r) => r.startsWith("PUT")),
      ["PUT /_inference/sparse_embedding/my-elser?timeout=1200s"],
    );
    assert.equal(outs.ready, true);
    assert.equal(outs.deploymentId, "my-elser");
    assert.equal(outs.ownsDeployment, true);
    assert.deepEqual(outs.references, { pipelines: [], indexes: [] });
    assert.match(String(outs.esVersion), /^\d+\.\d+\.\d+/);
    const allocation = outs.allocation as Record<string, unknown>;
    assert.equal(allocation.allocationState, "fully_allocated");
    assert.equal(allocation.allocationCount, 1);
    assert.equal((outs.endpoint as Record<string, unknown>).inference_id, "my-elser");
    assert.ok(
      h.progress.infos.some((l) => /my-elser: .*fully_allocated reached/.test(l)),
      h.progress.infos.join("\n"),
    );
  });

  it("an existing endpoint with the id is refused, not taken over", async () => {
    await esDirect(h.es, "PUT", "/_inference/sparse_embedding/my-elser", {
      service: "elasticsearch",
      service_settings: { model_id: ".elser_model_2", num_allocations: 1, num_threads: 1 },
    });
    const err = await rejection(h.create(ELSER));
    assert.equal(err.code, "ERR_ENDPOINT_EXISTS");
    assert.match(err.message, /\[my-elser\] already exists .* not created by this resource/);
  });

  it("scales in place through the inference _update (no delete, no second PUT)", async () => {
    const { outs } = await h.create(ELSER);
    h.es.admin.clearLog();
    const news = await h.checked({
      ...ELSER,
      serviceSettings: { ...ELSER.serviceSettings, numAllocations: 2 },
    });
    const diff = await h.provider.diff("my-elser", outs, news);
    assert.deepEqual(diff.replaces, []);
    assert.equal(diff.changes, true);
    assert.ok(
      h.progress.warnings.some((w) =>
        /in place through PUT _inference\/sparse_embedding\/my-elser\/_update/.test(w),
      ),
    );
    const { outs: after } = await h.provider.update("my-elser", outs, news);
    assert.deepEqual(
      h.inferenceRequests().filter((r) => !r.includes("dry_run")),
      ["PUT /_inference/sparse_embedding/my-elser/_update"],
    );
    assert.equal(deployment(h, "my-elser")?.numberOfAllocations, 2);
    assert.equal((after.allocation as Record<string, unknown>).targetAllocationCount, 2);
  });

  it("preview of a replacement says, from the references recorded at refresh, that the delete will be refused and how to proceed; nothing is sent", async () => {
    const { outs } = await h.create(ELSER);
    await esDirect(h.es, "PUT", "/_ingest/pipeline/embed", {
      processors: [{ inference: { model_id: "my-elser" } }],
    });
    const refreshed = (await h.provider.read("my-elser", outs)).props;
    assert.deepEqual(refreshed.references, { pipelines: ["embed"], indexes: [] });
    h.es.admin.clearLog();
    const news = await h.checked({ ...ELSER, serviceSettings: { ...ELSER.serviceSettings, numThreads: 2 } });
    const diff = await h.provider.diff("my-elser", refreshed, news);
    assert.deepEqual(diff.replaces, ["serviceSettings.numThreads"]);
    assert.deepEqual(h.es.admin.log(), [], "a preview sends nothing");
    const notice = h.progress.warnings.find((w) => w.includes("replaced"));
    assert.match(
      String(notice),
      /my-elser: replaced \(deleted, then created with the same id\): serviceSettings\.numThreads: 1 → 2/,
    );
    assert.match(
      String(notice),
      /referenced by ingest pipelines \[embed\]: the delete is refused unless forced \(forceDelete, ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS=true/,
    );
  });

  it("refresh sees a fixed count changed out of band as drift, and an endpoint removed out of band", async () => {
    const { outs } = await h.create(ELSER);
    await esDirect(h.es, "PUT", "/_inference/sparse_embedding/my-elser/_update", {
      service_settings: { num_allocations: 2 },
    });
    const read = await h.provider.read("my-elser", outs);
    assert.equal((read.inputs.serviceSettings as Record<string, unknown>).numAllocations, 2);
    assert.equal((read.props.serviceSettings as Record<string, unknown>).numAllocations, 2);
    // The declaration (1) against what refresh saw (2): set back in place.
    const declared = await h.checked(ELSER);
    const diff = await h.provider.diff("my-elser", read.props, declared);
    assert.deepEqual([diff.changes, diff.replaces], [true, []]);
    h.es.admin.clearLog();
    const { outs: restored } = await h.provider.update("my-elser", read.props, declared);
    assert.ok(h.inferenceRequests().includes("PUT /_inference/sparse_embedding/my-elser/_update"));
    assert.equal((restored.allocation as Record<string, unknown>).targetAllocationCount, 1);
    await esDirect(h.es, "DELETE", "/_inference/sparse_embedding/my-elser?force=true");
    const gone = await h.provider.read("my-elser", restored);
    assert.equal(gone.id, "");
    assert.ok(
      h.progress.warnings.some((w) => /my-elser: not in the cluster \(deleted outside Pulumi\)/.test(w)),
    );
  });

  it("a scale of an endpoint deleted out of band fails saying so and how to proceed", async () => {
    const { outs } = await h.create(ELSER);
    await esDirect(h.es, "DELETE", "/_inference/sparse_embedding/my-elser?force=true");
    const news = await h.checked({ ...ELSER, waitTimeoutSeconds: 60 });
    const err = await rejection(h.provider.update("my-elser", { ...outs, ready: false }, news));
    assert.equal(err.code, "ERR_ENDPOINT_GONE");
    assert.match(err.message, /gone from the cluster .* run pulumi refresh/);
  });

  it("refuses the delete while a pipeline and a semantic_text field reference it, naming both; forced by its own flag only", async () => {
    const { outs } = await h.create(ELSER);
    await esDirect(h.es, "PUT", "/_ingest/pipeline/embed", {
      processors: [{ inference: { model_id: "my-elser" } }],
    });
    await esDirect(h.es, "PUT", "/docs", {
      mappings: { properties: { text: { type: "semantic_text", inference_id: "my-elser" } } },
    });
    h.es.admin.clearLog();
    const err = await rejection(h.provider.delete("my-elser", outs));
    assert.equal(err.code, "ERR_ENDPOINT_IN_USE");
    assert.match(
      err.message,
      /ingest pipelines \[embed\] and semantic_text fields of indices \[docs\] reference it/,
    );
    assert.match(err.message, /ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS=true/);
    assert.deepEqual(h.inferenceRequests(), ["DELETE /_inference/sparse_embedding/my-elser?dry_run=true"]);

    h.env.ELASTICSEARCH_ML_FORCE = "true"; // the stop flag does not force an endpoint's delete
    await rejection(h.provider.delete("my-elser", outs));
    h.env.ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS = "true";
    await h.provider.delete("my-elser", outs);
    assert.equal(deployment(h, "my-elser"), undefined, "the deployment the endpoint owned is stopped");
    const listed = (await esDirect(h.es, "GET", "/_inference/_all")) as {
      endpoints: { inference_id: string }[];
    };
    assert.equal(
      listed.endpoints.some((e) => e.inference_id === "my-elser"),
      false,
    );
  });

  it("an endpoint on an existing deployment: waits for it, and its delete leaves the deployment running", async () => {
    await esDirect(h.es, "PUT", "/_ml/trained_models/.elser_model_2", {
      input: { field_names: ["text_field"] },
    });
    // The download runs in the background: poll its definition status (requests, not time) before starting.
    for (;;) {
      const res = (await esDirect(
        h.es,
        "GET",
        "/_ml/trained_models/.elser_model_2?include=definition_status",
      )) as {
        trained_model_configs: { fully_defined?: boolean }[];
      };
      if (res.trained_model_configs[0]?.fully_defined === true) break;
      await new Promise((r) => setImmediate(r));
    }
    await startDirectly(h.es, ".elser_model_2", { deployment_id: "elser-search" });
    const { outs } = await h.create({
      ...ELSER,
      inferenceId: "on-search",
      serviceSettings: { deploymentId: "elser-search" },
    });
    assert.equal(outs.deploymentId, "elser-search");
    assert.equal(outs.ownsDeployment, false);
    await h.provider.delete("on-search", outs);
    assert.ok(deployment(h, "elser-search"), "the used deployment keeps running");
  });
});

describe("InferenceEndpoint: a create a proxy times out", function () {
  const h = endpointHarness({ emulator: { proxyTimeoutMs: 40, modelDownloadMs: 150 } });

  it("is settled by GET _inference without a second PUT, then waits for the allocation", async () => {
    const { outs } = await h.create(ELSER);
    const requests = h.inferenceRequests(true);
    assert.deepEqual(
      requests.filter((r) => r.startsWith("PUT")),
      ["PUT /_inference/sparse_embedding/my-elser?timeout=1200s"],
      "exactly one PUT",
    );
    const put = h.es.admin
      .log()
      .find((e) => e.method === "PUT" && e.path === "/_inference/sparse_embedding/my-elser");
    assert.equal(put?.status, 502, "the proxy answered 502 while Elasticsearch went on");
    assert.ok(requests.includes("GET /_inference/sparse_embedding/my-elser"), requests.join("\n"));
    assert.ok(
      h.progress.infos.some((l) => /answered 502, but GET _inference shows the endpoint stored/.test(l)),
    );
    assert.equal(outs.ready, true);
  });
});
