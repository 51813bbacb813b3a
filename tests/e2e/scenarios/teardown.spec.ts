/**
 * End to end, with the teardown example's program: tearing down deployments that ingest pipelines still
 * use. `ingest` carries `stop: { force, finishPendingWork }` and goes; `search` follows the stack config,
 * so a plain `destroy` is refused with a message naming the pipeline and the levers. Both documented
 * recipes then succeed without editing the program — (a) `ELASTICSEARCH_ML_FORCE=true` in the environment
 * of a plain destroy, (b) `pulumi config set elasticsearch-ml:force true` and `destroy --run-program` — and
 * `finishPendingWork` (stack config) reaches the wire, so inference queued at the moment of the stop
 * completes (200, not 429).
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
import { MODEL, TEARDOWN_INGEST_ID, TEARDOWN_SEARCH_ID, teardownProgram } from "./programs";
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

/** The ingest pipelines using each deployment (made outside Pulumi, as teams often do). */
const SEARCH_PIPELINE = "docs-search";
const INGEST_PIPELINE = "docs-ingest";
/** Inference requests fired at the deployment while its stop is held back. */
const QUEUED = 8;

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
    // Each inference request holds the only thread of a 1-allocation, 1-thread deployment this long,
    // so requests fired together queue up behind each other.
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
    const options = stackOn(es, teardownProgram(), {
      config: { "elasticsearch-ml:finishPendingWork": "true" },
    });
    await withTestStack(options, (stack) =>
      forcedOnFailure(stack, async () => {
        await stack.up();
        await putInferencePipeline({ url: es.url }, SEARCH_PIPELINE, TEARDOWN_SEARCH_ID);
        await putInferencePipeline({ url: es.url }, INGEST_PIPELINE, TEARDOWN_INGEST_ID);
        es.admin.clearLog();

        // A plain destroy: `ingest` carries stop.force and goes despite its pipeline; `search` follows the
        // stack config (finishPendingWork only), so Elasticsearch refuses its stop (409) and the provider
        // says why and what to do.
        const refused = await expectOperationFailure(stack.destroy());
        const errors = diagnostics(refused.events, "error").filter(
          (d) => d.urn && urnName(d.urn) === "search",
        );
        assert.equal(errors.length, 1, refused.output);
        const message = errors[0]!.message;
        assert.match(
          message,
          /Cannot stop deployment \[teardown-search\]: it is referenced by ingest pipelines \[docs-search\]/,
        );
        assert.ok(message.includes("ELASTICSEARCH_ML_FORCE=true pulumi destroy"), message);
        assert.ok(
          message.includes("pulumi config set elasticsearch-ml:force true && pulumi destroy --run-program"),
          message,
        );
        assert.deepEqual(
          summary().sort(),
          [
            `_stop ${TEARDOWN_INGEST_ID} 200 {"force":"true","finish_pending_work":"true"}`,
            `_stop ${TEARDOWN_SEARCH_ID} 409 {"finish_pending_work":"true"}`,
          ],
          describeLog(log()),
        );
        assert.deepEqual([...deploymentResources(await stack.exportStack()).keys()], ["search"]);
        assert.deepEqual([...deploymentsOnCluster(es).keys()], [TEARDOWN_SEARCH_ID]);

        // Lever (a): the environment of a plain destroy. The stop is held at the cluster for 2 s so inference
        // can queue up behind it (8 × 500 ms of work: some is still queued when the stop applies);
        // finishPendingWork (stored at the last up) lets it drain.
        stack.setEnv({ ELASTICSEARCH_ML_FORCE: "true" });
        es.admin.clearLog();
        const hold = es.admin.addFault({
          method: "POST",
          path: `/${TEARDOWN_SEARCH_ID}/deployment/_stop$`,
          delayMs: 2000,
        });
        const destroying = stack.destroy();
        destroying.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
        await waitUntil(
          "the stop reached the cluster",
          () => es.admin.faults().find((f) => f.id === hold.id)?.fired === 1,
          { timeoutMs: 120_000 },
        );
        const inferences = Array.from({ length: QUEUED }, (_, i) =>
          infer(es.url, TEARDOWN_SEARCH_ID, `queued document ${i}`),
        );
        const inferLogged = () => log().filter((e) => e.path.endsWith("/_infer")).length;
        await waitUntil(
          "every inference request reached the cluster",
          () =>
            (deploymentsOnCluster(es).get(TEARDOWN_SEARCH_ID)?.pendingInference ?? 0) + inferLogged() ===
            QUEUED,
        );
        let pendingAtStop: number | undefined;
        await waitUntil("the deployment is stopping", () => {
          const dep = deploymentsOnCluster(es).get(TEARDOWN_SEARCH_ID);
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
        assert.deepEqual(summary(), [
          `_stop ${TEARDOWN_SEARCH_ID} 200 {"force":"true","finish_pending_work":"true"}`,
        ]);
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
          summary().includes(`_stop ${TEARDOWN_SEARCH_ID} 409 {"finish_pending_work":"true"}`),
          `a config change alone does not reach a plain destroy:\n${describeLog(log())}`,
        );

        es.admin.clearLog();
        const recipe = await stack.destroy({ runProgram: true });

        assert.deepEqual(summary(), [
          `_stop ${TEARDOWN_SEARCH_ID} 200 {"force":"true","finish_pending_work":"true"}`,
        ]);
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
