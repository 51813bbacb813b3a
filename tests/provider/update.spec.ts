import * as assert from "node:assert/strict";
import { OwnedByInferenceEndpointError, WrongClusterError } from "pulumi-elasticsearch-ml/provider";
import { providerHarness, rejection, requests } from "./harness";

describe("provider update against the emulator", function () {
  const h = providerHarness();

  /** create, then update to `change`, as the engine would (olds = recorded outputs). */
  async function createThenUpdate(initial: Record<string, unknown>, change: Record<string, unknown>) {
    const { id, outs } = await h.create(initial);
    h.es.admin.clearLog();
    const news = h.checked({ ...initial, ...change });
    const diff = h.provider.diff(id, outs, news);
    const { outs: updated } = await h.provider.update(id, outs, news);
    return { id, olds: outs, news, diff, updated };
  }

  it("scales in place with one _update and waits for the new count", async () => {
    const { diff, updated } = await createThenUpdate(
      { modelId: "tiny", numberOfAllocations: 1 },
      { numberOfAllocations: 3 },
    );
    assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepEqual(
      h.mutations().map((e) => [e.path, e.body]),
      [["/_ml/trained_models/tiny/deployment/_update", { number_of_allocations: 3 }]],
    );
    assert.equal(updated.allocationState, "fully_allocated");
    assert.equal(updated.allocationCount, 3);
    assert.equal(updated.targetAllocationCount, 3);
    assert.equal((updated.effective as Record<string, unknown>).numberOfAllocations, 3);
    assert.equal(updated.numberOfAllocations, 3);
  });

  it("leaving adaptive allocations sends enabled:false with the count", async () => {
    const { updated } = await createThenUpdate(
      {
        modelId: "tiny",
        adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
      },
      { adaptiveAllocations: undefined, numberOfAllocations: 2 },
    );
    const [update] = h.mutations();
    assert.deepEqual(update.body, { number_of_allocations: 2, adaptive_allocations: { enabled: false } });
    assert.deepEqual((updated.effective as Record<string, unknown>).adaptiveAllocations, { enabled: false });
    assert.equal(updated.adaptiveAllocations, undefined);
  });

  it("started → stopped stops with the resource's flags and records it stopped", async () => {
    const { diff, updated } = await createThenUpdate(
      { modelId: "tiny" },
      { state: "stopped", stop: { force: true, finishPendingWork: true } },
    );
    assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    const [stop] = h.mutations();
    assert.equal(stop.path, "/_ml/trained_models/tiny/deployment/_stop");
    assert.deepEqual(stop.query, { force: "true", finish_pending_work: "true" });
    assert.equal(stop.body, undefined, "the flags travel in the query string: a body would override them");
    assert.deepEqual(updated.effective, { state: "stopped" });
    assert.equal(updated.deploymentState, undefined);
    assert.deepEqual(h.es.admin.state().deployments, []);
  });

  it("stopped → started starts it with every declared parameter", async () => {
    const { updated } = await createThenUpdate(
      { modelId: "tiny", state: "stopped", numberOfAllocations: 2, queueCapacity: 64 },
      { state: "started" },
    );
    const [start] = h.mutations();
    assert.equal(start.path, "/_ml/trained_models/tiny/deployment/_start");
    assert.equal(start.query.number_of_allocations, "2");
    assert.equal(start.query.queue_capacity, "64");
    assert.equal(updated.allocationState, "fully_allocated");
    assert.equal(updated.clusterUuid, h.es.admin.state().clusterUuid);
  });

  it("parameters of a deployment that stays stopped are recorded without any call", async () => {
    await createThenUpdate({ modelId: "tiny", state: "stopped" }, { threadsPerAllocation: 2 });
    assert.deepEqual(h.es.admin.log(), []);
  });

  it("record-only changes of a ready deployment make no call to Elasticsearch", async () => {
    const { diff, updated } = await createThenUpdate(
      { modelId: "tiny" },
      { waitTimeoutSeconds: 60, stop: { force: true }, adoptExisting: true },
    );
    assert.equal(diff.changes, true);
    assert.deepEqual(h.es.admin.log(), []);
    assert.equal(updated.waitTimeoutSeconds, 60);
    assert.deepEqual(updated.stop, { force: true });
    assert.equal(updated.allocationState, "fully_allocated", "the facts are kept");
  });

  it("a stop that finds the deployment already gone succeeds with a warning", async () => {
    const { outs, id } = await h.create({ modelId: "tiny" });
    await fetch(`${h.es.url}/_ml/trained_models/tiny/deployment/_stop`, { method: "POST" });
    h.es.admin.clearLog();
    const { outs: updated } = await h.provider.update(
      id,
      outs,
      h.checked({ modelId: "tiny", state: "stopped" }),
    );
    assert.deepEqual(h.mutations(), []);
    assert.deepEqual(updated.effective, { state: "stopped" });
    assert.ok(h.progress.warnings.some((w) => /tiny: already gone from the cluster/.test(w)));
  });

  it("explains the ownership when an inference endpoint owns the deployment (9.x refuses _update with 409)", async () => {
    const { outs, id } = await h.create({ modelId: "tiny", numberOfAllocations: 1 });
    h.es.admin.addFault({
      method: "POST",
      path: "/_update$",
      status: 409,
      body: {
        error: {
          type: "status_exception",
          reason:
            "Cannot update deployment [tiny] as it was created by inference endpoint [my-endpoint]. This model deployment must be updated through the inference API.",
        },
        status: 409,
      },
    });
    const err = await rejection(
      h.provider.update(id, outs, h.checked({ modelId: "tiny", numberOfAllocations: 2 })),
    );
    assert.ok(err instanceof OwnedByInferenceEndpointError);
    assert.equal(err.code, "ERR_OWNED_BY_INFERENCE_ENDPOINT");
    assert.match(
      err.message,
      /^Deployment \[tiny\] was created by the inference endpoint \[my-endpoint\] and belongs to it: .*PUT _inference\/<task>\/my-endpoint\/_update/,
    );
  });

  it("refuses to touch a deployment recorded on another cluster", async () => {
    const { outs, id } = await h.create({ modelId: "tiny", numberOfAllocations: 1 });
    h.es.admin.clearLog();
    const olds = { ...outs, clusterUuid: "another-cluster-uuid" };
    const err = await rejection(
      h.provider.update(id, olds, h.checked({ modelId: "tiny", numberOfAllocations: 2 })),
    );
    assert.ok(err instanceof WrongClusterError);
    assert.match(
      err.message,
      /^Refusing to update deployment \[tiny\]: http:\/\/127\.0\.0\.1:\d+ \(the default connection\) now answers as cluster \[es-ml-emulator\] with uuid \[[^\]]+\], but the deployment was created on the cluster with uuid \[another-cluster-uuid\]/,
    );
    assert.deepEqual(h.mutations(), []);
  });

  it("after a start that never became ready, a forced update with unchanged inputs waits again", async () => {
    const { outs, id, inputs } = await h.create({ modelId: "tiny" });
    // The recorded facts say it was still starting: the engine's forced update must check again.
    const olds = { ...outs, allocationState: "starting", allocationCount: 0 };
    h.es.admin.clearLog();
    const { outs: updated } = await h.provider.update(id, olds, inputs);
    assert.deepEqual(h.mutations(), []);
    assert.ok(requests(h.es, /\/_stats$/).length >= 1);
    assert.equal(updated.allocationState, "fully_allocated");
  });

  it("diff warns at preview when a planned stop will meet the pipelines seen at the last refresh", async () => {
    const { outs, id } = await h.create({ modelId: "tiny" });
    const olds = { ...outs, referencingPipelines: ["p1"] };
    h.es.admin.clearLog();
    const stop = h.checked({ modelId: "tiny", state: "stopped" });
    assert.equal(h.provider.diff(id, olds, stop).changes, true);
    assert.deepEqual(h.es.admin.log(), [], "diff makes no call");
    assert.ok(
      h.progress.warnings.some((w) =>
        /^tiny: this change stops the deployment, which ingest pipeline \[p1\] used at the last refresh/.test(
          w,
        ),
      ),
      h.progress.warnings.join("\n"),
    );
    const before = h.progress.warnings.length;
    h.provider.diff(id, olds, h.checked({ modelId: "tiny", state: "stopped", stop: { force: true } }));
    h.provider.diff(id, olds, h.checked({ modelId: "tiny", numberOfAllocations: 2 }));
    assert.equal(h.progress.warnings.length, before, "no warning when forced, or when nothing stops");
  });
});
