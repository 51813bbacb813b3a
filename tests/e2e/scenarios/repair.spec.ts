/**
 * End to end (issue 11 item 3): a deployment Elasticsearch reports failed — made so through the
 * emulator's admin API, as a crashed native process would leave it — is seen by `pulumi up --refresh`
 * (`state: "failed" => "started"`) and repaired in place: one `_stop`, then one `_start` with the declared
 * parameters. A deployment with only one of its two routes failed still serves: the refresh warns and
 * nothing is restarted.
 */
import * as assert from "node:assert/strict";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { diagnostics, getPulumiCli, stepOps, steps, withTestStack } from "../harness";
import { deploymentsProgram, MODEL } from "./programs";
import {
  deploymentCalls,
  deploymentOnCluster,
  deploymentResource,
  describeLog,
  freshCluster,
  routeStates,
  stackOn,
  startScenarioEmulator,
} from "./support";

const REASON = "Failed to load model: pytorch_inference process crashed";

describe("e2e: a failed deployment repaired by pulumi up --refresh, through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    // Two one-processor ML nodes: a deployment of two one-thread allocations gets a route on each.
    es = await startScenarioEmulator({ mlNodes: 2, processorsPerNode: 1 });
    await freshCluster(es, [MODEL]);
  });

  after(async () => {
    await es?.close();
  });

  const log = () => es.admin.log();
  const failVia = async (deploymentId: string, body: Record<string, unknown>) => {
    const res = await fetch(`${es.url}/_emulator/deployments/${deploymentId}/_fail`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.text());
  };

  it("11. up, the deployment fails; preview --refresh shows failed => started, up --refresh stops and starts it", async () => {
    const program = deploymentsProgram({
      broken: { modelId: MODEL, deploymentId: "repair-broken", numberOfAllocations: 1 },
    });
    await withTestStack(stackOn(es, program), async (stack) => {
      await stack.up();
      await failVia("repair-broken", { reason: REASON });
      es.admin.clearLog();

      // The preview after a refresh shows the repair the user will get.
      const preview = await stack.preview({ refresh: true, diff: true });
      const brokenStep = steps(preview.events, { name: "broken" }).find((st) => st.op !== "refresh");
      assert.equal(brokenStep?.op, "update");
      assert.equal(brokenStep?.metadata.old?.inputs.state, "failed");
      assert.equal(brokenStep?.metadata.new?.inputs.state, "started");
      assert.match(preview.result.stdout, /~ state\s*: "failed" => "started"/);
      assert.deepEqual(deploymentCalls(log()), [], "preview changes nothing");

      const up = await stack.up({ refresh: true });
      assert.deepEqual(
        stepOps(up.events, { name: "broken" }).filter((op) => op !== "refresh"),
        ["update"],
      );
      const calls = deploymentCalls(log());
      assert.deepEqual(
        calls.map((c) => `${c.kind} ${c.deploymentId} ${c.status}`),
        ["_stop repair-broken 200", "_start repair-broken 200"],
        describeLog(log()),
      );
      assert.equal(calls[1]?.query.number_of_allocations, "1", "started with the declared parameters");
      assert.deepEqual(routeStates(deploymentOnCluster(es, "repair-broken")), ["started"]);
      const recorded = deploymentResource(await stack.exportStack(), "broken");
      assert.equal((recorded.outputs?.effective as { state?: string }).state, "started");
      assert.equal(recorded.outputs?.allocationState, "fully_allocated");
      assert.ok(
        diagnostics(up.events, "info").some((d) =>
          /repair-broken: Elasticsearch reports it failed \(.*pytorch_inference process crashed.*\); stopping it to start it again/.test(
            d.message,
          ),
        ),
      );

      const after = await stack.preview({ refresh: true });
      assert.deepEqual(after.result.changeSummary, { same: 2 }, "repaired: nothing left to do");
    });
  });

  it("11b. a deployment with one of two routes failed keeps serving: refresh warns, up restarts nothing", async () => {
    await freshCluster(es, [MODEL]);
    const program = deploymentsProgram({
      halfway: { modelId: MODEL, deploymentId: "repair-halfway", numberOfAllocations: 2 },
    });
    await withTestStack(stackOn(es, program), async (stack) => {
      await stack.up();
      const routes = Object.keys(deploymentOnCluster(es, "repair-halfway").routes);
      assert.equal(routes.length, 2, "one route per one-processor node");
      const failedNode = es.admin.state().nodes.find((n) => n.id === routes[0])!;
      await failVia("repair-halfway", { node_id: failedNode.id, reason: REASON });
      es.admin.clearLog();

      const up = await stack.up({ refresh: true });
      // The provider's warnings are Pulumi warnings: it sends them to the engine's log service.
      const warnings = up.events.flatMap((e) =>
        e.diagnosticEvent?.severity === "warning" ? [e.diagnosticEvent.message] : [],
      );
      assert.ok(
        warnings.some((m) =>
          m.includes(
            `repair-halfway: its route on node [${failedNode.name}] (${REASON}) failed; it keeps serving`,
          ),
        ),
        warnings.join("\n"),
      );
      assert.deepEqual(deploymentCalls(log()), [], "nothing restarted");
      assert.deepEqual(routeStates(deploymentOnCluster(es, "repair-halfway")).sort(), ["failed", "started"]);
    });
  });
});
