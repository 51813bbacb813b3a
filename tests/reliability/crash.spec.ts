/**
 * Crash mid-operation: the Pulumi CLI (and the provider process it started) is killed with SIGKILL while
 * three creates wait for ML capacity, the way a CI runner dies. The user then recovers as the CLI tells
 * them to (cancel, refresh clearing the interrupted creates, then once `ELASTICSEARCH_ML_ADOPT_EXISTING=true
 * pulumi up`: a plain `up` refuses deployments it did not start), and that `up` must converge with no
 * "already exists" error and no second `_start`.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { putTinyPytorchModel } from "../client/fixtures";
import { getPulumiCli, withTestStack } from "../e2e/harness";
import {
  alreadyExistsErrors,
  appliedStarts,
  deploymentsInCluster,
  deploymentsInState,
  deploymentsProgram,
  descendants,
  duplicateStarts,
  reportFigures,
  Transcript,
  waitUntil,
} from "./support";

const IDS = ["crash-a", "crash-b", "crash-c"];

describe("reliability: the engine killed while creates wait", function () {
  this.timeout(10 * 60_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    // No ML node yet: starts are accepted and wait for capacity (an autoscaled node that never comes by
    // itself; the test adds one when it wants the deployments to finish starting).
    es = await startEmulator({
      mlNodes: 0,
      autoscale: true,
      autoscaleDelayMs: 3_600_000,
      startDelayMs: 10,
      stopDelayMs: 1,
    });
    await putTinyPytorchModel({ url: es.url }, "crash-model");
  });

  after(async () => {
    await es?.close();
  });

  it("kill -9 of pulumi up mid-create; after cancel and refresh, ELASTICSEARCH_ML_ADOPT_EXISTING=true up converges with one start each", async () => {
    const program = deploymentsProgram(
      Object.fromEntries(
        IDS.map((id) => [id, { modelId: "crash-model", deploymentId: id, waitTimeoutSeconds: 300 }]),
      ),
    );
    const transcript = new Transcript();
    await withTestStack({ program, config: { "elasticsearch-ml:endpoints": es.url } }, async (stack) => {
      es.admin.clearLog();
      // Provider lines arrive live as engine events: wait until every create is polling for capacity.
      const waiting = new Set<string>();
      const unwatch = stack.watch((event) => {
        const match = /elasticsearch-ml: (crash-[abc]): starting, 0\/1 allocations/.exec(
          event.diagnosticEvent?.message ?? "",
        );
        if (match?.[1]) waiting.add(match[1]);
      });
      const up = transcript.attempt("up (killed)", () => stack.up());
      await waitUntil("every create waiting for capacity", () => waiting.size === IDS.length);
      unwatch();

      // The Automation API runs `pulumi up` as a child of this process; the CLI runs the provider plugin
      // (a shell script starting node). Kill all of them at once, as a dying CI runner would.
      const tree = descendants(process.pid);
      const cli = tree.filter((p) => /\/pulumi up /.test(p.cmdline));
      assert.equal(cli.length, 1, `one pulumi up process: ${JSON.stringify(tree)}`);
      const victims = [cli[0]!, ...descendants(cli[0]!.pid)];
      assert.ok(
        victims.some((p) => /dynamic-provider/.test(p.cmdline)),
        "the provider process is among the killed",
      );
      for (const victim of victims) process.kill(victim.pid, "SIGKILL");
      const killed = await up;
      assert.equal(killed.ok, false, "the killed up failed");
      assert.ok(!killed.ok && /SIGKILL/.test(killed.failure.message));
      await waitUntil("the killed processes gone", () =>
        victims.every((v) => !descendants(process.pid).some((p) => p.pid === v.pid)),
      );

      // The checkpoint knows the creates were interrupted; none of them is recorded.
      const afterKill = await stack.exportStack();
      const pending = (afterKill.pending_operations ?? []) as { type: string; resource: { urn: string } }[];
      assert.deepEqual(
        pending.map((op) => [op.type, op.resource.urn.replace(/.*::/, "")]).sort(),
        IDS.map((id) => ["creating", id]),
      );
      assert.equal((await deploymentsInState(stack)).size, 0);
      assert.deepEqual([...deploymentsInCluster(es)].sort(), IDS, "the cluster keeps starting them");

      // Recovery as the CLI tells the user: cancel (no update runs any more: a no-op on this backend),
      // then refresh, clearing the interrupted creates (what interactive refresh offers).
      await stack.stack.cancel();
      await transcript.ok("refresh --clear-pending-creates", () =>
        stack.refresh({ clearPendingCreates: true }),
      );
      assert.equal((await stack.exportStack()).pending_operations, undefined, "pending creates cleared");

      // Capacity arrives. A plain up finds the deployments its killed run started but cannot tell them from
      // another stack's: it refuses, naming the resume step, and changes nothing.
      es.admin.addMlNode(8);
      const plain = await transcript.attempt("up (plain, refused)", () => stack.up());
      assert.equal(plain.ok, false, "a plain up must not take over deployments it did not start");
      for (const id of IDS) {
        assert.match(
          !plain.ok ? plain.failure.output : "",
          new RegExp(
            `Deployment \\[${id}\\] already runs .* this operation did not start it.*ELASTICSEARCH_ML_ADOPT_EXISTING=true pulumi up`,
          ),
        );
      }
      assert.equal((await deploymentsInState(stack)).size, 0, "the refused up recorded nothing");

      // The documented resume: once, with ELASTICSEARCH_ML_ADOPT_EXISTING=true; it adopts them.
      stack.setEnv({ ELASTICSEARCH_ML_ADOPT_EXISTING: "true" });
      const again = await transcript.ok("ELASTICSEARCH_ML_ADOPT_EXISTING=true up", () => stack.up());
      stack.setEnv({ ELASTICSEARCH_ML_ADOPT_EXISTING: undefined });
      for (const id of IDS) {
        assert.match(
          again.output,
          new RegExp(
            `${id}: already runs with the declared model and parameters; adopting it \\(ELASTICSEARCH_ML_ADOPT_EXISTING=true\\)`,
          ),
        );
      }

      const log = es.admin.log();
      assert.deepEqual(
        [...appliedStarts(log)].sort(),
        IDS.map((id) => [id, 1]),
        "one applied _start each",
      );
      assert.deepEqual(duplicateStarts(log), []);
      assert.deepEqual(alreadyExistsErrors(transcript), [], "no 'already exists' reached the user");
      const inState = await deploymentsInState(stack);
      assert.deepEqual(
        [...inState.keys()].sort(),
        [...deploymentsInCluster(es)].sort(),
        "no orphan, no ghost",
      );
      for (const outputs of inState.values()) assert.equal(outputs.allocationState, "fully_allocated");
      reportFigures("crash mid-operation", {
        killed: victims.map((v) =>
          v.cmdline
            .split(" ")
            .slice(0, 2)
            .map((word) => word.replace(/^.*\//, ""))
            .join(" "),
        ),
        interruptedCreates: pending.length,
        appliedStarts: [...appliedStarts(log).values()].reduce((a, b) => a + b, 0),
        appliedDuplicateStarts: duplicateStarts(log).length,
        alreadyExistsErrors: alreadyExistsErrors(transcript).length,
        refusedByAPlainUp: IDS.length,
        adoptedWithAdoptExistingEnv: IDS.length,
      });
    });
  });
});
