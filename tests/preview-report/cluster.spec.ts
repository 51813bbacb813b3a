/**
 * The report's cluster lookups against the emulator: pipelines found through `foreach` and `on_failure`
 * and through model aliases, refused stops, drift, the stop flags of the environment, partial privileges,
 * credentials from the environment when the stack's are secret, and clusters that cannot be read.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { createReport, type ReportOptions } from "pulumi-elasticsearch-ml/report";
import { basic, esCall, putUser, type SetupTarget } from "../client/fixtures";
import { readGolden } from "./golden";
import { CLUSTER_UUID, EMULATOR_OPTIONS, seedCluster } from "./engine/scenario";
import { inputs, outputs, previewDoc, step } from "./fixtures";

const FAST: ReportOptions["clientOptions"] = {
  maxRetries: 0,
  initialBackoffMs: 5,
  maxBackoffMs: 10,
  keepAliveTimeoutMs: 200,
};

/** Starts what the engine's stack had running (all but `steady`, which was stopped out of band). */
async function startDeployments(es: SetupTarget): Promise<void> {
  const start = (model: string, allocations = 1) =>
    esCall(
      es,
      "POST",
      `/_ml/trained_models/${model}/deployment/_start?wait_for=started&number_of_allocations=${allocations}`,
    );
  await start("tiny-scale", 2);
  for (const model of ["tiny-restart", "tiny-halt", "tiny-doomed", "tiny-auto"]) await start(model);
}

/** The engine's preview with its config rewritten (the stored one points at a closed port). */
function engineDocument(config: Record<string, unknown>): string {
  const doc = JSON.parse(readGolden("engine/all-changes.show-sames.preview.json")) as {
    config: Record<string, unknown>;
  };
  doc.config = config;
  return JSON.stringify(doc);
}

describe("preview report: lookups against the cluster (emulator)", function () {
  this.timeout(30_000);
  let es: EmulatorHandle;
  afterEach(async () => {
    await es?.close();
  });

  describe("an open cluster with the engine scenario's deployments", () => {
    beforeEach(async () => {
      es = await startEmulator(EMULATOR_OPTIONS);
      await seedCluster({ url: es.url });
      await startDeployments({ url: es.url });
      // A second pipeline reaches the deployment only from a processor's on_failure handler.
      await esCall({ url: es.url }, "PUT", "/_ingest/pipeline/halt-fallback", {
        processors: [
          { set: { field: "x", value: 1, on_failure: [{ inference: { model_id: "tiny-halt" } }] } },
        ],
      });
    });

    it("finds the pipelines a stop would break or that refuse it, and the drift", async () => {
      const { summary, markdown } = await createReport(
        [{ text: engineDocument({ "elasticsearch-ml:endpoints": es.url }), source: "preview.json" }],
        { env: {}, clientOptions: FAST },
      );
      assert.equal(summary.mode, "online");
      assert.deepEqual(
        summary.connections.map((c) => [c.connection, c.clusterUuid, c.reached, c.problems]),
        [["default", CLUSTER_UUID, true, []]],
      );
      const byName = new Map(summary.stacks[0].deployments.map((d) => [d.name, d]));
      const halt = byName.get("halt")!;
      assert.equal(halt.risk, "stop-refused");
      assert.deepEqual(
        halt.cluster?.pipelines?.map((p) => [p.pipelineId, p.kind, p.blocksStop]),
        [
          ["halt-fallback", "deployment", true],
          ["halt-ingest", "deployment", true],
        ],
      );
      const doomed = byName.get("doomed")!;
      assert.equal(doomed.risk, "breaks-pipelines");
      assert.deepEqual(doomed.cluster?.pipelines, [
        {
          pipelineId: "doomed-ingest",
          references: "doomed-alias",
          kind: "alias",
          blocksStop: true,
          breaks: true,
        },
      ]);
      assert.equal(byName.get("restart")?.cluster?.stopOutcome, "safe");
      assert.equal(
        byName.get("scale")?.cluster?.pipelines,
        undefined,
        "no stop, so no pipeline lookup to show",
      );
      assert.match(
        byName.get("steady")!.cluster!.drift[0],
        /Not in the cluster: the stack records deployment `tiny-steady` as running/,
      );
      assert.deepEqual(summary.counts, {
        deployments: 7,
        endpoints: 0,
        changing: 6,
        stopsRefused: 1,
        breaksPipelines: 1,
        deletesReferencedEndpoints: 0,
        unchecked: 0,
        drift: 1,
      });
      assert.equal(summary.risky, true);
      assert.match(
        markdown,
        /\| `halt` \(`tiny-halt`\) \| \*\*stops\*\* \| 1 → 0 \(−1\) \| \*\*stop refused\*\*: `halt-fallback`, `halt-ingest` \|/,
      );
    });

    it("--endpoints wins over the stack's endpoints; ELASTICSEARCH_ML_FORCE in the environment turns a refusal into breakage", async () => {
      const { summary } = await createReport(
        [
          {
            text: engineDocument({ "elasticsearch-ml:endpoints": "http://127.0.0.1:9" }),
            source: "preview.json",
          },
        ],
        { env: { ELASTICSEARCH_ML_FORCE: "true" }, connection: { endpoints: [es.url] }, clientOptions: FAST },
      );
      const halt = summary.stacks[0].deployments.find((d) => d.name === "halt")!;
      assert.deepEqual(halt.stop?.sources, { force: "environment" });
      assert.equal(halt.headline, "stops, with force");
      assert.equal(halt.risk, "breaks-pipelines");
      assert.equal(summary.counts.stopsRefused, 0);
    });

    it("a replacement that adds stop.force is still refused: the old deployment stops with its recorded flags", async () => {
      await esCall({ url: es.url }, "PUT", "/_ingest/pipeline/restart-ingest", {
        processors: [{ inference: { model_id: "tiny-restart" } }],
      });
      const text = previewDoc(
        [
          step({
            op: "replace",
            name: "restart",
            old: outputs(
              { modelId: "tiny-restart", threadsPerAllocation: 1 },
              {},
              { clusterUuid: CLUSTER_UUID },
            ),
            new: inputs({ modelId: "tiny-restart", threadsPerAllocation: 2, stop: { force: true } }),
            replaceReasons: ["threadsPerAllocation"],
          }),
        ],
        { config: { "elasticsearch-ml:endpoints": es.url } },
      );
      const { summary, markdown } = await createReport([{ text, source: "preview.json" }], {
        env: {},
        clientOptions: FAST,
      });
      const [restart] = summary.stacks[0].deployments;
      assert.equal(restart?.risk, "stop-refused");
      assert.deepEqual(restart?.stop?.flags, {});
      assert.match(
        markdown,
        /\*\*The stop will be refused\.\*\* .*`ELASTICSEARCH_ML_FORCE=true pulumi up`.* The replacement stops the old deployment with the stop flags recorded for it: a `stop\.force` added in this change does not apply to that stop\./,
      );
    });

    it("a cluster with another uuid than the recorded one is not trusted", async () => {
      await es.close();
      es = await startEmulator({ ...EMULATOR_OPTIONS, clusterUuid: "someone-elses-cluster" });
      const { summary, markdown } = await createReport(
        [{ text: engineDocument({ "elasticsearch-ml:endpoints": es.url }), source: "preview.json" }],
        { env: {}, clientOptions: FAST },
      );
      const halt = summary.stacks[0].deployments.find((d) => d.name === "halt")!;
      assert.equal(halt.risk, "unchecked");
      assert.match(
        halt.cluster!.drift[0],
        /Wrong cluster: the connection "default" reaches cluster someone-elses-cluster, but this deployment was recorded on cluster preview-report-cluster/,
      );
      assert.equal(summary.mode, "partial");
      assert.match(markdown, /\*\*Partly checked\*\*/);
    });
  });

  describe("security on", () => {
    const admin = (): SetupTarget => ({ url: es.url, authorization: basic("elastic", "changeme") });

    beforeEach(async () => {
      es = await startEmulator({ ...EMULATOR_OPTIONS, security: true });
      await seedCluster(admin());
      await startDeployments(admin());
      // GET / needs `monitor`; no privilege here reads ingest pipelines (read_pipeline).
      await esCall(admin(), "PUT", "/_security/role/cluster_monitor", { cluster: ["monitor"] });
      await putUser(admin(), "ml-viewer", "viewer-pw", ["machine_learning_user", "cluster_monitor"]);
    });

    it("takes credentials from the environment when the stack's are secret; a refused pipeline lookup leaves stops unchecked", async () => {
      const text = engineDocument({
        "elasticsearch-ml:endpoints": es.url,
        "elasticsearch-ml:apiKey": "[secret]",
      });
      const { summary, markdown } = await createReport([{ text, source: "preview.json" }], {
        env: { ELASTICSEARCH_USERNAME: "ml-viewer", ELASTICSEARCH_PASSWORD: "viewer-pw" },
        clientOptions: FAST,
      });
      assert.equal(summary.mode, "partial");
      assert.match(
        summary.connections[0].problems.join(" "),
        /could not read the ingest pipelines \(GET \/_ingest\/pipeline\): 403 security_exception.+needs the cluster privilege read_pipeline/,
      );
      const halt = summary.stacks[0].deployments.find((d) => d.name === "halt")!;
      assert.equal(halt.risk, "unchecked");
      assert.equal(halt.cluster?.pipelines, undefined);
      // Drift needs only monitor_ml: still checked.
      assert.equal(summary.counts.drift, 1);
      assert.equal(summary.risky, false);
      assert.match(
        markdown,
        /:grey_question: Not checked: what stopping `doomed`, `halt`, `restart` does to ingest pipelines\./,
      );
    });

    it("says the stack's credentials are secrets when authentication fails", async () => {
      const text = engineDocument({
        "elasticsearch-ml:endpoints": es.url,
        "elasticsearch-ml:apiKey": "[secret]",
      });
      const { summary, markdown } = await createReport([{ text, source: "preview.json" }], {
        env: {},
        clientOptions: FAST,
      });
      assert.equal(summary.mode, "offline");
      assert.match(
        summary.modeReason ?? "",
        /authentication failed \(401\).+\(the stack's elasticsearch-ml:apiKey is a secret, redacted in the preview JSON: provide credentials through the ELASTICSEARCH_\* environment\)/,
      );
      assert.match(markdown, /> \*\*Offline report\*\*: operations and capacity only/);
      assert.doesNotMatch(markdown, /changeme|viewer-pw/);
    });
  });

  it("a cluster that cannot be reached, or no connection at all: offline, saying why", async () => {
    const unreachable = await createReport(
      [
        {
          text: engineDocument({ "elasticsearch-ml:endpoints": "http://127.0.0.1:9" }),
          source: "preview.json",
        },
      ],
      { env: {}, clientOptions: FAST },
    );
    assert.equal(unreachable.summary.mode, "offline");
    assert.match(
      unreachable.summary.modeReason ?? "",
      /could not read the cluster \(GET \/\): .*127\.0\.0\.1:9/,
    );
    assert.equal(unreachable.summary.counts.unchecked, 3);

    const none = await createReport([{ text: engineDocument({}), source: "preview.json" }], { env: {} });
    assert.equal(none.summary.mode, "offline");
    assert.equal(
      none.summary.modeReason,
      "no Elasticsearch connection is configured: pass --endpoints, set ELASTICSEARCH_ENDPOINTS (or ELASTICSEARCH_CLOUD_ID), or set elasticsearch-ml:endpoints in the stack",
    );
  });

  it("a named connection whose settings are a secret cannot be checked; the default one still is", async () => {
    es = await startEmulator(EMULATOR_OPTIONS);
    const text = previewDoc(
      [
        step({
          op: "delete",
          name: "eu",
          old: outputs({ modelId: "tiny", connection: "eu" }, {}, { clusterUuid: CLUSTER_UUID }),
        }),
        step({
          op: "update",
          name: "home",
          old: outputs({ modelId: "tiny", numberOfAllocations: 1 }, {}, { clusterUuid: CLUSTER_UUID }),
          new: inputs({ modelId: "tiny", numberOfAllocations: 2 }),
        }),
      ],
      { config: { "elasticsearch-ml:endpoints": es.url, "elasticsearch-ml:connections": "[secret]" } },
    );
    const { summary } = await createReport([{ text, source: "t.json" }], { env: {}, clientOptions: FAST });
    assert.equal(summary.mode, "partial");
    const eu = summary.stacks[0].deployments.find((d) => d.name === "eu")!;
    assert.equal(eu.risk, "unchecked");
    assert.equal(
      eu.cluster?.reason,
      "elasticsearch-ml:connections is a secret, so the preview JSON does not show its settings",
    );
    const home = summary.stacks[0].deployments.find((d) => d.name === "home")!;
    assert.equal(home.cluster?.checked, true);
    assert.match(home.cluster!.drift[0], /Not in the cluster/);
  });
});
