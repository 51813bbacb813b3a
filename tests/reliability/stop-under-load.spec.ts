/**
 * Stop semantics under load, end to end: inference callers keep a queue in front of two deployments
 * while the engine stops them — one through `state: "stopped"` with `stop: { finishPendingWork: true }`,
 * the other through `pulumi destroy` with no flags. Elasticsearch's rules, as the callers and the
 * emulator's log see them: a draining stop completes every queued request; a plain stop fails the
 * queued ones with 429.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "elasticsearch-ml-emulator";
import { request } from "undici";
import { putTinyPytorchModel } from "../client/fixtures";
import { getPulumiCli, withTestStack } from "../e2e/harness";
import { deploymentsProgram, reportFigures, Transcript, waitUntil } from "./support";

const MODEL = "load-model";
const CALLERS = 6;

/** One inference call as its caller saw it. */
interface CallResult {
  caller: number;
  status: number;
  reason?: string;
}

/**
 * Callers that each send one `_infer` after another (distinct inputs, so no cache hit) until an answer
 * other than 200 or `stop()`. Together they keep about `CALLERS - 1` requests queued behind the one
 * the deployment's single slot runs.
 */
function startLoad(url: string, deploymentId: string): { results: CallResult[]; stop(): Promise<void> } {
  const results: CallResult[] = [];
  let stopping = false;
  const callers = Array.from({ length: CALLERS }, async (_, caller) => {
    for (let n = 0; !stopping; n++) {
      const res = await request(`${url}/_ml/trained_models/${deploymentId}/_infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ docs: [{ text_field: `caller ${caller} request ${n}` }] }),
      });
      const body = (await res.body.json()) as { error?: { reason?: string } };
      results.push({ caller, status: res.statusCode, reason: body.error?.reason });
      if (res.statusCode !== 200) return;
    }
  });
  return {
    results,
    stop: async () => {
      stopping = true;
      await Promise.all(callers);
    },
  };
}

/** Inference requests for a deployment that were still waiting when its `_stop` arrived. */
function inFlightAtStop(log: readonly RequestLogEntry[], deploymentId: string): RequestLogEntry[] {
  const stop = log.find((e) => e.path === `/_ml/trained_models/${deploymentId}/deployment/_stop`);
  assert.ok(stop, `a _stop for ${deploymentId} in the log`);
  return log.filter(
    (e) =>
      e.path === `/_ml/trained_models/${deploymentId}/_infer` &&
      e.time < stop.time &&
      e.time + e.durationMs >= stop.time,
  );
}

describe("reliability: stopping deployments with queued inference (real engine)", function () {
  this.timeout(10 * 60_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1, inferLatencyMs: 40 });
    await putTinyPytorchModel({ url: es.url }, MODEL);
  });

  after(async () => {
    await es?.close();
  });

  it("finishPendingWork (state: stopped) completes every queued request; a plain stop (destroy) fails them with 429", async () => {
    const declare = (drainState: "started" | "stopped") =>
      deploymentsProgram({
        "load-drain": {
          modelId: MODEL,
          deploymentId: "load-drain",
          state: drainState,
          stop: { finishPendingWork: true },
        },
        "load-plain": { modelId: MODEL, deploymentId: "load-plain" },
      });
    const transcript = new Transcript();
    await withTestStack(
      { program: declare("started"), config: { "elasticsearch-ml:endpoints": es.url } },
      async (stack) => {
        await transcript.ok("up", () => stack.up());

        const drain = startLoad(es.url, "load-drain");
        const plain = startLoad(es.url, "load-plain");
        try {
          const queued = (id: string): number =>
            es.admin.state().deployments.find((d) => d.deploymentId === id)?.pendingInference ?? 0;
          await waitUntil(
            "a queue in front of both deployments",
            () => queued("load-drain") >= 3 && queued("load-plain") >= 3,
          );

          // 1. state: "stopped" with finishPendingWork: the queue drains, then the deployment goes.
          stack.setProgram(declare("stopped"));
          await transcript.ok("up (stop with finishPendingWork)", () => stack.up());
          // 2. destroy with no stop flags: the queued requests fail.
          await transcript.ok("destroy (plain stop)", () => stack.destroy());
        } finally {
          await Promise.all([drain.stop(), plain.stop()]);
        }

        const log = es.admin.log();
        const stopOf = (id: string) =>
          log.find((e) => e.path === `/_ml/trained_models/${id}/deployment/_stop`);
        assert.deepEqual(stopOf("load-drain")?.query, { finish_pending_work: "true" });
        assert.deepEqual(stopOf("load-plain")?.query, {});

        // Draining: every request the deployment accepted was answered with a result.
        const drainedAtStop = inFlightAtStop(log, "load-drain");
        assert.ok(drainedAtStop.length >= 3, `${drainedAtStop.length} requests queued at the draining stop`);
        assert.deepEqual(
          drainedAtStop.filter((e) => e.status !== 200),
          [],
          "with finishPendingWork every queued request completes",
        );
        assert.deepEqual(
          drain.results.filter((r) => r.status === 429),
          [],
          "no caller of the drained deployment saw a 429",
        );
        // Callers end on the first refusal after the stop began (not allocated / gone), never on a failure of accepted work.
        for (const r of drain.results.filter((x) => x.status !== 200)) {
          assert.ok([404, 409].includes(r.status), `${r.status} ${r.reason}`);
        }

        // Plain stop: the queued requests fail with 429, as Elasticsearch does.
        const plainAtStop = inFlightAtStop(log, "load-plain");
        const rejected = plainAtStop.filter((e) => e.status === 429);
        const completed = plainAtStop.filter((e) => e.status === 200);
        assert.ok(rejected.length >= 3, `${rejected.length} queued requests failed by the plain stop`);
        // The log knows when the stop arrived, not when it took effect: on a busy machine a request or two
        // may still finish in between. Once the stop took effect (the queue failed, all at once), at most
        // the request running on the one slot completes.
        const queueFailedAt = Math.min(...rejected.map((e) => e.time + e.durationMs));
        const completedAfter = completed.filter((e) => e.time + e.durationMs > queueFailedAt);
        assert.ok(
          completedAfter.length <= 1,
          `${completedAfter.length} requests completed after the stop failed the queue; at most the running one may`,
        );
        const callersSaw429 = plain.results.filter((r) => r.status === 429);
        assert.equal(callersSaw429.length, rejected.length, "each 429 in the log reached a caller");
        for (const r of callersSaw429) {
          assert.equal(r.reason, "unable to process as pytorch_inference worker service has shutdown");
        }

        reportFigures("stop under load", {
          callersPerDeployment: CALLERS,
          finishPendingWork: {
            queuedAtStop: drainedAtStop.length,
            completed: drainedAtStop.filter((e) => e.status === 200).length,
            failedWith429: 0,
          },
          plainStop: {
            queuedAtStop: plainAtStop.length,
            completed: completed.length,
            failedWith429: rejected.length,
          },
        });
      },
    );
  });
});
