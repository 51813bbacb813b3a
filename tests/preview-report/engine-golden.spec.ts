/**
 * Golden tests on previews produced by the real Pulumi engine with the real `TrainedModelDeployment`
 * against the emulator: the engine's `pulumi preview --json` (see `engine/preview-json.ts`) goes through
 * the report, and the Markdown and JSON summary must equal the files under `golden/`. The preview
 * documents themselves are kept under `golden/engine/` (refreshed with `UPDATE_GOLDEN=1`) for the fast
 * tests that need a real document without running the engine.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { createReport, type Report } from "pulumi-elasticsearch-ml/report";
import { esCall } from "../client/fixtures";
import { getPulumiCli, withTestStack } from "../e2e/harness";
import { makeToyProvider, Toy } from "../e2e/harness/toy-provider";
import { expectGolden, expectGoldenJson, goldenPath, normalize, UPDATING, writeJson } from "./golden";
import { previewJson } from "./engine/preview-json";
import { EMULATOR_OPTIONS, programAfter, programBefore, seedCluster } from "./engine/scenario";

/** Where the engine's documents are kept, with the emulator's port replaced by a closed one. */
export const DEAD_ENDPOINT = "http://127.0.0.1:9";

async function keepDocument(name: string, text: string): Promise<void> {
  if (!UPDATING) return;
  await writeJson(
    goldenPath(path.join("engine", name)),
    text.replace(/http:\/\/127\.0\.0\.1:\d+/g, DEAD_ENDPOINT),
  );
}

async function expectReport(name: string, report: Report): Promise<void> {
  expectGolden(`${name}.md`, normalize(report.markdown));
  await expectGoldenJson(`${name}.json`, normalize(JSON.stringify(report.summary)));
}

describe("preview report: golden tests on previews from the real engine", function () {
  this.timeout(240_000);
  let es: EmulatorHandle;

  before(async function () {
    // The first run on a host may build the CLI from the Go module proxy (minutes).
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startEmulator(EMULATOR_OPTIONS);
    await seedCluster({ url: es.url });
  });

  after(async () => {
    await es?.close();
  });

  it("scale, restart, stop via state, delete, adaptive, create and no change; offline and against the cluster", async () => {
    await withTestStack(
      {
        program: programBefore,
        projectName: "search",
        stackName: "staging",
        config: { "elasticsearch-ml:endpoints": es.url },
        // Cleanup destroys deployments that pipelines use: force those stops.
        env: { ELASTICSEARCH_ML_FORCE: "true" },
      },
      async (stack) => {
        await stack.up();

        const unchanged = await previewJson(stack, programBefore);
        await keepDocument("no-change.preview.json", unchanged.text);
        await expectReport(
          "no-change",
          await createReport([{ text: unchanged.text, source: "preview.json" }], { env: {} }),
        );

        // Out of band: someone stops `steady`; the state still says it runs.
        await esCall({ url: es.url }, "POST", "/_ml/trained_models/tiny-steady/deployment/_stop");

        const changes = await previewJson(stack, programAfter);
        await keepDocument("all-changes.preview.json", changes.text);
        const input = [{ text: changes.text, source: "preview.json" }];
        await expectReport(
          "all-changes.offline",
          await createReport(input, { env: {}, offline: "--offline" }),
        );
        await expectReport("all-changes.online", await createReport(input, { env: {} }));

        const withSames = await previewJson(stack, programAfter, ["--show-sames"]);
        await keepDocument("all-changes.show-sames.preview.json", withSames.text);
        const report = await createReport([{ text: withSames.text, source: "preview.json" }], { env: {} });
        await expectReport("all-changes.show-sames.online", report);

        // Replacement steps shown separately describe the same restart.
        const steps = await previewJson(stack, programAfter, ["--show-replacement-steps"]);
        const split = await createReport([{ text: steps.text, source: "preview.json" }], {
          env: {},
          offline: "test",
        });
        const restart = split.summary.stacks[0].deployments.find((d) => d.name === "restart");
        assert.equal(restart?.headline, "restarts: threads 1 → 2");
        assert.match(restart?.stepOp ?? "", /create-replacement/);

        // Inputs from another resource's outputs are unknown in a preview: the report says so.
        const unknown = await previewJson(stack, async () => {
          await programBefore();
          const fresh = new TrainedModelDeployment("fresh", { modelId: "tiny-fresh" });
          new TrainedModelDeployment("follower", {
            modelId: "tiny-fresh",
            deploymentId: "tiny-fresh-2",
            numberOfAllocations: fresh.targetAllocationCount.apply((n) => n ?? 1),
          });
        });
        const unknownReport = await createReport([{ text: unknown.text, source: "preview.json" }], {
          env: {},
          offline: "test",
        });
        const follower = unknownReport.summary.stacks[0].deployments.find((d) => d.name === "follower");
        assert.deepEqual(follower?.capacity.after, {
          unknown: true,
          reason: "allocations known after apply",
        });
        assert.deepEqual(unknownReport.summary.stacks[0].capacity.notCounted, ["follower"]);
        assert.match(unknownReport.markdown, /Not counted \(values known only after apply\): `follower`/);

        // A preview the resource's check refuses: the engine still prints the document, errors included.
        const failed = await previewJson(stack, async () => {
          await programBefore();
          new TrainedModelDeployment("odd", { modelId: "tiny-fresh", threadsPerAllocation: 3 });
        });
        assert.equal(failed.ok, false, `the preview fails; it printed: ${failed.text.slice(0, 1500)}`);
        await keepDocument("failed.preview.json", failed.text);
        const failedReport = await createReport([{ text: failed.text, source: "preview.json" }], { env: {} });
        // Markdown only: how many unchanged resources the engine counted before failing varies from run to run.
        expectGolden("failed-preview.md", normalize(failedReport.markdown));
        assert.equal(failedReport.summary.stacks[0].previewFailed, true);
        assert.match(failedReport.summary.stacks[0].previewErrors.join("\n"), /threadsPerAllocation/);

        // The facts the goldens rest on, stated once more so a wrong regeneration cannot hide them.
        const byName = new Map(report.summary.stacks[0].deployments.map((d) => [d.name, d]));
        assert.equal(byName.get("scale")?.headline, "scales 2 → 4 allocations");
        assert.equal(byName.get("restart")?.operation, "replace");
        assert.equal(byName.get("halt")?.risk, "stop-refused");
        assert.equal(byName.get("doomed")?.risk, "breaks-pipelines");
        assert.equal(byName.get("steady")?.cluster?.drift.length, 1);
        assert.equal(byName.get("fresh")?.operation, "create");
        assert.deepEqual(report.summary.stacks[0].capacity.change, { min: 2, max: 5 });
      },
    );
  });

  it("says there is nothing to review when only another provider's resources change", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-report-toy-"));
    try {
      const provider = makeToyProvider(path.join(dir, "journal.jsonl"), path.join(dir, "world.json"));
      const program = async (): Promise<void> => {
        new Toy("other", { key: "k1", size: 1, shape: "round" }, provider);
      };
      await withTestStack({ program, projectName: "web", stackName: "prod" }, async (stack) => {
        const preview = await previewJson(stack, program);
        await keepDocument("other-provider.preview.json", preview.text);
        await expectReport(
          "other-provider",
          await createReport([{ text: preview.text, source: "preview.json" }], { env: {} }),
        );
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
