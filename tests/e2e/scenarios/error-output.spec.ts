/**
 * What a person reads when the provider refuses: a shell `pulumi destroy` of a deployment an ingest
 * pipeline uses, through the real CLI. Elasticsearch refuses the stop (409); the refusal's message —
 * which pipeline, which levers — must reach the user only where the engine shows a failed step's error,
 * and without a stack trace into the provider or `@pulumi/pulumi` (sdk/src/provider/hostErrors.ts).
 * Counted in the CLI's stdout plus stderr. And a warning is a Pulumi warning (sdk/src/provider/engineLog.ts).
 *
 * Output to a pipe (CI, this test) is the CLI's non-interactive display, which shows a failed step's
 * error three times: the step's live error line, its "deleting failed" row (which repeats the latest
 * message) and Diagnostics. A terminal's interactive display redraws the row in place: twice. Before
 * the fix the dynamic-provider host added its own `${e}: ${e.stack}` line, message included twice, live
 * and under Diagnostics: 7 copies here.
 */
import * as assert from "node:assert/strict";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { EXPECTED_ERROR_NOTE } from "pulumi-elasticsearch-ml/provider";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { putInferencePipeline } from "../../client/fixtures";
import { CliCommandError, diagnostics, getPulumiCli, withTestStack } from "../harness";
import { MODEL } from "./programs";
import { deploymentsOnCluster, freshCluster, stackOn, startScenarioEmulator } from "./support";

const DEPLOYMENT = "quiet-refusal";
const PIPELINE = "quiet-refusal-ingest";

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("e2e: an expected error reads once per place the engine shows it, without a stack trace", function () {
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

  it("the preview warning that a stop will meet a pipeline is a Pulumi warning, not an info line", async () => {
    const declared = (state: "started" | "stopped") => async () => {
      new TrainedModelDeployment("warned", { modelId: MODEL, deploymentId: `${DEPLOYMENT}-w`, state });
    };
    await withTestStack(stackOn(es, declared("started")), async (stack) => {
      try {
        await stack.up();
        await putInferencePipeline({ url: es.url }, `${PIPELINE}-w`, `${DEPLOYMENT}-w`);
        await stack.refresh(); // records the pipeline, which the preview's warning is based on
        stack.setProgram(declared("stopped"));
        const preview = await stack.preview();
        const about = (severity: "warning" | "info" | "info#err") =>
          diagnostics(preview.events, severity).filter((d) =>
            d.message.includes("this change stops the deployment"),
          );
        assert.equal(about("warning").length, 1, preview.output);
        assert.deepEqual([...about("info"), ...about("info#err")], [], "no copy as an info line");
        assert.match(
          preview.output,
          /warning: elasticsearch-ml: quiet-refusal-w: this change stops the deployment/,
        );
      } finally {
        stack.setEnv({ ELASTICSEARCH_ML_FORCE: "true" });
      }
    });
  });

  it("a refused stop in piped `pulumi destroy`: at most the engine's own 3 copies (live, the failed step, Diagnostics), no trace", async () => {
    const program = async () => {
      new TrainedModelDeployment("quiet", { modelId: MODEL, deploymentId: DEPLOYMENT });
    };
    await withTestStack(stackOn(es, program), async (stack) => {
      await stack.up();
      await putInferencePipeline({ url: es.url }, PIPELINE, DEPLOYMENT);

      let printed = "";
      try {
        await stack.runCli(["destroy", "--yes", "--stack", stack.name]);
        assert.fail("pulumi destroy succeeded although a pipeline uses the deployment");
      } catch (err) {
        if (!(err instanceof CliCommandError)) throw err;
        printed = `${err.stdout}\n${err.stderr}`;
      } finally {
        // Teardown (withTestStack's destroy) with the lever the refusal names.
        stack.setEnv({ ELASTICSEARCH_ML_FORCE: "true" });
      }

      const refusal = `Cannot stop deployment [${DEPLOYMENT}]: it is referenced by ingest pipelines [${PIPELINE}].`;
      const count = occurrences(printed, refusal);
      assert.ok(count >= 1, `the refusal reaches the user:\n${printed}`);
      assert.ok(count <= 3, `the refusal is printed ${count} times:\n${printed}`);
      // Each copy is one of the engine's own error lines for the step, none comes from the host.
      const lines = printed.split("\n").filter((line) => line.includes(refusal));
      for (const line of lines) assert.match(line, /(^|\s)error: Cannot stop deployment/, line);
      // No stack frame, neither ours nor Pulumi's.
      assert.doesNotMatch(printed, /\sat [^\n]*\([^\n]*:\d+:\d+\)/, `a stack trace was printed:\n${printed}`);
      assert.doesNotMatch(printed, /node_modules[\\/]@pulumi|[\\/]dist[\\/]provider[\\/]/);
      // The host's own line names the error and its code instead.
      assert.match(printed, /StopRefusedError \[ERR_STOP_REFUSED\]/);
      assert.ok(printed.includes(EXPECTED_ERROR_NOTE), printed);
      assert.ok(deploymentsOnCluster(es).has(DEPLOYMENT), "the refused deployment still runs");
    });
  });
});
