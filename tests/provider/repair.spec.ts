/**
 * A deployment Elasticsearch reports failed (issue 11 item 3): refresh records `effective.state: "failed"`
 * (so the next preview shows `failed => started`), and the next `up` repairs it in place: stop with the
 * usual flags (refused with 409 while pipelines use it, unless forced), then start as declared. A
 * deployment with only some routes failed keeps serving: it is reported with a warning, never restarted.
 * The failures come from the emulator's admin fault, as Elasticsearch's stats report them.
 */
import * as assert from "node:assert/strict";
import {
  DeploymentExistsError,
  PartialFailureError,
  StopRefusedError,
} from "pulumi-elasticsearch-ml/provider";
import { putInferencePipeline } from "../client/fixtures";
import { providerHarness, rejection, startDirectly } from "./harness";

const REASON = "Failed to load model: pytorch_inference process crashed";

describe("provider: a failed deployment is made visible and repaired", function () {
  const h = providerHarness();

  async function failedAndRefreshed(extra: Record<string, unknown> = {}) {
    const { id, outs } = await h.create({ modelId: "tiny", numberOfAllocations: 1, ...extra });
    h.es.admin.failDeployment("tiny", { reason: REASON });
    const read = await h.provider.read(id, outs);
    h.es.admin.clearLog();
    return { id, read };
  }

  it("refresh records effective.state failed and returns state failed as the input, so the preview shows failed => started", async () => {
    const { read } = await failedAndRefreshed();
    const effective = read.props.effective as Record<string, unknown>;
    assert.equal(effective.state, "failed");
    assert.equal(read.props.deploymentState, "failed");
    assert.equal(read.props.state, "started", "the declaration is kept under the input name");
    assert.equal(read.inputs.state, "failed", "the refreshed inputs carry the drift");
    const nodes = read.props.nodes as { routingState: string; reason?: string }[];
    assert.deepEqual(
      nodes.map((n) => [n.routingState, n.reason]),
      [["failed", REASON]],
    );
  });

  it("diff plans an in-place repair, and update stops then starts it with the declared parameters", async () => {
    const { id, read } = await failedAndRefreshed();
    const news = h.checked({ modelId: "tiny", numberOfAllocations: 2 });
    const diff = h.provider.diff(id, read.props, news);
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces, [], "a repair is an update, not a replacement");

    const { outs } = await h.provider.update(id, read.props, news);
    assert.deepEqual(
      h.mutations().map((e) => [e.method, e.path.replace(/^\/_ml\/trained_models\//, ""), e.status]),
      [
        ["POST", "tiny/deployment/_stop", 200],
        ["POST", "tiny/deployment/_start", 200],
      ],
    );
    const start = h.mutations()[1];
    assert.equal(start.query.number_of_allocations, "2", "started with the declared parameters");
    assert.equal((outs.effective as Record<string, unknown>).state, "started");
    assert.equal(outs.allocationState, "fully_allocated");
    assert.ok(
      h.progress.infos.some(
        (l) => l.startsWith(`tiny: Elasticsearch reports it failed (failed routes: [`) && l.includes(REASON),
      ),
      h.progress.infos.join("\n"),
    );
  });

  it("the repair's stop is refused with 409 while a pipeline uses it, and nothing is started", async () => {
    const { id, read } = await failedAndRefreshed();
    await putInferencePipeline(h.es, "p1", "tiny");
    h.es.admin.clearLog();
    const withUsers = { ...read.props, referencingPipelines: ["p1"] };
    h.provider.diff(id, withUsers, h.checked({ modelId: "tiny", numberOfAllocations: 1 }));
    assert.ok(
      h.progress.warnings.some((w) =>
        /^tiny: this change stops the deployment, which ingest pipeline \[p1\]/.test(w),
      ),
      h.progress.warnings.join("\n"),
    );
    const err = await rejection(
      h.provider.update(id, withUsers, h.checked({ modelId: "tiny", numberOfAllocations: 1 })),
    );
    assert.ok(err instanceof StopRefusedError, String(err));
    assert.match(err.message, /set stop: \{ force: true \} on the resource/);
    assert.deepEqual(
      h.mutations().map((e) => [e.path.replace(/^.*\//, ""), e.status]),
      [["_stop", 409]],
    );
  });

  it("with stop.force the repair goes through the pipeline's refusal", async () => {
    const { id, read } = await failedAndRefreshed();
    await putInferencePipeline(h.es, "p1", "tiny");
    h.es.admin.clearLog();
    await h.provider.update(
      id,
      read.props,
      h.checked({ modelId: "tiny", numberOfAllocations: 1, stop: { force: true } }),
    );
    const [stop, start] = h.mutations();
    assert.equal(stop.query.force, "true");
    assert.equal(start.status, 200);
  });

  it("a create that finds a failed deployment refuses it, and adoptExisting repairs it", async () => {
    await startDirectly(h.es, "tiny", { deployment_id: "d" });
    h.es.admin.failDeployment("d", { reason: REASON });
    h.es.admin.clearLog();
    const err = await rejection(h.create({ modelId: "tiny", deploymentId: "d" }));
    assert.ok(err instanceof DeploymentExistsError);
    assert.match(
      err.message,
      /^Deployment \[d\] already exists on cluster \[[^\]]+\] and has failed \(failed routes: /,
    );
    assert.deepEqual(h.mutations(), []);
    const { outs } = await h.create({ modelId: "tiny", deploymentId: "d", adoptExisting: true });
    assert.deepEqual(
      h.mutations().map((e) => e.path.replace(/^.*\//, "")),
      ["_stop", "_start"],
    );
    assert.equal(outs.deploymentState, "started");
  });
});

describe("provider: a deployment that fails while create waits", function () {
  // Routes take 1 s to start, so the deployment is still starting when the test fails it.
  const h = providerHarness({ emulator: { startDelayMs: 1000 } });

  it("is recorded failed (a partial failure), and the next up stops it and starts it again", async () => {
    const inputs = h.checked({ modelId: "tiny", waitTimeoutSeconds: 60 });
    const creating = rejection(h.provider.create(inputs));
    // After the _start answered (a failure during its server-side wait would end it with a 500 instead).
    while (!h.es.admin.log().some((e) => e.path.endsWith("/deployment/_start"))) {
      await new Promise((r) => setTimeout(r, 2));
    }
    h.es.admin.failDeployment("tiny", { reason: REASON });
    const err = await creating;
    assert.ok(err instanceof PartialFailureError, String(err));
    assert.match(
      err.message,
      /It is recorded in the stack as failed: fix the cause, then run pulumi up again \(it stops the failed deployment and starts it again\)/,
    );
    const recorded = err.properties;
    assert.equal((recorded.effective as Record<string, unknown>).state, "failed");

    // The engine's next up calls update with the recorded outputs and unchanged inputs.
    h.es.admin.clearLog();
    const updating = h.provider.update("tiny", recorded, inputs);
    const { outs } = await updating;
    assert.deepEqual(
      h.mutations().map((e) => e.path.replace(/^.*\//, "")),
      ["_stop", "_start"],
    );
    assert.equal((outs.effective as Record<string, unknown>).state, "started");
  });
});

describe("provider: a deployment with some routes failed", function () {
  // Two one-processor nodes: two allocations of one thread land on one node each.
  const h = providerHarness({ emulator: { mlNodes: 2, processorsPerNode: 1 } });

  it("is reported with a warning naming the node and the reason, and is not repaired", async () => {
    const { id, outs, inputs } = await h.create({ modelId: "tiny", numberOfAllocations: 2 });
    const [firstNode] = h.es.admin.state().nodes;
    h.es.admin.failDeployment("tiny", { nodeId: firstNode!.id, reason: REASON });
    const read = await h.provider.read(id, outs);
    assert.equal((read.props.effective as Record<string, unknown>).state, "started");
    assert.equal(read.inputs.state, "started");
    assert.ok(
      h.progress.warnings.some(
        (w) =>
          w.startsWith(`tiny: its route on node [${firstNode!.name}] (${REASON}) failed; it keeps serving`) &&
          w.includes("it is not restarted"),
      ),
      h.progress.warnings.join("\n"),
    );
    h.es.admin.clearLog();
    const diff = h.provider.diff(id, read.props, inputs);
    assert.equal(diff.changes, false, "no repair planned");
  });
});
