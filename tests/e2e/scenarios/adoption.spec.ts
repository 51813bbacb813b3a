/**
 * End to end: declaring deployments that already run (started out of band). One that matches the
 * declaration is refused by default (another stack may own it) and adopted by a one-time
 * `ELASTICSEARCH_ML_ADOPT_EXISTING=true pulumi up`; one whose scaling differs is adopted with
 * `adoptExisting` and scaled in place; one whose scaling differs without `adoptExisting` (even with the
 * environment override), and one whose start-only parameters differ (even with `adoptExisting`), fail
 * listing the differences and change nothing. Two stacks of one program with the same literal
 * `deploymentId`: the second stack's `up` is refused and the first stack's deployment is untouched.
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
  });

  after(async () => {
    await es?.close();
  });

  const log = () => es.admin.log();

  it("8. a matching deployment is refused until ELASTICSEARCH_ML_ADOPT_EXISTING=true, adoptExisting scales one in place, differing ones fail listing the differences", async () => {
    await freshCluster(es, [MODEL]);
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
      const errorsOf = (events: typeof failed.events, name: string) =>
        diagnostics(events, "error")
          .filter((d) => d.urn && urnName(d.urn) === name)
          .map((d) => d.message);
      const [same] = errorsOf(failed.events, "same");
      assert.match(
        same ?? "",
        /Deployment \[adopt-same\] already runs on cluster \[[^\]]+\] with the declared model and parameters, but this operation did not start it/,
      );
      assert.match(same ?? "", /ELASTICSEARCH_ML_ADOPT_EXISTING=true pulumi up/);
      assert.deepEqual(errorsOf(failed.events, "scaled"), []);
      const [refused] = errorsOf(failed.events, "refused");
      assert.match(
        refused ?? "",
        /Deployment \[adopt-refused\] already exists on cluster \[[^\]]+\] and differs/,
      );
      assert.match(refused ?? "", /numberOfAllocations 1 running, 2 declared/);
      assert.match(refused ?? "", /Nothing was changed\. To take it over, set adoptExisting: true/);
      const [threads] = errorsOf(failed.events, "threads");
      assert.match(
        threads ?? "",
        /Deployment \[adopt-threads\] already exists .* with start-only parameters/,
      );
      assert.match(threads ?? "", /threadsPerAllocation 1 running, 2 declared/);
      assert.doesNotMatch(threads ?? "", /numberOfAllocations/, "only start-only differences are listed");

      // Pulumi's record: only the one adoptExisting took over.
      let recorded = deploymentResources(await stack.exportStack());
      assert.deepEqual([...recorded.keys()].sort(), ["scaled"]);
      assert.equal(
        (recorded.get("scaled")?.outputs?.effective as { numberOfAllocations?: number }).numberOfAllocations,
        2,
      );

      // The one-time resume: the matching deployment is adopted; the differing one still is not.
      stack.setEnv({ ELASTICSEARCH_ML_ADOPT_EXISTING: "true" });
      const resumed = await expectOperationFailure(stack.up());
      stack.setEnv({ ELASTICSEARCH_ML_ADOPT_EXISTING: undefined });
      assert.deepEqual(errorsOf(resumed.events, "same"), []);
      const [stillRefused] = errorsOf(resumed.events, "refused");
      assert.match(
        stillRefused ?? "",
        /ELASTICSEARCH_ML_ADOPT_EXISTING=true adopts matching deployments only/,
      );
      recorded = deploymentResources(await stack.exportStack());
      assert.deepEqual([...recorded.keys()].sort(), ["same", "scaled"]);
      assert.equal(recorded.get("same")?.id, IDS.same);
      assert.equal(recorded.get("same")?.outputs?.allocationState, "fully_allocated");

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

  it("8b. two stacks of one program with the same literal deploymentId: the second up is refused, the first's deployment untouched", async () => {
    await freshCluster(es, [MODEL]);
    const shared = deploymentsProgram({
      e5: { modelId: MODEL, deploymentId: "shared-e5", numberOfAllocations: 1 },
    });
    await withTestStack(stackOn(es, shared, { stackName: "dev" }), async (dev) => {
      await dev.up();
      const devDeployment = deploymentOnCluster(es, "shared-e5");
      es.admin.clearLog();
      await withTestStack(stackOn(es, shared, { stackName: "staging" }), async (staging) => {
        const refused = await expectOperationFailure(staging.up());
        const errors = diagnostics(refused.events, "error").map((d) => d.message);
        assert.ok(
          errors.some((m) =>
            /Deployment \[shared-e5\] already runs .* but this operation did not start it/.test(m),
          ),
          errors.join("\n"),
        );
        assert.ok(errors.some((m) => /`\$\{pulumi\.getStack\(\)\}-<name>`/.test(m)));
        assert.equal(deploymentResources(await staging.exportStack()).size, 0, "staging recorded nothing");
        // Its destroy therefore stops nothing.
        await staging.destroy();
      });
      assert.deepEqual(deploymentCalls(log()), [], describeLog(log()));
      assert.deepEqual(deploymentOnCluster(es, "shared-e5"), devDeployment, "dev's deployment is untouched");
      assert.equal(deploymentResources(await dev.exportStack()).get("e5")?.id, "shared-e5");
    });
  });
});
