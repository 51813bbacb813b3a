/**
 * A new user's first commands on a fresh clone, as the README gives them: the set-up (`npm ci`, then
 * `npm run build`), the package's command (`npx pulumi-elasticsearch-ml preview-report --help`), the
 * emulator's (`npm exec es-ml-emulator -- --port 0`) and the quickstart (`./scripts/quickstart.sh`).
 *
 * The clone is `git clone` of this repository's HEAD into a temp folder: committed files only, no
 * `node_modules`, no build output. Every command runs there with none of this workspace on PATH (its
 * `node_modules/.bin`) or in the environment (`npm_*` of an enclosing `npm test`), so the machine's own
 * npm runs the set-up as it would for the user; `npm ci --prefer-offline` takes packages from npm's cache
 * when it has them. `npm exec` runs offline: a bin that npm did not link would send it to the registry,
 * which fails here instead of running whatever is published under that name.
 *
 * The slowest test file there is (a full `npm ci` and build); it prints how long each step took.
 */
import * as assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { getPulumiCli, repoRoot } from "./harness";

const execFileAsync = promisify(execFile);

interface Finished {
  code: number | null;
  output: string;
}

describe("a fresh clone: the README's set-up, the two commands it names, and the quickstart", function () {
  this.timeout(20 * 60_000);
  const root = repoRoot();
  let scratch: string;
  let clone: string;
  let env: NodeJS.ProcessEnv;
  const timings: [string, number][] = [];

  /** Runs `step`, recording how long it took (printed at the end; never asserted). */
  async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      return await step();
    } finally {
      timings.push([name, Number(process.hrtime.bigint() - started) / 1e9]);
    }
  }

  /** Runs a command in the clone to its end; returns its exit code and everything it printed. */
  function run(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Finished> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: clone, env: { ...env, ...extraEnv } });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, output }));
    });
  }

  before(async function () {
    this.timeout(45 * 60_000);
    const cli = await getPulumiCli();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "es-ml-fresh-clone-"));
    clone = path.join(scratch, "repo");
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|NODE_PATH$)/i.test(key)),
    );
    const outsideWorkspace = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((dir) => dir !== "" && path.relative(root, dir).startsWith(".."));
    env = {
      ...inherited,
      // The Pulumi CLI the suite uses, on PATH where a user's own install would be.
      PATH: [cli.binDir, ...outsideWorkspace].join(path.delimiter),
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false",
    };
  });

  after(() => {
    if (timings.length > 0) {
      console.log(
        `      fresh clone timings: ${timings.map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(", ")}`,
      );
    }
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("clone, npm ci, build; then preview-report --help, the emulator through npm exec, and the quickstart", async () => {
    await timed("git clone", () => execFileAsync("git", ["clone", "--quiet", root, clone], { env }));
    const head = (cwd: string) =>
      execFileAsync("git", ["rev-parse", "HEAD"], { cwd }).then((r) => r.stdout.trim());
    assert.equal(await head(clone), await head(root), "the clone is this repository's HEAD");
    assert.ok(!fs.existsSync(path.join(clone, "sdk", "dist")), "nothing built in a fresh clone");

    const ci = await timed("npm ci", () => run("npm", ["ci", "--prefer-offline"]));
    assert.equal(ci.code, 0, ci.output);
    // npm links a workspace package's bin only if the file exists at install time: dist/ does not yet.
    for (const bin of ["pulumi-elasticsearch-ml", "es-ml-emulator"]) {
      assert.ok(fs.existsSync(path.join(clone, "node_modules", ".bin", bin)), `npm ci linked ${bin}`);
    }
    const unbuilt = await run("npx", ["pulumi-elasticsearch-ml", "--help"]);
    assert.equal(unbuilt.code, 1, unbuilt.output);
    assert.match(unbuilt.output, /is not built; run `npm run build` at the repository root/);

    const build = await timed("npm run build", () => run("npm", ["run", "build"]));
    assert.equal(build.code, 0, build.output);

    const help = await timed("npx preview-report --help", () =>
      run("npx", ["pulumi-elasticsearch-ml", "preview-report", "--help"]),
    );
    assert.equal(help.code, 0, help.output);
    assert.match(help.output, /Usage: pulumi-elasticsearch-ml preview-report \[options\]/);

    const emulator = await timed("npm exec es-ml-emulator", () => runEmulatorThroughNpmExec());
    assert.match(
      emulator.output,
      /es-ml-emulator \(Elasticsearch 9\.2\.0\) listening on http:\/\/127\.0\.0\.1:\d+/,
    );
    assert.match(emulator.served, /"cluster_uuid"/, "it answered GET / as a cluster");
    // Ctrl-C ended npm and the emulator with it: nothing listens there any more.
    await assert.rejects(fetch(`${emulator.url}/`), "the emulator stopped with npm exec");

    const quickstart = await timed("./scripts/quickstart.sh", () => run("./scripts/quickstart.sh", []));
    assert.equal(quickstart.code, 0, quickstart.output);
    assert.match(quickstart.output, /quickstart: finished in \d+s/);
  });

  /**
   * `npm exec es-ml-emulator -- --port 0` (offline), until it prints its address; one `GET /`; then
   * SIGINT to its process group, as Ctrl-C in a terminal sends it.
   */
  function runEmulatorThroughNpmExec(): Promise<Finished & { served: string; url: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn("npm", ["exec", "es-ml-emulator", "--", "--port", "0"], {
        cwd: clone,
        env: { ...env, npm_config_offline: "true" },
        detached: true,
      });
      let output = "";
      let served = "";
      let url = "";
      let asked = false;
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? "";
        if (url && !asked && child.pid !== undefined) {
          asked = true;
          const group = child.pid;
          fetch(`${url}/`)
            .then((r) => r.text())
            .then(
              (text) => (served = text),
              (err: unknown) => (served = String(err)),
            )
            .finally(() => process.kill(-group, "SIGINT"));
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, output, served, url }));
      // A command that never prints its address fails the test instead of hanging it.
      setTimeout(() => {
        if (!asked && child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      }, 60_000).unref();
    });
  }
});
