/**
 * What an `InferenceEndpoint` sends per Elasticsearch version (emulator README, "Versions" and "Inference
 * endpoints"): `?timeout=` on the create only where it exists (8.19, 9.1+); the delete's reference check
 * through the dry run from 8.16, with `force` added to the dry run on 8.15 (which refuses a referenced
 * endpoint before it looks at `dry_run`), and by scanning the pipelines before 8.15 (no flags); the
 * recorded version decides, at preview, whether a scale is in place (8.17+).
 */
import * as assert from "node:assert/strict";
import { esDirect, rejection } from "../provider/harness";
import { endpointHarness } from "./harness";

const ELSER = {
  taskType: "sparse_embedding",
  inferenceId: "my-elser",
  service: "elasticsearch",
  serviceSettings: { modelId: ".elser_model_2", numAllocations: 1, numThreads: 1 },
};

const CASES = [
  { esVersion: "8.14.0", timeout: false, deleteCheck: "scan", inPlace: false },
  { esVersion: "8.15.0", timeout: false, deleteCheck: "dry_run=true&force=true", inPlace: false },
  { esVersion: "8.16.0", timeout: false, deleteCheck: "dry_run=true", inPlace: false },
  { esVersion: "8.18.0", timeout: false, deleteCheck: "dry_run=true", inPlace: true },
  { esVersion: "8.19.0", timeout: true, deleteCheck: "dry_run=true", inPlace: true },
  { esVersion: "9.0.0", timeout: false, deleteCheck: "dry_run=true", inPlace: true },
  { esVersion: "9.1.0", timeout: true, deleteCheck: "dry_run=true", inPlace: true },
] as const;

for (const c of CASES) {
  describe(`InferenceEndpoint on Elasticsearch ${c.esVersion}`, function () {
    const h = endpointHarness({ emulator: { esVersion: c.esVersion } });

    it(`create ${c.timeout ? "sends" : "does not send"} ?timeout=; a scale is ${c.inPlace ? "in place" : "a replacement"}; the delete check is ${c.deleteCheck}`, async () => {
      const { outs } = await h.create(ELSER);
      assert.equal(outs.esVersion, c.esVersion);
      const put = h.inferenceRequests().find((r) => r.startsWith("PUT"));
      assert.equal(put, `PUT /_inference/sparse_embedding/my-elser${c.timeout ? "?timeout=1200s" : ""}`);

      const news = await h.checked({
        ...ELSER,
        serviceSettings: { ...ELSER.serviceSettings, numAllocations: 2 },
      });
      const diff = await h.provider.diff("my-elser", outs, news);
      assert.deepEqual(diff.replaces, c.inPlace ? [] : ["serviceSettings.numAllocations"]);

      await esDirect(h.es, "PUT", "/_ingest/pipeline/embed", {
        processors: [{ inference: { model_id: "my-elser" } }],
      });
      h.es.admin.clearLog();
      const err = await rejection(h.provider.delete("my-elser", outs));
      assert.equal(err.code, "ERR_ENDPOINT_IN_USE");
      assert.match(err.message, /ingest pipelines \[embed\]/);
      const deletes = h.inferenceRequests().filter((r) => r.startsWith("DELETE"));
      assert.deepEqual(
        deletes,
        c.deleteCheck === "scan" ? [] : [`DELETE /_inference/sparse_embedding/my-elser?${c.deleteCheck}`],
      );
      const listed = (await esDirect(h.es, "GET", "/_inference/_all")) as {
        endpoints?: { inference_id: string }[];
      };
      assert.ok(
        listed.endpoints?.some((e) => e.inference_id === "my-elser"),
        "the dry run deleted nothing",
      );
    });
  });
}
