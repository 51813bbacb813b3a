/**
 * End to end: drift made out of band through the cluster's own HTTP API (one deployment scaled, another
 * stopped) is shown by `refresh`, the next `preview --diff` shows exactly the changes needed, and `up`
 * restores the declared state with exactly those calls.
 */
import * as assert from "node:assert/strict";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { esCall } from "../../client/fixtures";
import { getPulumiCli, stepOps, steps, withTestStack } from "../harness";
import { INGEST_ID, MODEL, pairOutputs, quickstartProgram, SEARCH_ID } from "./programs";
import {
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
} from "./support";

describe("e2e: drift made out of band, refreshed and restored through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startScenarioEmulator();
    await freshCluster(es, [MODEL]);
  });

  after(async () => {
    await es?.close();
  });

  const log = () => es.admin.log();

  it("5. refresh shows a scaled and a stopped deployment, preview shows exactly the fix, up restores it", async () => {
    await withTestStack(stackOn(es, quickstartProgram()), async (stack) => {
      await stack.up();

      // Someone scales one deployment and stops the other, straight through the cluster's API.
      await esCall({ url: es.url }, "POST", `/_ml/trained_models/${SEARCH_ID}/deployment/_update`, {
        number_of_allocations: 3,
      });
      await esCall({ url: es.url }, "POST", `/_ml/trained_models/${INGEST_ID}/deployment/_stop`);
      assert.equal(deploymentOnCluster(es, SEARCH_ID).numberOfAllocations, 3);
      assert.deepEqual([...deploymentsOnCluster(es).keys()], [SEARCH_ID]);
      es.admin.clearLog();

      const refresh = await stack.refresh();

      assert.deepEqual(refresh.result.summary.resourceChanges, { same: 1, update: 2 });
      assert.match(
        refresh.output,
        /TrainedModelDeployment search updated \([\d.]+s\) \[diff: ~numberOfAllocations\]/,
      );
      assert.match(refresh.output, /TrainedModelDeployment ingest updated \([\d.]+s\) \[diff: ~state\]/);
      assert.deepEqual(mutatingRequests(log()), [], "refresh only reads");
      const refreshed = await stack.exportStack();
      const search = deploymentResource(refreshed, "search");
      const ingest = deploymentResource(refreshed, "ingest");
      assert.equal(
        search.inputs?.numberOfAllocations,
        3,
        "refresh swapped the drifted value into the inputs",
      );
      assert.equal((search.outputs?.effective as { numberOfAllocations?: number }).numberOfAllocations, 3);
      assert.equal(
        ingest.inputs?.state,
        "stopped",
        "a vanished deployment is recorded stopped, not forgotten",
      );
      assert.deepEqual(ingest.outputs?.effective, { state: "stopped" });

      const preview = await stack.preview({ diff: true });

      assert.deepEqual(preview.result.changeSummary, { same: 1, update: 2 });
      const [searchStep] = steps(preview.events, { name: "search" });
      assert.equal(searchStep?.op, "update");
      assert.equal(searchStep?.metadata.old?.inputs.numberOfAllocations, 3);
      assert.equal(searchStep?.metadata.new?.inputs.numberOfAllocations, 1);
      const [ingestStep] = steps(preview.events, { name: "ingest" });
      assert.equal(ingestStep?.op, "update");
      assert.equal(ingestStep?.metadata.old?.inputs.state, "stopped");
      assert.equal(ingestStep?.metadata.new?.inputs.state, "started");
      // The engine prints resources in step order, which parallel steps do not fix: compare as a set.
      assert.deepEqual(
        printedChanges(preview.result.stdout).sort(),
        [
          UPDATE_HEADER,
          UPDATE_HEADER,
          "~ numberOfAllocations: 3 => 1",
          '~ state: "stopped" => "started"',
        ].sort(),
        "exactly the drift, nothing else",
      );
      assert.deepEqual(mutatingRequests(log()), [], "preview changes nothing on the cluster");

      const up = await stack.up();

      assert.deepEqual(up.result.summary.resourceChanges, { same: 1, update: 2 });
      assert.deepEqual(stepOps(up.events, { name: "search" }), ["update"]);
      assert.deepEqual(stepOps(up.events, { name: "ingest" }), ["update"]);
      const calls = deploymentCalls(log());
      assert.deepEqual(
        calls.map((c) => `${c.kind} ${c.deploymentId} ${c.status}`).sort(),
        [`_start ${INGEST_ID} 200`, `_update ${SEARCH_ID} 200`],
        describeLog(log()),
      );
      assert.deepEqual(calls.find((c) => c.kind === "_update")?.body, { number_of_allocations: 1 });
      assert.equal(calls.find((c) => c.kind === "_start")?.query.priority, "low");
      const restoredSearch = deploymentOnCluster(es, SEARCH_ID);
      assert.equal(restoredSearch.numberOfAllocations, 1);
      assert.deepEqual(routeStates(restoredSearch), ["started"]);
      assert.deepEqual(routeStates(deploymentOnCluster(es, INGEST_ID)), ["started"]);
      assert.equal(pairOutputs(up.result.outputs).ingest.allocationState, "fully_allocated");

      const after = await stack.preview({ diff: true });
      assert.deepEqual(after.result.changeSummary, { same: 3 }, "declared and actual agree again");
    });
  });
});
