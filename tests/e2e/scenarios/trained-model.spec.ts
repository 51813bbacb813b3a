/**
 * End to end through the real Pulumi engine (Automation API, inline program) against a fresh emulator that
 * has not downloaded any model: one program declares a `TrainedModel` and a `TrainedModelDeployment` whose
 * `modelId` is the model's output, so `up` downloads, then deploys; `destroy` stops the deployment before it
 * deletes the model. An uploaded model whose definition file changes is replaced in dependency order: the
 * deployment stops, the model is deleted and uploaded again, the deployment starts again.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { EmulatorHandle, RequestLogEntry } from "elasticsearch-ml-emulator";
import * as adaptive from "example-adaptive";
import * as minimal from "example-minimal";
import * as stackReference from "example-stack-reference";
import * as teardown from "example-teardown";
import * as twoClusters from "example-two-clusters";
import { MODEL_TYPE_TOKEN, TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { expectOperationFailure, getPulumiCli, stepOps, TestStack, urnName, withTestStack } from "../harness";
import { describeLog, freshCluster, stackOn, startScenarioEmulator } from "./support";

const E5 = ".multilingual-e5-small";

/** A packaged model and a deployment of it (the deployment takes the model's output). */
function downloadThenDeploy(allocations: number): PulumiFn {
  return async () => {
    const model = new TrainedModel("e5", { modelId: E5, platform: "auto" });
    const deployment = new TrainedModelDeployment("e5-search", {
      modelId: model.resolvedModelId,
      deploymentId: "e5-search",
      numberOfAllocations: allocations,
    });
    return {
      model: {
        resolvedModelId: model.resolvedModelId,
        fullyDefined: model.fullyDefined,
        inferenceTask: model.inferenceTask,
      },
      allocations: deployment.allocationCount,
    };
  };
}

/** Your own model uploaded from files, and a deployment of it. */
function uploadThenDeploy(definitionPath: string): PulumiFn {
  return async () => {
    const model = new TrainedModel("mine", {
      modelId: "my-embedder",
      upload: {
        definitionPath,
        vocabulary: { vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello"] },
        config: {
          model_type: "pytorch",
          inference_config: { text_embedding: { tokenization: { bert: { do_lower_case: true } } } },
          input: { field_names: ["text_field"] },
        },
      },
    });
    new TrainedModelDeployment("mine-search", {
      modelId: model.resolvedModelId,
      deploymentId: "mine-search",
    });
    return { sha256: model.uploadedFiles.apply((f) => f?.definition.sha256) };
  };
}

/** `METHOD path` of the requests that change models and deployments, in log order. */
function changes(log: readonly RequestLogEntry[]): string[] {
  return log
    .filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.status < 300)
    .filter((e) => /^\/_ml\/trained_models\//.test(e.path))
    .map((e) => `${e.method} ${e.path.replace(/\/definition\/\d+$/, "/definition/<n>")}`)
    .filter((line, i, all) => i === 0 || line !== all[i - 1] || !line.endsWith("/definition/<n>"));
}

describe("e2e: TrainedModel through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;
  let dir: string;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startScenarioEmulator({ modelDownloadMs: 300 });
    dir = mkdtempSync(join(tmpdir(), "e2e-model-"));
  });

  after(async () => {
    await es?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => freshCluster(es, []));

  it("a fresh cluster: up downloads the packaged model then deploys it; scale; destroy stops, then deletes", async () => {
    assert.equal(
      es.admin.state().models.some((m) => m.modelId.startsWith(E5)),
      false,
      "not downloaded yet",
    );
    await withTestStack(stackOn(es, downloadThenDeploy(1)), async (stack) => {
      // Preview sends nothing: the platform choice is decided at apply.
      await stack.preview();
      assert.deepEqual(es.admin.log(), [], describeLog(es.admin.log()));

      const up = await stack.up();
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      const model = up.result.outputs.model?.value as {
        resolvedModelId: string;
        fullyDefined: boolean;
        inferenceTask: string;
      };
      // Every emulated ML node is Linux x86_64, so platform "auto" chose the optimized build.
      assert.equal(model.resolvedModelId, `${E5}_linux-x86_64`);
      assert.equal(model.fullyDefined, true);
      assert.equal(model.inferenceTask, "text_embedding");
      assert.equal(up.result.outputs.allocations?.value, 1);
      const id = model.resolvedModelId;
      assert.deepEqual(
        changes(es.admin.log()),
        [`PUT /_ml/trained_models/${id}`, `POST /_ml/trained_models/${id}/deployment/_start`],
        describeLog(es.admin.log()),
      );
      assert.match(up.output, /downloading/, "progress lines reach the user");

      stack.setProgram(downloadThenDeploy(2));
      es.admin.clearLog();
      const scale = await stack.up();
      assert.deepEqual(scale.result.summary.resourceChanges, { same: 2, update: 1 });
      assert.deepEqual(stepOps(scale.events, { name: "e5" }), ["same"]);
      assert.deepEqual(changes(es.admin.log()), ["POST /_ml/trained_models/e5-search/deployment/_update"]);

      es.admin.clearLog();
      await stack.destroy();
      assert.deepEqual(
        changes(es.admin.log()),
        ["POST /_ml/trained_models/e5-search/deployment/_stop", `DELETE /_ml/trained_models/${id}`],
        describeLog(es.admin.log()),
      );
      assert.equal(
        es.admin.state().models.some((m) => m.modelId === id),
        false,
      );
      assert.equal(es.admin.state().deployments.length, 0);
    });
  });

  it("the minimal example with a packaged model id starts from a cluster without the model", async () => {
    const program = () => minimal.program({ modelId: E5, deploymentId: "minimal-e5" });
    await withTestStack(stackOn(es, program), async (stack) => {
      const up = await stack.up();
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      assert.equal(up.result.outputs.allocationState?.value, "fully_allocated");
      const id = `${E5}_linux-x86_64`;
      assert.deepEqual(changes(es.admin.log()), [
        `PUT /_ml/trained_models/${id}`,
        `POST /_ml/trained_models/${id}/deployment/_start`,
      ]);
      es.admin.clearLog();
      const destroyed = await stack.destroy();
      assert.deepEqual(destroyed.result.summary.resourceChanges, { delete: 3 });
      assert.deepEqual(changes(es.admin.log()), [
        "POST /_ml/trained_models/minimal-e5/deployment/_stop",
        `DELETE /_ml/trained_models/${id}`,
      ]);
    });
  });

  it("the adaptive and teardown examples with a packaged model id download it first and delete it last", async () => {
    const cases = [
      {
        name: "adaptive",
        program: () => adaptive.program({ modelId: E5, deploymentId: "adaptive-e5" }),
        ids: ["adaptive-e5"],
      },
      {
        name: "teardown",
        program: () => teardown.program({ modelId: E5 }),
        ids: ["teardown-search", "teardown-ingest"],
      },
    ];
    const id = `${E5}_linux-x86_64`;
    for (const example of cases) {
      await freshCluster(es, []);
      await withTestStack(stackOn(es, example.program, { projectName: example.name }), async (stack) => {
        const up = await stack.up();
        assert.deepEqual(up.result.summary.resourceChanges, { create: example.ids.length + 2 }, example.name);
        const made = changes(es.admin.log());
        assert.equal(
          made[0],
          `PUT /_ml/trained_models/${id}`,
          `${example.name}: downloaded first\n${made.join("\n")}`,
        );
        assert.equal(made.filter((m) => m.endsWith("/_start")).length, example.ids.length);
        es.admin.clearLog();
        await stack.destroy();
        const torn = changes(es.admin.log());
        assert.equal(
          torn.at(-1),
          `DELETE /_ml/trained_models/${id}`,
          `${example.name}: deleted last\n${torn.join("\n")}`,
        );
        assert.equal(torn.filter((m) => m.endsWith("/_stop")).length, example.ids.length);
      });
    }
  });

  it("the two-clusters example with a packaged model id downloads it on each cluster", async () => {
    const eu = await startScenarioEmulator({ modelDownloadMs: 50 });
    try {
      const program = () => twoClusters.program({ modelId: E5, deploymentId: "shared-e5", connection: "eu" });
      const options = stackOn(es, program, {
        projectName: "two-clusters",
        config: { "elasticsearch-ml:connections": JSON.stringify({ eu: { endpoints: eu.url } }) },
      });
      await withTestStack(options, async (stack) => {
        const up = await stack.up();
        assert.deepEqual(up.result.summary.resourceChanges, { create: 5 });
        const id = `${E5}_linux-x86_64`;
        for (const cluster of [es, eu]) {
          assert.deepEqual(changes(cluster.admin.log()), [
            `PUT /_ml/trained_models/${id}`,
            `POST /_ml/trained_models/${id}/deployment/_start`,
          ]);
        }
        await stack.destroy();
        for (const cluster of [es, eu]) {
          assert.equal(
            cluster.admin.state().models.some((m) => m.modelId === id),
            false,
          );
        }
      });
    } finally {
      await eu.close();
    }
  });

  it("the stack-reference example with a packaged id: the model on the platform's connection, a key rotation updates both in place", async () => {
    const backend = mkdtempSync(join(tmpdir(), "e2e-model-backend-"));
    const shared = { passphrase: "model-stack-reference", env: { PULUMI_BACKEND_URL: `file://${backend}` } };
    const stacks: TestStack[] = [];
    try {
      const platform = await TestStack.create({
        ...shared,
        projectName: "platform",
        stackName: "prod",
        program: async () => stackReference.platformProgram(stackReference.platformSettingsFromStackConfig()),
        config: {
          "platform:endpoint": es.url,
          "platform:apiKey": { value: "rotation-id-1:key-one", secret: true },
        },
      });
      stacks.push(platform);
      const ml = await TestStack.create({
        ...shared,
        projectName: "ml",
        stackName: "prod",
        program: async () =>
          stackReference.mlProgram({
            platformStack: "organization/platform/prod",
            modelId: E5,
            deploymentId: "sr-e5",
          }),
      });
      stacks.push(ml);
      await platform.up();
      const up = await ml.up();
      // The stack, the model and the deployment (the StackReference is read, not created).
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      const id = `${E5}_linux-x86_64`;
      assert.deepEqual(changes(es.admin.log()), [
        `PUT /_ml/trained_models/${id}`,
        `POST /_ml/trained_models/${id}/deployment/_start`,
      ]);

      await platform.setSecret("platform:apiKey", "rotation-id-2:key-two");
      await platform.up();
      es.admin.clearLog();
      const rotated = await ml.up();
      assert.deepEqual(stepOps(rotated.events, { name: "model" }), ["update"]);
      assert.deepEqual(stepOps(rotated.events, { name: "search" }), ["update"]);
      assert.deepEqual(changes(es.admin.log()), [], "a key rotation changes nothing in the cluster");

      es.admin.clearLog();
      await ml.destroy();
      assert.deepEqual(changes(es.admin.log()), [
        "POST /_ml/trained_models/sr-e5/deployment/_stop",
        `DELETE /_ml/trained_models/${id}`,
      ]);
    } finally {
      for (const stack of stacks.reverse()) await stack.cleanup().catch(() => undefined);
      rmSync(backend, { recursive: true, force: true });
    }
  });

  it("a download past waitTimeoutSeconds is recorded, and the next up finishes it without a second download", async () => {
    const program = (waitTimeoutSeconds: number) => async () => {
      const model = new TrainedModel("e5", { modelId: E5, waitTimeoutSeconds });
      return { fullyDefined: model.fullyDefined };
    };
    await withTestStack(stackOn(es, program(0.01)), async (stack) => {
      const failed = await expectOperationFailure(stack.up());
      assert.match(failed.output, /was not fully downloaded within waitTimeoutSeconds \(0\.01 s\)/);
      assert.match(failed.output, /picked up, not restarted/);
      const recorded = (await stack.exportStack()).resources?.find((r) => r.type === MODEL_TYPE_TOKEN);
      assert.equal(recorded?.outputs?.fullyDefined, false);

      stack.setProgram(program(60));
      const again = await stack.up();
      assert.equal(again.result.outputs.fullyDefined?.value, true);
      const puts = es.admin.log().filter((e) => e.method === "PUT" && e.path === `/_ml/trained_models/${E5}`);
      assert.equal(puts.length, 1, `one download in all:\n${describeLog(es.admin.log())}`);
      await stack.destroy();
    });
  });

  it("an interrupted upload is recorded not fully defined (with __provider); the next up deletes and re-uploads it", async () => {
    const definitionPath = join(dir, "interrupted.pt");
    writeFileSync(definitionPath, randomBytes(20_000));
    await withTestStack(stackOn(es, uploadThenDeploy(definitionPath)), async (stack) => {
      es.admin.addFault({ method: "PUT", path: "/definition/0$", status: 500, times: 1 });
      const failed = await expectOperationFailure(stack.up());
      assert.match(
        failed.output,
        /half-defined in the cluster and recorded in the stack as not fully defined/,
      );
      const checkpoint = await stack.exportStack();
      const model = (checkpoint.resources ?? []).find((r) => r.type === MODEL_TYPE_TOKEN);
      assert.ok(model, "the model is recorded despite the failure");
      assert.equal(urnName(model.urn), "mine");
      assert.equal(model.outputs?.fullyDefined, false);
      assert.equal(typeof model.outputs?.__provider, "string", "__provider survived the partial failure");
      assert.equal(
        (checkpoint.resources ?? []).some((r) => urnName(r.urn) === "mine-search"),
        false,
        "the deployment waits for the model",
      );

      es.admin.clearLog();
      const again = await stack.up();
      assert.deepEqual(again.result.summary.resourceChanges, { same: 1, update: 1, create: 1 });
      assert.deepEqual(changes(es.admin.log()).slice(0, 3), [
        "DELETE /_ml/trained_models/my-embedder",
        "PUT /_ml/trained_models/my-embedder",
        "PUT /_ml/trained_models/my-embedder/definition/<n>",
      ]);
      await stack.destroy();
    });
  });

  it("an uploaded model whose definition file changes: stop the deployment, delete and re-upload, start again", async () => {
    const definitionPath = join(dir, "traced_pytorch_model.pt");
    writeFileSync(definitionPath, randomBytes(20_000));
    await withTestStack(stackOn(es, uploadThenDeploy(definitionPath)), async (stack) => {
      const up = await stack.up();
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      const firstSha = up.result.outputs.sha256?.value as string;
      assert.match(firstSha, /^[0-9a-f]{64}$/);

      writeFileSync(definitionPath, randomBytes(20_000));
      es.admin.clearLog();
      const replaced = await stack.up();
      assert.deepEqual(replaced.result.summary.resourceChanges, { same: 1, replace: 2 });
      assert.notEqual(replaced.result.outputs.sha256?.value, firstSha);
      assert.deepEqual(
        changes(es.admin.log()),
        [
          "POST /_ml/trained_models/mine-search/deployment/_stop",
          "DELETE /_ml/trained_models/my-embedder",
          "PUT /_ml/trained_models/my-embedder",
          "PUT /_ml/trained_models/my-embedder/definition/<n>",
          "PUT /_ml/trained_models/my-embedder/vocabulary",
          "POST /_ml/trained_models/my-embedder/deployment/_start",
        ],
        describeLog(es.admin.log()),
      );

      es.admin.clearLog();
      const again = await stack.up();
      assert.deepEqual(again.result.summary.resourceChanges, { same: 3 }, "an unchanged file is no change");
      await stack.destroy();
    });
  });
});
