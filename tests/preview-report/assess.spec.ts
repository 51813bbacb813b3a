/**
 * Elasticsearch's stop rules applied to a cluster snapshot: which pipelines block a stop, which break,
 * and drift. Pure: snapshots are built here.
 */
import * as assert from "node:assert/strict";
import type { DeploymentStats, IngestPipelines } from "#sdk/client";
import {
  assessChange,
  buildStackChanges,
  parsePreviewDocument,
  type ClusterSnapshot,
  type DeploymentChange,
  summarize,
} from "pulumi-elasticsearch-ml/report";
import { ENDPOINT_TYPE, endpointOutputs, inputs, outputs, previewDoc, step } from "./fixtures";

function change(spec: Parameters<typeof step>[0], config?: Record<string, unknown>): DeploymentChange {
  const doc = parsePreviewDocument(previewDoc([step(spec)], config ? { config } : {}), "t");
  return buildStackChanges(doc, { source: "t", env: {} }).deployments[0];
}

function deployment(
  deploymentId: string,
  modelId: string,
  extra: Partial<DeploymentStats> = {},
): DeploymentStats {
  return {
    deployment_id: deploymentId,
    model_id: modelId,
    state: "started",
    number_of_allocations: 1,
    threads_per_allocation: 1,
    ...extra,
  };
}

function snapshot(init: {
  deployments?: DeploymentStats[];
  pipelines?: IngestPipelines;
  models?: Record<string, { modelId: string; aliases: string[] } | undefined>;
  endpoints?: { inference_id: string; service?: string; service_settings?: Record<string, unknown> }[];
  uuid?: string;
  version?: string;
}): ClusterSnapshot {
  return {
    connection: "default",
    endpoints: ["http://es:9200"],
    clusterUuid: init.uuid ?? "cluster-1",
    ...(init.version ? { version: init.version } : {}),
    deployments: new Map((init.deployments ?? []).map((d) => [d.deployment_id, d])),
    models: new Map(Object.entries(init.models ?? {})),
    pipelines: init.pipelines ?? {},
    ...(init.endpoints ? { inferenceEndpoints: init.endpoints } : {}),
  };
}

const inference = (modelId: string) => ({ processors: [{ inference: { model_id: modelId } }] });

const stopOf = (modelId: string, deploymentId = modelId, stop?: Record<string, unknown>) =>
  change({
    op: "update",
    name: "d",
    old: outputs({ modelId, deploymentId }),
    new: inputs({ modelId, deploymentId, state: "stopped", ...(stop ? { stop } : {}) }),
  });

describe("preview report: what a stop does to pipelines, and drift", () => {
  it("a pipeline naming the deployment refuses a stop without force, and breaks with force", () => {
    const cluster = snapshot({
      deployments: [deployment("e5", "e5")],
      pipelines: { "p-direct": inference("e5"), other: inference("x") },
      models: { e5: { modelId: "e5", aliases: [] } },
    });
    const refused = assessChange(stopOf("e5"), cluster, new Set(["e5"]), "default");
    assert.equal(refused.risk, "stop-refused");
    assert.equal(refused.stopOutcome, "refused");
    assert.deepEqual(refused.pipelines, [
      { pipelineId: "p-direct", references: "e5", kind: "deployment", blocksStop: true, breaks: true },
    ]);
    const forced = assessChange(stopOf("e5", "e5", { force: true }), cluster, new Set(["e5"]), "default");
    assert.equal(forced.risk, "breaks-pipelines");
    assert.equal(forced.stopOutcome, "breaks-pipelines");
  });

  it("an alias blocks only when the deployment id is the model id (Elasticsearch checks aliases of that model)", () => {
    const pipelines = {
      "p-alias": {
        processors: [{ foreach: { field: "f", processor: { inference: { model_id: "my-alias" } } } }],
      },
    };
    const same = snapshot({
      deployments: [deployment("e5", "e5")],
      pipelines,
      models: { e5: { modelId: "e5", aliases: ["my-alias"] } },
    });
    const blocked = assessChange(stopOf("e5"), same, new Set(["e5"]), "default");
    assert.equal(blocked.risk, "stop-refused");
    assert.equal(blocked.pipelines?.[0].kind, "alias");

    const other = snapshot({
      deployments: [deployment("e5-search", "e5")],
      pipelines,
      models: { e5: { modelId: "e5", aliases: ["my-alias"] } },
    });
    const silent = assessChange(stopOf("e5", "e5-search"), other, new Set(["e5-search"]), "default");
    assert.equal(silent.risk, "breaks-pipelines", "not refused, but the alias has nothing to route to");
    assert.deepEqual(silent.pipelines, [
      { pipelineId: "p-alias", references: "my-alias", kind: "alias", blocksStop: false, breaks: true },
    ]);
  });

  it("a pipeline naming the model keeps working while another deployment of it runs and is not stopped too", () => {
    const pipelines = { "p-model": inference("e5") };
    const models = { e5: { modelId: "e5", aliases: [] } };
    const two = snapshot({
      deployments: [deployment("e5-search", "e5"), deployment("e5-ingest", "e5")],
      pipelines,
      models,
    });
    const kept = assessChange(stopOf("e5", "e5-search"), two, new Set(["e5-search"]), "default");
    assert.equal(kept.risk, "none");
    assert.equal(kept.stopOutcome, "safe");
    assert.equal(kept.pipelines?.[0].breaks, false);
    assert.match(kept.notes.join(" "), /`e5-ingest` still serve it/);

    const both = assessChange(stopOf("e5", "e5-search"), two, new Set(["e5-search", "e5-ingest"]), "default");
    assert.equal(both.risk, "breaks-pipelines", "the other deployment stops in the same preview");
  });

  it("the live stats name the real model when the declaration used an alias", () => {
    const cluster = snapshot({
      deployments: [deployment("d1", "real-model")],
      pipelines: { p: inference("real-model") },
      models: { "an-alias": { modelId: "real-model", aliases: ["an-alias"] } },
    });
    const found = assessChange(stopOf("an-alias", "d1"), cluster, new Set(["d1"]), "default");
    assert.deepEqual(
      found.pipelines?.map((p) => [p.pipelineId, p.kind]),
      [["p", "model"]],
    );
  });

  it("inference endpoints using the deployment block a stop without force", () => {
    const cluster = snapshot({
      deployments: [deployment("e5", "e5")],
      endpoints: [
        { inference_id: "my-endpoint", service: "elasticsearch", service_settings: { deployment_id: "e5" } },
      ],
      models: { e5: { modelId: "e5", aliases: [] } },
    });
    const refused = assessChange(stopOf("e5"), cluster, new Set(["e5"]), "default");
    assert.deepEqual(refused.inferenceEndpoints, ["my-endpoint"]);
    assert.equal(refused.risk, "stop-refused");
    assert.equal(refused.endpointsRefuseStop, true, "no version known: judged as the newest");
  });

  it("before 8.18.4 / 9.0.4 the stop goes through and breaks the endpoints: a risk, not a refusal", () => {
    const at = (version: string) =>
      assessChange(
        stopOf("e5"),
        snapshot({
          version,
          deployments: [deployment("e5", "e5")],
          endpoints: [
            { inference_id: "ep", service: "elasticsearch", service_settings: { deployment_id: "e5" } },
          ],
          models: { e5: { modelId: "e5", aliases: [] } },
        }),
        new Set(["e5"]),
        "default",
      );
    const old = at("8.17.0");
    assert.equal(old.endpointsRefuseStop, false);
    assert.equal(old.stopOutcome, "breaks-pipelines");
    assert.equal(old.risk, "breaks-pipelines");
    assert.ok(
      old.notes.some((n) =>
        /Elasticsearch 8\.17\.0 does not refuse this stop .*`ep` fail until the deployment runs again/.test(
          n,
        ),
      ),
      old.notes.join("\n"),
    );
    assert.equal(at("9.0.4").risk, "stop-refused");
    assert.equal(at("8.18.4").risk, "stop-refused");
    assert.equal(at("8.11.0 (serverless)").risk, "stop-refused");
  });

  it("unreadable pipelines leave the stop unchecked; a deployment already gone is safe to stop", () => {
    const noPipelines: ClusterSnapshot = {
      ...snapshot({ deployments: [deployment("e5", "e5")] }),
      pipelines: undefined,
      pipelinesError: "could not read the ingest pipelines: refused (403)",
    };
    const unchecked = assessChange(stopOf("e5"), noPipelines, new Set(["e5"]), "default");
    assert.equal(unchecked.risk, "unchecked");
    assert.match(unchecked.notes.join(" "), /Ingest pipelines not checked: they could not be read\./);

    const gone = assessChange(
      stopOf("e5"),
      snapshot({ pipelines: { p: inference("e5") } }),
      new Set(["e5"]),
      "default",
    );
    assert.equal(gone.risk, "none");
    assert.equal(gone.stopOutcome, "safe");
    assert.match(gone.drift[0], /Not in the cluster: .+ there is nothing left to stop/);
  });

  it("another cluster than the recorded one: a drift, and nothing else is checked", () => {
    const found = assessChange(
      stopOf("e5"),
      snapshot({ uuid: "other-cluster", deployments: [deployment("e5", "e5")] }),
      new Set(),
      "default",
    );
    assert.equal(found.checked, false);
    assert.equal(found.risk, "unchecked");
    assert.match(
      found.drift[0],
      /Wrong cluster: the connection "default" reaches cluster other-cluster, but this deployment was recorded on cluster cluster-1/,
    );
  });

  it("drift: started outside Pulumi, scaled outside Pulumi; a create that will meet an existing deployment", () => {
    const recordedStopped = change({
      op: "same",
      name: "d",
      old: outputs({ modelId: "e5", state: "stopped" }),
      new: inputs({ modelId: "e5", state: "stopped" }),
    });
    const started = assessChange(
      recordedStopped,
      snapshot({ deployments: [deployment("e5", "e5")] }),
      new Set(),
      "default",
    );
    assert.match(started.drift[0], /Started outside Pulumi/);

    const same = change({
      op: "same",
      name: "d",
      old: outputs({ modelId: "e5", numberOfAllocations: 2 }),
      new: inputs({ modelId: "e5", numberOfAllocations: 2 }),
    });
    const scaled = assessChange(
      same,
      snapshot({ deployments: [deployment("e5", "e5", { number_of_allocations: 5 })] }),
      new Set(),
      "default",
    );
    assert.match(
      scaled.drift[0],
      /Scaled outside Pulumi: the cluster runs 5 allocations, the stack records 2/,
    );
    assert.equal(scaled.risk, "none");

    const create = change({ op: "create", name: "d", new: inputs({ modelId: "e5" }) });
    const exists = assessChange(
      create,
      snapshot({ deployments: [deployment("e5", "e5")] }),
      new Set(),
      "default",
    );
    assert.match(
      exists.notes[0],
      /A deployment `e5` already runs in the cluster: the create refuses to take it over .* unless the resource sets `adoptExisting: true`.*`ELASTICSEARCH_ML_ADOPT_EXISTING=true pulumi up`/,
    );
  });

  it("a deployment failed in the cluster, or with failed routes, is drift the reviewer sees", () => {
    const update = change({
      op: "update",
      name: "d",
      old: outputs({ modelId: "e5", numberOfAllocations: 1 }),
      new: inputs({ modelId: "e5", numberOfAllocations: 2 }),
    });
    const failed = assessChange(
      update,
      snapshot({ deployments: [deployment("e5", "e5", { state: "failed", reason: "load failed" })] }),
      new Set(),
      "default",
    );
    assert.ok(
      failed.drift.some((d) =>
        /^Failed in the cluster: Elasticsearch reports deployment `e5` failed \(load failed\).*`pulumi up --refresh` stops it and starts it again/.test(
          d,
        ),
      ),
      failed.drift.join("\n"),
    );
    const routes = assessChange(
      update,
      snapshot({
        deployments: [
          deployment("e5", "e5", {
            nodes: [
              { node: { n1: { name: "ml-1" } }, routing_state: { routing_state: "started" } },
              { node: { n2: { name: "ml-2" } }, routing_state: { routing_state: "failed", reason: "oom" } },
            ],
          }),
        ],
      }),
      new Set(),
      "default",
    );
    assert.ok(
      routes.drift.some((d) =>
        /^Failed routes: its route on node \[ml-2\] \(oom\) failed; it keeps serving/.test(d),
      ),
      routes.drift.join("\n"),
    );
    const repair = change({
      op: "update",
      name: "d",
      old: outputs({ modelId: "e5" }, { state: "failed" }),
      new: inputs({ modelId: "e5" }),
    });
    const planned = assessChange(
      repair,
      snapshot({ deployments: [deployment("e5", "e5", { state: "failed" })] }),
      new Set(),
      "default",
    );
    assert.ok(!planned.drift.some((d) => /^Failed in the cluster/.test(d)), "the plan already repairs it");
  });

  it("no snapshot, or a cluster that could not be read: stops are unchecked", () => {
    const none = assessChange(stopOf("e5"), undefined, new Set(), "eu");
    assert.equal(none.risk, "unchecked");
    assert.equal(none.reason, 'no connection for "eu"');
    const failed = assessChange(
      stopOf("e5"),
      {
        connection: "default",
        endpoints: [],
        models: new Map(),
        error: "could not read the cluster (GET /): refused",
      },
      new Set(),
      "default",
    );
    assert.equal(failed.reason, "could not read the cluster (GET /): refused");
  });

  it("online, a referenced endpoint's delete stays a risk next to the deployments' findings", () => {
    const doc = parsePreviewDocument(
      previewDoc([
        step({
          op: "update",
          name: "d",
          old: outputs({ modelId: "e5" }),
          new: inputs({ modelId: "e5", state: "stopped" }),
        }),
        step({
          op: "delete",
          name: "e",
          type: ENDPOINT_TYPE,
          old: endpointOutputs({}, { references: { pipelines: [], indexes: ["docs"] } }),
        }),
      ]),
      "t",
    );
    const stack = buildStackChanges(doc, { source: "t", env: {} });
    const cluster = snapshot({
      deployments: [deployment("e5", "e5")],
      models: { e5: { modelId: "e5", aliases: [] } },
    });
    const findings = new Map(
      stack.deployments.map((c) => [c.urn, assessChange(c, cluster, new Set(["e5"]), "default")]),
    );
    const summary = summarize({ stacks: [stack], findings: [findings], connections: [] });
    assert.equal(summary.stacks[0].deployments[0].risk, "none", "nothing uses the deployment");
    assert.equal(summary.stacks[0].endpoints[0].risk, "deletes-referenced-endpoint");
    assert.equal(
      summary.stacks[0].endpoints[0].cluster,
      undefined,
      "endpoints are judged from their outputs",
    );
    assert.equal(summary.mode, "online");
    assert.equal(summary.risky, true);
  });
});
