/**
 * End to end, a new endpoint in the `connection` argument (issue 15 item 2): the preview sends nothing
 * and says the endpoint changes; the update is in place, checks the new endpoint with `GET /`, and fails
 * with the wrong-cluster message when it answers as another cluster, leaving the recorded settings as they
 * were (so the stack still works against the right cluster).
 */
import * as assert from "node:assert/strict";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { expectOperationFailure, getPulumiCli, stepOps, withTestStack } from "../harness";
import { MODEL } from "./programs";
import { deploymentsOnCluster, freshCluster, mutatingRequests, startScenarioEmulator } from "./support";

describe("e2e: a connection argument pointed at another cluster", function () {
  this.timeout(300_000);
  let home: EmulatorHandle;
  let other: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    home = await startScenarioEmulator();
    other = await startScenarioEmulator();
    await freshCluster(home, [MODEL]);
    await freshCluster(other, [MODEL]);
  });

  after(async () => {
    await home?.close();
    await other?.close();
  });

  it("preview says the endpoint changes; up refuses the other cluster and keeps the recorded settings", async () => {
    const program =
      (url: string): PulumiFn =>
      async () => {
        const d = new TrainedModelDeployment("search", {
          modelId: MODEL,
          deploymentId: "moved",
          connection: { endpoints: url },
        });
        return { clusterUuid: d.clusterUuid };
      };
    await withTestStack({ program: program(home.url) }, async (stack) => {
      const uuid = (await stack.up()).result.outputs.clusterUuid?.value as string;
      assert.match(uuid, /\S/);
      home.admin.clearLog();

      stack.setProgram(program(other.url));
      const preview = await stack.preview({ diff: true });
      assert.deepEqual(
        stepOps(preview.events, { name: "search" }),
        ["update"],
        "in place, not a replacement",
      );
      assert.ok(preview.output.includes(`the endpoint ("${home.url}" → "${other.url}")`), preview.output);
      assert.match(preview.output, new RegExp(`unless the endpoint answers as cluster \\[${uuid}\\]`));
      assert.deepEqual(other.admin.log(), [], "a preview sends nothing to the new endpoint");

      const failed = await expectOperationFailure(stack.up());
      assert.match(
        failed.output,
        /Refusing to update deployment \[moved\]: .* \(the connection argument\) now answers as cluster/,
      );
      assert.deepEqual(
        other.admin.log().map((e) => `${e.method} ${e.path}`),
        ["GET /"],
        "the update only asked the new endpoint who it is",
      );
      assert.deepEqual(mutatingRequests(home.admin.log().filter((e) => e.path.includes("/deployment/"))), []);
      assert.ok(deploymentsOnCluster(home).has("moved"));

      // The recorded connection is still the home cluster's: back to it, nothing to do.
      stack.setProgram(program(home.url));
      const back = await stack.preview();
      assert.deepEqual(stepOps(back.events, { name: "search" }), ["same"]);
      await stack.destroy();
      assert.deepEqual([...deploymentsOnCluster(home).keys()], []);
    });
  });
});
