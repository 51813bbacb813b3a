import * as assert from "node:assert/strict";
import { DeploymentExistsError } from "pulumi-elasticsearch-ml/provider";
import { esDirect, providerHarness, rejection, requests, startDirectly } from "./harness";

describe("provider create when a deployment with the id already exists", function () {
  const h = providerHarness({ models: ["tiny", "other"] });

  it("refuses one that matches the declaration by default, naming the ways out (another stack may own it)", async () => {
    await startDirectly(h.es, "tiny", { deployment_id: "d", number_of_allocations: "2" });
    h.es.admin.clearLog();
    const err = await rejection(h.create({ modelId: "tiny", deploymentId: "d", numberOfAllocations: 2 }));
    assert.ok(err instanceof DeploymentExistsError);
    assert.equal(err.code, "ERR_DEPLOYMENT_EXISTS");
    assert.match(
      err.message,
      /^Deployment \[d\] already runs on cluster \[[^\]]+\] with the declared model and parameters, but this operation did not start it/,
    );
    assert.match(err.message, /Nothing was changed\./);
    assert.match(err.message, /set adoptExisting: true on the resource/);
    assert.match(
      err.message,
      /after pulumi cancel, or pulumi refresh --clear-pending-creates\), run once: ELASTICSEARCH_ML_ADOPT_EXISTING=true pulumi up/,
    );
    assert.match(err.message, /deploymentId: `\$\{pulumi\.getStack\(\)\}-<name>`/);
    assert.equal(err.id, undefined, "not recorded: the deployment is not ours");
    assert.deepEqual(h.mutations(), []);
    assert.ok(!h.progress.infos.some((l) => /adopting/.test(l)), h.progress.infos.join("\n"));
  });

  it("adopts a matching one once ELASTICSEARCH_ML_ADOPT_EXISTING=true (the resume after a crash)", async () => {
    h.env.ELASTICSEARCH_ML_ADOPT_EXISTING = "true";
    await startDirectly(h.es, "tiny", { deployment_id: "d", number_of_allocations: "2" });
    h.es.admin.clearLog();
    const { id, outs } = await h.create({ modelId: "tiny", deploymentId: "d", numberOfAllocations: 2 });
    assert.equal(id, "d");
    assert.deepEqual(h.mutations(), [], "no start, no update");
    assert.equal(outs.allocationState, "fully_allocated");
    assert.equal(outs.allocationCount, 2);
    assert.ok(
      h.progress.infos.some((l) =>
        /^d: already runs with the declared model and parameters; adopting it \(ELASTICSEARCH_ML_ADOPT_EXISTING=true\)/.test(
          l,
        ),
      ),
      h.progress.infos.join("\n"),
    );
  });

  it("ELASTICSEARCH_ML_ADOPT_EXISTING=true never scales a differing one (adoptExisting does)", async () => {
    h.env.ELASTICSEARCH_ML_ADOPT_EXISTING = "true";
    await startDirectly(h.es, "tiny", { deployment_id: "d", number_of_allocations: "1" });
    h.es.admin.clearLog();
    const err = await rejection(h.create({ modelId: "tiny", deploymentId: "d", numberOfAllocations: 2 }));
    assert.ok(err instanceof DeploymentExistsError);
    assert.match(err.message, /differs from the declaration: numberOfAllocations 1 running, 2 declared/);
    assert.match(err.message, /ELASTICSEARCH_ML_ADOPT_EXISTING=true adopts matching deployments only/);
    assert.deepEqual(h.mutations(), []);
  });

  it("refuses a malformed ELASTICSEARCH_ML_ADOPT_EXISTING, naming it and the value", async () => {
    h.env.ELASTICSEARCH_ML_ADOPT_EXISTING = "yes";
    await startDirectly(h.es, "tiny", { deployment_id: "d" });
    h.es.admin.clearLog();
    const err = await rejection(h.create({ modelId: "tiny", deploymentId: "d" }));
    assert.equal((err as { code?: string }).code, "ERR_PROVIDER_CONFIG");
    assert.match(err.message, /ELASTICSEARCH_ML_ADOPT_EXISTING: "yes" is not allowed/);
    assert.deepEqual(h.mutations(), []);
  });

  it("with adoptExisting, adopts a matching one even when the declaration leaves server defaults unset", async () => {
    await startDirectly(h.es, "tiny", {
      deployment_id: "d",
      number_of_allocations: "3",
      queue_capacity: "50",
    });
    h.es.admin.clearLog();
    const { outs } = await h.create({ modelId: "tiny", deploymentId: "d", adoptExisting: true });
    assert.deepEqual(h.mutations(), []);
    assert.equal((outs.effective as Record<string, unknown>).numberOfAllocations, 3);
    assert.ok(
      h.progress.infos.some((l) => /^d: already runs .*; adopting it \(adoptExisting: true\)/.test(l)),
      h.progress.infos.join("\n"),
    );
  });

  it("with adoptExisting, adopts a deployment declared through a model alias of its model", async () => {
    await startDirectly(h.es, "tiny", { deployment_id: "tiny" });
    await esDirect(h.es, "PUT", "/_ml/trained_models/tiny/model_aliases/tiny-latest");
    h.es.admin.clearLog();
    const { outs } = await h.create({ modelId: "tiny-latest", deploymentId: "tiny", adoptExisting: true });
    assert.deepEqual(h.mutations(), []);
    assert.equal(outs.modelId, "tiny-latest");
  });

  it("an update that starts a resource recorded stopped refuses a matching deployment someone started", async () => {
    const { outs } = await h.create({ modelId: "tiny", deploymentId: "d", state: "stopped" });
    await startDirectly(h.es, "tiny", { deployment_id: "d" });
    h.es.admin.clearLog();
    const err = await rejection(
      h.provider.update("d", outs, h.checked({ modelId: "tiny", deploymentId: "d" })),
    );
    assert.ok(err instanceof DeploymentExistsError);
    assert.match(err.message, /^Deployment \[d\] already runs .* but this operation did not start it/);
    assert.deepEqual(h.mutations(), []);
  });

  it("the _start race ('already exists' after our stats read) is refused the same way", async () => {
    // The stats read before the start sees nothing; the provider's _start is held at the door while someone
    // else's start of the same id is applied, so ours meets "already exists".
    const held = h.es.admin.addFault({ method: "POST", path: "/deployment/_start$", delayMs: 150, times: 1 });
    const creating = rejection(h.create({ modelId: "tiny", deploymentId: "d" }));
    while (h.es.admin.faults().find((f) => f.id === held.id)?.fired !== 1) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await startDirectly(h.es, "tiny", { deployment_id: "d" });
    const err = await creating;
    assert.ok(err instanceof DeploymentExistsError, String(err));
    assert.match(err.message, /but this operation did not start it/);
    assert.equal(
      requests(h.es, /\/deployment\/_start$/).filter((e) => e.status === 400).length,
      1,
      "the provider's start met 'already exists'",
    );
  });

  it("fails listing every difference when the parameters differ and adoptExisting is not set", async () => {
    await startDirectly(h.es, "tiny", {
      deployment_id: "d",
      number_of_allocations: "2",
      threads_per_allocation: "2",
    });
    h.es.admin.clearLog();
    const err = await rejection(
      h.create({ modelId: "tiny", deploymentId: "d", numberOfAllocations: 1, threadsPerAllocation: 1 }),
    );
    assert.ok(err instanceof DeploymentExistsError);
    assert.equal(err.code, "ERR_DEPLOYMENT_EXISTS");
    assert.match(
      err.message,
      /^Deployment \[d\] already exists on cluster \[[^\]]+\] and differs from the declaration: numberOfAllocations 2 running, 1 declared; threadsPerAllocation 2 running, 1 declared\. Nothing was changed\. To take it over, set adoptExisting: true/,
    );
    assert.equal(err.id, undefined, "not recorded: the deployment is not ours");
    assert.deepEqual(h.mutations(), []);
  });

  it("lists a different model as a difference", async () => {
    await startDirectly(h.es, "other", { deployment_id: "d" });
    h.es.admin.clearLog();
    const err = await rejection(h.create({ modelId: "tiny", deploymentId: "d", adoptExisting: true }));
    assert.match(err.message, /modelId "other" running, "tiny" declared/);
    assert.match(err.message, /never restarts it/);
    assert.deepEqual(h.mutations(), []);
  });

  it("with adoptExisting, scales a deployment whose scaling differs in place", async () => {
    await startDirectly(h.es, "tiny", { deployment_id: "d", number_of_allocations: "1" });
    h.es.admin.clearLog();
    const { outs } = await h.create({
      modelId: "tiny",
      deploymentId: "d",
      numberOfAllocations: 3,
      adoptExisting: true,
    });
    const mutations = h.mutations();
    assert.deepEqual(
      mutations.map((e) => [e.path, e.body]),
      [["/_ml/trained_models/d/deployment/_update", { number_of_allocations: 3 }]],
    );
    assert.equal(outs.allocationCount, 3);
    assert.equal(outs.targetAllocationCount, 3);
    assert.equal(outs.adoptExisting, true);
  });

  it("with adoptExisting, turns adaptive allocations off when a fixed count is declared", async () => {
    await fetch(
      `${h.es.url}/_ml/trained_models/tiny/deployment/_start?deployment_id=d&wait_for=fully_allocated`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 4 },
        }),
      },
    );
    h.es.admin.clearLog();
    await h.create({ modelId: "tiny", deploymentId: "d", numberOfAllocations: 2, adoptExisting: true });
    const [update] = h.mutations();
    assert.deepEqual(update.body, { number_of_allocations: 2, adaptive_allocations: { enabled: false } });
  });

  it("with adoptExisting, refuses start-only differences and lists them (never a silent restart)", async () => {
    await startDirectly(h.es, "tiny", {
      deployment_id: "d",
      number_of_allocations: "1",
      queue_capacity: "100",
    });
    h.es.admin.clearLog();
    const err = await rejection(
      h.create({
        modelId: "tiny",
        deploymentId: "d",
        numberOfAllocations: 2,
        queueCapacity: 200,
        cacheSize: "0",
        adoptExisting: true,
      }),
    );
    assert.ok(err instanceof DeploymentExistsError);
    assert.match(
      err.message,
      /with start-only parameters that differ from the declaration: queueCapacity 100 running, 200 declared; cacheSize "1630b" running, "0" declared\. adoptExisting scales a running deployment in place but never restarts it/,
    );
    assert.deepEqual(
      (err as unknown as DeploymentExistsError).differences.map((d) => d.property),
      ["queueCapacity", "cacheSize"],
    );
    assert.deepEqual(h.mutations(), [], "not even the scaling part was applied");
  });
});

describe("provider create when a deployment with the id is stopping", function () {
  const h = providerHarness({ emulator: { stopDelayMs: 150 } });

  it("waits for it to go away, then starts it", async () => {
    await startDirectly(h.es, "tiny", { deployment_id: "d" });
    const stopping = fetch(`${h.es.url}/_ml/trained_models/d/deployment/_stop`, { method: "POST" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.es.admin.clearLog();
    const { outs } = await h.create({ modelId: "tiny", deploymentId: "d" });
    await stopping;
    assert.equal(outs.allocationState, "fully_allocated");
    assert.ok(
      h.progress.infos.some((l) => /d: waiting for the stopping deployment to go away/.test(l)),
      h.progress.infos.join("\n"),
    );
    assert.equal(requests(h.es, /\/_start$/).length, 1, "started once it was gone");
  });
});
