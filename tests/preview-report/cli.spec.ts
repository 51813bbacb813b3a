/**
 * The `pulumi-elasticsearch-ml preview-report` command as a real process: input from stdin and files,
 * outputs, and the exit codes a CI job relies on (0 fine, 2 unreadable input or bad flags, 3 risky with
 * --fail-on-risk, 1 unexpected failure).
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { esCall } from "../client/fixtures";
import { repoRoot } from "../e2e/harness/repo";
import { ENDPOINT_TYPE, endpointInputs, endpointOutputs, previewDoc, step } from "./fixtures";
import { normalize, readGolden } from "./golden";
import { EMULATOR_OPTIONS, seedCluster } from "./engine/scenario";

const CLI = path.join(repoRoot(), "sdk", "dist", "cli", "index.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command with `args`, `stdin` piped in (closed at once when undefined), in `cwd`. */
function run(
  args: string[],
  options: { stdin?: string; cwd: string; env?: Record<string, string> },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...options.env };
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

describe("preview report: the command line", function () {
  this.timeout(30_000);
  let dir: string;
  let es: EmulatorHandle | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-report-cli-"));
    for (const name of ["all-changes", "no-change", "other-provider"]) {
      fs.writeFileSync(path.join(dir, `${name}.json`), readGolden(`engine/${name}.preview.json`));
    }
    // The goldens name their input "preview.json".
    fs.copyFileSync(path.join(dir, "all-changes.json"), path.join(dir, "preview.json"));
  });

  afterEach(async () => {
    await es?.close();
    es = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("--help prints the usage and exits 0", async () => {
    const r = await run(["preview-report", "--help"], { cwd: dir });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: pulumi-elasticsearch-ml preview-report \[options\]/);
    assert.match(
      r.stdout,
      /Exit codes: 0 report written, nothing risky; 1 unexpected failure; 2 unreadable input or bad flags;\n3 risky \(only with --fail-on-risk\)/,
    );
  });

  it("reads stdin and writes Markdown to stdout", async () => {
    const r = await run(["preview-report"], { cwd: dir, stdin: readGolden("engine/no-change.preview.json") });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(r.stdout, readGolden("no-change.md"));
  });

  it("writes both outputs to files, offline, exactly as the golden report", async () => {
    const r = await run(
      [
        "preview-report",
        "--input",
        "preview.json",
        "--offline",
        "--markdown",
        "out.md",
        "--json",
        "out.json",
      ],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(fs.readFileSync(path.join(dir, "out.md"), "utf8"), readGolden("all-changes.offline.md"));
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(dir, "out.json"), "utf8")),
      JSON.parse(readGolden("all-changes.offline.json")),
    );
  });

  it("--json - writes only the summary to stdout; several inputs make one report", async () => {
    const r = await run(
      ["preview-report", "--input", "other-provider.json", "--input", "-", "--offline", "--json", "-"],
      {
        cwd: dir,
        stdin: readGolden("engine/all-changes.preview.json"),
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as {
      stacks: { source: string; stack: string; nothingToReview: boolean }[];
    };
    assert.deepEqual(
      summary.stacks.map((s) => [s.source, s.stack, s.nothingToReview]),
      [
        ["other-provider.json", "prod", true],
        ["stdin", "staging", false],
      ],
    );
  });

  it("deleting an inference endpoint with recorded references: exit 3 with --fail-on-risk, offline; the table shows it", async () => {
    const doc = previewDoc([
      step({
        op: "create",
        name: "fresh",
        type: ENDPOINT_TYPE,
        new: endpointInputs({
          inferenceId: "fresh",
          serviceSettings: { modelId: ".elser_model_2", numAllocations: 2, numThreads: 2 },
        }),
      }),
      step({
        op: "delete",
        name: "old",
        type: ENDPOINT_TYPE,
        old: endpointOutputs(
          { inferenceId: "old" },
          { references: { pipelines: ["p1"], indexes: ["docs"] } },
        ),
      }),
    ]);
    const args = ["preview-report", "--offline"];
    const risky = await run([...args, "--fail-on-risk"], { cwd: dir, stdin: doc });
    assert.equal(risky.code, 3, risky.stderr);
    assert.equal(
      risky.stderr,
      "preview-report: 1 referenced inference endpoint would be deleted (exit 3, --fail-on-risk)\n",
    );
    assert.match(
      risky.stdout,
      /\*\*ML capacity: \+3 vCPUs\*\* \(1 vCPU → 4 vCPUs across 0 deployments and 2 inference endpoints listed; 2 change\)/,
    );
    assert.match(
      risky.stdout,
      /\*\*Deletes inference endpoint `old` while pipelines or `semantic_text` fields referenced it/,
    );
    assert.match(
      risky.stdout,
      /\| `old` \| \*\*deletes endpoint `old` and stops the deployment it owns\*\* \| .* \| \*\*deleted while referenced\*\* \|/,
    );
    assert.match(
      risky.stdout,
      /\| `fresh` \| creates endpoint `fresh` and its deployment: 2 allocations × 2 threads \|/,
    );
    const plain = await run(args, { cwd: dir, stdin: doc });
    assert.equal(plain.code, 0, "without --fail-on-risk the report is just written");
  });

  it("another provider's resources only: nothing to review, exit 0 even with --fail-on-risk", async () => {
    const r = await run(["preview-report", "--input", "other-provider.json", "--fail-on-risk"], { cwd: dir });
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /No `TrainedModelDeployment` changes in this preview: nothing to review \(1 other resource changes\)\./,
    );
  });

  describe("exit code 2: unreadable input or bad flags, with a clear message", () => {
    const cases: [string, string[], string | undefined, RegExp][] = [
      [
        "empty stdin",
        ["preview-report"],
        "",
        /^preview-report: stdin: the input is empty; expected the JSON document printed by `pulumi preview --json`/,
      ],
      [
        "text output",
        ["preview-report"],
        "Previewing update (dev):\n",
        /stdin: this is the text output of `pulumi preview`, not JSON; run `pulumi preview --json`/,
      ],
      [
        "malformed JSON",
        ["preview-report", "--input", "bad.json"],
        undefined,
        /^preview-report: bad\.json: the input is not valid JSON \(/,
      ],
      [
        "a JSON document of another kind",
        ["preview-report"],
        '{"name": "x"}',
        /stdin: this JSON object is not a `pulumi preview --json` document/,
      ],
      [
        "a missing file",
        ["preview-report", "--input", "missing.json"],
        undefined,
        /^preview-report: missing\.json: cannot read the input: no such file/,
      ],
      [
        "an unknown flag",
        ["preview-report", "--colour"],
        undefined,
        /^preview-report: Unknown option '--colour'/,
      ],
      [
        "both outputs on stdout",
        ["preview-report", "--markdown", "-", "--json", "-"],
        undefined,
        /--markdown and --json cannot both write to stdout/,
      ],
      [
        "--offline with --endpoints",
        ["preview-report", "--offline", "--endpoints", "http://a:9200"],
        undefined,
        /--endpoints and --offline contradict each other/,
      ],
      [
        "an invalid endpoint",
        ["preview-report", "--input", "preview.json", "--endpoints", "ftp://a"],
        undefined,
        /^preview-report: --endpoints: .*"ftp:\/\/a"/,
      ],
      ["no command", [], undefined, /^Usage: pulumi-elasticsearch-ml <command>/],
      ["an unknown command", ["preview"], undefined, /^pulumi-elasticsearch-ml: unknown command "preview"/],
    ];
    for (const [what, args, stdin, message] of cases) {
      it(what, async () => {
        fs.writeFileSync(path.join(dir, "bad.json"), '{"steps": [');
        const r = await run(args, { cwd: dir, ...(stdin !== undefined ? { stdin } : {}) });
        assert.equal(r.code, 2, `exit code for ${what}; stderr: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, "");
      });
    }
  });

  it("exit code 1 when an output cannot be written", async () => {
    const r = await run(
      [
        "preview-report",
        "--input",
        "preview.json",
        "--offline",
        "--markdown",
        path.join(dir, "no", "such", "dir.md"),
      ],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^preview-report: failed: .*ENOENT/);
  });

  describe("against the cluster", () => {
    beforeEach(async () => {
      es = await startEmulator(EMULATOR_OPTIONS);
      await seedCluster({ url: es.url });
      for (const model of ["tiny-scale", "tiny-restart", "tiny-halt", "tiny-doomed", "tiny-auto"]) {
        await esCall(
          { url: es.url },
          "POST",
          `/_ml/trained_models/${model}/deployment/_start?wait_for=started`,
        );
      }
    });

    it("exit code 3 with --fail-on-risk when a stop would be refused or break pipelines; 0 without it", async () => {
      const args = ["preview-report", "--input", "preview.json", "--endpoints", es!.url];
      const risky = await run([...args, "--fail-on-risk"], { cwd: dir });
      assert.equal(risky.code, 3, risky.stderr);
      assert.equal(
        risky.stderr,
        "preview-report: 1 stop would be refused; 1 deployment would break ingest pipelines (exit 3, --fail-on-risk)\n",
      );
      assert.match(
        normalize(risky.stdout),
        /Checked against the cluster: `http:\/\/127\.0\.0\.1:PORT` cluster `es-ml-emulator` 9\.2\.0\./,
      );
      const plain = await run(args, { cwd: dir });
      assert.equal(plain.code, 0);
      assert.equal(plain.stdout, risky.stdout);
    });

    it("reads connection settings and credentials from the environment", async () => {
      const r = await run(["preview-report", "--input", "preview.json", "--json", "-"], {
        cwd: dir,
        env: { ELASTICSEARCH_ENDPOINTS: es!.url },
      });
      // The stack's own endpoint (a closed port) wins over the environment, as in the provider.
      const summary = JSON.parse(r.stdout) as { mode: string; connections: { endpoints: string[] }[] };
      assert.equal(summary.mode, "offline");
      assert.deepEqual(summary.connections[0].endpoints, ["http://127.0.0.1:9"]);

      fs.writeFileSync(
        path.join(dir, "no-endpoint.json"),
        JSON.stringify({ ...JSON.parse(readGolden("engine/all-changes.preview.json")), config: {} }),
      );
      const fromEnv = await run(
        ["preview-report", "--input", "no-endpoint.json", "--json", "-", "--fail-on-risk"],
        {
          cwd: dir,
          env: { ELASTICSEARCH_ENDPOINTS: es!.url },
        },
      );
      assert.equal(fromEnv.code, 3);
      assert.equal((JSON.parse(fromEnv.stdout) as { mode: string }).mode, "online");
    });
  });
});
