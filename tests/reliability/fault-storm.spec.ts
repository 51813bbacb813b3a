/**
 * Fault storm: 20 deployments brought up by the real engine while the emulator fails a fifth of all
 * requests (429, 502, 503, before and after applying them), resets connections and delays starts, all
 * drawn from a seeded generator. The resource must converge within two `up` runs, never apply a second
 * `_start` for a deployment, never show "already exists", and leave the stack and the cluster agreeing.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type FaultSpec } from "elasticsearch-ml-emulator";
import { putTinyPytorchModel } from "../client/fixtures";
import { changeCounts, getPulumiCli, withTestStack } from "../e2e/harness";
import {
  alreadyExistsErrors,
  appliedStarts,
  deploymentsInCluster,
  deploymentsInState,
  deploymentsProgram,
  duplicateStarts,
  faultCounts,
  reportFigures,
  errorDiagnostics,
  Transcript,
} from "./support";

const DEPLOYMENTS = 20;
const MODEL = "storm-model";
const SEED = 20240607;

/** Shares of all requests: 20% failures spread over 429/502/503 before and after, 5% resets. */
const FAILURE_SHARE = 0.2;
const RESET_SHARE = 0.05;
/** Of the starts that no failure hit, this share is delayed (by one of the delays below). */
const START_DELAY_SHARE = 0.5;
const START_DELAYS_MS = [50, 150, 400];

/**
 * Faults fire in order and the first that fires wins, so each gets its share of the requests that the
 * ones before it left: p = share / (1 - shares taken so far).
 */
function chained(shares: readonly { share: number; spec: FaultSpec }[]): FaultSpec[] {
  let taken = 0;
  return shares.map(({ share, spec }) => {
    const probability = share / (1 - taken);
    taken += share;
    return { ...spec, probability };
  });
}

function stormFaults(): FaultSpec[] {
  const failures: { share: number; spec: FaultSpec }[] = [];
  for (const status of [429, 502, 503]) {
    for (const when of ["before", "after"] as const) {
      failures.push({ share: FAILURE_SHARE / 6, spec: { when, status } });
    }
  }
  for (const when of ["before", "after"] as const) {
    failures.push({ share: RESET_SHARE / 2, spec: { when, reset: true } });
  }
  const starts = START_DELAYS_MS.map((delayMs) => ({
    share: START_DELAY_SHARE / START_DELAYS_MS.length,
    spec: { method: "POST", path: "/_start$", delayMs } as FaultSpec,
  }));
  return [...chained(failures), ...chained(starts)];
}

describe("reliability: fault storm through the real engine", function () {
  this.timeout(10 * 60_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000); // the first run on a host may build the CLI
    await getPulumiCli();
    es = await startEmulator({
      seed: SEED,
      mlNodes: 3,
      processorsPerNode: 8,
      startDelayMs: 20,
      stopDelayMs: 1,
      clusterUuid: "fault-storm",
    });
    await putTinyPytorchModel({ url: es.url }, MODEL);
  });

  after(async () => {
    await es?.close();
  });

  it(`${DEPLOYMENTS} deployments converge within two runs: one applied start each, no orphan, no ghost`, async () => {
    const ids = Array.from({ length: DEPLOYMENTS }, (_, i) => `storm-${String(i).padStart(2, "0")}`);
    const program = deploymentsProgram(
      Object.fromEntries(
        ids.map((id) => [
          id,
          { modelId: MODEL, deploymentId: id, numberOfAllocations: 1, waitTimeoutSeconds: 120 },
        ]),
      ),
    );
    const transcript = new Transcript();
    await withTestStack(
      {
        program,
        config: { "elasticsearch-ml:endpoints": es.url },
        // The trace prints one line per retry: the figures count the client's retries from it.
        env: { ELASTICSEARCH_ML_TRACE: "1" },
        operationTimeoutMs: 240_000,
      },
      async (stack) => {
        es.admin.clearLog();
        for (const fault of stormFaults()) es.admin.addFault(fault);

        let runs = 0;
        let converged = false;
        const failedRuns: string[] = [];
        while (!converged && runs < 2) {
          runs++;
          const outcome = await transcript.attempt(`up #${runs}`, () => stack.up());
          converged = outcome.ok;
          if (!outcome.ok) failedRuns.push(...errorDiagnostics(outcome.failure.events));
        }
        const log = es.admin.log();
        const fired = es.admin.faults().reduce((sum, f) => sum + f.fired, 0);
        es.admin.clearFaults();

        // Retries by the client (its trace) and starts sent again by the provider after checking.
        const retries = transcript.providerLines(/elasticsearch-ml: retrying /).length;
        const startRetries = transcript.providerLines(/: the start was not applied \(/).length;
        const duplicates = duplicateStarts(log);
        const alreadyExists = alreadyExistsErrors(transcript);
        const starts = appliedStarts(log);
        const faults = faultCounts(log);
        const inState = await deploymentsInState(stack);
        const inCluster = deploymentsInCluster(es);
        const orphans = [...inCluster].filter((id) => !inState.has(id));
        const ghosts = [...inState.keys()].filter((id) => !inCluster.has(id));

        reportFigures("fault storm", {
          deployments: DEPLOYMENTS,
          seed: SEED,
          requests: log.length,
          faultsFired: fired,
          failuresBeforeApplying: faults.before,
          failuresAfterApplying: faults.after,
          connectionResets: faults.resets,
          delayedStarts: faults.delays,
          runsNeeded: converged ? runs : `not converged after ${runs}`,
          failuresSeenByTheUser: failedRuns.map((line) => line.replace(/^urn:[^ ]*::/, "").slice(0, 240)),
          clientRetries: retries,
          startsSentAgainAfterCheck: startRetries,
          appliedStarts: [...starts.values()].reduce((a, b) => a + b, 0),
          appliedDuplicateStarts: duplicates.length,
          alreadyExistsErrors: alreadyExists.length,
          orphans: orphans.length,
          ghosts: ghosts.length,
        });

        assert.ok(converged, `up did not converge within two runs:\n${failedRuns.join("\n----\n")}`);
        assert.ok(faults.before + faults.after + faults.resets > 0, "the storm injected failures");
        assert.deepEqual(duplicates, [], "a deployment id saw a second applied _start");
        assert.deepEqual(alreadyExists, [], "the user saw an 'already exists' error");
        assert.deepEqual(orphans, [], "deployments in the cluster unknown to the stack");
        assert.deepEqual(ghosts, [], "deployments in the stack absent from the cluster");
        assert.deepEqual([...inState.keys()].sort(), ids);
        assert.deepEqual([...starts.keys()].sort(), ids, "every deployment was started exactly once");

        // The stack's recorded facts equal the cluster's.
        const cluster = new Map(es.admin.state().deployments.map((d) => [d.deploymentId, d]));
        for (const [id, outputs] of inState) {
          const running = cluster.get(id);
          assert.ok(running);
          const effective = outputs.effective as Record<string, unknown>;
          assert.equal(outputs.modelId, running.modelId, id);
          assert.equal(effective.state, "started", id);
          assert.equal(effective.numberOfAllocations, running.numberOfAllocations, id);
          assert.equal(effective.threadsPerAllocation, running.threadsPerAllocation, id);
          assert.equal(outputs.allocationState, "fully_allocated", id);
          assert.equal(running.assignmentState, "started", id);
          assert.equal(outputs.__initErrors, undefined, `${id} carries no init errors`);
        }

        // Converged: another preview plans nothing and sends nothing.
        es.admin.clearLog();
        const preview = await transcript.ok("preview", () => stack.preview());
        assert.deepEqual(changeCounts(preview.events), { same: DEPLOYMENTS + 1 });
        assert.deepEqual(es.admin.log(), [], "preview sent nothing");
      },
    );
  });
});
