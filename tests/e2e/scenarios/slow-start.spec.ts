/**
 * End to end: a deployment that starts more slowly than its `waitTimeoutSeconds`. The `up` fails, but the
 * deployment is recorded in the stack (with `__provider`, so it stays manageable); the next `up` finishes
 * the wait and never sends a second `_start`.
 */
import * as assert from "node:assert/strict";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import {
  diagnostics,
  expectOperationFailure,
  getPulumiCli,
  stepOps,
  urnName,
  withTestStack,
} from "../harness";
import type { TestStack } from "../harness";
import { deploymentsProgram, MODEL } from "./programs";
import {
  appliedStarts,
  deploymentCalls,
  deploymentOnCluster,
  deploymentResource,
  describeLog,
  freshCluster,
  routeStates,
  stackOn,
  startScenarioEmulator,
  waitUntil,
} from "./support";

const SLOW_ID = "e5-slow";

/** One deployment whose start outlasts a 1-second deadline on this emulator. */
function slowProgram(waitTimeoutSeconds: number): PulumiFn {
  return deploymentsProgram({
    slow: { modelId: MODEL, deploymentId: SLOW_ID, numberOfAllocations: 1, waitTimeoutSeconds },
  });
}

describe("e2e: a start slower than the wait deadline, through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    // A route takes 4 s to start; the program waits 1 s.
    es = await startScenarioEmulator({ startDelayMs: 4000 });
  });

  after(async () => {
    await es?.close();
  });

  beforeEach(() => freshCluster(es, [MODEL]));

  const log = () => es.admin.log();

  /** The first `up`: fails at the deadline with the deployment recorded and still starting. */
  async function upPastTheDeadline(stack: TestStack): Promise<void> {
    const failed = await expectOperationFailure(stack.up());

    const errors = diagnostics(failed.events, "error").filter((d) => d.urn && urnName(d.urn) === "slow");
    assert.equal(errors.length, 1, failed.output);
    assert.match(errors[0]!.message, /run pulumi up again to keep waiting \(no second start is sent\)/);

    const recorded = deploymentResource(await stack.exportStack(), "slow");
    assert.equal(recorded.id, SLOW_ID);
    assert.equal(recorded.initErrors?.length, 1);
    assert.match(recorded.initErrors?.[0] ?? "", /keep waiting/);
    assert.equal(typeof recorded.outputs?.__provider, "string", "__provider survived the partial failure");
    assert.equal(recorded.outputs?.__provider, recorded.inputs?.__provider);
    assert.equal((recorded.outputs?.effective as { state?: string }).state, "started");
    assert.equal(recorded.outputs?.deploymentState, "starting");

    assert.deepEqual(routeStates(deploymentOnCluster(es, SLOW_ID)), ["starting"]);
    assert.equal(appliedStarts(log(), SLOW_ID).length, 1, describeLog(log()));
  }

  /** The `up` that finishes it: an update (never a create), no second `_start`, ready and recorded so. */
  async function finishingUp(stack: TestStack): Promise<void> {
    const up = await stack.up();

    assert.deepEqual(stepOps(up.events, { name: "slow" }), ["update"]);
    assert.equal(
      deploymentCalls(log(), { kind: "_start" }).length,
      1,
      `one _start in all:\n${describeLog(log())}`,
    );
    assert.equal(up.result.outputs.slow?.value, "fully_allocated");
    const recorded = deploymentResource(await stack.exportStack(), "slow");
    assert.equal(recorded.initErrors, undefined, "the failure is cleared");
    assert.equal(recorded.outputs?.allocationState, "fully_allocated");
    assert.deepEqual(routeStates(deploymentOnCluster(es, SLOW_ID)), ["started"]);
  }

  it("7. up fails at the deadline with the deployment recorded; the next up, with a raised deadline, keeps waiting and finishes it", async () => {
    await withTestStack(stackOn(es, slowProgram(1)), async (stack) => {
      await upPastTheDeadline(stack);
      // What the error suggests: raise waitTimeoutSeconds (recorded only, no call) and run up again.
      stack.setProgram(slowProgram(120));
      await finishingUp(stack);
    });
  });

  it("7b. with unchanged inputs, the next up after the deployment became ready completes the record", async () => {
    await withTestStack(stackOn(es, slowProgram(1)), async (stack) => {
      await upPastTheDeadline(stack);
      await waitUntil("the slow route started", () =>
        routeStates(deploymentOnCluster(es, SLOW_ID)).every((s) => s === "started"),
      );
      await finishingUp(stack);
    });
  });
});
