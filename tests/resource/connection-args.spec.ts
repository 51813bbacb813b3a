/**
 * The resource side of the connection argument (issue 15 item 2), under `pulumi.runtime.setMocks`: the
 * credentials a program passes as plain strings reach the engine as secrets; other settings stay plain;
 * a name passes unchanged; an `Output` resolving to settings becomes one secret. Both resources
 * (`TrainedModelDeployment`, `TrainedModel`) pass their argument through it.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  secretConnection,
  TrainedModel,
  TrainedModelDeployment,
  type ConnectionArgs,
} from "pulumi-elasticsearch-ml";

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

const member = (c: unknown, key: string): pulumi.Output<unknown> =>
  pulumi.output((c as Record<string, pulumi.Input<unknown>>)[key]);

describe("connection argument: secretConnection (setMocks)", function () {
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

  it("makes every credential a secret, whatever was passed, and leaves the rest plain", async () => {
    const wrapped = secretConnection({
      endpoints: "https://es:9200",
      apiKey: "plain-key",
      password: "pw",
      bearerToken: pulumi.output("token"),
      esClientAuthentication: "jwt",
      keyData: "pem",
      headers: { "X-Opaque-Id": "p" },
      username: "u",
      maxRetries: 2,
    } satisfies ConnectionArgs);
    for (const key of ["apiKey", "password", "bearerToken", "esClientAuthentication", "keyData", "headers"]) {
      assert.equal(await pulumi.isSecret(member(wrapped, key)), true, key);
    }
    for (const key of ["endpoints", "username", "maxRetries"]) {
      assert.equal(await pulumi.isSecret(member(wrapped, key)), false, key);
    }
    assert.equal(await valueOf(member(wrapped, "apiKey")), "plain-key");
  });

  it("an endpoint URL with user-info becomes a secret too", async () => {
    const wrapped = secretConnection({ endpoints: ["https://a:9200", "https://u:p@b:9200"] });
    assert.equal(await pulumi.isSecret(member(wrapped, "endpoints")), true);
  });

  it("a name passes unchanged; an Output of settings becomes one secret", async () => {
    assert.equal(secretConnection("eu"), "eu");
    assert.equal(secretConnection(undefined), undefined);
    const whole = secretConnection(pulumi.output({ endpoints: "https://es:9200", apiKey: "k" }) as never);
    assert.equal(await pulumi.isSecret(pulumi.output(whole)), true);
    const name = secretConnection(pulumi.output("eu"));
    assert.equal(await pulumi.isSecret(pulumi.output(name)), false);
  });

  it("the resource passes its argument through it", async () => {
    const d = new TrainedModelDeployment("d", {
      modelId: "m",
      connection: { endpoints: "https://es:9200", apiKey: "plain-key" },
    });
    const recorded = await valueOf(d.connection);
    assert.deepEqual(recorded, { endpoints: "https://es:9200", apiKey: "plain-key" });
    assert.equal(await pulumi.isSecret(d.connection), true, "the output holding a credential is secret");
  });

  it("TrainedModel passes its argument through it too", async () => {
    const m = new TrainedModel("m", {
      modelId: ".elser_model_2",
      connection: { endpoints: "https://es:9200", apiKey: "plain-key" },
    });
    const recorded = await valueOf(m.connection);
    assert.deepEqual(recorded, { endpoints: "https://es:9200", apiKey: "plain-key" });
    assert.equal(await pulumi.isSecret(m.connection), true, "the output holding a credential is secret");
    const named = new TrainedModel("n", { modelId: ".elser_model_2", connection: "eu" });
    assert.equal(await valueOf(named.connection), "eu");
    assert.equal(await pulumi.isSecret(named.connection), false);
  });
});
