/**
 * `InferenceEndpoint`'s resource side under `pulumi.runtime.setMocks`: another service's credential fields
 * (`api_key`, …) reach the engine as secrets whatever the program passed, other fields stay plain; an
 * `Output` of settings becomes one secret; the ML services' typed settings stay plain.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { InferenceEndpoint, secretServiceSettings } from "pulumi-elasticsearch-ml";

const member = (settings: unknown, key: string): pulumi.Output<unknown> =>
  pulumi.output((settings as Record<string, pulumi.Input<unknown>>)[key]);

describe("InferenceEndpoint: another service's credentials are secrets (setMocks)", function () {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args: pulumi.runtime.MockResourceArgs) => ({ id: "x", state: args.inputs }),
        call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
  });

  it("wraps the credential fields of another service's settings, and nothing else", async () => {
    const wrapped = secretServiceSettings("openai", {
      api_key: "sk-plain",
      organization_id: "org",
      model_id: "text-embedding-3-small",
    });
    assert.equal(await pulumi.isSecret(member(wrapped, "api_key")), true);
    assert.equal(await pulumi.isSecret(member(wrapped, "model_id")), false);
    assert.equal(await pulumi.isSecret(member(wrapped, "organization_id")), false);
    for (const key of ["secret_key", "access_key", "aws_secret", "x_api_key"]) {
      assert.equal(
        await pulumi.isSecret(member(secretServiceSettings("amazonbedrock", { [key]: "v" }), key)),
        true,
        key,
      );
    }
  });

  it("leaves the ML services' settings plain; an Output of settings or of the service becomes one secret", async () => {
    const ml = { modelId: ".elser_model_2", numAllocations: 1, numThreads: 1 };
    assert.equal(secretServiceSettings("elasticsearch", ml), ml);
    const whole = secretServiceSettings("cohere", pulumi.output({ api_key: "k" }));
    assert.equal(await pulumi.isSecret(pulumi.output(whole)), true);
    const byOutput = secretServiceSettings(pulumi.output("openai"), { api_key: "k" });
    assert.equal(await pulumi.isSecret(pulumi.output(byOutput)), true);
    const mlByOutput = secretServiceSettings(pulumi.output("elasticsearch"), ml);
    assert.equal(await pulumi.isSecret(pulumi.output(mlByOutput)), false);
  });

  it("the resource passes its settings through it", async () => {
    const endpoint = new InferenceEndpoint("openai", {
      taskType: "text_embedding",
      inferenceId: "openai-embed",
      service: "openai",
      serviceSettings: { api_key: "sk-plain", model_id: "text-embedding-3-small" },
    });
    assert.equal(
      await pulumi.isSecret(endpoint.serviceSettings),
      true,
      "the output holding a credential is secret",
    );
  });
});
