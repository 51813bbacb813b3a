/**
 * The client's listing of inference endpoints against the emulator's versions of the API: the list and
 * the id under their current names (8.12+), and under the first release's (8.11: `models`, `model_id`),
 * so that the endpoints owning a deployment are found on both.
 */
import * as assert from "node:assert/strict";
import { startEmulator } from "elasticsearch-ml-emulator";
import { createClient, inferenceEndpointsUsing } from "#sdk/client";
import { esCall, FAST } from "./fixtures";

const ELSER = { num_allocations: 1, num_threads: 1, model_id: ".elser_model_2" };

for (const esVersion of ["8.11.0", "9.2.0"]) {
  describe(`client getInferenceEndpoints on ${esVersion}`, function () {
    this.timeout(20_000);

    it("lists an ELSER endpoint by its id and finds it owning its deployment", async () => {
      const es = await startEmulator({ esVersion, startDelayMs: 5, modelDownloadMs: 10 });
      const client = createClient({ endpoints: es.url, ...FAST }, {});
      try {
        await esCall({ url: es.url }, "PUT", "/_inference/sparse_embedding/my-elser", {
          service: "elser",
          service_settings: esVersion === "8.11.0" ? { num_allocations: 1, num_threads: 1 } : ELSER,
        });
        const endpoints = await client.getInferenceEndpoints();
        assert.ok(endpoints, "the API exists from 8.11");
        assert.ok(
          endpoints.some((e) => e.inference_id === "my-elser"),
          JSON.stringify(endpoints),
        );
        assert.deepEqual(inferenceEndpointsUsing(endpoints, "my-elser"), ["my-elser"]);
      } finally {
        await client.close();
        await es.close();
      }
    });
  });
}
