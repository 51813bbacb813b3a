/**
 * End to end: an API key set as a secret in stack config (emulator with security on; the key made by
 * `elastic` through `POST /_security/api_key`, limited to the README's minimal role). Across create,
 * preview, scale, refresh, a failing up and destroy — with the request trace on — no engine event, no
 * CLI output, no `stack export` and no file of the backend or the project holds the key.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { basic, createApiKey, type SetupTarget } from "../../client/fixtures";
import { expectOperationFailure, getPulumiCli, withTestStack } from "../harness";
import { MODEL, quickstartProgram } from "./programs";
import {
  deploymentsOnCluster,
  everythingSaid,
  freshCluster,
  stackOn,
  startScenarioEmulator,
} from "./support";

const ELASTIC_PASSWORD = "e2e-elastic-password";

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((entry) => {
    const full = path.join(entry.parentPath, entry.name);
    return entry.isFile() ? [full] : [];
  });
}

describe("e2e: an API key as a secret in stack config leaves no trace, through the real engine", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;
  let admin: SetupTarget;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startScenarioEmulator({ security: true, elasticPassword: ELASTIC_PASSWORD });
    admin = { url: es.url, authorization: basic("elastic", ELASTIC_PASSWORD) };
    await freshCluster(es, [MODEL], admin);
  });

  after(async () => {
    await es?.close();
  });

  it("9. neither stack export nor any message of any operation contains the key", async () => {
    const key = await createApiKey(admin, "pulumi-e2e", ["manage_ml", "monitor", "read_pipeline"]);
    // Every form the key could leak in: what the user set, its secret half, and the decoded pair.
    const traces = [key.encoded, key.api_key, `${key.id}:${key.api_key}`];
    const said: { operation: string; text: string }[] = [];
    const record = (operation: string, result: { events: EngineEvent[]; output: string }) =>
      said.push({ operation, text: everythingSaid(result) });

    const withMissingModel: PulumiFn = async () => {
      const outputs = await quickstartProgram(2)();
      new TrainedModelDeployment("missing", { modelId: "no-such-model" });
      return outputs;
    };
    const options = stackOn(es, quickstartProgram(), {
      config: { "elasticsearch-ml:apiKey": { value: key.encoded, secret: true } },
      // One trace line per request, in the operations' output too: one more place a key could leak.
      env: { ELASTICSEARCH_ML_TRACE: "1" },
    });
    await withTestStack(options, async (stack) => {
      record("up", await stack.up());
      stack.setProgram(quickstartProgram(2));
      record("preview", await stack.preview({ diff: true }));
      record("up (scale)", await stack.up());
      record("refresh", await stack.refresh());
      stack.setProgram(withMissingModel);
      const failed = await expectOperationFailure(stack.up());
      record("up (failing)", failed);
      assert.match(failed.output, /no-such-model/, "the failing up says why");

      const plain = JSON.stringify(await stack.exportStack());
      const decrypted = JSON.stringify(await stack.exportStack({ showSecrets: true }));
      assert.ok(decrypted.includes(key.encoded), "the key is in the stack, encrypted (the canary is live)");
      for (const trace of traces) assert.ok(!plain.includes(trace), "stack export holds no plaintext key");

      stack.setProgram(quickstartProgram(2));
      record("destroy", await stack.destroy());
      assert.deepEqual([...deploymentsOnCluster(es).keys()], []);

      // The operations really authenticated with the key (nothing else was configured) and traced.
      const log = es.admin.log();
      assert.ok(log.length > 0);
      assert.deepEqual(
        log.filter((e) => e.status === 401 || e.user === undefined).map((e) => `${e.method} ${e.path}`),
        [],
      );
      assert.ok(
        said.some((s) => /_stats/.test(s.text) && s.text.includes(es.url)),
        "the request trace is in the output",
      );
      assert.ok(
        said.every((s) => !/stored in plaintext/.test(s.text)),
        "no plaintext warning for a secret",
      );

      for (const { operation, text } of said) {
        for (const trace of traces) assert.ok(!text.includes(trace), `${operation} leaked the key`);
      }
      const files = [...filesUnder(stack.tempDir), ...filesUnder(stack.workDir)];
      assert.ok(files.length > 0);
      for (const file of files) {
        const content = fs.readFileSync(file);
        for (const trace of traces) assert.ok(!content.includes(trace), `${file} holds the key`);
      }
    });
  });
});
