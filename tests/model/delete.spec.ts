/**
 * Deleting a `TrainedModel`: refused while deployments, ingest pipelines or inference endpoints use it (each
 * named, before Elasticsearch is asked); forced only by the model's own flag (environment > resource > stack
 * config), never by the stop flag `force`; a model already gone is a warning; another cluster is refused.
 */
import * as assert from "node:assert/strict";
import { esDirect, rejection, startDirectly } from "../provider/harness";
import { modelHarness } from "./harness";

const E5 = ".multilingual-e5-small";

describe("TrainedModel: delete", function () {
  const h = modelHarness();

  async function downloaded(extra: Record<string, unknown> = {}) {
    return (await h.create({ modelId: E5, ...extra })).outs;
  }

  function deletes(): string[] {
    return h.modelRequests().filter((r) => r.startsWith("DELETE"));
  }

  it("deletes an unused model without force", async () => {
    const outs = await downloaded();
    h.es.admin.clearLog();
    await h.provider.delete(E5, outs);
    assert.deepEqual(deletes(), [`DELETE /_ml/trained_models/${E5}`]);
    assert.equal(
      h.es.admin.state().models.some((m) => m.modelId === E5),
      false,
    );
  });

  it("Elastic's preconfigured inference endpoints, which name the model on every cluster, do not block its delete", async () => {
    const { id, outs } = await h.create({ modelId: E5, platform: "auto" });
    const endpoints = (await esDirect(h.es, "GET", "/_inference/_all")) as {
      endpoints: { inference_id: string; service_settings?: { model_id?: string } }[];
    };
    assert.ok(
      endpoints.endpoints.some(
        (e) =>
          e.inference_id === ".multilingual-e5-small-elasticsearch" && e.service_settings?.model_id === id,
      ),
      "the emulated 9.x cluster has the preconfigured endpoint naming the model",
    );
    await h.provider.delete(id, outs);
    assert.equal(
      h.es.admin.state().models.some((m) => m.modelId === id),
      false,
    );
  });

  it("refuses while a deployment, a pipeline and an inference endpoint use it, naming each; nothing is deleted", async () => {
    const outs = await downloaded();
    await startDirectly(h.es, E5, { deployment_id: "e5-search" });
    await esDirect(h.es, "PUT", "/_ingest/pipeline/embed", {
      processors: [{ inference: { model_id: "e5-search", target_field: "ml" } }],
    });
    h.es.admin.addFault({
      method: "GET",
      path: "^/_inference/_all$",
      status: 200,
      body: {
        endpoints: [
          {
            inference_id: "my-e5",
            task_type: "text_embedding",
            service: "elasticsearch",
            service_settings: { model_id: E5, deployment_id: "e5-search" },
          },
        ],
      },
    });
    h.es.admin.clearLog();
    const err = await rejection(h.provider.delete(E5, outs));
    assert.equal(err.code, "ERR_MODEL_IN_USE");
    assert.match(err.message, /deployment \[e5-search\]/);
    assert.match(err.message, /ingest pipeline \[embed\] \(processors\[0\]\.inference names \[e5-search\]\)/);
    assert.match(err.message, /inference endpoint \[my-e5\]/);
    assert.match(
      err.message,
      /forceDelete: true.*elasticsearch-ml:forceDeleteModels=true.*ELASTICSEARCH_ML_FORCE_DELETE_MODELS=true/,
    );
    assert.deepEqual(err.users, {
      deployments: ["e5-search"],
      pipelines: ["embed"],
      inferenceEndpoints: ["my-e5"],
    });
    assert.deepEqual(deletes(), [], "nothing was sent");
  });

  it("the stop flag force (environment or config) does not force a model delete", async () => {
    const outs = await downloaded();
    await startDirectly(h.es, E5, {});
    h.env.ELASTICSEARCH_ML_FORCE = "true";
    h.config["elasticsearch-ml:force"] = "true";
    h.reconfigure();
    const err = await rejection(h.provider.delete(E5, { ...outs, stop: { force: true } }));
    assert.equal(err.code, "ERR_MODEL_IN_USE");
    assert.deepEqual(deletes(), []);
  });

  for (const [lever, set] of [
    [
      "the environment",
      (env: Record<string, string | undefined>) => (env.ELASTICSEARCH_ML_FORCE_DELETE_MODELS = "true"),
    ],
    ["the resource", () => undefined],
    ["stack config", () => undefined],
  ] as const) {
    it(`forceDelete from ${lever} deletes with force=true and warns what breaks`, async () => {
      const outs = await downloaded();
      await startDirectly(h.es, E5, {});
      set(h.env);
      if (lever === "stack config") {
        h.config["elasticsearch-ml:forceDeleteModels"] = "true";
        h.reconfigure();
      }
      h.es.admin.clearLog();
      await h.provider.delete(E5, lever === "the resource" ? { ...outs, forceDelete: true } : outs);
      assert.deepEqual(deletes(), [`DELETE /_ml/trained_models/${E5}?force=true`]);
      assert.ok(
        h.progress.warnings.some((w) =>
          new RegExp(
            `force-deleting \\(forceDelete from the ${lever.replace("the ", "").replace("stack ", "")}`,
          ).test(w),
        ),
      );
      assert.equal(
        h.es.admin.state().models.some((m) => m.modelId === E5),
        false,
      );
    });
  }

  it("the environment's false beats the resource's true", async () => {
    const outs = await downloaded();
    await startDirectly(h.es, E5, {});
    h.env.ELASTICSEARCH_ML_FORCE_DELETE_MODELS = "false";
    const err = await rejection(h.provider.delete(E5, { ...outs, forceDelete: true }));
    assert.equal(err.code, "ERR_MODEL_IN_USE");
  });

  it("a model already gone is success with a warning", async () => {
    const outs = await downloaded();
    await esDirect(h.es, "DELETE", `/_ml/trained_models/${E5}`);
    await h.provider.delete(E5, outs);
    assert.ok(h.progress.warnings.some((w) => /already gone from the cluster/.test(w)));
  });

  it("refuses another cluster behind the recorded endpoint", async () => {
    const outs = await downloaded();
    const err = await rejection(h.provider.delete(E5, { ...outs, clusterUuid: "another-cluster-uuid" }));
    assert.equal(err.code, "ERR_WRONG_CLUSTER");
    assert.match(err.message, /Refusing to delete model \[\.multilingual-e5-small\]/);
    assert.match(err.message, /nothing is deleted then/);
  });

  it("refresh reports a model deleted outside Pulumi as not fully defined, so the next up restores it", async () => {
    const outs = await downloaded();
    await esDirect(h.es, "DELETE", `/_ml/trained_models/${E5}`);
    const { props } = await h.provider.read(E5, outs);
    assert.equal(props.fullyDefined, false);
    const inputs = await h.checked({ modelId: E5 });
    const diff = await h.provider.diff(E5, props, inputs);
    assert.equal(diff.changes, true);
    h.es.admin.clearLog();
    const { outs: restored } = await h.provider.update(E5, props, inputs);
    assert.equal(restored.fullyDefined, true);
    assert.deepEqual(h.modelRequests(), [`PUT /_ml/trained_models/${E5}`]);
  });
});
