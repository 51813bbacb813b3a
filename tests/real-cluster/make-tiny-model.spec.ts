/**
 * `scripts/real-cluster/make-tiny-model.py` uploads a model the way eland does, checked against the
 * emulator with a TorchScript file given to `--definition` (building one needs PyTorch, which CI does not
 * install). Runs wherever `python3` is; skipped with one line otherwise.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { repoRoot } from "../e2e/harness";

const execFileAsync = promisify(execFile);
const SCRIPT = path.join(repoRoot(), "scripts", "real-cluster", "make-tiny-model.py");
/** Just over one 4 MiB part, so the upload takes two. */
const DEFINITION_BYTES = 4 * 1024 * 1024 + 100;

/** Runs the script; resolves with its exit code and output whatever the outcome. */
async function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("python3", [SCRIPT, ...args], { env });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const { code, stdout = "", stderr = "" } = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === "number" ? code : -1, output: stdout + stderr };
  }
}

/** The environment without any ELASTICSEARCH_* the developer may have set. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith("ELASTICSEARCH_")) env[key] = value;
  return { ...env, ...extra };
}

describe("scripts/real-cluster/make-tiny-model.py: upload as eland does", function () {
  this.timeout(60_000);
  let es: EmulatorHandle;
  let dir: string;
  let definition: string;

  before(async function () {
    try {
      await execFileAsync("python3", ["--version"]);
    } catch {
      console.log("  make-tiny-model.py checks skipped: no python3 on PATH");
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tiny-model-"));
    definition = path.join(dir, "model.pt");
    fs.writeFileSync(definition, Buffer.alloc(DEFINITION_BYTES, 3));
  });

  beforeEach(async () => {
    es = await startEmulator({ security: true, elasticPassword: "s3cret", startDelayMs: 5, stopDelayMs: 1 });
  });

  afterEach(async () => {
    await es?.close();
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const credentials = () =>
    cleanEnv({
      ELASTICSEARCH_ENDPOINTS: es.url,
      ELASTICSEARCH_USERNAME: "elastic",
      ELASTICSEARCH_PASSWORD: "s3cret",
    });

  it("sends the configuration, the definition in parts and the vocabulary; the model is then complete", async () => {
    const run = await runScript(["--definition", definition], credentials());

    assert.equal(run.code, 0, run.output);
    const calls = es.admin.log().map((e) => `${e.method} ${e.path} ${e.status} ${e.user ?? "-"}`);
    assert.deepEqual(calls, [
      "PUT /_ml/trained_models/tiny-text-embedding 200 elastic",
      "PUT /_ml/trained_models/tiny-text-embedding/definition/0 200 elastic",
      "PUT /_ml/trained_models/tiny-text-embedding/definition/1 200 elastic",
      "PUT /_ml/trained_models/tiny-text-embedding/vocabulary 200 elastic",
    ]);
    const [config, part0, part1, vocabulary] = es.admin.log().map((e) => e.body as Record<string, unknown>);
    assert.deepEqual(config?.inference_config, {
      text_embedding: {
        embedding_size: 8,
        tokenization: {
          bert: {
            do_lower_case: true,
            with_special_tokens: true,
            max_sequence_length: 128,
            truncate: "first",
          },
        },
      },
    });
    for (const part of [part0, part1]) {
      assert.equal(part?.total_parts, 2);
      assert.equal(part?.total_definition_length, DEFINITION_BYTES);
    }
    const sent = Buffer.concat([part0, part1].map((p) => Buffer.from(String(p?.definition), "base64")));
    assert.ok(sent.equals(fs.readFileSync(definition)), "the parts put together are the file");
    assert.deepEqual((vocabulary?.vocabulary as string[]).slice(0, 5), [
      "[PAD]",
      "[UNK]",
      "[CLS]",
      "[SEP]",
      "[MASK]",
    ]);
    assert.equal(
      es.admin.state().models.find((m) => m.modelId === "tiny-text-embedding")?.fullyDefined,
      true,
    );
    assert.match(run.output, /tiny-text-embedding is ready to deploy/);
  });

  it("--verify deploys the model once, runs _infer and stops it", async () => {
    const run = await runScript(["--definition", definition, "--verify"], credentials());

    assert.equal(run.code, 0, run.output);
    const calls = es.admin.log().map((e) => `${e.method} ${e.path} ${e.status}`);
    assert.deepEqual(calls.slice(-3), [
      "POST /_ml/trained_models/tiny-text-embedding/deployment/_start 200",
      "POST /_ml/trained_models/tiny-text-embedding-verify/_infer 200",
      "POST /_ml/trained_models/tiny-text-embedding-verify/deployment/_stop 200",
    ]);
    assert.deepEqual(es.admin.state().deployments, []);
    assert.match(run.output, /deployed and embedded a text/);
  });

  it("fails with Elasticsearch's answer on a second upload, and --replace replaces the model", async () => {
    assert.equal((await runScript(["--definition", definition], credentials())).code, 0);

    const again = await runScript(["--definition", definition], credentials());
    assert.notEqual(again.code, 0);
    assert.match(
      again.output,
      /PUT \/_ml\/trained_models\/tiny-text-embedding failed with 400: .*already exists/,
    );

    const replaced = await runScript(["--definition", definition, "--replace"], credentials());
    assert.equal(replaced.code, 0, replaced.output);
    assert.match(replaced.output, /DELETE \/_ml\/trained_models\/tiny-text-embedding\?force=true -> 200/);
  });

  it("names what is missing: the address, or a wrong password", async () => {
    const noAddress = await runScript(["--definition", definition], cleanEnv({}));
    assert.notEqual(noAddress.code, 0);
    assert.match(noAddress.output, /set ELASTICSEARCH_ENDPOINTS or pass --endpoint URL/);

    const wrong = await runScript(
      ["--definition", definition],
      cleanEnv({
        ELASTICSEARCH_ENDPOINTS: es.url,
        ELASTICSEARCH_USERNAME: "elastic",
        ELASTICSEARCH_PASSWORD: "nope",
      }),
    );
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.output, /PUT \/_ml\/trained_models\/tiny-text-embedding failed with 401/);
  });
});
