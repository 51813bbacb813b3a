/**
 * End to end, the stack-reference example (issue 15): a platform stack exports the emulator's endpoint and
 * an API key (a secret); an ML stack reads them through a `StackReference` and declares a packaged model
 * (downloaded by the fresh cluster) and a deployment of it, both with them as their `connection`. Both
 * stacks share one file backend, as two projects of one organization do.
 *
 * Then the key is rotated the way an operator does it: a new key, the platform stack's secret updated and
 * `up`, the ML stack `up` (an in-place update of both resources that sends only one `GET /` each), the old
 * key invalidated. A plain `pulumi destroy` of the ML stack (no program: it runs on the recorded outputs)
 * then stops the deployment and deletes the model with the new key. The state holds the key only
 * encrypted, before and after the rotation.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import * as example from "example-stack-reference";
import { basic, createApiKey, esCall, type SetupTarget } from "../../client/fixtures";
import { getPulumiCli, stepOps, TestStack, type CheckpointResource } from "../harness";
import { saidOutsideSdkDebug } from "./leaks";
import { deploymentsOnCluster, freshCluster, startScenarioEmulator } from "./support";

const ELASTIC_PASSWORD = "e2e-stack-reference-password";
const DEPLOYMENT_ID = "sr-search";
/** Packaged: the ML stack declares it (`TrainedModel`) and the fresh cluster downloads it. */
const PACKAGED = ".multilingual-e5-small";
/** Pulumi's marker of an encrypted value in a checkpoint. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function resourceNamed(resources: readonly CheckpointResource[], name: string): CheckpointResource {
  const found = resources.find((r) => r.urn.endsWith(`::${name}`));
  assert.ok(found, `the ML stack holds [${name}]`);
  return found;
}

describe("e2e: connection from another stack's outputs (StackReference), with key rotation", function () {
  this.timeout(600_000);
  let es: EmulatorHandle;
  let admin: SetupTarget;
  let backendDir: string;
  const stacks: TestStack[] = [];

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startScenarioEmulator({
      security: true,
      elasticPassword: ELASTIC_PASSWORD,
      modelDownloadMs: 50,
    });
    admin = { url: es.url, authorization: basic("elastic", ELASTIC_PASSWORD) };
    await freshCluster(es, [], admin);
    backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-e2e-shared-"));
  });

  after(async () => {
    // The ML stack first: it references the platform stack.
    for (const stack of stacks.reverse()) await stack.cleanup().catch(() => undefined);
    await es?.close();
    if (backendDir) fs.rmSync(backendDir, { recursive: true, force: true });
  });

  it("deploys through the platform's outputs, rotates the key in place, and destroys with the new one", async () => {
    const key = () => createApiKey(admin, "ml-stack", ["manage_ml", "monitor", "read_pipeline"]);
    const first = await key();
    const shared = {
      passphrase: crypto.randomBytes(12).toString("hex"),
      env: { PULUMI_BACKEND_URL: `file://${backendDir}` },
    };
    const platform = await TestStack.create({
      ...shared,
      projectName: "platform",
      stackName: "prod",
      program: async () => example.platformProgram(example.platformSettingsFromStackConfig()),
      config: { "platform:endpoint": es.url, "platform:apiKey": { value: first.encoded, secret: true } },
    });
    stacks.push(platform);
    const ml = await TestStack.create({
      ...shared,
      projectName: "ml",
      stackName: "prod",
      // No elasticsearch-ml:* config at all: the connection comes from the platform stack only.
      program: async () =>
        example.mlProgram({
          platformStack: "organization/platform/prod",
          modelId: PACKAGED,
          deploymentId: DEPLOYMENT_ID,
        }),
    });
    stacks.push(ml);
    const said: string[] = [];

    said.push(saidOutsideSdkDebug(await platform.up()));
    const created = await ml.up();
    said.push(saidOutsideSdkDebug(created));
    assert.equal(created.result.outputs.allocationState?.value, "fully_allocated");
    assert.ok(deploymentsOnCluster(es).has(DEPLOYMENT_ID));
    const modelId = created.result.outputs.modelId?.value as string;
    assert.ok(modelId.startsWith(PACKAGED), modelId);
    assert.ok(
      es.admin.state().models.some((m) => m.modelId === modelId),
      "the model was downloaded through the platform's key",
    );
    assert.deepEqual(
      es.admin
        .log()
        .filter((e) => e.status === 401)
        .map((e) => e.path),
      [],
      "every request authenticated with the platform's key",
    );

    // The state: the key encrypted in each resource's inputs and outputs, the endpoint readable.
    const before = resourceNamed(await ml.resources(), "search");
    for (const name of ["search", "model"]) {
      const resource = resourceNamed(await ml.resources(), name);
      const outputsConnection = resource.outputs?.connection as Record<string, unknown>;
      assert.equal(outputsConnection.endpoints, es.url, name);
      assert.ok(
        JSON.stringify(outputsConnection.apiKey).includes(SECRET_SIG),
        `${name}: ${JSON.stringify(outputsConnection)}`,
      );
      assert.ok(JSON.stringify(resource.inputs).includes(SECRET_SIG), name);
    }
    assert.ok(
      !JSON.stringify(await ml.exportStack()).includes(first.encoded),
      "no plaintext key in the state",
    );
    assert.ok(
      JSON.stringify(await ml.exportStack({ showSecrets: true })).includes(first.encoded),
      "canary live",
    );

    // Rotation: a new key, the platform's secret updated, the ML stack up.
    const second = await key();
    await platform.setSecret("platform:apiKey", second.encoded);
    said.push(saidOutsideSdkDebug(await platform.up()));
    const preview = await ml.preview({ diff: true });
    said.push(saidOutsideSdkDebug(preview));
    assert.deepEqual(stepOps(preview.events, { name: "model" }), ["update"], "the model is not replaced");
    // The engine's preview of an update hands a dynamic provider's new inputs back as its outputs, so the
    // model's resolvedModelId is unknown and the deployment that takes it previews as a replacement (the
    // README's "Limits of dynamic resources"); the up below updates both in place.
    assert.deepEqual(stepOps(preview.events, { name: "search" }), [
      "delete-replaced",
      "replace",
      "create-replacement",
    ]);
    assert.match(preview.output, new RegExp(`${DEPLOYMENT_ID}: the connection changes: the credentials`));
    assert.match(
      preview.output,
      new RegExp(`${modelId.replaceAll(".", "\\.")}: the connection changes: the credentials`),
    );
    es.admin.clearLog();
    const rotated = await ml.up();
    said.push(saidOutsideSdkDebug(rotated));
    assert.deepEqual(stepOps(rotated.events, { name: "search" }), ["update"]);
    assert.deepEqual(stepOps(rotated.events, { name: "model" }), ["update"]);
    assert.deepEqual(
      es.admin.log().map((e) => `${e.method} ${e.path} -> ${e.status}`),
      ["GET / -> 200", "GET / -> 200"],
      "a credential change sends one GET / per resource, nothing else",
    );
    const after = resourceNamed(await ml.resources(), "search");
    assert.equal(after.outputs?.clusterUuid, before.outputs?.clusterUuid);
    const exported = JSON.stringify(await ml.exportStack({ showSecrets: true }));
    assert.ok(
      exported.includes(second.encoded) && !exported.includes(first.encoded),
      "the new key is recorded",
    );
    assert.ok(
      !JSON.stringify(await ml.exportStack()).includes(second.encoded),
      "no plaintext key in the state",
    );

    // The old key dies; a plain destroy (recorded outputs, no program) works with the new one.
    await esCall(admin, "DELETE", "/_security/api_key", { ids: [first.id] });
    es.admin.clearLog();
    said.push(saidOutsideSdkDebug(await ml.destroy()));
    assert.deepEqual([...deploymentsOnCluster(es).keys()], []);
    assert.ok(
      !es.admin.state().models.some((m) => m.modelId === modelId),
      "the model was deleted (after the deployment stopped) with the new key",
    );
    assert.deepEqual(
      es.admin
        .log()
        .filter((e) => e.status >= 400)
        .map((e) => `${e.method} ${e.path} -> ${e.status}`),
      [],
    );

    for (const [i, text] of said.entries()) {
      for (const trace of [first.encoded, first.api_key, second.encoded, second.api_key]) {
        const at = text.indexOf(trace);
        assert.ok(at < 0, `operation ${i} holds a key: …${text.slice(Math.max(0, at - 200), at)}`);
      }
    }
  });
});
