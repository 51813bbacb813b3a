/**
 * The secrets canary through the `connection` argument (issue 15 item 5): an API key, a header value and a
 * password passed as PLAIN strings in a resource's `connection` settings (no stack config at all), through
 * create, a preview and an up that rotate the key, refresh, a preview refused by check, a failing up and
 * destroy, with the request trace on. Not one of them may appear in: `stack export`, the serialized
 * provider, the backend's and the project's files, any operation's events and output (except the Pulumi
 * SDK's own debug lines about RPC responses, see `leaks.ts`), any error, or the emulator's log.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { basic, createApiKey, type SetupTarget } from "../../client/fixtures";
import { expectOperationFailure, getPulumiCli, withTestStack, type CheckpointResource } from "../harness";
import { saidOutsideSdkDebug } from "./leaks";
import { MODEL } from "./programs";
import { deploymentsOnCluster, freshCluster, startScenarioEmulator } from "./support";

const ELASTIC_PASSWORD = "e2e-connection-canary-elastic";
const HEADER_CANARY = "hdr-canary-5f1c2a9e77";
const PASSWORD_CANARY = "pw-canary-0b7d4e1c33";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("e2e: credentials in the connection argument leave no trace (secrets canary)", function () {
  this.timeout(600_000);
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

  it("plain-string credentials are stored as secrets and said nowhere", async () => {
    const first = await createApiKey(admin, "canary-1", ["manage_ml", "monitor", "read_pipeline"]);
    const second = await createApiKey(admin, "canary-2", ["manage_ml", "monitor", "read_pipeline"]);
    const traces = [
      first.encoded,
      first.api_key,
      second.encoded,
      second.api_key,
      HEADER_CANARY,
      PASSWORD_CANARY,
    ];
    const connection = (apiKey: string) => ({
      endpoints: es.url,
      apiKey,
      headers: { "X-Canary": HEADER_CANARY },
    });
    const program =
      (settings: Record<string, unknown>, modelId = MODEL): PulumiFn =>
      async () => {
        const d = new TrainedModelDeployment("canary", {
          modelId,
          deploymentId: "canary",
          connection: settings,
        });
        return { connection: d.connection, state: d.deploymentState };
      };
    const said: { operation: string; text: string }[] = [];
    const record = (operation: string, result: Parameters<typeof saidOutsideSdkDebug>[0]) =>
      said.push({ operation, text: saidOutsideSdkDebug(result) });

    await withTestStack(
      { program: program(connection(first.encoded)), env: { ELASTICSEARCH_ML_TRACE: "1" } },
      async (stack) => {
        const created = await stack.up();
        record("up", created);
        assert.ok(deploymentsOnCluster(es).has("canary"));
        assert.equal(
          created.result.outputs.connection?.secret,
          true,
          "the output holding credentials is secret",
        );

        stack.setProgram(program(connection(second.encoded)));
        const preview = await stack.preview({ diff: true });
        record("preview (rotation)", preview);
        record("up (rotation)", await stack.up());
        record("refresh", await stack.refresh());

        // Refused by check, naming the argument path; the password is not quoted.
        stack.setProgram(
          program({ ...connection(second.encoded), username: "someone", password: PASSWORD_CANARY }),
        );
        const refused = await expectOperationFailure(stack.preview());
        record("preview (refused)", refused);
        record("preview (refused, error)", { events: [], output: refused.message });
        assert.match(refused.output, /connection\.(apiKey|username|password)/);

        stack.setProgram(program(connection(second.encoded), "no-such-model"));
        const failed = await expectOperationFailure(stack.up());
        record("up (failing)", failed);
        record("up (failing, error)", { events: [], output: failed.message });
        assert.match(failed.output, /no-such-model/);

        const plain = await stack.exportStack();
        const decrypted = await stack.exportStack({ showSecrets: true });
        const decryptedText = JSON.stringify(decrypted);
        assert.ok(
          decryptedText.includes(second.encoded) && decryptedText.includes(HEADER_CANARY),
          "canary live",
        );
        said.push({ operation: "stack export", text: JSON.stringify(plain) });
        const resource = (plain.resources ?? []).find((r: CheckpointResource) => r.urn.endsWith("::canary"));
        assert.ok(resource);
        const recorded = resource.outputs?.connection as Record<string, unknown>;
        assert.equal(recorded.endpoints, es.url);
        for (const key of ["apiKey", "headers"]) {
          assert.ok(JSON.stringify(recorded[key]).includes(SECRET_SIG), `${key} is a secret in the outputs`);
        }
        // The serialized provider captures nothing (decrypted export: secrets shown, the provider text not).
        for (const r of decrypted.resources ?? []) {
          const provider = (r.outputs as Record<string, unknown> | undefined)?.__provider;
          if (provider !== undefined) said.push({ operation: "__provider", text: String(provider) });
        }

        stack.setProgram(program(connection(second.encoded)));
        record("destroy", await stack.destroy());
        assert.deepEqual([...deploymentsOnCluster(es).keys()], []);

        said.push({ operation: "emulator log", text: JSON.stringify(es.admin.log()) });
        for (const file of [...filesUnder(stack.tempDir), ...filesUnder(stack.workDir)]) {
          said.push({ operation: file, text: fs.readFileSync(file, "utf8") });
        }
        assert.ok(
          said.every((s) => !/stored in plaintext/.test(s.text)),
          "no plaintext warning: they are secrets",
        );
        assert.ok(
          said.some((s) => s.text.includes(es.url)),
          "the trace and outputs are in what was scanned",
        );
        const hits = said.flatMap(({ operation, text }) =>
          traces.filter((t) => text.includes(t)).map((t) => `${operation}: ${traces.indexOf(t)}`),
        );
        assert.deepEqual(hits, []);
      },
    );
  });
});
