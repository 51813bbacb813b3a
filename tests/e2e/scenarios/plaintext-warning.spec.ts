/**
 * The program's warning about a credential set without `--secret` is given once per program run, also
 * when one process runs several programs (Automation API inline programs, as here): each stack's preview
 * gets it. It used to be once per process, so every stack after the first one went unwarned.
 */
import * as assert from "node:assert/strict";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { diagnostics, getPulumiCli, withTestStack } from "../harness";
import { MODEL } from "./programs";
import { freshCluster, stackOn, startScenarioEmulator } from "./support";

const WARNING = /elasticsearch-ml:apiKey is stored in plaintext in the stack configuration and state/;

describe("e2e: the plaintext-credential warning, once per program run", function () {
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

  it("two stacks in one process, each with a plaintext API key: each preview warns once", async () => {
    const program = async (): Promise<void> => {
      new TrainedModelDeployment("a", { modelId: MODEL, deploymentId: "plain-a" });
      new TrainedModelDeployment("b", { modelId: MODEL, deploymentId: "plain-b" });
    };
    for (const stackName of ["first", "second"]) {
      const options = stackOn(es, program, {
        stackName,
        config: { "elasticsearch-ml:apiKey": "plain-id:plain-key" },
      });
      await withTestStack(options, async (stack) => {
        const preview = await stack.preview();
        const warned = diagnostics(preview.events, "warning").filter((d) => WARNING.test(d.message));
        assert.equal(warned.length, 1, `${stackName}: ${preview.output}`);
      });
    }
  });
});
