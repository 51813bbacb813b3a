/**
 * The upper bound of `waitTimeoutSeconds` is the longest delay a Node.js timer holds, not a Pulumi limit:
 * the stop request's deadline is a timer, and a longer delay fires after 1 ms. At the bound a stop works;
 * one second beyond it (bypassing check) the stop's deadline fires at once, which is why check refuses it.
 */
import * as assert from "node:assert/strict";
import { MAX_WAIT_TIMEOUT_SECONDS } from "#sdk/provider/inputs";
import { providerHarness, rejection } from "./harness";

describe("provider: waitTimeoutSeconds up to the Node.js timer limit", function () {
  const h = providerHarness({ emulator: { stopDelayMs: 50 } });
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(`${warning.name}: ${warning.message}`);
  };
  beforeEach(() => {
    warnings.length = 0;
    process.on("warning", onWarning);
  });
  afterEach(() => {
    process.off("warning", onWarning);
  });

  it("check accepts the bound; create and delete (its stop) work with it", async () => {
    assert.equal(MAX_WAIT_TIMEOUT_SECONDS, 2_147_483);
    const { id, outs } = await h.create({ modelId: "tiny", waitTimeoutSeconds: MAX_WAIT_TIMEOUT_SECONDS });
    await h.provider.delete(id, outs);
    assert.equal(h.es.admin.state().deployments.length, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      warnings.filter((w) => /TimeoutOverflow/.test(w)),
      [],
    );
  });

  it("beyond the bound (state check never let through) the stop's deadline fires at once", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    const err = await rejection(
      h.provider.delete(id, { ...outs, waitTimeoutSeconds: MAX_WAIT_TIMEOUT_SECONDS + 1 }),
    );
    assert.match(err.message, /[Tt]imed out/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(
      warnings.some((w) => /TimeoutOverflow/.test(w)),
      "Node.js clamped the timer",
    );
  });
});
