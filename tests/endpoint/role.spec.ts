/**
 * The README's minimal role for inference endpoints, measured with security on: `manage_inference` +
 * `monitor_ml` + `monitor` creates (the model download and deployment start happen inside Elasticsearch's
 * own request), waits, refreshes and deletes an endpoint; with `monitor_inference` instead, refresh works
 * and keeps the references recorded last (the delete's dry run is refused), and a create is refused
 * naming `manage_inference`.
 */
import * as assert from "node:assert/strict";
import { basic, esCall, putUser } from "../client/fixtures";
import { rejection } from "../provider/harness";
import { endpointHarness } from "./harness";

const PASSWORD = "elastic-pw";
const ELSER = {
  taskType: "sparse_embedding",
  inferenceId: "my-elser",
  service: "elasticsearch",
  serviceSettings: { modelId: ".elser_model_2", numAllocations: 1, numThreads: 1 },
};

describe("InferenceEndpoint: the minimal role", function () {
  const h = endpointHarness({ emulator: { security: true, elasticPassword: PASSWORD } });

  beforeEach(async () => {
    const admin = { url: h.es.url, authorization: basic("elastic", PASSWORD) };
    await esCall(admin, "PUT", "/_security/role/pulumi-inference", {
      cluster: ["manage_inference", "monitor_ml", "monitor"],
    });
    await esCall(admin, "PUT", "/_security/role/pulumi-inference-read", {
      cluster: ["monitor_inference", "monitor_ml", "monitor"],
    });
    await putUser(admin, "ops", "ops-password", ["pulumi-inference"]);
    await putUser(admin, "reader", "reader-password", ["pulumi-inference-read"]);
  });

  function as(user: string, password: string) {
    h.config["elasticsearch-ml:username"] = user;
    h.config["elasticsearch-ml:password"] = password;
    h.reconfigure();
  }

  it("manage_inference + monitor_ml + monitor: create, refresh, delete", async () => {
    as("ops", "ops-password");
    const { id, outs } = await h.create(ELSER);
    assert.equal(outs.ready, true);
    assert.deepEqual((await h.provider.read(id, outs)).props.references, { pipelines: [], indexes: [] });
    await h.provider.delete(id, outs);
  });

  it("monitor_inference refreshes, keeping the recorded references; a create is refused naming manage_inference", async () => {
    as("ops", "ops-password");
    const { id, outs } = await h.create(ELSER);
    as("reader", "reader-password");
    const recorded = { ...outs, references: { pipelines: ["recorded"], indexes: [] } };
    const read = await h.provider.read(id, recorded);
    assert.deepEqual(read.props.references, { pipelines: ["recorded"], indexes: [] });
    const err = await rejection(h.create({ ...ELSER, inferenceId: "other" }));
    assert.match(err.message, /manage_inference/);
  });
});
