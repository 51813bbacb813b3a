import * as assert from "node:assert/strict";
import { StopRefusedError } from "pulumi-elasticsearch-ml/provider";
import { esCall, type SetupTarget } from "../client/fixtures";
import { providerHarness, rejection } from "./harness";

/** A tiny model with a text_embedding config, so an `elasticsearch` endpoint can use its deployment. */
async function putEmbeddingModel(es: SetupTarget, modelId: string): Promise<void> {
  await esCall(es, "PUT", `/_ml/trained_models/${modelId}`, {
    model_type: "pytorch",
    inference_config: { text_embedding: {} },
    input: { field_names: ["text_field"] },
  });
  await esCall(es, "PUT", `/_ml/trained_models/${modelId}/definition/0`, {
    definition: Buffer.alloc(1630, 7).toString("base64"),
    total_definition_length: 1630,
    total_parts: 1,
  });
  await esCall(es, "PUT", `/_ml/trained_models/${modelId}/vocabulary`, {
    vocabulary: ["[PAD]", "[UNK]", "a"],
  });
}

/** A deployment declared here, an endpoint that uses it (made through the API), and a refresh that records both. */
async function deploymentUsedByEndpoint(h: ReturnType<typeof providerHarness>) {
  await putEmbeddingModel(h.es, "emb");
  const { id, outs } = await h.create({ modelId: "emb" });
  await esCall(h.es, "PUT", "/_inference/text_embedding/e1", {
    service: "elasticsearch",
    service_settings: { model_id: "emb", deployment_id: "emb" },
  });
  const { props } = await h.provider.read(id, outs);
  return { id, outs: props };
}

const stopped = (h: ReturnType<typeof providerHarness>) => h.checked({ modelId: "emb", state: "stopped" });

describe("a TrainedModelDeployment an inference endpoint uses, on a version that refuses its stop (9.1)", function () {
  const h = providerHarness({ emulator: { esVersion: "9.1.0" } });

  it("records the version and the endpoint; preview says the stop will be refused, sending nothing", async () => {
    const { id, outs } = await deploymentUsedByEndpoint(h);
    assert.equal(outs.esVersion, "9.1.0");
    assert.deepEqual(outs.inferenceEndpoints, ["e1"]);
    h.es.admin.clearLog();
    assert.equal(h.provider.diff(id, outs, stopped(h)).changes, true);
    assert.deepEqual(h.es.admin.log(), [], "diff makes no call");
    const notice = h.progress.warnings.find((w) =>
      w.startsWith("emb: this change stops the deployment, which inference endpoint [e1]"),
    );
    assert.ok(notice, h.progress.warnings.join("\n"));
    assert.match(notice, /Elasticsearch 9\.1\.0 will refuse the stop \(409\) unless forced/);
    assert.match(notice, /Delete the endpoint first, or point it at another deployment/);
    assert.match(notice, /elasticsearch-ml:force true/);
  });

  it("the up/destroy error names the endpoint and the way through; the deployment keeps running", async () => {
    const { id, outs } = await deploymentUsedByEndpoint(h);
    const err = await rejection(h.provider.delete(id, outs));
    assert.ok(err instanceof StopRefusedError, String(err));
    assert.match(
      err.message,
      /^Elasticsearch refused to stop deployment \[emb\] \(409\): the inference endpoint \[e1\] uses or owns it/,
    );
    assert.match(
      err.message,
      /Delete the endpoint first, or point it at another deployment .*\(DELETE _inference\/e1\)/,
    );
    assert.match(
      err.message,
      /Elasticsearch: Cannot stop deployment \[emb\] as it is used by inference endpoint \[e1\]/,
    );
    assert.equal(h.es.admin.state().deployments.length, 1);
  });

  it("old state without a recorded version: preview says it is decided at apply", async () => {
    const { id, outs } = await deploymentUsedByEndpoint(h);
    const old = { ...outs, esVersion: undefined };
    h.provider.diff(id, old, stopped(h));
    assert.ok(
      h.progress.warnings.some((w) => /^emb: .*inference endpoint \[e1\].*decided at apply/.test(w)),
      h.progress.warnings.join("\n"),
    );
  });
});

describe("a TrainedModelDeployment an inference endpoint uses, on a version that lets its stop through (8.17)", function () {
  const h = providerHarness({ emulator: { esVersion: "8.17.0" } });

  it("preview warns that the stop goes through and the endpoint breaks; apply stops it and says so", async () => {
    const { id, outs } = await deploymentUsedByEndpoint(h);
    assert.equal(outs.esVersion, "8.17.0");
    h.provider.diff(id, outs, stopped(h));
    const notice = h.progress.warnings.find((w) => w.startsWith("emb: this change stops the deployment"));
    assert.ok(notice, h.progress.warnings.join("\n"));
    assert.match(
      notice,
      /Elasticsearch 8\.17\.0 does not refuse it .*the stop goes through and that endpoint fails/,
    );
    assert.doesNotMatch(notice, /To stop it anyway/, "nothing to force on this version");
    await h.provider.delete(id, outs);
    assert.deepEqual(h.es.admin.state().deployments, []);
    assert.ok(
      h.progress.warnings.some((w) =>
        /^emb: inference endpoint \[e1\] owned or used it .* that endpoint fails/.test(w),
      ),
      h.progress.warnings.join("\n"),
    );
    // What the notice promised: the endpoint no longer answers.
    const res = await fetch(`${h.es.url}/_inference/text_embedding/e1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "a" }),
    });
    assert.equal(res.status, 404);
  });
});
