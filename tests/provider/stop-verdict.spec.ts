/**
 * The preview's "pipelines use it" warning must judge the stop that will really run (issue 11 item 2):
 * a replacement's stop runs in `delete` with the OLD outputs' flags, so a `stop.force` added in the same
 * change does not apply to it; a declared `state: "stopped"` uses the new inputs' flags. Each test uses a
 * fresh deployment id: the warning is printed once per deployment per operation.
 */
import * as assert from "node:assert/strict";
import { providerHarness } from "./harness";

describe("provider diff: the stop warning follows the flags the stop will send", function () {
  const h = providerHarness();

  async function runningWithPipeline(deploymentId: string, stop?: Record<string, unknown>) {
    const { outs } = await h.create({ modelId: "tiny", deploymentId, ...(stop ? { stop } : {}) });
    return { ...outs, referencingPipelines: ["p1"] };
  }
  const warned = (id: string) =>
    h.progress.warnings.filter((w) => w.startsWith(`${id}: this change stops the deployment`));

  it("a replacement that adds stop.force still warns: the old deployment is stopped with the recorded flags", async () => {
    const olds = await runningWithPipeline("r1");
    const news = h.checked({
      modelId: "tiny",
      deploymentId: "r1",
      threadsPerAllocation: 2,
      stop: { force: true },
    });
    assert.deepEqual(h.provider.diff("r1", olds, news).replaces, ["threadsPerAllocation"]);
    const [warning] = warned("r1");
    assert.ok(warning, h.progress.warnings.join("\n"));
    assert.match(warning, /a stop\.force in the new declaration does not apply to this stop/);
    assert.match(
      warning,
      /When the stop is part of a replacement during pulumi up, use ELASTICSEARCH_ML_FORCE=true pulumi up/,
    );
  });

  it("a replacement whose recorded flags force the stop does not warn, even when the new ones drop force", async () => {
    const olds = await runningWithPipeline("r2", { force: true });
    h.provider.diff("r2", olds, h.checked({ modelId: "tiny", deploymentId: "r2", threadsPerAllocation: 2 }));
    assert.deepEqual(warned("r2"), []);
  });

  it("ELASTICSEARCH_ML_FORCE=true or elasticsearch-ml:force true silence it, as they force the stop", async () => {
    const olds = await runningWithPipeline("r3");
    const news = h.checked({ modelId: "tiny", deploymentId: "r3", threadsPerAllocation: 2 });
    h.env.ELASTICSEARCH_ML_FORCE = "true";
    h.provider.diff("r3", olds, news);
    assert.deepEqual(warned("r3"), []);
    delete h.env.ELASTICSEARCH_ML_FORCE;
    h.config["elasticsearch-ml:force"] = "true";
    h.reconfigure();
    h.provider.diff("r3", olds, news);
    assert.deepEqual(warned("r3"), []);
  });

  it("a declared stop uses the new inputs' flags: stop.force silences it, and without it the warning has no replacement note", async () => {
    const forced = await runningWithPipeline("s1");
    h.provider.diff(
      "s1",
      forced,
      h.checked({ modelId: "tiny", deploymentId: "s1", state: "stopped", stop: { force: true } }),
    );
    assert.deepEqual(warned("s1"), []);
    const plain = await runningWithPipeline("s2", { force: true });
    h.provider.diff("s2", plain, h.checked({ modelId: "tiny", deploymentId: "s2", state: "stopped" }));
    const [warning] = warned("s2");
    assert.ok(warning, "the recorded force does not apply to a declared stop");
    assert.doesNotMatch(warning, /replacement/);
  });
});
