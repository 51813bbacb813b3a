/**
 * End to end through the real Pulumi engine (Automation API, local file backend) against the emulator:
 * the life of two deployments of one model — create, scale in place, replace on a start-only change,
 * stop and start through `state`. Each scenario asserts what Pulumi reports (operation counts, old/new
 * inputs, the printed diff, outputs, `stack export`) and what the cluster holds (state and request log).
 */
import * as assert from "node:assert/strict";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { getPulumiCli, stepOps, steps, withTestStack } from "../harness";
import { INGEST_ID, MODEL, pairOutputs, quickstartProgram, SEARCH_ID, twoDeployments } from "./programs";
import {
  appliedStarts,
  deploymentCalls,
  deploymentOnCluster,
  deploymentResource,
  deploymentsOnCluster,
  describeLog,
  freshCluster,
  mutatingRequests,
  printedChanges,
  routeStates,
  stackOn,
  startScenarioEmulator,
  UPDATE_HEADER,
  REPLACE_HEADER,
} from "./support";

describe("e2e: two deployments of one model through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    // The first run on a host may build the CLI from the Go module proxy (minutes).
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startScenarioEmulator();
  });

  after(async () => {
    await es?.close();
  });

  beforeEach(() => freshCluster(es, [MODEL]));

  const log = () => es.admin.log();

  it("1. up creates both deployments with their own ids and priorities; outputs say fully_allocated", async () => {
    await withTestStack(stackOn(es, quickstartProgram()), async (stack) => {
      const up = await stack.up();

      // Pulumi's view.
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      assert.deepEqual(stepOps(up.events, { name: "search" }), ["create"]);
      assert.deepEqual(stepOps(up.events, { name: "ingest" }), ["create"]);
      const outputs = pairOutputs(up.result.outputs);
      assert.equal(outputs.search.deploymentId, SEARCH_ID);
      assert.equal(outputs.ingest.deploymentId, INGEST_ID);
      assert.equal(outputs.search.allocationState, "fully_allocated");
      assert.equal(outputs.ingest.allocationState, "fully_allocated");

      const checkpoint = await stack.exportStack();
      const search = deploymentResource(checkpoint, "search");
      const ingest = deploymentResource(checkpoint, "ingest");
      assert.equal(search.id, SEARCH_ID);
      assert.equal(ingest.id, INGEST_ID);
      assert.deepEqual(search.outputs?.effective, {
        state: "started",
        numberOfAllocations: 1,
        adaptiveAllocations: { enabled: false },
        threadsPerAllocation: 1,
        priority: "normal",
        queueCapacity: 10_000,
        cacheSize: "1630b", // the model's size (the tiny model's definition is 1630 bytes)
      });
      assert.equal((ingest.outputs?.effective as { priority?: string }).priority, "low");
      for (const resource of [search, ingest]) {
        assert.equal(resource.outputs?.clusterUuid, es.admin.state().clusterUuid);
        assert.equal(typeof resource.outputs?.__provider, "string");
        assert.equal(resource.initErrors, undefined);
      }

      // The cluster's view.
      const onCluster = deploymentsOnCluster(es);
      assert.deepEqual([...onCluster.keys()].sort(), [INGEST_ID, SEARCH_ID]);
      const searchDep = deploymentOnCluster(es, SEARCH_ID);
      const ingestDep = deploymentOnCluster(es, INGEST_ID);
      assert.equal(searchDep.modelId, MODEL);
      assert.equal(ingestDep.modelId, MODEL);
      assert.equal(searchDep.priority, "normal");
      assert.equal(ingestDep.priority, "low");
      for (const dep of [searchDep, ingestDep]) assert.deepEqual(routeStates(dep), ["started"]);

      const starts = appliedStarts(log());
      assert.deepEqual(starts.map((c) => c.deploymentId).sort(), [INGEST_ID, SEARCH_ID], describeLog(log()));
      assert.equal(starts.find((c) => c.deploymentId === INGEST_ID)?.query.priority, "low");
      assert.deepEqual(
        deploymentCalls(log()).filter((c) => c.kind !== "_start"),
        [],
        "nothing but the two starts changed a deployment",
      );
    });
  });

  it("2. preview --diff after raising allocations shows an in-place update; up applies it with one _update", async () => {
    await withTestStack(stackOn(es, quickstartProgram(1)), async (stack) => {
      await stack.up();
      es.admin.clearLog();
      stack.setProgram(quickstartProgram(2));

      const preview = await stack.preview({ diff: true });

      assert.deepEqual(preview.result.changeSummary, { same: 2, update: 1 });
      const searchSteps = steps(preview.events, { name: "search" });
      assert.deepEqual(
        searchSteps.map((s) => s.op),
        ["update"],
      );
      assert.equal(searchSteps[0]?.metadata.old?.inputs.numberOfAllocations, 1);
      assert.equal(searchSteps[0]?.metadata.new?.inputs.numberOfAllocations, 2);
      assert.deepEqual(stepOps(preview.events, { name: "ingest" }), ["same"]);
      assert.deepEqual(printedChanges(preview.result.stdout), [
        UPDATE_HEADER,
        "~ numberOfAllocations: 1 => 2",
      ]);
      assert.doesNotMatch(preview.result.stdout, /replace/);
      assert.deepEqual(mutatingRequests(log()), [], "preview changes nothing on the cluster");

      const up = await stack.up();

      assert.deepEqual(up.result.summary.resourceChanges, { same: 2, update: 1 });
      assert.deepEqual(stepOps(up.events, { name: "search" }), ["update"]);
      const calls = deploymentCalls(log());
      assert.deepEqual(
        calls.map((c) => `${c.kind} ${c.deploymentId} ${c.status}`),
        [`_update ${SEARCH_ID} 200`],
        describeLog(log()),
      );
      assert.deepEqual(calls[0]?.body, { number_of_allocations: 2 });
      assert.equal(pairOutputs(up.result.outputs).search.allocations, 2);
      assert.equal(pairOutputs(up.result.outputs).search.allocationState, "fully_allocated");
      const search = deploymentOnCluster(es, SEARCH_ID);
      assert.equal(search.numberOfAllocations, 2);
      assert.deepEqual(routeStates(search), ["started"]);
      const recorded = deploymentResource(await stack.exportStack(), "search");
      assert.equal(recorded.inputs?.numberOfAllocations, 2);
      assert.equal((recorded.outputs?.effective as { numberOfAllocations?: number }).numberOfAllocations, 2);
    });
  });

  it("3. changing threadsPerAllocation previews a replace and applies it as stop-then-start on the same id", async () => {
    await withTestStack(stackOn(es, twoDeployments()), async (stack) => {
      await stack.up();
      const startedBefore = deploymentOnCluster(es, SEARCH_ID);
      es.admin.clearLog();
      stack.setProgram(twoDeployments({ searchThreads: 2 }));

      const preview = await stack.preview({ diff: true });

      assert.deepEqual(preview.result.changeSummary, { same: 2, replace: 1 });
      const searchSteps = steps(preview.events, { name: "search" });
      assert.deepEqual(
        searchSteps.map((s) => s.op),
        ["delete-replaced", "replace", "create-replacement"],
      );
      assert.deepEqual(searchSteps.find((s) => s.op === "replace")?.keys, ["threadsPerAllocation"]);
      assert.deepEqual(printedChanges(preview.result.stdout), [
        REPLACE_HEADER,
        "~ threadsPerAllocation: 1 => 2",
      ]);
      assert.deepEqual(mutatingRequests(log()), [], "preview changes nothing on the cluster");

      const up = await stack.up();

      assert.deepEqual(up.result.summary.resourceChanges, { same: 2, replace: 1 });
      const calls = deploymentCalls(log());
      // Stop first, then start the same id: Elasticsearch would refuse a second deployment with the id.
      assert.deepEqual(
        calls.map((c) => `${c.kind} ${c.deploymentId} ${c.status}`),
        [`_stop ${SEARCH_ID} 200`, `_start ${SEARCH_ID} 200`],
        describeLog(log()),
      );
      assert.equal(calls[1]?.query.threads_per_allocation, "2");
      // No collision: a start racing the stop would be a refused (400 "already exists") request here.
      assert.deepEqual(
        mutatingRequests(log()).filter((e) => e.status >= 400),
        [],
        describeLog(log()),
      );
      const search = deploymentOnCluster(es, SEARCH_ID);
      assert.equal(search.threadsPerAllocation, 2);
      assert.notEqual(startedBefore.threadsPerAllocation, search.threadsPerAllocation);
      assert.deepEqual(routeStates(search), ["started"]);
      assert.equal(deploymentOnCluster(es, INGEST_ID).priority, "low", "the other deployment is untouched");
      const recorded = deploymentResource(await stack.exportStack(), "search");
      assert.equal(recorded.id, SEARCH_ID);
      assert.equal(
        (recorded.outputs?.effective as { threadsPerAllocation?: number }).threadsPerAllocation,
        2,
      );
      assert.equal(pairOutputs(up.result.outputs).search.allocationState, "fully_allocated");
    });
  });

  it('4. state "stopped" stops through _stop with the configured flags; "started" starts it again', async () => {
    const options = stackOn(es, twoDeployments(), {
      config: { "elasticsearch-ml:finishPendingWork": "true" },
    });
    await withTestStack(options, async (stack) => {
      await stack.up();
      es.admin.clearLog();
      stack.setProgram(twoDeployments({ searchState: "stopped" }));

      const preview = await stack.preview({ diff: true });
      assert.deepEqual(preview.result.changeSummary, { same: 2, update: 1 });
      assert.deepEqual(printedChanges(preview.result.stdout), [
        UPDATE_HEADER,
        '~ state: "started" => "stopped"',
      ]);

      const stop = await stack.up();

      assert.deepEqual(stop.result.summary.resourceChanges, { same: 2, update: 1 });
      const stops = deploymentCalls(log());
      assert.deepEqual(
        stops.map((c) => `${c.kind} ${c.deploymentId} ${c.status}`),
        [`_stop ${SEARCH_ID} 200`],
        describeLog(log()),
      );
      // The stack config's flag, on the wire; nothing else sent (unset flags keep Elasticsearch's defaults).
      assert.deepEqual(stops[0]?.query, { finish_pending_work: "true" });
      assert.deepEqual([...deploymentsOnCluster(es).keys()], [INGEST_ID]);
      const stopped = deploymentResource(await stack.exportStack(), "search");
      assert.deepEqual(stopped.outputs?.effective, { state: "stopped" });
      assert.equal(stopped.outputs?.deploymentState, undefined);
      assert.equal(pairOutputs(stop.result.outputs).search.allocationState, undefined);

      es.admin.clearLog();
      stack.setProgram(twoDeployments({ searchState: "started" }));
      const start = await stack.up();

      assert.deepEqual(start.result.summary.resourceChanges, { same: 2, update: 1 });
      const starts = deploymentCalls(log());
      assert.deepEqual(
        starts.map((c) => `${c.kind} ${c.deploymentId} ${c.status}`),
        [`_start ${SEARCH_ID} 200`],
        describeLog(log()),
      );
      assert.deepEqual(routeStates(deploymentOnCluster(es, SEARCH_ID)), ["started"]);
      assert.equal(pairOutputs(start.result.outputs).search.allocationState, "fully_allocated");
      const started = deploymentResource(await stack.exportStack(), "search");
      assert.equal((started.outputs?.effective as { state?: string }).state, "started");
    });
  });
});
