/**
 * An `InferenceEndpoint` of another service (not emulated: the emulator answers `Unknown service` for
 * them, so these tests inject Elasticsearch's answers with faults and assert what the provider sends):
 * create sends the settings as declared and waits for no deployment; the outputs never hold a credential
 * field; a rotated key is sent through the inference `_update`, and the preview never quotes it.
 */
import * as assert from "node:assert/strict";
import { endpointHarness } from "./harness";

const OPENAI = {
  taskType: "text_embedding",
  inferenceId: "openai-embed",
  service: "openai",
  serviceSettings: { api_key: "sk-first-canary", model_id: "text-embedding-3-small" },
};
const PATH = "^/_inference/text_embedding/openai-embed";
// As Elasticsearch reports the endpoint (a third-party key is never returned; this answer holds one to
// prove the outputs leave such fields out whatever comes back).
const REPORTED = {
  inference_id: "openai-embed",
  task_type: "text_embedding",
  service: "openai",
  service_settings: { model_id: "text-embedding-3-small", api_key: "sk-echoed-canary" },
};

describe("InferenceEndpoint: another service", function () {
  const h = endpointHarness();

  function answer(method: string, path: string, body: unknown, times = 1) {
    h.es.admin.addFault({ method, path, status: 200, body, times });
  }

  it("creates with the settings as declared, waits for no deployment, and records no credential", async () => {
    answer("PUT", `${PATH}$`, REPORTED);
    answer("GET", `${PATH}$`, { endpoints: [REPORTED] });
    answer("DELETE", `${PATH}$`, { acknowledged: false, pipelines: [], indexes: [] });
    const { outs } = await h.create(OPENAI);
    const put = h.es.admin.log().find((e) => e.method === "PUT" && e.path.startsWith("/_inference/"));
    assert.deepEqual(put?.body, { service: "openai", service_settings: OPENAI.serviceSettings });
    assert.equal(outs.deploymentId, undefined);
    assert.equal(outs.allocation, undefined);
    assert.doesNotMatch(JSON.stringify({ ...outs, serviceSettings: undefined }), /canary/);
    assert.deepEqual((outs.endpoint as { service_settings: unknown }).service_settings, {
      model_id: "text-embedding-3-small",
    });

    // A rotated key: in place through the update API (8.17+), the preview never quoting it.
    const news = await h.checked({
      ...OPENAI,
      serviceSettings: { ...OPENAI.serviceSettings, api_key: "sk-second-canary" },
    });
    const diff = await h.provider.diff("openai-embed", outs, news);
    assert.deepEqual([diff.replaces, diff.changes], [[], true]);
    assert.doesNotMatch(h.progress.warnings.join("\n"), /canary/);
    answer("PUT", `${PATH}/_update$`, REPORTED);
    answer("GET", `${PATH}$`, { endpoints: [REPORTED] });
    answer("DELETE", `${PATH}$`, { acknowledged: false, pipelines: [], indexes: [] });
    h.es.admin.clearLog();
    await h.provider.update("openai-embed", outs, news);
    const update = h.es.admin.log().find((e) => e.method === "PUT");
    assert.equal(update?.path, "/_inference/text_embedding/openai-embed/_update");
    assert.deepEqual(update?.body, { service_settings: news.serviceSettings });
  });
});
