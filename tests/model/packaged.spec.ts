/**
 * `TrainedModel` with Elastic's packaged models against the emulator: the download is started with a PUT
 * holding at most `input` (never `wait_for_completion`), polled to fully defined with progress, bounded by
 * the deadline; a timed-out download is picked up, a dead one restarted; the platform build is chosen as
 * Kibana does; an unreachable repository says what to do.
 */
import * as assert from "node:assert/strict";
import { rejection } from "../provider/harness";
import { modelHarness } from "./harness";

describe("TrainedModel: packaged models", function () {
  describe("on a fresh cluster", function () {
    const h = modelHarness();

    it("downloads the model with one PUT, polls until fully defined, and reports the outputs", async () => {
      const { id, outs } = await h.create({ modelId: ".multilingual-e5-small" });
      assert.equal(id, ".multilingual-e5-small");
      assert.deepEqual(h.modelRequests(), ["PUT /_ml/trained_models/.multilingual-e5-small"]);
      const put = h.es.admin.log().find((e) => e.method === "PUT");
      assert.deepEqual(
        put?.body,
        { input: { field_names: ["text_field"] } },
        "a packaged model's PUT carries nothing but input (required; Kibana's default field)",
      );
      assert.equal(put?.query.wait_for_completion, undefined, "the request is never held for the download");
      assert.ok(
        h.es.admin.log().some((e) => e.path === "/_tasks"),
        "the import task is polled for progress",
      );
      assert.equal(outs.fullyDefined, true);
      assert.equal(outs.resolvedModelId, ".multilingual-e5-small");
      assert.equal(outs.source, "packaged");
      assert.equal(outs.modelType, "pytorch");
      assert.equal(outs.inferenceTask, "text_embedding");
      assert.deepEqual(outs.inputFields, ["text_field"]);
      assert.equal(typeof outs.modelSizeBytes, "number");
      assert.match(String(outs.createTime), /^\d{4}-\d\d-\d\dT/);
      assert.equal(typeof outs.clusterUuid, "string");
      assert.equal(outs.__provider !== undefined, true, "__provider rides along");
      assert.ok(h.progress.infos.some((l) => /downloading from Elastic's model repository/.test(l)));
      assert.ok(h.progress.infos.some((l) => /downloaded \(fully defined\)/.test(l)));
    });

    it("sends inputFieldNames as input.field_names, the one field a packaged PUT may carry", async () => {
      const { outs } = await h.create({ modelId: ".elser_model_2", inputFieldNames: ["body"] });
      const put = h.es.admin.log().find((e) => e.method === "PUT");
      assert.deepEqual(put?.body, { input: { field_names: ["body"] } });
      assert.deepEqual(outs.inputFields, ["body"]);
    });

    it("uses a model that is already downloaded without a second PUT", async () => {
      await h.create({ modelId: ".elser_model_2" });
      h.es.admin.clearLog();
      const { outs } = await h.create({ modelId: ".elser_model_2" });
      assert.deepEqual(h.modelRequests(), []);
      assert.equal(outs.fullyDefined, true);
      assert.ok(h.progress.infos.some((l) => /already downloaded in the cluster/.test(l)));
    });

    it("platform auto picks the _linux-x86_64 build when every ML node runs Linux x86_64", async () => {
      const { id, outs } = await h.create({ modelId: ".elser_model_2", platform: "auto" });
      assert.equal(id, ".elser_model_2_linux-x86_64");
      assert.equal(outs.platformArchitecture, "linux-x86_64");
      assert.equal(outs.modelId, ".elser_model_2", "the declared id stays the input");
      assert.ok(h.progress.infos.some((l) => /all \d+ ML node\(s\) run Linux x86_64/.test(l)));
    });

    it("platform auto picks the portable build when one ML node runs another platform", async () => {
      h.es.admin.addMlNode(4, "linux-aarch64");
      const { id, outs } = await h.create({ modelId: ".multilingual-e5-small", platform: "auto" });
      assert.equal(id, ".multilingual-e5-small");
      assert.equal(outs.platformArchitecture, undefined);
      assert.ok(h.progress.infos.some((l) => /Linux\/aarch64 cannot run the linux-x86_64 build/.test(l)));
    });
  });

  describe("on ML nodes of another platform", function () {
    const h = modelHarness({ emulator: { mlNodePlatform: "linux-aarch64" } });

    it("an explicit linux-x86_64 build is downloaded with a warning naming the nodes that cannot run it", async () => {
      const { id } = await h.create({ modelId: ".elser_model_2", platform: "linux-x86_64" });
      assert.equal(id, ".elser_model_2_linux-x86_64");
      assert.ok(
        h.progress.warnings.some((w) =>
          /ML nodes Linux\/aarch64 \(.+\) cannot run this linux-x86_64 build/.test(w),
        ),
        JSON.stringify(h.progress.warnings),
      );
    });

    it("platform auto downloads the portable build, with no warning", async () => {
      const { id } = await h.create({ modelId: ".elser_model_2", platform: "auto" });
      assert.equal(id, ".elser_model_2");
      assert.deepEqual(h.progress.warnings, []);
    });
  });

  describe("a slow download", function () {
    const h = modelHarness({ emulator: { modelDownloadMs: 400 } });

    it("times out as a partial failure, and the next up picks the running download up instead of restarting it", async () => {
      const inputs = await h.checked({ modelId: ".multilingual-e5-small", waitTimeoutSeconds: 0.05 });
      const err = await rejection(h.provider.create(inputs));
      assert.equal(err.code, "ERR_PARTIAL_FAILURE");
      assert.match(err.message, /not fully downloaded within waitTimeoutSeconds \(0\.05 s\)/);
      assert.match(err.message, /picked up, not restarted/);
      const recorded = err.properties as Record<string, unknown>;
      assert.equal(recorded.fullyDefined, false);
      assert.equal(recorded.__provider !== undefined, true);

      const diff = await h.provider.diff(".multilingual-e5-small", recorded, inputs);
      assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
      const { outs } = await h.provider.update(".multilingual-e5-small", recorded, {
        ...inputs,
        waitTimeoutSeconds: 30,
      });
      assert.equal(outs.fullyDefined, true);
      assert.deepEqual(
        h.modelRequests(),
        ["PUT /_ml/trained_models/.multilingual-e5-small"],
        "one PUT in all",
      );
      assert.ok(
        h.progress.infos.some((l) =>
          /a download is already running .*waiting for it instead of starting another/.test(l),
        ),
      );
    });

    it("a dead download (no import task, not fully defined) is deleted and downloaded again, and says so", async () => {
      const inputs = await h.checked({ modelId: ".multilingual-e5-small", waitTimeoutSeconds: 0.05 });
      const err = await rejection(h.provider.create(inputs));
      h.es.admin.killModelDownload(".multilingual-e5-small");
      const { outs } = await h.provider.update(
        ".multilingual-e5-small",
        err.properties as Record<string, unknown>,
        {
          ...inputs,
          waitTimeoutSeconds: 30,
        },
      );
      assert.equal(outs.fullyDefined, true);
      assert.deepEqual(h.modelRequests(), [
        "PUT /_ml/trained_models/.multilingual-e5-small",
        "DELETE /_ml/trained_models/.multilingual-e5-small?force=true",
        "PUT /_ml/trained_models/.multilingual-e5-small",
      ]);
      assert.ok(
        h.progress.infos.some((l) =>
          /found incomplete with no download running .*deleting it and downloading it again/.test(l),
        ),
      );
    });

    it("destroying a model whose download still runs deletes it and cancels the download", async () => {
      const inputs = await h.checked({ modelId: ".multilingual-e5-small", waitTimeoutSeconds: 0.05 });
      const err = await rejection(h.provider.create(inputs));
      const recorded = err.properties as Record<string, unknown>;
      await h.provider.delete(".multilingual-e5-small", recorded);
      assert.deepEqual(h.modelRequests().at(-1), "DELETE /_ml/trained_models/.multilingual-e5-small");
      const tasks = (await (await fetch(`${h.es.url}/_tasks?actions=xpack/ml/model_import*`)).json()) as {
        nodes: Record<string, unknown>;
      };
      assert.deepEqual(tasks.nodes, {}, "no import task left");
      assert.equal(
        h.es.admin.state().models.some((m) => m.modelId === ".multilingual-e5-small"),
        false,
      );
    });

    it("a download that dies while it is waited for fails as a partial failure that says the next up restarts it", async () => {
      const inputs = await h.checked({ modelId: ".multilingual-e5-small" });
      const creating = h.provider.create(inputs);
      await new Promise((resolve) => setTimeout(resolve, 50));
      h.es.admin.killModelDownload(".multilingual-e5-small");
      const err = await rejection(creating);
      assert.equal(err.code, "ERR_PARTIAL_FAILURE");
      assert.match(err.message, /ended before the model was fully defined/);
      assert.match(err.message, /deleted and downloaded again/);
    });
  });

  describe("an id Elastic's repository does not have", function () {
    const h = modelHarness();

    it("warns at check (a typo shows at preview) and fails the create with Elasticsearch's error and the known ids", async () => {
      const { failures } = await h.provider.check({}, { modelId: ".elser_model_3" });
      assert.deepEqual(failures, []);
      assert.ok(
        h.progress.warnings.some((w) =>
          /\.elser_model_3: not one of the packaged models this version knows \(\.elser_model_1, /.test(w),
        ),
        JSON.stringify(h.progress.warnings),
      );
      const err = await rejection(h.create({ modelId: ".elser_model_3" }));
      assert.match(err.message, /Failed to find package/);
      assert.match(
        err.message,
        /Elastic's model repository has no package \[\.elser_model_3\]: check the id/,
      );
      assert.equal(
        h.es.admin.state().models.some((m) => m.modelId === ".elser_model_3"),
        false,
      );
    });

    it("no warning for a known id", async () => {
      await h.provider.check({}, { modelId: ".rerank-v1" });
      assert.deepEqual(h.progress.warnings, []);
    });
  });

  describe("an air-gapped cluster", function () {
    const h = modelHarness({ emulator: { modelRepositoryUnreachable: true } });

    it("fails with an error that says the repository is unreachable and what to do; nothing is created", async () => {
      const err = await rejection(h.create({ modelId: ".elser_model_2" }));
      assert.equal(err.code, "ERR_MODEL_REPOSITORY_UNREACHABLE");
      assert.match(err.message, /cannot reach Elastic's model repository/);
      assert.match(err.message, /UnknownHostException/);
      assert.match(err.message, /xpack\.ml\.model_repository/);
      assert.match(err.message, /air-gapped/);
      assert.equal(
        h.es.admin.state().models.some((m) => m.modelId === ".elser_model_2"),
        false,
      );
    });
  });
});
