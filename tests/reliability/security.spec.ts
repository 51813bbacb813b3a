/**
 * Security through the real engine, against the emulator with security on (and, for TLS, serving HTTPS
 * with a self-signed certificate):
 * - canaries: a password, an API key and a bearer token set as stack secrets appear nowhere — not in
 *   `stack export`, the serialized provider, the backend's files, any output, error or engine event of
 *   any operation (failures included, with the request trace on), the emulator's log, or this test's
 *   own output;
 * - privileges: a user without `manage_ml` is told which privilege and which user; wrong credentials fail
 *   at once, without retries; the README's read-only role allows `preview` and `refresh` but no change;
 * - TLS: verification is on by default; `insecure` must be asked for and is reported once.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigValue } from "@pulumi/pulumi/automation";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import {
  basic,
  createApiKey,
  esCall,
  putTinyPytorchModel,
  putUser,
  selfSignedCertificate,
  tempDir,
  type SetupTarget,
} from "../client/fixtures";
import { getPulumiCli, withTestStack, type TestStack } from "../e2e/harness";
import {
  deploymentsInCluster,
  deploymentsInState,
  deploymentsProgram,
  diagnosticTexts,
  errorDiagnostics,
  reportFigures,
  Transcript,
} from "./support";

const NS = "elasticsearch-ml";
const MODEL = "secure-model";
const ELASTIC_PASSWORD = "reliability-elastic-pw";
const secret = (value: string): ConfigValue => ({ value, secret: true });

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Captures what this process writes to stdout and stderr (the test output) while a body runs. */
async function capturingOwnOutput<T>(body: () => Promise<T>): Promise<{ result: T; written: string }> {
  let written = "";
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      written += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
      return (original as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    };
  process.stdout.write = tap(originals.out) as typeof process.stdout.write;
  process.stderr.write = tap(originals.err) as typeof process.stderr.write;
  try {
    return { result: await body(), written };
  } finally {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  }
}

describe("reliability: security through the real engine", function () {
  this.timeout(10 * 60_000);

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
  });

  describe("with security on", () => {
    let es: EmulatorHandle;
    let admin: SetupTarget;

    before(async () => {
      es = await startEmulator({
        security: true,
        elasticPassword: ELASTIC_PASSWORD,
        startDelayMs: 5,
        stopDelayMs: 1,
      });
      admin = { url: es.url, authorization: basic("elastic", ELASTIC_PASSWORD) };
      await putTinyPytorchModel(admin, MODEL);
      await esCall(admin, "PUT", "/_security/role/pulumi-ml", {
        cluster: ["manage_ml", "monitor", "read_pipeline"],
      });
      // The README's read-only role: enough for preview and refresh.
      await esCall(admin, "PUT", "/_security/role/pulumi-ml-read", {
        cluster: ["monitor_ml", "monitor", "read_pipeline"],
      });
    });

    after(async () => {
      await es?.close();
    });

    it("canaries (password, API key, bearer token) never appear in state, files, output, events, errors or logs", async () => {
      const password = `canary-password-${crypto.randomBytes(8).toString("hex")}`;
      const token = `canary-token-${crypto.randomBytes(8).toString("hex")}`;
      await putUser(admin, "ops", password, ["pulumi-ml"]);
      const key = await createApiKey(admin, "pulumi-canary", ["manage_ml", "monitor", "read_pipeline"]);
      // The set-up requests themselves carry the password (PUT _security/user): only what the provider
      // sends is scanned.
      es.admin.clearLog();
      // Every form a credential could leak in.
      const canaries: Record<string, string> = {
        password,
        "password as basic auth": Buffer.from(`ops:${password}`).toString("base64"),
        "API key (encoded)": key.encoded,
        "API key (secret half)": key.api_key,
        "bearer token": token,
      };

      const config = {
        [`${NS}:endpoints`]: es.url,
        [`${NS}:apiKey`]: secret(key.encoded),
        [`${NS}:connections`]: secret(
          JSON.stringify({
            ops: { endpoints: es.url, username: "ops", password },
            sso: { endpoints: es.url, bearerToken: token },
          }),
        ),
      };
      const base = {
        "with-key": { modelId: MODEL, deploymentId: "with-key" },
        "with-password": { modelId: MODEL, deploymentId: "with-password", connection: "ops" },
      };
      const transcript = new Transcript();
      const scanned: { where: string; text: string }[] = [];

      const { written } = await capturingOwnOutput(async () => {
        await withTestStack(
          { program: deploymentsProgram(base), config, env: { ELASTICSEARCH_ML_TRACE: "1" } },
          async (stack) => {
            await transcript.ok("up", () => stack.up());
            await transcript.ok("preview", () => stack.preview({ diff: true }));
            await transcript.ok("refresh", () => stack.refresh());
            stack.setProgram(
              deploymentsProgram({
                ...base,
                "with-password": { ...base["with-password"], numberOfAllocations: 2 },
              }),
            );
            await transcript.ok("up (scale with the password)", () => stack.up());

            // Failures: the bearer token is refused (the emulator issues none), and a stop fails with 500.
            stack.setProgram(
              deploymentsProgram({
                ...base,
                "with-token": { modelId: MODEL, deploymentId: "with-token", connection: "sso" },
              }),
            );
            const refused = await transcript.fails("up (bearer token refused)", () => stack.up());
            assert.match(errorDiagnostics(refused.events).join("\n"), /with-token/);
            const fault = es.admin.addFault({ method: "POST", path: "/_stop$", status: 500, times: 100 });
            await transcript.fails("destroy (stop fails)", () => stack.destroy({ continueOnError: true }));
            es.admin.removeFault(fault.id);

            scanned.push({ where: "stack export", text: JSON.stringify(await stack.exportStack()) });
            // Control: the secrets are really in the stack, encrypted (so the scans can find a leak).
            const revealed = JSON.stringify(await stack.exportStack({ showSecrets: true }));
            assert.ok(
              revealed.includes(key.encoded) && revealed.includes(password) && revealed.includes(token),
            );
            for (const dir of [stack.tempDir, stack.workDir]) {
              for (const file of filesUnder(dir)) {
                scanned.push({ where: path.relative(dir, file), text: fs.readFileSync(file, "latin1") });
              }
            }
            await transcript.ok("destroy", () => stack.destroy());
          },
        );
      });
      scanned.push({ where: "operations", text: transcript.text() });
      scanned.push({ where: "emulator log", text: JSON.stringify(es.admin.log()) });
      scanned.push({ where: "this test's own output", text: written });

      const hits: string[] = [];
      for (const { where, text } of scanned) {
        for (const [name, value] of Object.entries(canaries))
          if (text.includes(value)) hits.push(`${name} in ${where}`);
      }
      const provider = JSON.stringify(scanned.find((s) => s.where === "stack export")?.text ?? "");
      assert.match(provider, /__provider/, "the serialized provider was among what was scanned");
      reportFigures("secrets canary", {
        canaries: Object.keys(canaries).length,
        operations: transcript.records.map((r) => `${r.operation}${r.ok ? "" : " (failed)"}`),
        placesScanned: scanned.length,
        bytesScanned: scanned.reduce((n, s) => n + s.text.length, 0),
        canaryHits: hits.length,
      });
      assert.deepEqual(hits, []);
    });

    it("a user without manage_ml is told the privilege and the user; the read-only role allows preview and refresh, not changes", async () => {
      const readerPassword = crypto.randomBytes(12).toString("hex");
      await putUser(admin, "reader", readerPassword, ["pulumi-ml-read"]);
      const key = await createApiKey(admin, "pulumi-deployer", ["manage_ml", "monitor", "read_pipeline"]);
      const declared = (allocations: number) =>
        deploymentsProgram({
          guarded: { modelId: MODEL, deploymentId: "guarded", numberOfAllocations: allocations },
        });
      const asReader = async (stack: TestStack): Promise<void> => {
        await stack.removeConfig(`${NS}:apiKey`);
        await stack.setConfig(`${NS}:username`, "reader");
        await stack.setSecret(`${NS}:password`, readerPassword);
      };
      const asDeployer = async (stack: TestStack): Promise<void> => {
        await stack.removeConfig(`${NS}:username`);
        await stack.removeConfig(`${NS}:password`);
        await stack.setSecret(`${NS}:apiKey`, key.encoded);
      };
      const transcript = new Transcript();

      await withTestStack(
        {
          program: declared(1),
          config: { [`${NS}:endpoints`]: es.url, [`${NS}:apiKey`]: secret(key.encoded) },
        },
        async (stack) => {
          // A reader cannot create: told which privilege and which user.
          await asReader(stack);
          const denied = await transcript.fails("up as reader", () => stack.up());
          const deniedText = errorDiagnostics(denied.events).join("\n");
          assert.match(deniedText, /manage_ml/);
          assert.match(deniedText, /\breader\b/);
          assert.equal(deploymentsInCluster(es).has("guarded"), false);

          // The deployer creates it.
          await asDeployer(stack);
          await transcript.ok("up as deployer", () => stack.up());
          try {
            // The reader previews (refreshing first) and refreshes with its own credentials…
            await asReader(stack);
            es.admin.clearLog();
            await transcript.ok("preview --refresh as reader", () => stack.preview({ refresh: true }));
            await transcript.ok("refresh --run-program as reader", () => stack.refresh({ runProgram: true }));
            const readerRequests = es.admin.log().filter((e) => e.user === "reader");
            assert.ok(readerRequests.length > 0, "the reads were made as the reader");
            assert.deepEqual(
              readerRequests
                .filter((e) => e.status === 401 || e.status === 403)
                .map((e) => `${e.method} ${e.path} ${e.status}`),
              [],
              "no read was refused",
            );

            // …but cannot change anything.
            stack.setProgram(declared(2));
            es.admin.clearLog();
            const scale = await transcript.fails("up (scale) as reader", () => stack.up());
            const scaleText = errorDiagnostics(scale.events).join("\n");
            assert.match(scaleText, /manage_ml/);
            assert.match(scaleText, /\breader\b/);
            assert.deepEqual(
              es.admin.log().filter((e) => e.applied && /_(update|start|stop)$/.test(e.path)),
              [],
              "no change was applied",
            );
            assert.equal(
              es.admin.state().deployments.find((d) => d.deploymentId === "guarded")?.numberOfAllocations,
              1,
            );
            reportFigures("privileges", {
              withoutManageMl: deniedText
                .split("\n")
                .find((l) => /manage_ml/.test(l))
                ?.replace(/^urn:[^ ]*::/, ""),
              readOnlyRole:
                "preview --refresh and refresh allowed; scaling refused with 403, nothing applied",
            });
          } finally {
            // Teardown as the deployer (a plain destroy would use the reader's config, stored by refresh).
            stack.setProgram(declared(1));
            await asDeployer(stack);
            await transcript.ok("destroy --run-program as deployer", () =>
              stack.destroy({ runProgram: true }),
            );
          }
        },
      );
    });

    it("wrong credentials fail at once, without retries", async () => {
      const program = deploymentsProgram(
        Object.fromEntries(
          ["wrong-a", "wrong-b", "wrong-c"].map((id) => [id, { modelId: MODEL, deploymentId: id }]),
        ),
      );
      const config = {
        [`${NS}:endpoints`]: es.url,
        [`${NS}:username`]: "elastic",
        [`${NS}:password`]: secret("not-the-password"),
      };
      const transcript = new Transcript();
      await withTestStack({ program, config, env: { ELASTICSEARCH_ML_TRACE: "1" } }, async (stack) => {
        es.admin.clearLog();
        const failed = await transcript.fails("up with a wrong password", () => stack.up());
        const retries = transcript.providerLines(/elasticsearch-ml: retrying /).length;
        assert.equal(retries, 0, "no request was retried");
        const log = es.admin.log();
        const text = errorDiagnostics(failed.events).join("\n");
        assert.match(text, /401/);
        assert.match(text, /\belastic\b/, "names the user");
        assert.ok(!transcript.text().includes("not-the-password"));
        assert.ok(
          log.length > 0 && log.every((e) => e.status === 401),
          JSON.stringify(log.map((e) => e.status)),
        );
        // One refused request per resource at most: a 401 is an answer, not a glitch.
        assert.ok(log.length <= 3, `${log.length} requests`);
        assert.equal((await deploymentsInState(stack)).size, 0);
        reportFigures("wrong credentials", { resources: 3, requestsSent: log.length, retries });
      });
    });
  });

  describe("TLS", () => {
    let es: EmulatorHandle;
    let certDir: ReturnType<typeof tempDir>;
    let cert: { cert: string; key: string };

    before(async () => {
      certDir = tempDir("reliability-tls-");
      cert = selfSignedCertificate("reliability-emulator");
      es = await startEmulator({
        tlsCert: certDir.write("cert.pem", cert.cert),
        tlsKey: certDir.write("key.pem", cert.key),
        startDelayMs: 5,
        stopDelayMs: 1,
      });
      await putTinyPytorchModel(
        { url: es.url, dispatcher: new (await import("undici")).Agent({ connect: { ca: cert.cert } }) },
        MODEL,
      );
    });

    after(async () => {
      await es?.close();
      certDir?.cleanup();
    });

    it("verification is on by default; insecure must be asked for and is warned about once; a CA works without warning", async () => {
      const program = deploymentsProgram({
        "tls-a": { modelId: MODEL, deploymentId: "tls-a" },
        "tls-b": { modelId: MODEL, deploymentId: "tls-b" },
      });
      const warning = /TLS certificate verification is OFF \(insecure: true\)/;
      const transcript = new Transcript();
      await withTestStack({ program, config: { [`${NS}:endpoints`]: es.url } }, async (stack) => {
        es.admin.clearLog();
        const refused = await transcript.fails("up without a CA", () => stack.up());
        const text = errorDiagnostics(refused.events).join("\n");
        assert.match(text, /certificate/i);
        assert.match(text, /self-signed|self signed|SELF_SIGNED/i);
        assert.deepEqual(es.admin.log(), [], "no request got past the handshake");
        assert.equal(deploymentsInCluster(es).size, 0);

        await stack.setConfig(`${NS}:insecure`, "true");
        const insecure = await transcript.ok("up with insecure", () => stack.up());
        const warnings = diagnosticTexts(insecure.events).filter((m) => warning.test(m));
        assert.equal(warnings.length, 1, `warned ${warnings.length} times for two resources`);
        assert.equal(deploymentsInCluster(es).size, 2);

        await stack.removeConfig(`${NS}:insecure`);
        await stack.setConfig(`${NS}:caData`, cert.cert);
        await transcript.ok("up (config only)", () => stack.up());
        const refresh = await transcript.ok("refresh with the CA", () => stack.refresh());
        assert.equal(diagnosticTexts(refresh.events).filter((m) => warning.test(m)).length, 0);
        assert.equal(errorDiagnostics(refresh.events).length, 0);
        reportFigures("tls", {
          withoutCa: text
            .split("\n")[0]
            ?.replace(/^urn:[^ ]*::/, "")
            .slice(0, 200),
          insecureWarnings: warnings.length,
          withCaData: "refresh succeeded, no warning",
        });
      });
    });
  });
});
