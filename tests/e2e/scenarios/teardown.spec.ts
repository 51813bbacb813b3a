/**
 * End to end: tearing down a deployment that an ingest pipeline still uses. A plain `destroy` is refused
 * with a message naming the pipeline and the levers; both documented recipes then succeed without editing
 * the program — (a) `ELASTICSEARCH_ML_FORCE=true` in the environment of a plain destroy, (b)
 * `pulumi config set elasticsearch-ml:force true` and `destroy --run-program` — and `finishPendingWork`
 * (stack config) reaches the wire, so inference queued at the moment of the stop completes (200, not 429).
 */
import * as assert from "node:assert/strict";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { putInferencePipeline } from "../../client/fixtures";
import {
  diagnostics,
  expectOperationFailure,
  getPulumiCli,
  urnName,
  withTestStack,
  type TestStack,
} from "../harness";
import { INGEST_ID, MODEL, SEARCH_ID, twoDeployments } from "./programs";
import {
  deploymentCalls,
  deploymentResources,
  deploymentsOnCluster,
  describeLog,
  freshCluster,
  stackOn,
  startScenarioEmulator,
  waitUntil,
} from "./support";

const PIPELINE = "docs-ingest";
/** Inference requests fired at the deployment while its stop is held back. */
const QUEUED = 6;

/** One inference request against the deployment; resolves to the HTTP status. */
async function infer(url: string, deploymentId: string, text: string): Promise<number> {
  const res = await fetch(`${url}/_ml/trained_models/${deploymentId}/_infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ docs: [{ text_field: text }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe("e2e: teardown while an ingest pipeline uses a deployment, through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    // Each inference request holds the only thread of the low-priority deployment this long, so
    // requests fired together queue up behind each other.
    es = await startScenarioEmulator({ inferLatencyMs: 500 });
    await freshCluster(es, [MODEL]);
  });

  after(async () => {
    await es?.close();
  });

  const log = () => es.admin.log();
  const summary = () =>
    deploymentCalls(log()).map((c) => `${c.kind} ${c.deploymentId} ${c.status} ${JSON.stringify(c.query)}`);

  it("6. destroy is refused naming the pipeline and the levers; env force and config force + --run-program both tear down, draining queued inference", async () => {
    const options = stackOn(es, twoDeployments(), {
      config: { "elasticsearch-ml:finishPendingWork": "true" },
    });
    await withTestStack(options, (stack) =>
      forcedOnFailure(stack, async () => {
        await stack.up();
        await putInferencePipeline({ url: es.url }, PIPELINE, INGEST_ID);
        es.admin.clearLog();

        // A plain destroy: Elasticsearch refuses the stop (409), the provider says why and what to do.
        const refused = await expectOperationFailure(stack.destroy());
        const errors = diagnostics(refused.events, "error").filter(
          (d) => d.urn && urnName(d.urn) === "ingest",
        );
        assert.equal(errors.length, 1, refused.output);
        const message = errors[0]!.message;
        assert.match(
          message,
          /Cannot stop deployment \[e5-ingest\]: it is referenced by ingest pipelines \[docs-ingest\]/,
        );
        assert.ok(message.includes("ELASTICSEARCH_ML_FORCE=true pulumi destroy"), message);
        assert.ok(
          message.includes("pulumi config set elasticsearch-ml:force true && pulumi destroy --run-program"),
          message,
        );
        assert.deepEqual(
          summary().sort(),
          [
            `_stop ${INGEST_ID} 409 {"finish_pending_work":"true"}`,
            `_stop ${SEARCH_ID} 200 {"finish_pending_work":"true"}`,
          ],
          describeLog(log()),
        );
        assert.deepEqual([...deploymentResources(await stack.exportStack()).keys()], ["ingest"]);
        assert.deepEqual([...deploymentsOnCluster(es).keys()], [INGEST_ID]);

        // Lever (a): the environment of a plain destroy. The stop is held at the cluster for a moment so
        // inference can queue up behind it; finishPendingWork (stored at the last up) lets it drain.
        stack.setEnv({ ELASTICSEARCH_ML_FORCE: "true" });
        es.admin.clearLog();
        const hold = es.admin.addFault({
          method: "POST",
          path: `/${INGEST_ID}/deployment/_stop$`,
          delayMs: 1000,
        });
        const destroying = stack.destroy();
        destroying.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
        await waitUntil(
          "the stop reached the cluster",
          () => es.admin.faults().find((f) => f.id === hold.id)?.fired === 1,
          { timeoutMs: 120_000 },
        );
        const inferences = Array.from({ length: QUEUED }, (_, i) =>
          infer(es.url, INGEST_ID, `queued document ${i}`),
        );
        const inferLogged = () => log().filter((e) => e.path.endsWith("/_infer")).length;
        await waitUntil(
          "every inference request reached the cluster",
          () => (deploymentsOnCluster(es).get(INGEST_ID)?.pendingInference ?? 0) + inferLogged() === QUEUED,
        );
        let pendingAtStop: number | undefined;
        await waitUntil("the deployment is stopping", () => {
          const dep = deploymentsOnCluster(es).get(INGEST_ID);
          if (dep?.assignmentState === "stopping") pendingAtStop ??= dep.pendingInference;
          return dep === undefined || pendingAtStop !== undefined;
        });
        const statuses = await Promise.all(inferences);
        const destroyed = await destroying;

        assert.ok(
          pendingAtStop !== undefined && pendingAtStop > 0,
          `inference was still queued when the stop was applied (pending: ${pendingAtStop})`,
        );
        assert.deepEqual(
          statuses,
          Array(QUEUED).fill(200),
          "queued inference completed, none failed with 429",
        );
        assert.deepEqual(summary(), [`_stop ${INGEST_ID} 200 {"force":"true","finish_pending_work":"true"}`]);
        assert.equal(destroyed.result.summary.resourceChanges?.delete, 2, destroyed.output);
        assert.deepEqual([...deploymentsOnCluster(es).keys()], []);
        assert.deepEqual([...deploymentResources(await stack.exportStack()).keys()], []);

        // Lever (b): stack config, which a plain destroy does not see (it reuses the config of the last up)
        // but destroy --run-program does.
        stack.setEnv({ ELASTICSEARCH_ML_FORCE: undefined });
        await stack.up();
        await stack.setConfig("elasticsearch-ml:force", "true");
        es.admin.clearLog();

        await expectOperationFailure(stack.destroy());
        assert.ok(
          summary().includes(`_stop ${INGEST_ID} 409 {"finish_pending_work":"true"}`),
          `a config change alone does not reach a plain destroy:\n${describeLog(log())}`,
        );

        es.admin.clearLog();
        const recipe = await stack.destroy({ runProgram: true });

        assert.deepEqual(summary(), [`_stop ${INGEST_ID} 200 {"force":"true","finish_pending_work":"true"}`]);
        assert.equal(recipe.result.summary.resourceChanges?.delete, 2, recipe.output);
        assert.deepEqual([...deploymentsOnCluster(es).keys()], []);
        assert.deepEqual([...deploymentResources(await stack.exportStack()).keys()], []);
      }),
    );
  });
});

/** Runs `body`; when it fails, forces the stops of the harness's clean-up destroy (the pipeline stays). */
async function forcedOnFailure(stack: TestStack, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    stack.setEnv({ ELASTICSEARCH_ML_FORCE: "true" });
    throw err;
  }
}
