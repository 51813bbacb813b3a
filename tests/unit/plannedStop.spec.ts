import * as assert from "node:assert/strict";
import { plannedStopFlags, type StopCause } from "#sdk/provider/plannedStop";
import { PULUMI_UNKNOWN } from "#sdk/provider/inputs";

describe("planned stop flags: which side's stop a planned stop sends (issue 11 item 2)", () => {
  const OLD = { force: false, finishPendingWork: true };
  const NEW = { force: true };
  const table: [StopCause, "old" | "new", "delete" | "update", Record<string, boolean>][] = [
    // The replacement's stop runs in delete with the recorded outputs: the new stop.force never reaches it.
    ["replace", "old", "delete", { force: false, finishPendingWork: true }],
    ["delete", "old", "delete", { force: false, finishPendingWork: true }],
    // A declared stop and a repair run in update with the new inputs.
    ["stop", "new", "update", { force: true }],
    ["repair", "new", "update", { force: true }],
  ];
  for (const [cause, from, operation, flags] of table) {
    it(`${cause}: the ${from} side's flags, sent by ${operation}`, () => {
      const planned = plannedStopFlags(cause, OLD, NEW, undefined, undefined);
      assert.equal(planned.from, from);
      assert.equal(planned.operation, operation);
      assert.deepEqual(planned.resolved.flags, flags);
    });
  }

  it("the environment wins over the resource, which wins over config, on either side", () => {
    const replace = plannedStopFlags("replace", {}, NEW, { force: true }, { finishPendingWork: true });
    assert.deepEqual(replace.resolved.flags, { force: true, finishPendingWork: true });
    assert.deepEqual(replace.resolved.sources, { force: "environment", finishPendingWork: "config" });
    const stop = plannedStopFlags("stop", undefined, { force: false }, undefined, { force: true });
    assert.deepEqual(stop.resolved.flags, { force: false });
    assert.deepEqual(stop.resolved.sources, { force: "resource" });
  });

  it("a stop that is unknown or not an object reads nothing from the resource", () => {
    for (const value of [PULUMI_UNKNOWN, "[secret]", null, 7]) {
      assert.deepEqual(plannedStopFlags("stop", OLD, value, undefined, { force: true }).resolved.flags, {
        force: true,
      });
    }
  });
});
