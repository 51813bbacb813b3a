/**
 * The serialized provider (`__provider`, stored in every resource's state): small, free of secrets and
 * state, and pointing only at the package's stable entry point — so state written by one build of the
 * package is handled by another build whose internal files moved.
 */
import * as assert from "node:assert/strict";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import * as entry from "pulumi-elasticsearch-ml/provider";
import * as modelEntry from "pulumi-elasticsearch-ml/provider/trained-model";
import { deploymentProvider } from "#sdk/resource";
import { modelProvider } from "#sdk/trainedModel";
import { endpointProvider } from "#sdk/inferenceEndpoint";
import { capturedAsRequire } from "#sdk/serializedProvider";
import * as endpointEntry from "pulumi-elasticsearch-ml/provider/inference-endpoint";
import { putTinyPytorchModel } from "../client/fixtures";

// `require-from-string` is what the dynamic-provider host uses to load `__provider`; it has no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString = require("require-from-string") as (
  code: string,
  filename?: string,
) => { handler(): Provider };

type Provider = {
  configure(req: { config: { get(key: string): string | undefined } }): Promise<void>;
  check(olds: unknown, news: unknown): Promise<{ inputs: Record<string, unknown>; failures: unknown[] }>;
  create(inputs: Record<string, unknown>): Promise<{ id: string; outs: Record<string, unknown> }>;
  read(id: string, props: Record<string, unknown>): Promise<{ id: string; props: Record<string, unknown> }>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
};

const CANARY_KEY = "CANARY-serialized-apikey-4b7e";
const CANARY_PASSWORD = "CANARY-serialized-pw-0a9d";

async function serialize(): Promise<{ text: string; containsSecrets: boolean }> {
  return pulumi.runtime.serializeFunction(() => deploymentProvider, { allowSecrets: true });
}

/** The `TrainedModel`'s serialized provider (its own stable entry). */
async function serializeModel(): Promise<{ text: string; containsSecrets: boolean }> {
  return pulumi.runtime.serializeFunction(() => modelProvider, { allowSecrets: true });
}

const MODEL_ENTRY = "pulumi-elasticsearch-ml/provider/trained-model";

/** Captures what is written to stdout and stderr until `restore()`. */
function captureOutput(): { restore(): { stdout: string; stderr: string } } {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) =>
    out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) =>
    err.push(String(chunk)) > 0) as typeof process.stderr.write;
  let restored = false;
  const restore = () => {
    if (!restored) {
      process.stdout.write = writeOut;
      process.stderr.write = writeErr;
      restored = true;
    }
    return { stdout: out.join(""), stderr: err.join("") };
  };
  return { restore };
}

const configOf = (values: Record<string, string>) => ({ config: { get: (key: string) => values[key] } });

describe("the serialized provider", function () {
  it("is small, marks no secret, and calls only the stable entry point", async () => {
    const { text, containsSecrets } = await serialize();
    assert.equal(containsSecrets, false);
    assert.ok(text.length < 4096, `${text.length} bytes`);
    assert.ok(text.length < 2500, `kept near its measured ~2 KB: ${text.length} bytes`);
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      assert.ok(text.includes(`require("pulumi-elasticsearch-ml/provider").${method}(...args)`), method);
    }
    assert.doesNotMatch(text, /dist\/|undici|ElasticsearchClient|process\.env/);
  });

  it("captures no configuration, credential or environment, even after configure ran", async () => {
    const previous = { ...process.env };
    process.env.ELASTICSEARCH_API_KEY = CANARY_KEY;
    process.env.ELASTICSEARCH_PASSWORD = CANARY_PASSWORD;
    try {
      await entry.configure(
        configOf({
          "elasticsearch-ml:endpoints": "http://127.0.0.1:9",
          "elasticsearch-ml:apiKey": CANARY_KEY,
        }),
      );
      const { text, containsSecrets } = await serialize();
      assert.equal(containsSecrets, false);
      assert.ok(!text.includes(CANARY_KEY) && !text.includes(CANARY_PASSWORD));
      assert.ok(!text.includes("127.0.0.1"), "not even the endpoint");
    } finally {
      process.env = previous;
      await entry.closeConnections();
    }
  });

  it("evaluated as the host does, delegates to the entry point", async () => {
    const { text } = await serialize();
    const provider = requireFromString(text, join(__dirname, "program.js")).handler();
    const { inputs, failures } = await provider.check({}, { modelId: "tiny", threadsPerAllocation: 3 });
    assert.equal(inputs.deploymentId, "tiny");
    assert.deepEqual(failures, [
      {
        property: "threadsPerAllocation",
        reason:
          "threadsPerAllocation: 3 is not allowed; must be a power of 2 from 1 to 32 (1, 2, 4, 8, 16, 32)",
      },
    ]);
  });
});

describe("the serialized InferenceEndpoint provider", function () {
  const ENDPOINT_ENTRY = "pulumi-elasticsearch-ml/provider/inference-endpoint";
  it("is small, marks no secret, and calls only its own stable entry point", async () => {
    const { text, containsSecrets } = await pulumi.runtime.serializeFunction(() => endpointProvider, {
      allowSecrets: true,
    });
    assert.equal(containsSecrets, false);
    assert.ok(text.length < 3072, `kept near the deployment's ~2 KB: ${text.length} bytes`);
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      assert.ok(text.includes(`require("${ENDPOINT_ENTRY}").${method}(...args)`), method);
    }
    assert.doesNotMatch(
      text,
      /dist\/|undici|ElasticsearchClient|process\.env|require\("pulumi-elasticsearch-ml\/provider"\)|trained-model/,
    );
  });
});

describe("the serialized TrainedModel provider", function () {
  it("is small, marks no secret, and calls only its own stable entry point", async () => {
    const { text, containsSecrets } = await serializeModel();
    assert.equal(containsSecrets, false);
    assert.ok(text.length < 3072, `kept near the deployment's ~2 KB: ${text.length} bytes`);
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      assert.ok(text.includes(`require("${MODEL_ENTRY}").${method}(...args)`), method);
    }
    assert.doesNotMatch(
      text,
      /dist\/|undici|ElasticsearchClient|process\.env|require\("pulumi-elasticsearch-ml\/provider"\)/,
    );
  });

  it("evaluated as the host does, delegates to the entry point", async () => {
    const { text } = await serializeModel();
    const provider = requireFromString(text, join(__dirname, "program.js")).handler();
    const { inputs, failures } = await provider.check({}, { modelId: ".elser_model_2", platform: "arm" });
    assert.equal(inputs.waitTimeoutSeconds, 1200);
    assert.deepEqual(failures, [
      {
        property: "platform",
        reason: 'platform: "arm" is not allowed; must be one of "auto", "portable", "linux-x86_64"',
      },
    ]);
  });
});

describe("state written by one build is handled by another build (two builds)", function () {
  let es: EmulatorHandle;
  let dir: string;
  let output: ReturnType<typeof captureOutput> | undefined;

  const sdkDir = dirname(require.resolve("pulumi-elasticsearch-ml/package.json"));
  const undiciDir = dirname(require.resolve("undici/package.json"));

  /** A copy of the package in `<root>/node_modules/pulumi-elasticsearch-ml`, as an install would lay it out. */
  function install(root: string): string {
    const pkg = join(root, "node_modules", "pulumi-elasticsearch-ml");
    mkdirSync(pkg, { recursive: true });
    cpSync(join(sdkDir, "dist"), join(pkg, "dist"), { recursive: true });
    cpSync(join(sdkDir, "package.json"), join(pkg, "package.json"));
    symlinkSync(undiciDir, join(root, "node_modules", "undici"), "dir");
    return pkg;
  }

  beforeEach(async () => {
    es = await startEmulator({ startDelayMs: 1, stopDelayMs: 1 });
    await putTinyPytorchModel(es, "tiny");
    dir = mkdtempSync(join(tmpdir(), "two-builds-"));
  });
  afterEach(async () => {
    output?.restore();
    output = undefined;
    await entry.closeConnections();
    await modelEntry.closeConnections();
    // Build B's copy of the entry keeps its own clients: close them through its own module.
    for (const [path, mod] of Object.entries(require.cache)) {
      if (
        path.startsWith(dir) &&
        path.endsWith("index.js") &&
        typeof mod?.exports?.closeConnections === "function"
      ) {
        await mod.exports.closeConnections();
      }
    }
    await es?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("build B, whose provider files moved, deletes a deployment created from build A's serialized text", async () => {
    // Build A: the package as built here. Its serialized text is what state holds.
    const { text } = await serialize();

    // Build B: same package, but its provider implementation lives elsewhere; only the ./provider export is kept.
    const rootB = join(dir, "b");
    const pkgB = install(rootB);
    renameSync(join(pkgB, "dist", "provider"), join(pkgB, "dist", "engine"));
    const manifest = JSON.parse(readFileSync(join(pkgB, "package.json"), "utf8"));
    manifest.version = "99.0.0";
    manifest.exports["./provider"] = { types: "./dist/engine/index.d.ts", default: "./dist/engine/index.js" };
    writeFileSync(join(pkgB, "package.json"), JSON.stringify(manifest, null, 2));

    const config = configOf({ "elasticsearch-ml:endpoints": es.url });
    output = captureOutput();

    // `up` with build A: the state records the outputs (and the text, as `__provider`).
    const providerA = requireFromString(text, join(__dirname, "program.js")).handler();
    await providerA.configure(config);
    const { inputs } = await providerA.check({}, { modelId: "tiny", deploymentId: "two-builds" });
    const created = await providerA.create({ ...inputs, __provider: text });
    assert.equal(es.admin.state().deployments.length, 1);

    // Later, with build B installed in the project: the same text from state is loaded there.
    const providerB = requireFromString(text, join(rootB, "program.js")).handler();
    await providerB.configure(config);
    const refreshed = await providerB.read(created.id, created.outs);
    assert.equal(refreshed.props.allocationState, "fully_allocated");
    await providerB.delete(created.id, { ...refreshed.props, __provider: text });
    assert.deepEqual(es.admin.state().deployments, [], "build B stopped it");
    const loadedFromB = Object.keys(require.cache).filter((p) => p.startsWith(join(pkgB, "dist", "engine")));
    assert.ok(loadedFromB.length > 0, "the entry point resolved to build B's moved files");

    // Progress goes to the provider process's stdout/stderr, which the engine streams to the user.
    const { stdout, stderr } = output.restore();
    assert.match(stdout, /^elasticsearch-ml: two-builds: starting model \[tiny\]$/m);
    assert.match(stdout, /^elasticsearch-ml: two-builds: stopping with no flags/m);
    assert.doesNotMatch(stderr, /error/i);

    // State per deployment beyond the user's own inputs: the serialized provider plus the facts.
    const userInputs = JSON.stringify({ modelId: "tiny", deploymentId: "two-builds" }).length;
    const state = JSON.stringify({ ...created.outs, __provider: text }).length;
    assert.ok(state - userInputs < 4096, `${state - userInputs} bytes beyond the user's inputs`);
  });

  it("build B, whose provider files moved, deletes a model downloaded from build A's serialized text", async () => {
    const { text } = await serializeModel();
    const rootB = join(dir, "b");
    const pkgB = install(rootB);
    renameSync(join(pkgB, "dist", "provider"), join(pkgB, "dist", "engine"));
    const manifest = JSON.parse(readFileSync(join(pkgB, "package.json"), "utf8"));
    manifest.exports["./provider/trained-model"] = {
      types: "./dist/engine/model/index.d.ts",
      default: "./dist/engine/model/index.js",
    };
    writeFileSync(join(pkgB, "package.json"), JSON.stringify(manifest, null, 2));
    const config = configOf({ "elasticsearch-ml:endpoints": es.url });
    output = captureOutput();

    const providerA = requireFromString(text, join(__dirname, "program.js")).handler();
    await providerA.configure(config);
    const { inputs } = await providerA.check({}, { modelId: ".elser_model_2" });
    const created = await providerA.create({ ...inputs, __provider: text });
    assert.equal(created.outs.fullyDefined, true);

    const providerB = requireFromString(text, join(rootB, "program.js")).handler();
    await providerB.configure(config);
    const refreshed = await providerB.read(created.id, created.outs);
    assert.equal(refreshed.props.fullyDefined, true);
    await providerB.delete(created.id, { ...refreshed.props, __provider: text });
    assert.equal(
      es.admin.state().models.some((m) => m.modelId === ".elser_model_2"),
      false,
      "build B deleted it",
    );
    assert.ok(
      Object.keys(require.cache).some((p) => p.startsWith(join(pkgB, "dist", "engine", "model"))),
      "the entry point resolved to build B's moved files",
    );
    const { stdout } = output.restore();
    assert.match(stdout, /^elasticsearch-ml: \.elser_model_2: downloading from Elastic's model repository$/m);
    assert.match(stdout, /^elasticsearch-ml: \.elser_model_2: deleted$/m);
  });

  // No `dist/...` path is exported (only ".", "./provider", "./report", "./cli"), so such text
  // is refused by the exports map before the moved file matters; either way state naming a file breaks.
  it("control: text that named an internal file (as a by-path capture would) breaks in build B", async () => {
    const rootB = join(dir, "b");
    const pkgB = install(rootB);
    renameSync(join(pkgB, "dist", "provider"), join(pkgB, "dist", "engine"));
    const { text } = await serialize();
    const pinned = text
      .split('require("pulumi-elasticsearch-ml/provider")')
      .join('require("pulumi-elasticsearch-ml/dist/provider/index")');
    const provider = requireFromString(pinned, join(rootB, "program.js")).handler();
    await assert.rejects(
      async () => provider.check({}, { modelId: "tiny" }),
      /ERR_PACKAGE_PATH_NOT_EXPORTED|Cannot find module|MODULE_NOT_FOUND/,
    );
  });
});

describe("serialization: the two forms of the provider in state (serializedProvider.ts)", () => {
  const METHODS = ["check", "configure", "create", "delete", "diff", "read", "update"];

  it("in this workspace (the package is a link to sdk/) the forwarders are used: Pulumi would copy the module", () => {
    for (const name of [
      "pulumi-elasticsearch-ml/provider",
      "pulumi-elasticsearch-ml/provider/trained-model",
      "pulumi-elasticsearch-ml/provider/inference-endpoint",
    ]) {
      assert.equal(capturedAsRequire(name), false, name);
    }
  });

  it("each stable entry answers every method its forwarders call, so either form serves the host", () => {
    const pairs: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [entry, deploymentProvider as unknown as Record<string, unknown>],
      [modelEntry, modelProvider as unknown as Record<string, unknown>],
      [endpointEntry, endpointProvider as unknown as Record<string, unknown>],
    ];
    for (const [module, forwarders] of pairs) {
      assert.deepEqual(Object.keys(forwarders).sort(), METHODS);
      for (const method of METHODS) assert.equal(typeof module[method], "function", method);
    }
  });
});
