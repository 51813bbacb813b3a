/**
 * End to end: declaring deployments that already run (started out of band). One that matches the
 * declaration is adopted silently; one whose scaling differs is adopted with `adoptExisting` and scaled in
 * place; one whose scaling differs without `adoptExisting`, and one whose start-only parameters differ
 * (even with `adoptExisting`), fail listing the differences and change nothing.
 */
import * as assert from "node:assert/strict";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { esCall } from "../../client/fixtures";
import {
  diagnostics,
  expectOperationFailure,
  getPulumiCli,
  stepOps,
  urnName,
  withTestStack,
} from "../harness";
import { deploymentsProgram, MODEL } from "./programs";
import {
  deploymentCalls,
  deploymentOnCluster,
  deploymentResources,
  describeLog,
  freshCluster,
  stackOn,
  startScenarioEmulator,
} from "./support";

/** Logical name → deployment id; every one runs with 1 allocation × 1 thread before the `up`. */
const IDS = {
  same: "adopt-same",
  scaled: "adopt-scaled",
  refused: "adopt-refused",
  threads: "adopt-threads",
} as const;

const program = deploymentsProgram({
  same: { modelId: MODEL, deploymentId: IDS.same, numberOfAllocations: 1, threadsPerAllocation: 1 },
  scaled: { modelId: MODEL, deploymentId: IDS.scaled, numberOfAllocations: 2, adoptExisting: true },
  refused: { modelId: MODEL, deploymentId: IDS.refused, numberOfAllocations: 2 },
  threads: { modelId: MODEL, deploymentId: IDS.threads, threadsPerAllocation: 2, adoptExisting: true },
});

describe("e2e: adopting deployments that already run, through the real engine", function () {
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

  it("8. a matching deployment is adopted silently, adoptExisting scales one in place, differing ones fail listing the differences", async () => {
    for (const id of Object.values(IDS)) {
      await esCall(
        { url: es.url },
        "POST",
        `/_ml/trained_models/${MODEL}/deployment/_start?deployment_id=${id}&number_of_allocations=1&threads_per_allocation=1&wait_for=fully_allocated`,
      );
    }
    const before = new Map(Object.values(IDS).map((id) => [id, deploymentOnCluster(es, id)]));
    es.admin.clearLog();

    await withTestStack(stackOn(es, program), async (stack) => {
      const failed = await expectOperationFailure(stack.up());

      for (const name of Object.keys(IDS)) assert.deepEqual(stepOps(failed.events, { name }), ["create"]);
      const errorsOf = (name: string) =>
        diagnostics(failed.events, "error")
          .filter((d) => d.urn && urnName(d.urn) === name)
          .map((d) => d.message);
      assert.deepEqual(errorsOf("same"), []);
      assert.deepEqual(errorsOf("scaled"), []);
      const [refused] = errorsOf("refused");
      assert.match(
        refused ?? "",
        /Deployment \[adopt-refused\] already exists on cluster \[[^\]]+\] and differs/,
      );
      assert.match(refused ?? "", /numberOfAllocations 1 running, 2 declared/);
      assert.match(refused ?? "", /Nothing was changed\. To take it over, set adoptExisting: true/);
      const [threads] = errorsOf("threads");
      assert.match(
        threads ?? "",
        /Deployment \[adopt-threads\] already exists .* with start-only parameters/,
      );
      assert.match(threads ?? "", /threadsPerAllocation 1 running, 2 declared/);
      assert.doesNotMatch(threads ?? "", /numberOfAllocations/, "only start-only differences are listed");
      // Silently: no warning names the matching deployment.
      const warnings = diagnostics(failed.events, "warning").map((d) => d.message);
      assert.ok(!warnings.some((m) => m.includes(IDS.same)), warnings.join("\n"));

      // Pulumi's record: the two adopted deployments, not the refused ones.
      const recorded = deploymentResources(await stack.exportStack());
      assert.deepEqual([...recorded.keys()].sort(), ["same", "scaled"]);
      assert.equal(recorded.get("same")?.id, IDS.same);
      assert.equal(recorded.get("same")?.outputs?.allocationState, "fully_allocated");
      assert.equal(
        (recorded.get("scaled")?.outputs?.effective as { numberOfAllocations?: number }).numberOfAllocations,
        2,
      );

      // The cluster: one _update for the scaled one and nothing else that changes a deployment.
      const calls = deploymentCalls(log());
      assert.deepEqual(
        calls.map((c) => `${c.kind} ${c.deploymentId} ${c.status}`),
        [`_update ${IDS.scaled} 200`],
        describeLog(log()),
      );
      assert.deepEqual(calls[0]?.body, { number_of_allocations: 2 });
      assert.equal(deploymentOnCluster(es, IDS.scaled).numberOfAllocations, 2);
      for (const id of [IDS.same, IDS.refused, IDS.threads]) {
        assert.deepEqual(deploymentOnCluster(es, id), before.get(id), `${id} is untouched`);
      }
    });
  });
});
