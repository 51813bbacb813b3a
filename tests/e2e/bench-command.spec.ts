/**
 * `npm run bench`, as docs/benchmarks.md shows it, on the smallest run that still crosses clusters: two
 * sizes, one run, the 0 ms start delay, one deployment per cluster. It must finish, say which form of the
 * provider the state held (the npm script lays the workspace package out as installed), print a verdict
 * line for every issue 16 target and write its results. The figures themselves are the benchmark's
 * business, not this test's: nothing here judges a time. The program-cost script the docs cite runs too.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { getPulumiCli, repoRoot } from "./harness";

const execFileAsync = promisify(execFile);

describe("e2e: the benchmark command of docs/benchmarks.md", function () {
  this.timeout(600_000);

  it("npm run bench -- --sizes=1,2 --repeat=1 --only=sizes --start-delays=0 --per-cluster=1 runs through", async () => {
    const cli = await getPulumiCli();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-es-ml-bench-"));
    try {
      const output = path.join(dir, "results.json");
      const { stdout } = await execFileAsync(
        "npm",
        [
          "run",
          "bench",
          "--",
          "--sizes=1,2",
          "--repeat=1",
          "--only=sizes",
          "--start-delays=0",
          "--per-cluster=1",
          `--output=${output}`,
        ],
        {
          cwd: repoRoot(),
          env: { ...process.env, PULUMI_BIN_DIR: cli.binDir },
          maxBuffer: 64 * 1024 * 1024,
          timeout: 540_000,
        },
      );
      assert.match(stdout, /provider in state: one require of the stable entry/);
      for (const target of ["requests", "growth", "peer", "state", "memory", "preview"]) {
        assert.match(stdout, new RegExp(`^(MET|MISSED|NOT RUN) +${target}: `, "m"), target);
      }
      assert.match(stdout, /^wall time: \d+ s$/m);
      const results = JSON.parse(fs.readFileSync(output, "utf8")) as {
        machine: { providerLayout: string };
      };
      assert.equal(results.machine.providerLayout, "installed");

      // The program-cost script the preview's reading cites.
      const { stdout: cost } = await execFileAsync(
        process.execPath,
        [path.join(repoRoot(), "build", "tests", "bench", "program-cost.bench.js"), "--n=20"],
        { cwd: repoRoot(), timeout: 120_000 },
      );
      for (const side of ["ours", "peer", "plain20"]) {
        assert.match(
          cost,
          new RegExp(`^ {2}${side} +CPU \\d+\\.\\d\\d ms, wall \\d+\\.\\d\\d ms$`, "m"),
          side,
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
