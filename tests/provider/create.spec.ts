import * as assert from "node:assert/strict";
import { PartialFailureError } from "pulumi-elasticsearch-ml/provider";
import { PROVIDER_TEXT, providerHarness, rejection, requests } from "./harness";

describe("provider create against the emulator", function () {
  describe("a started deployment", () => {
    const h = providerHarness();

    it("starts once, waits for fully_allocated and reports everything Elasticsearch says", async () => {
      const { id, outs, inputs } = await h.create({
        modelId: "tiny",
        deploymentId: "tiny-search",
        numberOfAllocations: 2,
      });
      assert.equal(id, "tiny-search");
      const starts = requests(h.es, /\/_start$/);
      assert.equal(starts.length, 1);
      assert.equal(starts[0].path, "/_ml/trained_models/tiny/deployment/_start");
      assert.equal(starts[0].query.deployment_id, "tiny-search");
      assert.equal(starts[0].query.number_of_allocations, "2");
      assert.equal(starts[0].query.wait_for, "fully_allocated");
      assert.ok(starts[0].query.timeout, "a short server-side wait is sent");

      // Every input rides along (with __provider), plus the facts.
      for (const [key, value] of Object.entries(inputs)) assert.deepEqual(outs[key], value, key);
      assert.equal(outs.__provider, PROVIDER_TEXT);
      assert.equal(outs.clusterUuid, h.es.admin.state().clusterUuid);
      assert.equal(outs.deploymentState, "started");
      assert.equal(outs.allocationState, "fully_allocated");
      assert.equal(outs.allocationCount, 2);
      assert.equal(outs.targetAllocationCount, 2);
      assert.deepEqual(outs.effective, {
        state: "started",
        numberOfAllocations: 2,
        adaptiveAllocations: { enabled: false },
        threadsPerAllocation: 1,
        priority: "normal",
        queueCapacity: 10000,
        cacheSize: "1630b",
      });
      const nodes = outs.nodes as { nodeId: string; nodeName: string; routingState: string }[];
      assert.equal(nodes.length, 1);
      assert.equal(nodes[0].nodeName, "ml-node-1");
      assert.equal(nodes[0].routingState, "started");
      assert.ok(!Number.isNaN(Date.parse(outs.startTime as string)), "startTime is ISO 8601");
      assert.deepEqual(outs.referencingPipelines, []);
      // The inference API answers with no endpoints: none use this deployment, and nothing to warn about.
      assert.deepEqual(outs.inferenceEndpoints, []);
      assert.deepEqual(
        h.progress.warnings.filter((w) => /inference/.test(w)),
        [],
      );
      assert.ok(
        h.progress.infos.some((l) => /tiny-search: .*fully_allocated reached/.test(l)),
        h.progress.infos.join("\n"),
      );
    });

    it("says the missing inference API once per process, however many deployments", async () => {
      // A cluster without the inference API (e.g. a proxy that does not route it) answers 400.
      h.es.admin.addFault({
        method: "GET",
        path: "^/_inference",
        status: 400,
        body: { error: "no handler found for uri [/_inference/_all] and method [GET]", status: 400 },
        probability: 1,
      });
      const { outs } = await h.create({ modelId: "tiny", deploymentId: "a" });
      // Unknown is left out, not claimed empty.
      assert.equal(outs.inferenceEndpoints, undefined);
      await h.create({ modelId: "tiny", deploymentId: "b" });
      assert.equal(
        h.progress.warnings.filter((w) => /inference/.test(w)).length,
        1,
        h.progress.warnings.join("\n"),
      );
    });

    it("lists the ingest pipelines that reference the deployment or its model", async () => {
      await fetch(`${h.es.url}/_ingest/pipeline/p-dep`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ processors: [{ inference: { model_id: "tiny-ingest" } }] }),
      });
      await fetch(`${h.es.url}/_ingest/pipeline/p-model`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          processors: [{ foreach: { field: "x", processor: { inference: { model_id: "tiny" } } } }],
        }),
      });
      const { outs } = await h.create({ modelId: "tiny", deploymentId: "tiny-ingest" });
      assert.deepEqual(outs.referencingPipelines, ["p-dep", "p-model"]);
    });

    it("sends adaptive allocations in the body and reports them as effective", async () => {
      const { outs } = await h.create({
        modelId: "tiny",
        adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 3 },
      });
      const [start] = requests(h.es, /\/_start$/);
      assert.deepEqual(start.body, {
        adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 3 },
      });
      assert.equal(start.query.number_of_allocations, undefined);
      assert.deepEqual((outs.effective as Record<string, unknown>).adaptiveAllocations, {
        enabled: true,
        minNumberOfAllocations: 1,
        maxNumberOfAllocations: 3,
      });
    });

    it("fails with Elasticsearch's reason when the start is refused, and records nothing", async () => {
      const err = await rejection(h.create({ modelId: "no-such-model" }));
      assert.ok(!(err instanceof PartialFailureError), "nothing was created: not a partial failure");
      assert.equal(err.id, undefined);
      assert.match(err.message, /404 resource_not_found_exception: .*no-such-model/);
      assert.match(err.message, /POST \/_ml\/trained_models\/no-such-model\/deployment\/_start/);
    });
  });

  describe("declared stopped", () => {
    const h = providerHarness();

    it("creates nothing and sends nothing", async () => {
      const { id, outs } = await h.create({ modelId: "tiny", state: "stopped" });
      assert.equal(id, "tiny");
      assert.deepEqual(h.es.admin.log(), []);
      assert.deepEqual(outs.effective, { state: "stopped" });
      assert.equal(outs.state, "stopped");
      assert.equal(outs.__provider, PROVIDER_TEXT);
    });
  });

  describe("waitFor", () => {
    const h = providerHarness({ emulator: { startDelayMs: 250 } });

    it("starting: returns as soon as the deployment exists", async () => {
      const { outs } = await h.create({ modelId: "tiny", waitFor: "starting" });
      assert.equal(requests(h.es, /\/_start$/)[0].query.wait_for, "starting");
      assert.notEqual(outs.allocationState, "fully_allocated", "it did not wait for the allocations");
      assert.equal((outs.effective as Record<string, unknown>).state, "started");
    });

    it("fully_allocated: polls past the server's short wait until every allocation runs", async () => {
      const { outs } = await h.create({ modelId: "tiny", numberOfAllocations: 2 });
      assert.equal(outs.allocationState, "fully_allocated");
      assert.equal(outs.allocationCount, 2);
      const start = requests(h.es, /\/_start$/)[0];
      assert.equal(start.status, 408, "the server-side wait ran out: the deployment keeps starting");
      assert.ok(requests(h.es, /\/_stats$/).length >= 2, "then the provider polled the stats");
      assert.ok(
        h.progress.infos.some((l) => /^tiny: starting/.test(l)),
        h.progress.infos.join("\n"),
      );
    });
  });

  describe("a start that outlasts the deadline", () => {
    const h = providerHarness({ emulator: { startDelayMs: 300 } });

    it("is a partial failure that records the deployment (with __provider) and resumes without a second start", async () => {
      const inputs = h.checked({ modelId: "tiny", numberOfAllocations: 2, waitTimeoutSeconds: 0.1 });
      const err = await rejection(h.provider.create(inputs));
      assert.ok(err instanceof PartialFailureError);
      assert.equal(err.code, "ERR_PARTIAL_FAILURE");
      assert.equal(err.id, "tiny");
      const properties = err.properties as Record<string, unknown>;
      assert.equal(
        properties.__provider,
        PROVIDER_TEXT,
        "__provider rides along, so the state stays deletable",
      );
      assert.equal(properties.modelId, "tiny");
      assert.equal(properties.numberOfAllocations, 2);
      assert.equal(properties.clusterUuid, h.es.admin.state().clusterUuid);
      assert.equal((properties.effective as Record<string, unknown>).state, "started");
      assert.notEqual(properties.allocationState, "fully_allocated");
      assert.equal((err.reasons as string[]).length, 1);
      const [reason] = err.reasons as string[];
      assert.match(
        reason,
        /^Deployment \[tiny\] did not reach fully_allocated within waitTimeoutSeconds \(0\.1 s\); last seen: starting/,
      );
      assert.match(reason, /run pulumi up again to keep waiting \(no second start is sent\)/);
      assert.equal(err.message, reason);

      // The next `up` with unchanged inputs: the engine calls update (the initErrors force it).
      const { outs } = await h.provider.update("tiny", properties, { ...inputs, waitTimeoutSeconds: 5 });
      assert.equal(outs.allocationState, "fully_allocated");
      assert.equal(outs.allocationCount, 2);
      assert.equal(requests(h.es, /\/_start$/).length, 1, "exactly one _start in the emulator's log");
    });

    it("starts again on the next run when the deployment vanished meanwhile", async () => {
      const inputs = h.checked({ modelId: "tiny", waitTimeoutSeconds: 0.05 });
      const err = await rejection(h.provider.create(inputs));
      assert.ok(err instanceof PartialFailureError);
      await fetch(`${h.es.url}/_ml/trained_models/tiny/deployment/_stop?force=true`, { method: "POST" });
      const { outs } = await h.provider.update("tiny", err.properties as Record<string, unknown>, {
        ...inputs,
        waitTimeoutSeconds: 5,
      });
      assert.equal(outs.allocationState, "fully_allocated");
      assert.equal(requests(h.es, /\/_start$/).length, 2, "the absent deployment was started again");
      assert.ok(h.progress.infos.some((l) => /tiny: not running in Elasticsearch; starting it/.test(l)));
    });
  });

  describe("a route that fails", () => {
    const h = providerHarness({ emulator: { startDelayMs: 5000 } });

    it("fails fast with Elasticsearch's reason, as a partial failure", async () => {
      // The check before the start sees no deployment (a faked failed one would be "found", not ours).
      h.es.admin.addFault({
        method: "GET",
        path: "/_stats$",
        status: 200,
        times: 1,
        body: { count: 1, trained_model_stats: [{ model_id: "tiny", pipeline_count: 0 }] },
      });
      h.es.admin.addFault({
        method: "GET",
        path: "/_stats$",
        status: 200,
        times: 100,
        body: {
          count: 1,
          trained_model_stats: [
            {
              model_id: "tiny",
              pipeline_count: 0,
              deployment_stats: {
                deployment_id: "tiny",
                model_id: "tiny",
                state: "starting",
                allocation_status: { allocation_count: 0, target_allocation_count: 1, state: "starting" },
                nodes: [
                  {
                    node: { n1: { name: "ml-node-1" } },
                    routing_state: { routing_state: "failed", reason: "process out of memory" },
                  },
                ],
              },
            },
          ],
        },
      });
      const inputs = h.checked({ modelId: "tiny", waitTimeoutSeconds: 60 });
      const err = await rejection(h.provider.create(inputs));
      assert.ok(err instanceof PartialFailureError);
      assert.match(err.message, /route on node \[ml-node-1\] failed: process out of memory/);
      assert.doesNotMatch(err.message, /did not reach/, "it failed on the route, not at the 60 s deadline");
      assert.equal(
        requests(h.es, /\/_stats$/).length,
        3,
        "the check before the start, the read that settles the start's 408 (the server-side wait timed out), " +
          "then the first poll saw the failed route",
      );
      assert.deepEqual((err.properties as { nodes: unknown }).nodes, [
        { nodeId: "n1", nodeName: "ml-node-1", routingState: "failed", reason: "process out of memory" },
      ]);
    });
  });

  describe("version gating", () => {
    const h = providerHarness({ emulator: { esVersion: "8.14.0" } });

    it("refuses adaptive allocations on a cluster that lacks them, before sending the start", async () => {
      const err = await rejection(
        h.create({ modelId: "tiny", adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 2 } }),
      );
      assert.equal(err.code, "ES_PARAMETER_UNSUPPORTED");
      assert.match(err.message, /8\.15/);
      assert.deepEqual(h.mutations(), []);
    });
  });
});
