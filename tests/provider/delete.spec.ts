import * as assert from "node:assert/strict";
import { ProviderConfigError, StopRefusedError, WrongClusterError } from "pulumi-elasticsearch-ml/provider";
import { putInferencePipeline } from "../client/fixtures";
import { providerHarness, rejection } from "./harness";

describe("provider delete against the emulator", function () {
  const h = providerHarness();

  it("stops the deployment, sending no flag that nobody set", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.es.admin.clearLog();
    await h.provider.delete(id, outs);
    const [stop] = h.mutations();
    assert.equal(stop.path, "/_ml/trained_models/tiny/deployment/_stop");
    assert.deepEqual(stop.query, {});
    assert.deepEqual(h.es.admin.state().deployments, []);
    assert.ok(h.progress.infos.includes("tiny: stopped"));
  });

  it("treats a deployment already gone as success, with a warning", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    await fetch(`${h.es.url}/_ml/trained_models/tiny/deployment/_stop`, { method: "POST" });
    h.es.admin.clearLog();
    await h.provider.delete(id, outs);
    assert.deepEqual(h.mutations(), []);
    assert.ok(h.progress.warnings.some((w) => /^tiny: already gone from the cluster/.test(w)));
  });

  it("treats a 404 from the stop itself (allowNoMatch: false, gone meanwhile) as success", async () => {
    const { id, outs } = await h.create({ modelId: "tiny", stop: { allowNoMatch: false } });
    h.es.admin.addFault({
      method: "POST",
      path: "/_stop$",
      status: 404,
      body: {
        error: {
          type: "resource_not_found_exception",
          reason: "Could not find trained model deployment [tiny]",
        },
        status: 404,
      },
    });
    await h.provider.delete(id, outs);
    assert.ok(h.progress.warnings.some((w) => /already gone/.test(w)));
  });

  it("sends nothing for a resource declared and seen stopped", async () => {
    const { id, outs } = await h.create({ modelId: "tiny", state: "stopped" });
    await h.provider.delete(id, outs);
    assert.deepEqual(h.es.admin.log(), []);
  });

  it("fails on 409 naming the referencing pipelines and both teardown levers; nothing is stopped", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    await putInferencePipeline(h.es, "p2", "tiny");
    await putInferencePipeline(h.es, "p1", "tiny", true);
    const err = await rejection(h.provider.delete(id, outs));
    assert.ok(err instanceof StopRefusedError);
    assert.equal(err.code, "ERR_STOP_REFUSED");
    assert.deepEqual((err as unknown as StopRefusedError).referencingPipelines, ["p1", "p2"]);
    assert.match(
      err.message,
      /^Cannot stop deployment \[tiny\]: it is referenced by ingest pipelines \[p1, p2\]\. To stop it anyway: ELASTICSEARCH_ML_FORCE=true pulumi destroy, or pulumi config set elasticsearch-ml:force true && pulumi destroy --run-program\./,
    );
    assert.match(
      err.message,
      /Elasticsearch: Cannot stop deployment \[tiny\] as it is referenced by ingest processors; use force/,
    );
    assert.equal(h.es.admin.state().deployments.length, 1, "still running");
  });

  it("says the config lever is useless when the resource itself sets stop.force: false", async () => {
    const { id, outs } = await h.create({ modelId: "tiny", stop: { force: false } });
    await putInferencePipeline(h.es, "p1", "tiny");
    h.config["elasticsearch-ml:force"] = "true";
    h.reconfigure();
    const err = await rejection(h.provider.delete(id, outs));
    assert.match(
      err.message,
      /ELASTICSEARCH_ML_FORCE=true pulumi destroy \(the resource's stop\.force: false wins over stack config/,
    );
  });

  it("a stop refused by an inference endpoint explains the ownership and the force levers", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.es.admin.addFault({
      method: "POST",
      path: "/_stop$",
      status: 409,
      body: {
        error: {
          type: "status_exception",
          reason: "Cannot stop deployment [tiny] as it is used by inference endpoint [e1]",
        },
        status: 409,
      },
    });
    const err = await rejection(h.provider.delete(id, outs));
    assert.ok(err instanceof StopRefusedError);
    assert.match(err.message, /the inference endpoint \[e1\] uses or owns it/);
    assert.match(err.message, /ELASTICSEARCH_ML_FORCE=true pulumi destroy/);
  });

  describe("stop flags reach the wire, with precedence environment > resource > stack config", () => {
    type Case = {
      name: string;
      config?: Record<string, string>;
      stop?: Record<string, boolean>;
      env?: Record<string, string>;
      query: Record<string, string>;
    };
    const cases: Case[] = [
      { name: "stack config force", config: { "elasticsearch-ml:force": "true" }, query: { force: "true" } },
      {
        name: "stack config finishPendingWork",
        config: { "elasticsearch-ml:finishPendingWork": "true" },
        query: { finish_pending_work: "true" },
      },
      {
        name: "stack config allowNoMatch",
        config: { "elasticsearch-ml:allowNoMatch": "false" },
        query: { allow_no_match: "false" },
      },
      { name: "resource force", stop: { force: true }, query: { force: "true" } },
      {
        name: "resource finishPendingWork",
        stop: { finishPendingWork: true },
        query: { finish_pending_work: "true" },
      },
      { name: "resource allowNoMatch", stop: { allowNoMatch: true }, query: { allow_no_match: "true" } },
      { name: "environment force", env: { ELASTICSEARCH_ML_FORCE: "true" }, query: { force: "true" } },
      {
        name: "environment finishPendingWork",
        env: { ELASTICSEARCH_ML_FINISH_PENDING_WORK: "TRUE" },
        query: { finish_pending_work: "true" },
      },
      {
        name: "environment allowNoMatch",
        env: { ELASTICSEARCH_ML_ALLOW_NO_MATCH: "0" },
        query: { allow_no_match: "false" },
      },
      {
        name: "resource wins over stack config",
        config: { "elasticsearch-ml:force": "true", "elasticsearch-ml:finishPendingWork": "true" },
        stop: { force: false },
        query: { force: "false", finish_pending_work: "true" },
      },
      {
        name: "environment wins over the resource and stack config",
        config: { "elasticsearch-ml:force": "false" },
        stop: { force: false, finishPendingWork: true },
        env: { ELASTICSEARCH_ML_FORCE: "true", ELASTICSEARCH_ML_FINISH_PENDING_WORK: "false" },
        query: { force: "true", finish_pending_work: "false" },
      },
      {
        name: "a blank environment variable counts as unset",
        env: { ELASTICSEARCH_ML_FORCE: " " },
        stop: { force: false },
        query: { force: "false" },
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { id, outs } = await h.create({ modelId: "tiny", ...(c.stop ? { stop: c.stop } : {}) });
        Object.assign(h.config, c.config);
        h.reconfigure();
        Object.assign(h.env, c.env);
        h.es.admin.clearLog();
        await h.provider.delete(id, outs);
        const [stop] = h.mutations();
        assert.deepEqual(stop.query, c.query);
      });
    }
  });

  it("the environment is read when the stop runs, not when the provider was made", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.env.ELASTICSEARCH_ML_FORCE = "true";
    h.es.admin.clearLog();
    await h.provider.delete(id, outs);
    assert.deepEqual(h.mutations()[0].query, { force: "true" });
  });

  it("a malformed environment override fails the stop, naming the variable", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.env.ELASTICSEARCH_ML_FORCE = "yes";
    const err = await rejection(h.provider.delete(id, outs));
    assert.ok(err instanceof ProviderConfigError);
    assert.equal(
      err.message,
      'ELASTICSEARCH_ML_FORCE: "yes" is not allowed; must be true or false (any case), 1 or 0, or unset',
    );
    assert.equal(h.es.admin.state().deployments.length, 1);
  });

  it("refuses to stop a deployment recorded on another cluster", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.es.admin.clearLog();
    const err = await rejection(h.provider.delete(id, { ...outs, clusterUuid: "other-uuid" }));
    assert.ok(err instanceof WrongClusterError);
    assert.match(err.message, /^Refusing to delete deployment \[tiny\]/);
    assert.match(err.message, /pulumi state delete/);
    assert.deepEqual(h.mutations(), []);
  });
});
