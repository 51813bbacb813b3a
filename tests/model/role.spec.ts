/**
 * The README's minimal role for models, measured with security on: `manage_ml` + `monitor` +
 * `read_pipeline` downloads (with `platform: "auto"`, which reads `_nodes`), uploads, refreshes and deletes
 * models; the read-only role (`monitor_ml` + `monitor` + `read_pipeline`) refreshes, and a create is
 * refused naming `manage_ml`.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basic, esCall, putUser } from "../client/fixtures";
import { rejection } from "../provider/harness";
import { modelHarness } from "./harness";

const PASSWORD = "elastic-pw";

describe("TrainedModel: the minimal role", function () {
  const h = modelHarness({ emulator: { security: true, elasticPassword: PASSWORD } });
  let dir: string;

  beforeEach(async () => {
    const admin = { url: h.es.url, authorization: basic("elastic", PASSWORD) };
    await esCall(admin, "PUT", "/_security/role/pulumi-ml", {
      cluster: ["manage_ml", "monitor", "read_pipeline"],
    });
    await esCall(admin, "PUT", "/_security/role/pulumi-ml-read", {
      cluster: ["monitor_ml", "monitor", "read_pipeline"],
    });
    await putUser(admin, "ops", "ops-password", ["pulumi-ml"]);
    await putUser(admin, "reader", "reader-password", ["pulumi-ml-read"]);
    dir = mkdtempSync(join(tmpdir(), "model-role-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function as(user: string, password: string) {
    h.config["elasticsearch-ml:username"] = user;
    h.config["elasticsearch-ml:password"] = password;
    h.reconfigure();
  }

  it("manage_ml + monitor + read_pipeline: download (platform auto), upload, refresh, delete", async () => {
    as("ops", "ops-password");
    const packaged = await h.create({ modelId: ".elser_model_2", platform: "auto" });
    assert.equal(packaged.outs.fullyDefined, true);
    const definitionPath = join(dir, "model.pt");
    writeFileSync(definitionPath, randomBytes(3000));
    const uploaded = await h.create({
      modelId: "mine",
      upload: {
        definitionPath,
        vocabulary: { vocabulary: ["a", "b"] },
        config: { inference_config: { text_embedding: {} }, input: { field_names: ["t"] } },
      },
    });
    assert.equal(uploaded.outs.fullyDefined, true);
    for (const { id, outs } of [packaged, uploaded]) {
      assert.equal((await h.provider.read(id, outs)).props.fullyDefined, true);
      await h.provider.delete(id, outs);
    }
    assert.deepEqual(
      h.es.admin.state().models.filter((m) => m.modelId === "mine" || m.modelId.startsWith(".elser")),
      [],
    );
  });

  it("the read-only role refreshes; a download is refused naming manage_ml", async () => {
    as("ops", "ops-password");
    const { id, outs } = await h.create({ modelId: ".elser_model_2" });
    as("reader", "reader-password");
    assert.equal((await h.provider.read(id, outs)).props.fullyDefined, true);
    const err = await rejection(h.create({ modelId: ".multilingual-e5-small" }));
    assert.match(err.message, /manage_ml/);
  });
});
