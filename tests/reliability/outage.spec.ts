/**
 * Outage during refresh: with the cluster unreachable (a proxy in front of the emulator stops
 * listening) or answering 503 to everything, `pulumi refresh` must fail loudly and leave every
 * deployment in the stack exactly as it was; once the cluster answers again, refresh succeeds.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { putTinyPytorchModel } from "../client/fixtures";
import { getPulumiCli, withTestStack, type TestStack } from "../e2e/harness";
import {
  deploymentsProgram,
  DEPLOYMENT_TYPE,
  errorDiagnostics,
  reportFigures,
  startOutageProxy,
  Transcript,
  type OutageProxy,
} from "./support";

const IDS = ["outage-a", "outage-b"];

/** The deployments' entries in the checkpoint, minus the bookkeeping a refresh may touch. */
async function recorded(stack: TestStack): Promise<unknown[]> {
  return (await stack.resources())
    .filter((r) => r.type === DEPLOYMENT_TYPE)
    .map(({ urn, id, inputs, outputs, initErrors }) => ({ urn, id, inputs, outputs, initErrors }));
}

describe("reliability: refresh during a cluster outage", function () {
  this.timeout(10 * 60_000);
  let es: EmulatorHandle;
  let proxy: OutageProxy;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1 });
    await putTinyPytorchModel({ url: es.url }, "outage-model");
    proxy = await startOutageProxy({ host: "127.0.0.1", port: es.port });
  });

  after(async () => {
    await proxy?.close();
    await es?.close();
  });

  it("unreachable, then 503 to everything: refresh fails naming the deployment, and nothing leaves the state", async () => {
    const program = deploymentsProgram(
      Object.fromEntries(IDS.map((id) => [id, { modelId: "outage-model", deploymentId: id }])),
    );
    const transcript = new Transcript();
    await withTestStack({ program, config: { "elasticsearch-ml:endpoints": proxy.url } }, async (stack) => {
      await transcript.ok("up", () => stack.up());
      const before = await recorded(stack);
      assert.equal(before.length, IDS.length);

      // 1. Unreachable: nothing listens on the endpoint any more.
      await proxy.down();
      const unreachable = await transcript.fails("refresh (unreachable)", () => stack.refresh());
      const unreachableErrors = errorDiagnostics(unreachable.events).join("\n");
      assert.match(unreachableErrors, /Refresh could not read deployment \[outage-[ab]\]/);
      assert.match(unreachableErrors, /ECONNREFUSED|refused/i);
      assert.match(
        unreachableErrors,
        /The resource stays in the stack unchanged; refresh again once the cluster answers/,
      );
      assert.deepEqual(await recorded(stack), before, "the state is untouched");
      await proxy.up();

      // 2. The cluster answers 503 to every request (after the client's retries).
      es.admin.clearLog();
      const fault = es.admin.addFault({ status: 503, probability: 1 });
      const unavailable = await transcript.fails("refresh (503)", () => stack.refresh());
      const requests503 = es.admin.log().length;
      es.admin.removeFault(fault.id);
      const unavailableErrors = errorDiagnostics(unavailable.events).join("\n");
      assert.match(unavailableErrors, /Refresh could not read deployment \[outage-[ab]\]: 503 /);
      assert.match(unavailableErrors, /The resource stays in the stack unchanged/);
      assert.deepEqual(await recorded(stack), before, "the state is untouched");
      // Each read is retried a bounded number of times (maxRetries 3: four attempts per call), no storm.
      assert.ok(requests503 <= IDS.length * 4, `${requests503} requests during the 503 outage`);

      // 3. Back: refresh succeeds and still holds both deployments.
      const ok = await transcript.ok("refresh", () => stack.refresh());
      assert.doesNotMatch(ok.output, /error/i);
      assert.deepEqual((await recorded(stack)).map((r) => (r as { id: string }).id).sort(), IDS);

      reportFigures("outage during refresh", {
        deployments: IDS.length,
        refreshWhileUnreachable: "failed, state unchanged",
        refreshWhile503: "failed, state unchanged",
        requestsDuring503Outage: requests503,
        resourcesLostFromState: 0,
      });
    });
  });
});
