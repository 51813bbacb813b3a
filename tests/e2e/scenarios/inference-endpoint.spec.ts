/**
 * End to end through the real Pulumi engine (Automation API, inline program) against a fresh emulator that
 * has not downloaded any model:
 * - `TrainedModel` (ELSER) → `InferenceEndpoint` on its `resolvedModelId`; the test then makes a pipeline
 *   and a `semantic_text` index that reference the endpoint (through the emulator's API, as a user would);
 *   the endpoint is scaled in place; `destroy` is refused naming both references; the endpoint's own force
 *   flag (environment) tears it down.
 * - An endpoint declared on a `TrainedModelDeployment`'s `deploymentId` output is created after the
 *   deployment and deleted before it (9.x refuses to stop a deployment an endpoint uses); a declared stop of
 *   that deployment is announced by the preview (from the refresh's record) and refused by `up`, naming the
 *   endpoint and the way through.
 * - A create that a proxy times out (502 while Elasticsearch goes on downloading and deploying) is settled
 *   by `GET _inference/<id>`: exactly one PUT, and `up` succeeds with the endpoint ready.
 */
import * as assert from "node:assert/strict";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { EmulatorHandle, RequestLogEntry } from "elasticsearch-ml-emulator";
import {
  ENDPOINT_TYPE_TOKEN,
  InferenceEndpoint,
  TrainedModel,
  TrainedModelDeployment,
} from "pulumi-elasticsearch-ml";
import { expectOperationFailure, getPulumiCli, withTestStack } from "../harness";
import { describeLog, everythingSaid, freshCluster, stackOn, startScenarioEmulator } from "./support";

const ELSER = ".elser_model_2";

function modelThenEndpoint(allocations: number): PulumiFn {
  return async () => {
    const model = new TrainedModel("elser", { modelId: ELSER, platform: "auto" });
    const endpoint = new InferenceEndpoint("my-elser", {
      taskType: "sparse_embedding",
      inferenceId: "my-elser",
      service: "elasticsearch",
      serviceSettings: { modelId: model.resolvedModelId, numAllocations: allocations, numThreads: 1 },
    });
    return { deploymentId: endpoint.deploymentId, allocation: endpoint.allocation, ready: endpoint.ready };
  };
}

function endpointOnDeployment(state: "started" | "stopped" = "started"): PulumiFn {
  return async () => {
    const model = new TrainedModel("elser", { modelId: ELSER, platform: "auto" });
    const deployment = new TrainedModelDeployment("elser-search", {
      modelId: model.resolvedModelId,
      deploymentId: "elser-search",
      state,
    });
    const endpoint = new InferenceEndpoint("on-search", {
      taskType: "sparse_embedding",
      inferenceId: "on-search",
      service: "elasticsearch",
      serviceSettings: { deploymentId: deployment.deploymentId },
    });
    return { deploymentId: endpoint.deploymentId, owns: endpoint.ownsDeployment };
  };
}

/** `METHOD path` of the successful requests that change endpoints, deployments and models, in log order. */
function changes(log: readonly RequestLogEntry[]): string[] {
  return log
    .filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.status < 300)
    .filter((e) => /^\/_(ml\/trained_models|inference)\//.test(e.path))
    .filter((e) => !(e.query as Record<string, string> | undefined)?.dry_run)
    .map((e) => `${e.method} ${e.path}`);
}

async function direct(es: EmulatorHandle, method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${es.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

describe("e2e: InferenceEndpoint through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startScenarioEmulator({ modelDownloadMs: 200 });
  });

  after(async () => {
    await es?.close();
  });

  beforeEach(() => freshCluster(es, []));

  it("model → endpoint; referenced by a pipeline and a semantic_text index; scaled in place; destroy refused naming both; torn down with the endpoint's force flag", async () => {
    await withTestStack(stackOn(es, modelThenEndpoint(1)), async (stack) => {
      const up = await stack.up();
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      assert.equal(up.result.outputs.deploymentId?.value, "my-elser");
      assert.equal(up.result.outputs.ready?.value, true);
      const id = `${ELSER}_linux-x86_64`;
      assert.deepEqual(
        changes(es.admin.log()),
        [`PUT /_ml/trained_models/${id}`, "PUT /_inference/sparse_embedding/my-elser"],
        describeLog(es.admin.log()),
      );

      await direct(es, "PUT", "/_ingest/pipeline/embed", {
        processors: [{ inference: { model_id: "my-elser" } }],
      });
      await direct(es, "PUT", "/docs", {
        mappings: { properties: { text: { type: "semantic_text", inference_id: "my-elser" } } },
      });

      stack.setProgram(modelThenEndpoint(2));
      const preview = await stack.preview();
      assert.match(
        everythingSaid(preview),
        /in place through PUT _inference\/sparse_embedding\/my-elser\/_update/,
      );
      es.admin.clearLog();
      const scale = await stack.up();
      assert.deepEqual(scale.result.summary.resourceChanges, { same: 2, update: 1 });
      assert.deepEqual(changes(es.admin.log()), ["PUT /_inference/sparse_embedding/my-elser/_update"]);
      assert.equal(
        (scale.result.outputs.allocation?.value as { targetAllocationCount: number }).targetAllocationCount,
        2,
      );

      es.admin.clearLog();
      const refused = await expectOperationFailure(stack.destroy());
      assert.match(
        refused.output,
        /Refusing to delete inference endpoint \[my-elser\]: ingest pipelines \[embed\] and semantic_text fields of indices \[docs\] reference it/,
      );
      assert.deepEqual(changes(es.admin.log()), [], "nothing deleted");

      stack.setEnv({ ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS: "true" });
      es.admin.clearLog();
      await stack.destroy();
      assert.deepEqual(
        changes(es.admin.log()),
        ["DELETE /_inference/sparse_embedding/my-elser", `DELETE /_ml/trained_models/${id}`],
        describeLog(es.admin.log()),
      );
    });
  });

  it("refresh drops an endpoint deleted out of band, and the next up creates it again", async () => {
    await withTestStack(stackOn(es, modelThenEndpoint(1)), async (stack) => {
      await stack.up();
      await direct(es, "DELETE", "/_inference/sparse_embedding/my-elser?force=true", undefined);
      const refresh = await stack.refresh();
      assert.match(everythingSaid(refresh), /my-elser: not in the cluster \(deleted outside Pulumi\)/);
      const recorded = (await stack.exportStack()).resources?.filter((r) => r.type === ENDPOINT_TYPE_TOKEN);
      assert.deepEqual(recorded, [], "dropped from the stack");
      es.admin.clearLog();
      const again = await stack.up();
      assert.deepEqual(again.result.summary.resourceChanges, { same: 2, create: 1 });
      assert.deepEqual(changes(es.admin.log()), ["PUT /_inference/sparse_embedding/my-elser"]);
    });
  });

  it("an endpoint on a declared deployment is created after it and deleted before it", async () => {
    await withTestStack(stackOn(es, endpointOnDeployment()), async (stack) => {
      const up = await stack.up();
      assert.deepEqual(up.result.summary.resourceChanges, { create: 4 });
      assert.equal(up.result.outputs.deploymentId?.value, "elser-search");
      assert.equal(up.result.outputs.owns?.value, false);
      const id = `${ELSER}_linux-x86_64`;
      assert.deepEqual(changes(es.admin.log()), [
        `PUT /_ml/trained_models/${id}`,
        `POST /_ml/trained_models/${id}/deployment/_start`,
        "PUT /_inference/sparse_embedding/on-search",
      ]);
      es.admin.clearLog();
      await stack.destroy();
      assert.deepEqual(
        changes(es.admin.log()),
        [
          "DELETE /_inference/sparse_embedding/on-search",
          "POST /_ml/trained_models/elser-search/deployment/_stop",
          `DELETE /_ml/trained_models/${id}`,
        ],
        describeLog(es.admin.log()),
      );
    });
  });

  it("a declared stop of the deployment an endpoint uses: the preview says 9.x refuses it, up fails naming the endpoint", async () => {
    await withTestStack(stackOn(es, endpointOnDeployment()), async (stack) => {
      await stack.up();
      // The deployment was created before the endpoint: the refresh records the endpoint and the version.
      await stack.refresh();
      stack.setProgram(endpointOnDeployment("stopped"));
      es.admin.clearLog();
      const preview = await stack.preview();
      const said = everythingSaid(preview).replace(/\s+/g, " ");
      assert.match(
        said,
        /elser-search: this change stops the deployment, which inference endpoint \[on-search\] owned or used at the last refresh\. Elasticsearch 9\.2\.0 will refuse the stop \(409\) unless forced/,
      );
      assert.deepEqual(changes(es.admin.log()), [], "the preview changes nothing");
      const refused = await expectOperationFailure(stack.up());
      const output = refused.output.replace(/\s+/g, " ");
      assert.match(
        output,
        /Elasticsearch refused to stop deployment \[elser-search\] \(409\): the inference endpoint \[on-search\] uses or owns it/,
      );
      assert.match(output, /Delete the endpoint first, or point it at another deployment/);
      assert.deepEqual(
        changes(es.admin.log()).filter((c) => c.endsWith("/_stop")),
        [],
        "nothing stopped",
      );
      stack.setProgram(endpointOnDeployment());
      await stack.destroy();
    });
  });
});

describe("e2e: an InferenceEndpoint create that a proxy times out, through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    // The PUT downloads the model (3 s) and deploys it; the proxy answers 502 after 1.5 s while that goes
    // on. Every other request is answered well within 1.5 s.
    es = await startScenarioEmulator({ modelDownloadMs: 3000, proxyTimeoutMs: 1500 });
  });

  after(async () => {
    await es?.close();
  });

  it("is settled by GET _inference without a second PUT, and up succeeds with the endpoint ready", async () => {
    const program: PulumiFn = async () => {
      const endpoint = new InferenceEndpoint("my-elser", {
        taskType: "sparse_embedding",
        inferenceId: "my-elser",
        service: "elasticsearch",
        serviceSettings: { modelId: ELSER, numAllocations: 1, numThreads: 1 },
      });
      return { ready: endpoint.ready };
    };
    await withTestStack(stackOn(es, program), async (stack) => {
      const up = await stack.up();
      assert.equal(up.result.outputs.ready?.value, true);
      const puts = es.admin
        .log()
        .filter((e) => e.method === "PUT" && e.path === "/_inference/sparse_embedding/my-elser");
      assert.deepEqual(
        puts.map((e) => e.status),
        [502],
        `exactly one PUT, answered by the proxy:\n${describeLog(es.admin.log())}`,
      );
      assert.ok(
        es.admin.log().some((e) => e.method === "GET" && e.path === "/_inference/sparse_embedding/my-elser"),
        "settled by GET _inference/<id>",
      );
    });
  });
});
