/**
 * The package as users get it: `npm pack` the sdk, install the tarball (with `@pulumi/pulumi`) into a
 * scratch project outside the workspace, and run `up` and `destroy` of one downloaded model and its deployment from there through
 * the Automation API against the emulator, with the minimal example's compiled program. Measures the
 * state one deployment costs in that setting.
 *
 * The program and the Automation API run in a child process started in the scratch project, not in this
 * test process: here `pulumi-elasticsearch-ml` would load a second `@pulumi/pulumi` (the scratch
 * project's) beside the workspace's, and the program would register its resource with a runtime that is
 * not the one driving the stack. In the child, the program, the Automation API and the dynamic-provider
 * process (which starts in the work dir, the scratch project) all resolve the installed copies, and
 * neither `NODE_PATH` nor the workspace's `node_modules/.bin` is visible: a file missing from the tarball,
 * or a dependency not declared, fails the test.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { EmulatorHandle } from "elasticsearch-ml-emulator";
import { MODEL_TYPE_TOKEN, TYPE_TOKEN } from "pulumi-elasticsearch-ml";
import {
  getPulumiCli,
  repoRoot,
  type CheckpointResource,
  type PulumiCli,
  type StackCheckpoint,
} from "../harness";
import {
  appliedStarts,
  deploymentCalls,
  deploymentOnCluster,
  deploymentsOnCluster,
  describeLog,
  freshCluster,
  routeStates,
  startScenarioEmulator,
} from "../scenarios/support";

const execFileAsync = promisify(execFile);

const PULUMI_VERSION = "3.276.0";
// A packaged model the fresh emulator has not downloaded: the minimal example declares it as a
// TrainedModel, so the installed package's second stable entry (provider/trained-model) is exercised too.
const MODEL = ".multilingual-e5-small";
const MODEL_IN_CLUSTER = ".multilingual-e5-small_linux-x86_64";
const DEPLOYMENT_ID = "packed-e5";

/**
 * The user's side: a CommonJS script that drives the minimal example's program with the Automation API.
 * `node run.js up|destroy` prints one JSON line with what the engine reported.
 */
const RUNNER = String.raw`"use strict";
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const { TrainedModelDeployment } = require("pulumi-elasticsearch-ml");

// The minimal example's program, compiled to CommonJS as the example ships it (copied in as minimal.js).
const { program: minimal } = require("./minimal");
const program = () =>
  minimal({ modelId: process.env.SCRATCH_MODEL, deploymentId: process.env.SCRATCH_DEPLOYMENT_ID, allocations: 1 });

async function main(action) {
  const pulumiCommand = await PulumiCommand.get({ root: process.env.SCRATCH_PULUMI_ROOT });
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: "packed", stackName: "dev", program },
    {
      workDir: __dirname,
      pulumiCommand,
      projectSettings: { name: "packed", runtime: "nodejs", backend: { url: process.env.PULUMI_BACKEND_URL } },
    },
  );
  if (action === "up") {
    await stack.setConfig("elasticsearch-ml:endpoints", { value: process.env.SCRATCH_ENDPOINT });
    const result = await stack.up({ color: "never" });
    return { changes: result.summary.resourceChanges, outputs: result.outputs, stdout: result.stdout };
  }
  if (action === "destroy") {
    const result = await stack.destroy({ color: "never" });
    await stack.workspace.removeStack("dev");
    return { changes: result.summary.resourceChanges, stdout: result.stdout };
  }
  throw new Error("usage: node run.js up|destroy");
}

main(process.argv[2]).then(
  (result) => process.stdout.write(JSON.stringify(result) + "\n"),
  (err) => {
    process.stderr.write(String((err && err.stack) || err) + "\n");
    process.exit(1);
  },
);
`;

/** Bytes of a deployment's checkpoint record, and how much of it is the serialized provider. */
export interface StateSize {
  /** The resource as compact JSON. */
  total: number;
  /** `__provider` in inputs and outputs (both copies, keys included). */
  provider: number;
  /** Everything else: URN, type, declared inputs, outputs read from Elasticsearch. */
  rest: number;
  /** The declared inputs alone (defaults filled, without `__provider`). */
  declaredInputs: number;
  /** The resource as `pulumi stack export` prints it (indented). */
  printed: number;
}

export function stateSize(resource: CheckpointResource): StateSize {
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
  const strip = (props: Record<string, unknown> | undefined) => {
    const copy = { ...props };
    delete copy.__provider;
    return copy;
  };
  const total = bytes(resource);
  const withoutProvider = bytes({
    ...resource,
    inputs: strip(resource.inputs),
    outputs: strip(resource.outputs),
  });
  return {
    total,
    provider: total - withoutProvider,
    rest: withoutProvider,
    declaredInputs: bytes(strip(resource.inputs)),
    printed: Buffer.byteLength(JSON.stringify(resource, null, 4)),
  };
}

describe("e2e: the packed tarball installed in a scratch project outside the workspace", function () {
  this.timeout(300_000);
  let es: EmulatorHandle;
  let cli: PulumiCli;
  let scratch: string;
  let project: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    this.timeout(45 * 60_000);
    cli = await getPulumiCli();
    es = await startScenarioEmulator();
    await freshCluster(es, []);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-es-ml-packed-"));
    project = path.join(scratch, "project");
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(scratch, "state"));
    env = scratchEnv(cli, scratch);
  });

  after(async () => {
    await es?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("npm pack, install with @pulumi/pulumi, then up and destroy a downloaded model and its deployment from the scratch project", async () => {
    assert.ok(
      path.relative(repoRoot(), scratch).startsWith(".."),
      "the scratch project is outside the repository",
    );

    // Pack the sdk as `npm publish` would.
    const { stdout: packed } = await execFileAsync("npm", ["pack", "--json", "--pack-destination", scratch], {
      cwd: path.join(repoRoot(), "sdk"),
      env,
    });
    const [pack] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
    assert.ok(pack, "npm pack described the tarball");
    const files = pack.files.map((f) => f.path);
    // The exact list is pinned by tests/package/packages.spec.ts; here, what this scenario relies on.
    for (const required of [
      "package.json",
      "README.md",
      "LICENSE",
      "bin/pulumi-elasticsearch-ml.js",
      "dist/index.js",
      "dist/provider/index.js",
      "dist/provider/model/index.js",
    ]) {
      assert.ok(files.includes(required), `the tarball holds ${required}`);
    }
    assert.deepEqual(
      files.filter(
        (f) =>
          !/^(dist\/.*\.(js|d\.ts)|bin\/pulumi-elasticsearch-ml\.js|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/.test(
            f,
          ),
      ),
      [],
      "nothing but the built code and the docs is published",
    );

    // Install it the way a user would, with the peer dependency at the workspace's version.
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "packed-scratch", private: true, version: "0.0.0" }, null, 2),
    );
    await execFileAsync(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        path.join(scratch, pack.filename),
        `@pulumi/pulumi@${PULUMI_VERSION}`,
      ],
      { cwd: project, env, maxBuffer: 64 * 1024 * 1024 },
    );
    const installed = path.join(project, "node_modules", "pulumi-elasticsearch-ml");
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), "a real copy, not a link into the workspace");
    assert.equal(
      require.resolve("pulumi-elasticsearch-ml/provider", { paths: [project] }),
      path.join(installed, "dist", "provider", "index.js"),
    );
    assert.equal(
      require.resolve("pulumi-elasticsearch-ml/provider/trained-model", { paths: [project] }),
      path.join(installed, "dist", "provider", "model", "index.js"),
    );
    // The package's command is linked and runs (shebang, executable bit, its requires all packed).
    const { stdout: usage } = await execFileAsync(
      path.join(project, "node_modules", ".bin", "pulumi-elasticsearch-ml"),
      ["--help"],
      { cwd: project, env },
    );
    assert.match(usage, /preview-report/);
    fs.writeFileSync(path.join(project, "run.js"), RUNNER);
    // The example as tsc compiled it; it requires only pulumi-elasticsearch-ml and @pulumi/pulumi.
    fs.copyFileSync(require.resolve("example-minimal"), path.join(project, "minimal.js"));

    const up = await runScratch("up");

    assert.deepEqual(up.changes, { create: 3 });
    assert.equal(
      (up.outputs as Record<string, { value?: unknown }>).allocationState?.value,
      "fully_allocated",
    );
    assert.deepEqual(routeStates(deploymentOnCluster(es, DEPLOYMENT_ID)), ["started"]);
    assert.equal(appliedStarts(es.admin.log(), DEPLOYMENT_ID).length, 1, describeLog(es.admin.log()));

    const checkpoint = await exportStack();
    const resource = (checkpoint.resources ?? []).find((r) => r.type === TYPE_TOKEN);
    assert.ok(resource, "stack export holds the deployment");
    assert.equal(resource.id, DEPLOYMENT_ID);
    const provider = resource.outputs?.__provider;
    assert.equal(typeof provider, "string");
    assert.equal(provider, resource.inputs?.__provider);
    assert.ok(
      !String(provider).includes(repoRoot()) && !String(provider).includes(project),
      "the serialized provider names no path: it resolves the package where it runs",
    );
    const model = (checkpoint.resources ?? []).find((r) => r.type === MODEL_TYPE_TOKEN);
    assert.ok(model, "stack export holds the model");
    assert.equal(model.id, MODEL_IN_CLUSTER);
    assert.match(
      String(model.outputs?.__provider),
      /require\("pulumi-elasticsearch-ml\/provider\/trained-model"\)/,
    );
    const size = stateSize(resource);
    // Installed, the stable entry is the provider and Pulumi writes it as one require (serializedProvider.ts):
    // a few hundred bytes, where the forwarding methods of a linked workspace are ~2 KB (issue 16).
    assert.match(String(provider), /= require\("pulumi-elasticsearch-ml\/provider"\);/);
    assert.ok(
      Buffer.byteLength(String(provider)) < 512,
      `__provider is ${Buffer.byteLength(String(provider))} bytes`,
    );
    assert.ok(
      size.total - size.declaredInputs <= 4096,
      `${size.total - size.declaredInputs} bytes per deployment beyond its declared inputs`,
    );
    console.log(
      `      state per deployment (packed install): ${size.total} bytes as compact JSON ` +
        `(__provider ${size.provider}, the rest ${size.rest}, of which declared inputs ${size.declaredInputs}); ` +
        `${size.printed} bytes as printed by stack export`,
    );

    es.admin.clearLog();
    const destroyed = await runScratch("destroy");

    assert.deepEqual(destroyed.changes, { delete: 3 });
    assert.deepEqual(
      deploymentCalls(es.admin.log()).map((c) => `${c.kind} ${c.deploymentId} ${c.status}`),
      [`_stop ${DEPLOYMENT_ID} 200`],
      describeLog(es.admin.log()),
    );
    assert.deepEqual([...deploymentsOnCluster(es).keys()], []);
    // The model was deleted after its deployment stopped (the deployment takes the model's output).
    const stop = es.admin.log().findIndex((e) => e.path.endsWith(`/${DEPLOYMENT_ID}/deployment/_stop`));
    const deleted = es.admin
      .log()
      .findIndex((e) => e.method === "DELETE" && e.path === `/_ml/trained_models/${MODEL_IN_CLUSTER}`);
    assert.ok(stop >= 0 && deleted > stop, describeLog(es.admin.log()));
    assert.equal(
      es.admin.state().models.some((m) => m.modelId === MODEL_IN_CLUSTER),
      false,
    );
  });

  /** Runs `node run.js <action>` in the scratch project; returns the JSON it printed. */
  async function runScratch(action: "up" | "destroy"): Promise<Record<string, unknown>> {
    try {
      const { stdout } = await execFileAsync(process.execPath, ["run.js", action], {
        cwd: project,
        env: {
          ...env,
          SCRATCH_PULUMI_ROOT: path.dirname(cli.binDir),
          SCRATCH_ENDPOINT: es.url,
          SCRATCH_MODEL: MODEL,
          SCRATCH_DEPLOYMENT_ID: DEPLOYMENT_ID,
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 240_000,
      });
      return JSON.parse(stdout.trim().split("\n").pop() ?? "") as Record<string, unknown>;
    } catch (err) {
      const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
      throw new Error(`node run.js ${action} in the scratch project failed:\n${stderr}\n${stdout}`, {
        cause: err,
      });
    }
  }

  /** `pulumi stack export` of the scratch stack, as the user would run it in the project. */
  async function exportStack(): Promise<StackCheckpoint> {
    const { stdout } = await execFileAsync(
      path.join(cli.binDir, "pulumi"),
      ["stack", "export", "--stack", "dev", "--non-interactive"],
      { cwd: project, env, maxBuffer: 64 * 1024 * 1024 },
    );
    return (JSON.parse(stdout) as { deployment: StackCheckpoint }).deployment;
  }
});

/**
 * The environment of everything run in the scratch project: offline Pulumi settings on a private backend
 * and home, Node 24 and the CLI on PATH, and nothing of the workspace (no `NODE_PATH`, no
 * `node_modules/.bin` of the repository, no `npm_*` settings of an enclosing `npm test`).
 */
function scratchEnv(cli: PulumiCli, scratch: string): NodeJS.ProcessEnv {
  const root = repoRoot();
  const inheritedPath = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && path.relative(root, dir).startsWith(".."));
  // Settings npm exports to scripts it runs (`npm test`) would point a nested npm at the workspace.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|NODE_PATH$)/i.test(key)),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PULUMI_BACKEND_URL: `file://${path.join(scratch, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(12).toString("hex"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_HOME: path.join(scratch, "home"),
    // The CLI's folder (it holds the dynamic-provider plugin), then the Node 24 running this test: the
    // plugin starts the first `node` on PATH and @pulumi/pulumi needs Node >= 22.
    PATH: [cli.binDir, path.dirname(process.execPath), ...inheritedPath].join(path.delimiter),
    npm_config_update_notifier: "false",
  };
  return env;
}
