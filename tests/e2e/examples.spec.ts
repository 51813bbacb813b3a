/**
 * End to end: each example's exported program, run inline through the real engine against the emulator
 * (`up`, then `destroy`), asserting what Pulumi reports and what the cluster holds; and the README's first
 * command, `scripts/quickstart.sh`, run as a user runs it, including a Ctrl-C in the middle.
 */
import * as assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "elasticsearch-ml-emulator";
import * as adaptive from "example-adaptive";
import * as minimal from "example-minimal";
import * as quickstart from "example-quickstart";
import {
  deleteIngestPipeline,
  putIngestPipeline,
  STAND_IN_VOCABULARY,
  standInDefinition,
  uploadModel,
} from "example-quickstart/dist/setup";
import * as teardown from "example-teardown";
import * as twoClusters from "example-two-clusters";
import {
  changeCounts,
  expectOperationFailure,
  getPulumiCli,
  repoRoot,
  withTestStack,
  type TestStackOptions,
} from "./harness";

const MODEL = quickstart.MODEL_ID;
const execFileAsync = promisify(execFile);

async function emulatorWithModel(options: { clusterUuid?: string } = {}): Promise<EmulatorHandle> {
  const es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1, ...options });
  await uploadModel(es, {
    definition: standInDefinition(2048),
    vocabulary: STAND_IN_VOCABULARY,
    embeddingSize: 8,
    partBytes: 1024,
  });
  es.admin.clearLog();
  return es;
}

function stackOn(es: EmulatorHandle, program: TestStackOptions["program"]): TestStackOptions {
  return { program, config: { "elasticsearch-ml:endpoints": es.url } };
}

/** The deployments the cluster runs, by id. */
function deployments(es: EmulatorHandle) {
  return new Map(es.admin.state().deployments.map((d) => [d.deploymentId, d]));
}

/** `_stop` requests to a deployment, as `query -> status`. */
function stops(es: EmulatorHandle, deploymentId: string): string[] {
  return es.admin
    .log()
    .filter((e: RequestLogEntry) => e.path === `/_ml/trained_models/${deploymentId}/deployment/_stop`)
    .map((e) => `${new URLSearchParams(e.query).toString()} -> ${e.status}`);
}

describe("e2e: the examples' programs through the real engine", function () {
  this.timeout(240_000);
  let es: EmulatorHandle;

  before(async function () {
    // The first run on a host may build the CLI from the Go module proxy (minutes).
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await emulatorWithModel();
  });

  beforeEach(() => es.admin.clearLog());

  after(async () => {
    await es?.close();
  });

  it("minimal: one deployment with the declared allocations, stopped by destroy", async () => {
    const program = () => minimal.program({ modelId: MODEL, deploymentId: "minimal-e2e", allocations: 2 });
    await withTestStack(stackOn(es, program), async (stack) => {
      const up = await stack.up();

      assert.deepEqual(changeCounts(up.events), { create: 2 });
      const outputs = up.result.outputs;
      assert.equal(outputs.deploymentId?.value, "minimal-e2e");
      assert.equal(outputs.allocations?.value, 2);
      assert.equal(outputs.allocationState?.value, "fully_allocated");
      assert.equal(outputs.deploymentState?.value, "started");
      const running = deployments(es).get("minimal-e2e");
      assert.equal(running?.modelId, MODEL);
      assert.equal(running?.numberOfAllocations, 2);

      await stack.destroy();
      assert.deepEqual([...deployments(es).keys()], []);
    });
  });

  it("adaptive: the bounds reach the cluster and come back as outputs", async () => {
    const program = () =>
      adaptive.program({
        modelId: MODEL,
        deploymentId: "adaptive-e2e",
        minAllocations: 1,
        maxAllocations: 3,
      });
    await withTestStack(stackOn(es, program), async (stack) => {
      const up = await stack.up();

      assert.deepEqual(up.result.outputs.adaptiveAllocations?.value, {
        enabled: true,
        minNumberOfAllocations: 1,
        maxNumberOfAllocations: 3,
      });
      assert.equal(up.result.outputs.deploymentState?.value, "started");
      assert.deepEqual(deployments(es).get("adaptive-e2e")?.adaptiveAllocations, {
        enabled: true,
        min_number_of_allocations: 1,
        max_number_of_allocations: 3,
      });
      const start = es.admin.log().find((e) => e.path.endsWith("/deployment/_start"));
      assert.equal(start?.query.number_of_allocations, undefined, "no fixed count is sent with adaptive");

      await stack.destroy();
      assert.deepEqual([...deployments(es).keys()], []);
    });
  });

  it("two-clusters: one deployment on each cluster, told apart by cluster uuid", async () => {
    // Two emulators with default options, as the README starts them: each is its own cluster.
    const home = await emulatorWithModel();
    const eu = await emulatorWithModel();
    const homeUuid = home.admin.state().clusterUuid;
    const euUuid = eu.admin.state().clusterUuid;
    assert.notEqual(homeUuid, euUuid);
    try {
      const program = () =>
        twoClusters.program({ modelId: MODEL, deploymentId: "shared-id", connection: "eu" });
      const options: TestStackOptions = {
        program,
        config: {
          "elasticsearch-ml:endpoints": home.url,
          "elasticsearch-ml:connections": {
            value: JSON.stringify({ eu: { endpoints: eu.url } }),
            secret: true,
          },
        },
      };
      await withTestStack(options, async (stack) => {
        const up = await stack.up();

        assert.deepEqual(up.result.outputs.home?.value, {
          clusterUuid: homeUuid,
          deploymentState: "started",
        });
        assert.deepEqual(up.result.outputs.eu?.value, {
          clusterUuid: euUuid,
          deploymentState: "started",
        });
        assert.deepEqual([...deployments(home).keys()], ["shared-id"]);
        assert.deepEqual([...deployments(eu).keys()], ["shared-id"]);
        const starts = (cluster: EmulatorHandle) =>
          cluster.admin.log().filter((e) => e.path.endsWith("/deployment/_start")).length;
        assert.equal(starts(home), 1);
        assert.equal(starts(eu), 1);

        await stack.destroy();
        assert.deepEqual([...deployments(home).keys()], []);
        assert.deepEqual([...deployments(eu).keys()], []);
      });
    } finally {
      await home.close();
      await eu.close();
    }
  });

  it("teardown: resource stop flags beat stack config, the environment beats both", async () => {
    await putIngestPipeline(es, { pipelineId: "search-pipe", deploymentId: "teardown-search" });
    await putIngestPipeline(es, { pipelineId: "ingest-pipe", deploymentId: "teardown-ingest" });
    try {
      const options: TestStackOptions = {
        program: () => teardown.program({ modelId: MODEL }),
        config: {
          "elasticsearch-ml:endpoints": es.url,
          "elasticsearch-ml:force": "false",
          "elasticsearch-ml:finishPendingWork": "true",
        },
      };
      await withTestStack(options, async (stack) => {
        const up = await stack.up();
        assert.deepEqual(up.result.outputs.search?.value, {
          deploymentId: "teardown-search",
          referencingPipelines: ["search-pipe"],
        });
        es.admin.clearLog();

        const refused = await expectOperationFailure(stack.destroy());

        assert.match(
          refused.output,
          /Cannot stop deployment \[teardown-search\]: it is referenced by ingest pipelines \[search-pipe\]/,
        );
        assert.match(refused.output, /ELASTICSEARCH_ML_FORCE=true pulumi destroy/);
        // `ingest` says force: true itself, which wins over the stack's force: false.
        assert.deepEqual(stops(es, "teardown-ingest"), ["force=true&finish_pending_work=true -> 200"]);
        assert.deepEqual(stops(es, "teardown-search"), ["force=false&finish_pending_work=true -> 409"]);
        assert.deepEqual([...deployments(es).keys()], ["teardown-search"]);

        // The recipe from the message: the environment of one command overrides the stack config.
        stack.setEnv({ ELASTICSEARCH_ML_FORCE: "true" });
        await stack.destroy();

        assert.deepEqual(stops(es, "teardown-search"), [
          "force=false&finish_pending_work=true -> 409",
          "force=true&finish_pending_work=true -> 200",
        ]);
        assert.deepEqual([...deployments(es).keys()], []);
      });
    } finally {
      await deleteIngestPipeline(es, "search-pipe");
      await deleteIngestPipeline(es, "ingest-pipe");
    }
  });

  it("quickstart: two deployments of one model with different priorities", async () => {
    await withTestStack(
      stackOn(es, () => quickstart.program({ searchAllocations: 2 })),
      async (stack) => {
        const up = await stack.up();

        assert.deepEqual(changeCounts(up.events), { create: 3 });
        assert.deepEqual(up.result.outputs.search?.value, {
          deploymentId: quickstart.SEARCH_DEPLOYMENT_ID,
          allocations: 2,
          allocationState: "fully_allocated",
        });
        const running = deployments(es);
        assert.equal(running.get(quickstart.SEARCH_DEPLOYMENT_ID)?.priority, "normal");
        assert.equal(running.get(quickstart.SEARCH_DEPLOYMENT_ID)?.numberOfAllocations, 2);
        assert.equal(running.get(quickstart.INGEST_DEPLOYMENT_ID)?.priority, "low");
        assert.equal(running.get(quickstart.INGEST_DEPLOYMENT_ID)?.modelId, MODEL);

        await stack.destroy();
        assert.deepEqual([...deployments(es).keys()], []);
      },
    );
  });
});

/**
 * What `pulumi up` does with a `runtime: nodejs` project, minus the engine (this host has no Node language
 * host): set the stack config, require the `main` named in Pulumi.yaml, call its exported function and let
 * the resources register, here under `setMocks` in a child process, which prints what was registered.
 */
const RUN_MAIN_UNDER_MOCKS = `
const pulumi = require("@pulumi/pulumi");
const [mainFile, project, config] = process.argv.slice(1);
const registered = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      const { __provider, ...inputs } = args.inputs;
      registered.push({ name: args.name, type: args.type, inputs, provider: typeof __provider });
      return { id: args.name, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  project,
  "dev",
  false,
);
pulumi.runtime.setAllConfig(JSON.parse(config));
const exported = require(mainFile);
if (typeof exported !== "function") throw new Error(mainFile + " does not export a function");
Promise.resolve(exported())
  .then((outputs) => new Promise((resolve) => pulumi.output(outputs).apply(resolve)))
  .then(() => console.log("REGISTERED " + JSON.stringify(registered)));
`;

interface RegisteredResource {
  name: string;
  type: string;
  inputs: Record<string, unknown>;
  provider: string;
}

/** The project's name and the file `main` points at, from its Pulumi.yaml. */
function pulumiProject(dir: string): { name: string; main: string } {
  const text = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
  const name = /^name:\s*(\S+)/m.exec(text)?.[1];
  const main = /^main:\s*(\S+)/m.exec(text)?.[1];
  assert.ok(name && main, `${dir}/Pulumi.yaml names no project or main`);
  return { name, main: path.join(dir, main) };
}

async function runMainUnderMocks(dir: string, config: Record<string, string>): Promise<RegisteredResource[]> {
  const { name, main } = pulumiProject(dir);
  assert.ok(fs.existsSync(main), `${main} (Pulumi.yaml main) does not exist: is the workspace built?`);
  const stackConfig = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [`${name}:${key}`, value]),
  );
  const { stdout } = await execFileAsync(
    process.execPath,
    ["-e", RUN_MAIN_UNDER_MOCKS, main, name, JSON.stringify(stackConfig)],
    {
      cwd: repoRoot(),
    },
  );
  const line = stdout.split("\n").find((l) => l.startsWith("REGISTERED "));
  assert.ok(line, `the program registered nothing:\n${stdout}`);
  return (JSON.parse(line.slice("REGISTERED ".length)) as RegisteredResource[]).filter(
    (r) => r.type !== "pulumi:pulumi:Stack",
  );
}

describe("examples: the entry pulumi up runs reads its settings from stack config", function () {
  this.timeout(60_000);
  const root = repoRoot();
  const dir = (name: string) => path.join(root, "examples", name);
  const summary = (resources: RegisteredResource[]) =>
    resources.map((r) => ({ name: r.name, provider: r.provider, ...r.inputs }));

  it("minimal", async () => {
    const resources = await runMainUnderMocks(dir("minimal"), { modelId: "my-model", allocations: "3" });
    assert.deepEqual(summary(resources), [
      { name: "minimal", provider: "string", modelId: "my-model", numberOfAllocations: 3 },
    ]);
  });

  it("adaptive", async () => {
    const resources = await runMainUnderMocks(dir("adaptive"), { modelId: "my-model", maxAllocations: "8" });
    assert.deepEqual(resources[0]?.inputs.adaptiveAllocations, {
      enabled: true,
      minNumberOfAllocations: 1,
      maxNumberOfAllocations: 8,
    });
  });

  it("two-clusters", async () => {
    const resources = await runMainUnderMocks(dir("two-clusters"), { modelId: "my-model", connection: "ap" });
    assert.deepEqual(
      resources.map((r) => [r.name, r.inputs.connection]),
      [
        ["search", undefined],
        ["search-ap", "ap"],
      ],
    );
  });

  it("teardown", async () => {
    const resources = await runMainUnderMocks(dir("teardown"), {
      modelId: "my-model",
      searchDeploymentId: "s1",
    });
    assert.deepEqual(
      resources.map((r) => [r.name, r.inputs.deploymentId, r.inputs.stop]),
      [
        ["search", "s1", undefined],
        ["ingest", "teardown-ingest", { force: true, finishPendingWork: true }],
      ],
    );
  });

  it("every Pulumi project in the repository has its own name (stacks of one backend do not collide)", () => {
    const projects = [root, ...fs.readdirSync(path.join(root, "examples")).map(dir)].filter((d) =>
      fs.existsSync(path.join(d, "Pulumi.yaml")),
    );
    assert.ok(projects.length >= 6, `found ${projects.length} projects`);
    const names = projects.map((d) => pulumiProject(d).name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
      names.join(", "),
    );
  });

  it("quickstart, from the repository's root Pulumi.yaml and from its own folder", async () => {
    for (const project of [root, dir("quickstart")]) {
      const resources = await runMainUnderMocks(project, { searchAllocations: "2" });
      assert.deepEqual(
        resources.map((r) => [r.name, r.inputs.modelId, r.inputs.numberOfAllocations, r.inputs.priority]),
        [
          ["search", quickstart.MODEL_ID, 2, undefined],
          ["ingest", quickstart.MODEL_ID, undefined, "low"],
        ],
        project,
      );
    }
  });
});

/** What a finished `scripts/quickstart.sh` printed and how it ended. */
interface QuickstartRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs the quickstart as its own process group (as a terminal would), calling `onOutput` with everything
 * printed so far each time more arrives.
 */
function runQuickstart(
  onOutput?: (soFar: string, group: number) => void,
  env: Record<string, string> = {},
): Promise<QuickstartRun> {
  const child = spawn("bash", [path.join(repoRoot(), "scripts", "quickstart.sh")], {
    cwd: repoRoot(),
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (child.pid !== undefined) onOutput?.(output, child.pid);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}

/** Pids of processes whose environment mentions `text` (Linux; none elsewhere). */
function processesWithEnvironment(text: string): number[] {
  if (!fs.existsSync("/proc/self/environ")) return [];
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, "latin1").includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read: neither is a leftover of this run.
    }
  }
  return found;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/** The emulator's pid and the run's temp folder, as the quickstart printed them. */
function leftoversToCheck(output: string): { emulatorPid: number; runDir: string } {
  const pid = /emulator \(pid (\d+)\) listening on/.exec(output)?.[1];
  const dir = /temp folder of this run \(deleted at exit\): (\S+)/.exec(output)?.[1];
  assert.ok(pid, `the quickstart printed no emulator pid:\n${output}`);
  assert.ok(dir, `the quickstart printed no temp folder:\n${output}`);
  return { emulatorPid: Number(pid), runDir: dir };
}

function assertNothingLeft(output: string): void {
  const { emulatorPid, runDir } = leftoversToCheck(output);
  assert.equal(isRunning(emulatorPid), false, `emulator pid ${emulatorPid} still runs`);
  assert.equal(fs.existsSync(runDir), false, `${runDir} was not removed`);
  assert.deepEqual(processesWithEnvironment(runDir), [], `processes of the run are left: ${runDir}`);
}

describe("e2e: scripts/quickstart.sh, the README's first command", function () {
  this.timeout(10 * 60_000);

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
  });

  it("runs every step, shows the scaling diff and the stop recipe, exits 0 and leaves nothing running", async () => {
    const run = await runQuickstart();

    assert.equal(run.code, 0, run.output);
    const expected = [
      "=== [1/8] Write the TorchScript file of tiny-text-embedding: the cluster does not have the model ===",
      "pulumi config set elasticsearch-ml:finishPendingWork true",
      "=== [3/8] pulumi up: upload tiny-text-embedding, then deploy it twice (quickstart-search, quickstart-ingest) ===",
      "elasticsearch-ml: tiny-text-embedding: uploading the vocabulary",
      "+ 4 created",
      "PUT /_ingest/pipeline/quickstart-embeddings -> 200",
      "=== [5/8] pulumi preview --diff: scale quickstart-search from 1 to 2 allocations ===",
      "~ numberOfAllocations: 1 => 2",
      "~ 1 updated",
      "Cannot stop deployment [quickstart-ingest]: it is referenced by ingest pipelines [quickstart-embeddings]",
      "=== [8/8] ELASTICSEARCH_ML_FORCE=true pulumi destroy",
      "elasticsearch-ml: tiny-text-embedding: deleted",
      "POST /_ml/trained_models/quickstart-ingest/deployment/_stop?finish_pending_work=true -> 409",
      "POST /_ml/trained_models/quickstart-ingest/deployment/_stop?force=true&finish_pending_work=true -> 200",
      "No deployment runs any more, and tiny-text-embedding was deleted after both stopped.",
      "quickstart: all 8 steps done",
    ];
    let from = 0;
    for (const line of expected) {
      const at = run.output.indexOf(line, from);
      assert.ok(at >= 0, `missing (in order) ${JSON.stringify(line)} in:\n${run.output}`);
      from = at + line.length;
    }
    assert.match(run.output, /emulator \(pid \d+\) stopped/);
    assert.doesNotMatch(run.output, /No such file or directory|command not found/);
    // No Node warning (node:sqlite's ExperimentalWarning on older Nodes, a deprecation, …) on a first run.
    assert.doesNotMatch(run.output, /\(node:\d+\) \w*Warning|ExperimentalWarning/);
    assertNothingLeft(run.output);
  });

  it("exits non-zero when a step fails (the cluster wants credentials), and still cleans up", async () => {
    const run = await runQuickstart(undefined, { QUICKSTART_EMULATOR_ARGS: "--security" });

    assert.equal(run.code, 1, run.output);
    // The first request is the model's upload in pulumi up (step 3); the provider names what to configure.
    assert.match(run.output, /TrainedModel model \*\*creating failed\*\* error: 401 security_exception/);
    assert.match(run.output, /quickstart: step 3 failed/);
    assert.doesNotMatch(run.output, /=== \[4\/8\]/, "no step runs after a failed one");
    assertNothingLeft(run.output);
  });

  it("Ctrl-C during pulumi up cancels it, stops the emulator and exits non-zero", async () => {
    let interrupted = false;
    const run = await runQuickstart((soFar, group) => {
      // Interrupt once the engine is at work, as a user pressing Ctrl-C would: the whole process group.
      if (!interrupted && /=== \[3\/8\][^]*Updating \(dev\)/.test(soFar)) {
        interrupted = true;
        process.kill(-group, "SIGINT");
      }
    });

    assert.ok(interrupted, `the run ended before pulumi up started:\n${run.output}`);
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /quickstart: interrupted during step 3/);
    assert.doesNotMatch(run.output, /all 8 steps done/);
    assertNothingLeft(run.output);
  });
});
