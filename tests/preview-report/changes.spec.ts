/**
 * From preview steps to reviewer words: operations, changed properties, capacity and stop flags, on
 * hand-made documents in the engine's exact shape (see fixtures.ts).
 */
import * as assert from "node:assert/strict";
import {
  buildStackChanges,
  parsePreviewDocument,
  summarize,
  type DeploymentChange,
  type StackChanges,
} from "pulumi-elasticsearch-ml/report";
import {
  ENDPOINT_TYPE,
  endpointInputs,
  endpointOutputs,
  inputs,
  outputs,
  previewDoc,
  step,
  UNKNOWN,
} from "./fixtures";

function changesOf(
  steps: Record<string, unknown>[],
  extra: Parameters<typeof previewDoc>[1] = {},
  env: Record<string, string> = {},
): StackChanges {
  return buildStackChanges(parsePreviewDocument(previewDoc(steps, extra), "test.json"), {
    source: "test.json",
    env,
  });
}

function only(
  steps: Record<string, unknown>[],
  extra?: Parameters<typeof previewDoc>[1],
  env?: Record<string, string>,
): DeploymentChange {
  const { deployments } = changesOf(steps, extra, env);
  assert.equal(deployments.length, 1, "one deployment in the preview");
  return deployments[0];
}

const vcpus = (c: DeploymentChange, side: "before" | "after"): unknown => {
  const cap = c.capacity[side];
  return "unknown" in cap ? `unknown: ${cap.reason}` : cap.vcpus;
};

describe("preview report: operations and capacity from preview steps", () => {
  it("an in-place scale: scales 2 → 4 allocations, +2 vCPUs", () => {
    const c = only([
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5", numberOfAllocations: 2 }),
        new: inputs({ modelId: "e5", numberOfAllocations: 4 }),
      }),
    ]);
    assert.equal(c.operation, "update");
    assert.equal(c.plan, "update-in-place");
    assert.equal(c.headline, "scales 2 → 4 allocations");
    assert.deepEqual(c.changes, [{ property: "numberOfAllocations", from: 2, to: 4, recordOnly: false }]);
    assert.deepEqual(vcpus(c, "before"), { min: 2, max: 2 });
    assert.deepEqual(vcpus(c, "after"), { min: 4, max: 4 });
    assert.equal(c.stop, undefined);
  });

  it("compares with what runs (effective), not with the old declaration", () => {
    // Scaled out of band to 3 and refreshed: declaring 3 again is no change from 3.
    const c = only([
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5", numberOfAllocations: 2 }, { numberOfAllocations: 3 }),
        new: inputs({ modelId: "e5", numberOfAllocations: 5 }),
      }),
    ]);
    assert.equal(c.headline, "scales 3 → 5 allocations");
    assert.deepEqual(vcpus(c, "before"), { min: 3, max: 3 });
  });

  it("a restart: threads 1 → 2 replaces a running deployment with the same id", () => {
    const c = only([
      step({
        op: "replace",
        name: "e5",
        old: outputs({ modelId: "e5", numberOfAllocations: 2, threadsPerAllocation: 1 }),
        new: inputs({ modelId: "e5", numberOfAllocations: 2, threadsPerAllocation: 2 }),
        replaceReasons: ["threadsPerAllocation"],
      }),
    ]);
    assert.equal(c.operation, "replace");
    assert.equal(c.headline, "restarts: threads 1 → 2");
    assert.deepEqual(c.replaceReasons, ["threadsPerAllocation"]);
    assert.deepEqual(vcpus(c, "after"), { min: 4, max: 4 });
    assert.equal(c.stop?.restart, true);
    assert.equal(c.stop?.reason, "delete");
  });

  it("a new deployment id replaces rather than restarts", () => {
    const c = only([
      step({
        op: "replace",
        name: "e5",
        old: outputs({ modelId: "e5", deploymentId: "e5-a" }),
        new: inputs({ modelId: "e5", deploymentId: "e5-b" }),
        replaceReasons: ["deploymentId"],
      }),
    ]);
    assert.equal(c.headline, "replaces: deployment id e5-a → e5-b");
    assert.equal(c.stop?.restart, false);
    assert.equal(c.stop?.deploymentId, "e5-a");
    assert.equal(c.new?.deploymentId, "e5-b");
  });

  it("--show-replacement-steps: create-replacement and delete-replaced make one replacement", () => {
    const old = outputs({ modelId: "e5", threadsPerAllocation: 1 });
    const next = inputs({ modelId: "e5", threadsPerAllocation: 4 });
    const c = only([
      step({ op: "delete-replaced", name: "e5", old, new: next }),
      step({ op: "replace", name: "e5", old, new: next, replaceReasons: ["threadsPerAllocation"] }),
      step({
        op: "create-replacement",
        name: "e5",
        old,
        new: next,
        replaceReasons: ["threadsPerAllocation"],
      }),
    ]);
    assert.equal(c.operation, "replace");
    assert.equal(c.stepOp, "delete-replaced+replace+create-replacement");
    assert.equal(c.headline, "restarts: threads 1 → 4");
    const merged = only([
      step({
        op: "create-replacement",
        name: "e5",
        old,
        new: next,
        replaceReasons: ["threadsPerAllocation"],
      }),
      step({ op: "delete-replaced", name: "e5", old }),
    ]);
    assert.equal(merged.operation, "replace");
    assert.equal(merged.headline, "restarts: threads 1 → 4");
  });

  describe("stops and the flags they send", () => {
    const stopStep = (resourceStop?: Record<string, unknown>) =>
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5", numberOfAllocations: 2 }),
        new: inputs({
          modelId: "e5",
          numberOfAllocations: 2,
          state: "stopped",
          ...(resourceStop ? { stop: resourceStop } : {}),
        }),
      });

    it("stop via state, no flags: stops, and frees the capacity", () => {
      const c = only([stopStep()]);
      assert.equal(c.operation, "stop");
      assert.equal(c.headline, "stops");
      assert.deepEqual(c.stop?.resolved, { flags: {}, sources: {} });
      assert.deepEqual(vcpus(c, "after"), { min: 0, max: 0 });
    });

    it("force from stack config: stops, with force", () => {
      const c = only([stopStep()], { config: { "elasticsearch-ml:force": "true" } });
      assert.equal(c.headline, "stops, with force");
      assert.deepEqual(c.stop?.resolved.sources, { force: "config" });
    });

    it("the resource's stop value wins over config, and the environment wins over both", () => {
      const config = { config: { "elasticsearch-ml:force": "true" } };
      assert.equal(only([stopStep({ force: false })], config).headline, "stops");
      const c = only([stopStep({ force: false, finishPendingWork: true })], config, {
        ELASTICSEARCH_ML_FORCE: "true",
      });
      assert.equal(c.headline, "stops, with force, after finishing pending work");
      assert.deepEqual(c.stop?.resolved.sources, { force: "environment", finishPendingWork: "resource" });
    });

    it("a secret stop flag in config is not read, and a bad one is reported", () => {
      assert.equal(
        only([stopStep()], { config: { "elasticsearch-ml:force": "[secret]" } }).headline,
        "stops",
      );
      const changes = changesOf([stopStep()], { config: { "elasticsearch-ml:force": "yes" } });
      assert.match(
        changes.warnings[0],
        /elasticsearch-ml:force: "yes" is not allowed; must be true or false \(any case\), 1 or 0, or unset/,
      );
      const env = changesOf([stopStep()], {}, { ELASTICSEARCH_ML_FORCE: "maybe" });
      assert.match(env.warnings[0], /ELASTICSEARCH_ML_FORCE: "maybe" is not allowed/);
    });

    it("a stop with other changed settings notes that they apply at the next start", () => {
      const c = only([
        step({
          op: "update",
          name: "e5",
          old: outputs({ modelId: "e5", threadsPerAllocation: 1 }),
          new: inputs({ modelId: "e5", threadsPerAllocation: 2, state: "stopped" }),
        }),
      ]);
      assert.equal(c.operation, "stop");
      assert.ok(c.notes.includes("The other changed settings take effect at the next start."));
      assert.ok(c.changes.find((x) => x.property === "threadsPerAllocation")?.recordOnly);
    });

    it("a replacement stops with the OLD outputs' flags: a stop.force added in the same change does not count", () => {
      const c = only([
        step({
          op: "replace",
          name: "e5",
          old: outputs({ modelId: "e5", threadsPerAllocation: 1 }),
          new: inputs({ modelId: "e5", threadsPerAllocation: 2, stop: { force: true } }),
          replaceReasons: ["threadsPerAllocation"],
        }),
      ]);
      assert.deepEqual(c.stop?.resolved, { flags: {}, sources: {} });
      assert.equal(c.headline, "restarts: threads 1 → 2");
      const recorded = only([
        step({
          op: "replace",
          name: "e5",
          old: outputs({ modelId: "e5", threadsPerAllocation: 1, stop: { force: true } }),
          new: inputs({ modelId: "e5", threadsPerAllocation: 2 }),
          replaceReasons: ["threadsPerAllocation"],
        }),
      ]);
      assert.deepEqual(recorded.stop?.resolved.flags, { force: true });
      assert.equal(recorded.headline, "restarts: threads 1 → 2 (stops, with force)");
    });

    it("a failed deployment (seen by a refresh) is repaired: stop with the new flags, then start as declared", () => {
      const c = only([
        step({
          op: "update",
          name: "e5",
          old: outputs({ modelId: "e5", numberOfAllocations: 1 }, { state: "failed" }),
          new: inputs({ modelId: "e5", numberOfAllocations: 2, stop: { force: true } }),
        }),
      ]);
      assert.equal(c.operation, "repair");
      assert.equal(c.plan, "repair");
      assert.equal(
        c.headline,
        "repairs: stops the failed deployment, with force, then starts 2 allocations × 1 thread",
      );
      assert.deepEqual(c.stop?.resolved.sources, { force: "resource" });
      assert.equal(c.stop?.reason, "update");
      assert.deepEqual(
        c.changes.map((x) => [x.property, x.from, x.to]),
        [
          ["state", "failed", "started"],
          ["numberOfAllocations", 1, 2],
          ["stop", undefined, { force: true }],
        ],
      );
    });

    it("delete uses the old outputs' stop flags; a deployment recorded stopped needs no stop", () => {
      const running = only([
        step({ op: "delete", name: "e5", old: outputs({ modelId: "e5", stop: { force: true } }) }),
      ]);
      assert.equal(running.headline, "deletes: stops the deployment, with force");
      assert.deepEqual(running.stop?.resolved.sources, { force: "resource" });
      const stopped = only([
        step({ op: "delete", name: "e5", old: outputs({ modelId: "e5", state: "stopped" }) }),
      ]);
      assert.equal(stopped.headline, "deletes (recorded stopped: no call)");
      assert.equal(stopped.stop, undefined);
      assert.deepEqual(vcpus(stopped, "before"), { min: 0, max: 0 });
    });
  });

  it("a start: starts with the declared shape", () => {
    const c = only([
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5", state: "stopped" }),
        new: inputs({ modelId: "e5", numberOfAllocations: 2, threadsPerAllocation: 4 }),
      }),
    ]);
    assert.equal(c.operation, "start");
    assert.equal(c.headline, "starts: 2 allocations × 4 threads");
    assert.deepEqual(vcpus(c, "before"), { min: 0, max: 0 });
    assert.deepEqual(vcpus(c, "after"), { min: 8, max: 8 });
  });

  it("creates: running or declared stopped", () => {
    const started = only([
      step({ op: "create", name: "e5", new: inputs({ modelId: "e5", numberOfAllocations: 3 }) }),
    ]);
    assert.equal(started.headline, "creates: starts 3 allocations × 1 thread");
    assert.deepEqual(
      started.changes.map((x) => x.property),
      ["modelId", "deploymentId", "state", "numberOfAllocations"],
    );
    const stopped = only([
      step({ op: "create", name: "e5", new: inputs({ modelId: "e5", state: "stopped" }) }),
    ]);
    assert.equal(stopped.headline, "creates, declared stopped: nothing starts");
    assert.deepEqual(vcpus(stopped, "after"), { min: 0, max: 0 });
  });

  describe("adaptive allocations", () => {
    it("fixed → adaptive: a range, counted from min to max", () => {
      const c = only([
        step({
          op: "update",
          name: "elser",
          old: outputs({ modelId: "elser", numberOfAllocations: 2, threadsPerAllocation: 2 }),
          new: inputs({
            modelId: "elser",
            threadsPerAllocation: 2,
            adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 8 },
          }),
        }),
      ]);
      assert.equal(c.headline, "switches to adaptive allocations (1–8 allocations)");
      assert.deepEqual(vcpus(c, "after"), { min: 2, max: 16 });
    });

    it("new bounds; an undeclared bound keeps the one in force; no maximum is an open range", () => {
      const old = outputs(
        {
          modelId: "elser",
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
        },
        {
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
          numberOfAllocations: 2,
        },
      );
      const c = only([
        step({
          op: "update",
          name: "elser",
          old,
          new: inputs({
            modelId: "elser",
            adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 6 },
          }),
        }),
      ]);
      assert.equal(c.headline, "changes adaptive allocations 1–4 → 1–6 allocations");
      assert.deepEqual(vcpus(c, "before"), { min: 1, max: 4 });
      assert.deepEqual(vcpus(c, "after"), { min: 1, max: 6 });
      const open = only([
        step({
          op: "create",
          name: "elser",
          new: inputs({
            modelId: "elser",
            adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0 },
          }),
        }),
      ]);
      assert.deepEqual(vcpus(open, "after"), { min: 0, max: null });
      assert.equal(open.headline, "creates: starts adaptive 0–no maximum allocations × 1 thread");
    });

    it("removing the declaration leaves adaptive mode at the count it had reached", () => {
      const old = outputs(
        {
          modelId: "elser",
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
        },
        {
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
          numberOfAllocations: 3,
        },
      );
      const c = only([step({ op: "update", name: "elser", old, new: inputs({ modelId: "elser" }) })]);
      assert.equal(c.headline, "leaves adaptive allocations: fixed 3 allocations");
      assert.deepEqual(vcpus(c, "after"), { min: 3, max: 3 });
    });
  });

  it("values known only after apply: the plan assumes the costliest outcome and capacity is not counted", () => {
    const c = only([
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5", numberOfAllocations: 2 }),
        new: inputs({ modelId: "e5", numberOfAllocations: UNKNOWN }),
      }),
    ]);
    assert.equal(c.headline, "scales 2 → (known after apply) allocations");
    assert.equal(vcpus(c, "after"), "unknown: allocations known after apply");
    assert.ok(c.notes.includes("Known only after apply: allocations."));
    const unknownState = only([
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5" }),
        new: inputs({ modelId: "e5", state: UNKNOWN }),
      }),
    ]);
    assert.equal(unknownState.headline, "updates in place; may stop (state known after apply)");
    const summary = summarize({
      stacks: [
        changesOf([
          step({
            op: "update",
            name: "e5",
            old: outputs({ modelId: "e5", numberOfAllocations: 2 }),
            new: inputs({ modelId: "e5", numberOfAllocations: UNKNOWN }),
          }),
        ]),
      ],
      connections: [],
    });
    assert.deepEqual(summary.stacks[0].capacity.notCounted, ["e5"]);
    assert.equal(summary.stacks[0].deployments[0].changes[0].to, "(known after apply)");
  });

  it("a secret value counts as not known", () => {
    const c = only([
      step({ op: "create", name: "e5", new: inputs({ modelId: "e5", numberOfAllocations: "[secret]" }) }),
    ]);
    assert.equal(vcpus(c, "after"), "unknown: allocations is a secret");
  });

  it("record-only changes and a resumed partial failure", () => {
    const recorded = only([
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5" }),
        new: inputs({ modelId: "e5", waitTimeoutSeconds: 600 }),
      }),
    ]);
    assert.equal(recorded.headline, "records settings only, no call to Elasticsearch: wait timeout");
    assert.deepEqual(vcpus(recorded, "after"), { min: 1, max: 1 });
    const resumed = only([
      step({
        op: "update",
        name: "e5",
        old: outputs({ modelId: "e5" }),
        new: inputs({ modelId: "e5" }),
        initErrors: ["timed out"],
      }),
    ]);
    assert.equal(resumed.headline, "resumes the last operation, which did not finish");
  });

  it("stack facts: other providers' changes, unlisted unchanged resources, preview errors", () => {
    const changes = changesOf(
      [
        step({ op: "create", name: "bucket", type: "aws:s3/bucket:Bucket", new: { acl: "private" } }),
        step({
          op: "update",
          name: "e5",
          old: outputs({ modelId: "e5", numberOfAllocations: 1 }),
          new: inputs({ modelId: "e5", numberOfAllocations: 2 }),
        }),
      ],
      {
        changeSummary: { same: 4, create: 1, update: 1 },
        diagnostics: [
          { message: "error: something failed\n", severity: "error" },
          { message: "a warning", severity: "warning" },
        ],
      },
    );
    assert.equal(changes.stack, "dev");
    assert.equal(changes.project, "app");
    assert.equal(changes.otherChanges, 1);
    assert.equal(changes.unlistedUnchanged, 3);
    assert.deepEqual(changes.previewErrors, ["error: something failed"]);
  });

  it("sums capacity per stack", () => {
    const summary = summarize({
      stacks: [
        changesOf([
          step({
            op: "update",
            name: "a",
            old: outputs({ modelId: "a", numberOfAllocations: 1 }),
            new: inputs({ modelId: "a", numberOfAllocations: 3 }),
          }),
          step({
            op: "create",
            name: "b",
            new: inputs({ modelId: "b", numberOfAllocations: 2, threadsPerAllocation: 2 }),
          }),
          step({ op: "delete", name: "c", old: outputs({ modelId: "c", numberOfAllocations: 1 }) }),
          step({
            op: "same",
            name: "d",
            old: outputs({ modelId: "d", numberOfAllocations: 4 }),
            new: inputs({ modelId: "d", numberOfAllocations: 4 }),
          }),
        ]),
      ],
      connections: [],
    });
    const cap = summary.stacks[0].capacity;
    assert.deepEqual(cap.before, { min: 6, max: 6 });
    assert.deepEqual(cap.after, { min: 11, max: 11 });
    assert.deepEqual(cap.change, { min: 5, max: 5 });
    assert.equal(summary.counts.changing, 3);
    assert.equal(summary.mode, "offline");
  });
});

describe("preview report: InferenceEndpoint operations, capacity and the referenced delete (issue 14)", () => {
  const T = ENDPOINT_TYPE;
  const ELSER = ".elser_model_2_linux-x86_64";
  const endpoint = (spec: Omit<Parameters<typeof step>[0], "type">, env: Record<string, string> = {}) => {
    const stack = changesOf([step({ ...spec, type: T })], {}, env);
    assert.equal(stack.deployments.length, 0, "not a deployment");
    assert.equal(stack.otherChanges, 0, "not an 'other' resource either");
    assert.equal(stack.endpoints.length, 1);
    return stack.endpoints[0];
  };

  it("a create counts the deployment it creates (allocations × threads); one that uses a deployment counts nothing", () => {
    const created = endpoint({
      op: "create",
      name: "e",
      new: endpointInputs({ serviceSettings: { modelId: ELSER, numAllocations: 2, numThreads: 4 } }),
    });
    assert.equal(created.operation, "create");
    assert.equal(created.resource, "InferenceEndpoint");
    assert.equal(
      created.headline,
      "creates endpoint `my-elser` and its deployment: 2 allocations × 4 threads",
    );
    assert.deepEqual(vcpus(created, "after"), { min: 8, max: 8 });
    const uses = endpoint({
      op: "create",
      name: "e",
      new: endpointInputs({ serviceSettings: { modelId: ELSER, deploymentId: "shared" } }),
    });
    assert.equal(uses.headline, "creates endpoint `my-elser` on the existing deployment `shared`");
    assert.deepEqual(vcpus(uses, "after"), { min: 0, max: 0 });
    const adaptiveOne = endpoint({
      op: "create",
      name: "e",
      new: endpointInputs({
        serviceSettings: {
          modelId: ELSER,
          numThreads: 2,
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 3 },
        },
      }),
    });
    assert.deepEqual(vcpus(adaptiveOne, "after"), { min: 2, max: 6 });
    const unknown = endpoint({
      op: "create",
      name: "e",
      new: endpointInputs({ serviceSettings: { modelId: ELSER, numAllocations: UNKNOWN, numThreads: 1 } }),
    });
    assert.equal(vcpus(unknown, "after"), "unknown: allocations known after apply");
  });

  it("an in-place scale and a replacement say so in plain words, with the capacity delta", () => {
    const scaled = endpoint({
      op: "update",
      name: "e",
      old: endpointOutputs(),
      new: endpointInputs({ serviceSettings: { modelId: ELSER, numAllocations: 3, numThreads: 1 } }),
    });
    assert.equal(scaled.operation, "update");
    assert.equal(
      scaled.headline,
      "updates in place: 1 allocation × 1 thread → 3 allocations × 1 thread (inference _update)",
    );
    assert.deepEqual(
      [vcpus(scaled, "before"), vcpus(scaled, "after")],
      [
        { min: 1, max: 1 },
        { min: 3, max: 3 },
      ],
    );
    const replaced = endpoint({
      op: "replace",
      name: "e",
      old: endpointOutputs(),
      new: endpointInputs({ serviceSettings: { modelId: ELSER, numAllocations: 1, numThreads: 2 } }),
      replaceReasons: ["serviceSettings"],
    });
    assert.equal(replaced.operation, "replace");
    assert.equal(
      replaced.headline,
      "replaces: deletes endpoint `my-elser` and creates it again (its deployment restarts)",
    );
    assert.equal(replaced.risk, undefined, "no references recorded: no risk");
    assert.deepEqual(vcpus(replaced, "after"), { min: 2, max: 2 });
  });

  it("deleting an endpoint that pipelines or semantic_text fields referenced at the last refresh is a risk", () => {
    const old = endpointOutputs({}, { references: { pipelines: ["p1"], indexes: ["docs"] } });
    const deleted = endpoint({ op: "delete", name: "e", old });
    assert.equal(deleted.operation, "delete");
    assert.equal(deleted.headline, "deletes endpoint `my-elser` and stops the deployment it owns");
    assert.equal(deleted.risk, "deletes-referenced-endpoint");
    assert.deepEqual(vcpus(deleted, "after"), { min: 0, max: 0 });
    assert.match(
      deleted.notes[0],
      /ingest pipeline `p1`, `semantic_text` fields of index `docs` referenced the endpoint/,
    );
    assert.match(deleted.notes[0], /Elasticsearch refuses the delete unless forced/);
    const forced = endpoint(
      { op: "delete", name: "e", old },
      { ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS: "true" },
    );
    assert.equal(forced.risk, "deletes-referenced-endpoint", "forced, the references break: still a risk");
    assert.match(forced.notes[0], /the delete is forced \(forceDelete\), so they fail/);
    const unreferenced = endpoint({ op: "delete", name: "e", old: endpointOutputs() });
    assert.equal(unreferenced.risk, undefined);
  });

  it("the summary adds endpoint capacity to the vCPU delta and counts the referenced delete as risky", () => {
    const stack = changesOf([
      step({ op: "create", name: "d", new: inputs({ modelId: "m", numberOfAllocations: 2 }) }),
      step({
        op: "create",
        name: "e1",
        type: T,
        new: endpointInputs({ serviceSettings: { modelId: ELSER, numAllocations: 2, numThreads: 2 } }),
      }),
      step({
        op: "delete",
        name: "e2",
        type: T,
        old: endpointOutputs({ inferenceId: "old" }, { references: { pipelines: ["p"], indexes: [] } }),
      }),
    ]);
    const summary = summarize({ stacks: [stack], connections: [] });
    const s = summary.stacks[0];
    assert.deepEqual(s.capacity.change, { min: 5, max: 5 }, "+2 (deployment) +4 (e1) -1 (e2)");
    assert.equal(summary.counts.endpoints, 2);
    assert.equal(summary.counts.changing, 3);
    assert.equal(summary.counts.deletesReferencedEndpoints, 1);
    assert.equal(summary.risky, true);
    assert.deepEqual(
      s.endpoints.map((e) => [e.name, e.operation, e.risk]),
      [
        ["e1", "create", "none"],
        ["e2", "delete", "deletes-referenced-endpoint"],
      ],
    );
  });
});
