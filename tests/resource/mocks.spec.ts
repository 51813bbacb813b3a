/**
 * The resource's wiring under `pulumi.runtime.setMocks`: type token, inputs sent to the engine (including
 * the serialized provider), outputs exposed as properties.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MODEL_TYPE_TOKEN, TrainedModel, TrainedModelDeployment, TYPE_TOKEN } from "pulumi-elasticsearch-ml";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

describe("TrainedModelDeployment wiring (setMocks)", function () {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          // What the provider would return: the inputs plus the facts.
          return {
            id: String(args.inputs.deploymentId ?? args.inputs.modelId),
            state: {
              ...args.inputs,
              deploymentId: args.inputs.deploymentId ?? args.inputs.modelId,
              clusterUuid: "uuid-1",
              allocationState: "fully_allocated",
              allocationCount: 2,
              effective: { state: "started", numberOfAllocations: 2 },
              referencingPipelines: ["p1"],
            },
          };
        },
        call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
  });
  beforeEach(() => registered.splice(0));

  it("registers the dynamic type token and passes the declared inputs plus a serialized provider", async () => {
    const resource = new TrainedModelDeployment("search", {
      modelId: "tiny",
      deploymentId: "tiny-search",
      numberOfAllocations: pulumi.output(2),
      stop: { force: true },
    });
    assert.equal(await valueOf(resource.urn), "urn:pulumi:stack::project::" + TYPE_TOKEN + "::search");
    assert.equal(TYPE_TOKEN, "pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment");
    const [reg] = registered;
    assert.equal(reg.type, TYPE_TOKEN);
    assert.equal(reg.name, "search");
    assert.equal(reg.inputs.modelId, "tiny");
    assert.equal(reg.inputs.deploymentId, "tiny-search");
    assert.equal(reg.inputs.numberOfAllocations, 2);
    assert.deepEqual(reg.inputs.stop, { force: true });
    const provider = reg.inputs.__provider as string;
    assert.equal(typeof provider, "string");
    assert.match(provider, /require\("pulumi-elasticsearch-ml\/provider"\)\.create\(\.\.\.args\)/);
    assert.doesNotMatch(provider, /dist\//, "no path inside the package is baked into state");
  });

  it("TrainedModel registers its own type token and serialized provider (its own stable entry)", async () => {
    const model = new TrainedModel("e5", { modelId: ".multilingual-e5-small", platform: "auto" });
    assert.equal(MODEL_TYPE_TOKEN, "pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModel");
    assert.equal(await valueOf(model.urn), "urn:pulumi:stack::project::" + MODEL_TYPE_TOKEN + "::e5");
    const [reg] = registered;
    assert.equal(reg.type, MODEL_TYPE_TOKEN);
    assert.equal(reg.inputs.modelId, ".multilingual-e5-small");
    assert.equal(reg.inputs.platform, "auto");
    const provider = reg.inputs.__provider as string;
    assert.match(
      provider,
      /require\("pulumi-elasticsearch-ml\/provider\/trained-model"\)\.delete\(\.\.\.args\)/,
    );
    assert.doesNotMatch(provider, /dist\/|require\("pulumi-elasticsearch-ml\/provider"\)/);
  });

  it("exposes inputs and provider outputs as typed properties", async () => {
    const resource = new TrainedModelDeployment("ingest", { modelId: "tiny", numberOfAllocations: 2 });
    assert.equal(await valueOf(resource.id), "tiny");
    assert.equal(await valueOf(resource.modelId), "tiny");
    assert.equal(await valueOf(resource.deploymentId), "tiny");
    assert.equal(await valueOf(resource.clusterUuid), "uuid-1");
    assert.equal(await valueOf(resource.allocationState), "fully_allocated");
    assert.equal(await valueOf(resource.allocationCount), 2);
    assert.deepEqual(await valueOf(resource.effective), { state: "started", numberOfAllocations: 2 });
    assert.deepEqual(await valueOf(resource.referencingPipelines), ["p1"]);
  });

  it("sends no unset input, and exposes every output before the provider runs", async () => {
    const resource = new TrainedModelDeployment("seeded", { modelId: "tiny" });
    await valueOf(resource.urn);
    const [reg] = registered;
    assert.equal("numberOfAllocations" in reg.inputs, false);
    assert.equal("clusterUuid" in reg.inputs, false, "seeded outputs are not inputs");
    for (const key of [
      "clusterUuid",
      "effective",
      "deploymentState",
      "reason",
      "allocationState",
      "allocationCount",
      "targetAllocationCount",
      "nodes",
      "startTime",
      "referencingPipelines",
      "inferenceEndpoints",
      "waitFor",
      "waitTimeoutSeconds",
      "state",
    ]) {
      assert.ok(pulumi.Output.isInstance((resource as unknown as Record<string, unknown>)[key]), key);
    }
  });

  it("one serialized provider, shared by every resource", async () => {
    new TrainedModelDeployment("a", { modelId: "tiny", deploymentId: "a" });
    new TrainedModelDeployment("b", { modelId: "tiny", deploymentId: "b" });
    await valueOf(new TrainedModelDeployment("c", { modelId: "tiny", deploymentId: "c" }).urn);
    const texts = new Set(registered.map((r) => r.inputs.__provider));
    assert.equal(texts.size, 1);
  });
});
