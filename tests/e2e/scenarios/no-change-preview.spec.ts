/**
 * End to end: `preview` on a stack of 20 deployments that match their declaration reports no change and
 * sends nothing to the cluster — not a mutating request, and (the provider's `check` and `diff` are pure)
 * not even a read. A pull-request preview costs the cluster nothing however large the stack.
 */
import * as assert from "node:assert/strict";
import type { TrainedModelDeploymentArgs } from "pulumi-elasticsearch-ml";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { getPulumiCli, steps, withTestStack } from "../harness";
import { deploymentsProgram, MODEL } from "./programs";
import {
  appliedStarts,
  deploymentsOnCluster,
  describeLog,
  freshCluster,
  mutatingRequests,
  stackOn,
  startScenarioEmulator,
} from "./support";

const COUNT = 20;

const declarations: Record<string, TrainedModelDeploymentArgs> = Object.fromEntries(
  Array.from({ length: COUNT }, (_, i) => {
    const name = `bulk-${String(i).padStart(2, "0")}`;
    return [name, { modelId: MODEL, deploymentId: name, numberOfAllocations: 1 }];
  }),
);

describe("e2e: a no-change preview of 20 deployments, through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    // 20 deployments × 1 allocation × 1 thread: three 8-processor ML nodes hold them all.
    es = await startScenarioEmulator({ mlNodes: 3, processorsPerNode: 8 });
    await freshCluster(es, [MODEL]);
  });

  after(async () => {
    await es?.close();
  });

  it("10. preview reports no changes and sends no request at all", async () => {
    const program = deploymentsProgram(declarations);
    await withTestStack(stackOn(es, program), async (stack) => {
      const up = await stack.up();
      assert.equal(up.result.summary.resourceChanges?.create, COUNT + 1);
      assert.equal(appliedStarts(es.admin.log()).length, COUNT);
      assert.equal(deploymentsOnCluster(es).size, COUNT);
      es.admin.clearLog();

      const preview = await stack.preview({ diff: true });

      assert.deepEqual(preview.result.changeSummary, { same: COUNT + 1 });
      assert.match(preview.result.stdout, new RegExp(`${COUNT + 1} unchanged`));
      const deploymentSteps = steps(preview.events).filter((s) => s.name.startsWith("bulk-"));
      assert.equal(deploymentSteps.length, COUNT);
      assert.ok(deploymentSteps.every((s) => s.op === "same"));
      const log = es.admin.log();
      assert.deepEqual(mutatingRequests(log), [], describeLog(log));
      assert.equal(log.length, 0, `requests sent by the preview:\n${describeLog(log)}`);
    });
  });
});
