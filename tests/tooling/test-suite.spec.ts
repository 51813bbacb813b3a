/**
 * `scripts/test-suite.js`, behind `npm run test:fast`, `test:slow` and `test:file`: the fast and slow
 * sets split the suite (engine files only in slow), and a chosen file runs alone (mocha would add
 * `.mocharc.json`'s spec glob to it), ending with the summary line.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../e2e/harness/repo";

const execFileAsync = promisify(execFile);

describe("test-suite: the fast, slow and single-file runs", function () {
  this.timeout(60_000);
  const root = repoRoot();
  const script = path.join(root, "scripts", "test-suite.js");
  const list = async (set: "fast" | "slow") =>
    (await execFileAsync(process.execPath, [script, "list", set], { cwd: root })).stdout.trim().split("\n");

  it("splits every spec file into fast and slow, with the engine suites in slow", async () => {
    const [fast, slow] = await Promise.all([list("fast"), list("slow")]);
    assert.deepEqual(
      fast.filter((f) => slow.includes(f)),
      [],
      "no file in both",
    );
    for (const engine of [
      "build/tests/e2e/scenarios/lifecycle.spec.js",
      "build/tests/e2e/engine-contract.spec.js",
      "build/tests/e2e/fresh-clone.spec.js",
      "build/tests/preview-report/engine-golden.spec.js",
      "build/tests/reliability/fault-storm.spec.js",
    ]) {
      assert.ok(slow.includes(engine), `${engine} is slow`);
    }
    for (const pure of [
      "build/tests/unit/check.spec.js",
      "build/tests/emulator/cli.spec.js",
      "build/tests/client/retry.spec.js",
      "build/tests/provider/create.spec.js",
      "build/tests/preview-report/document.spec.js",
      "build/tests/package/packages.spec.js",
      "build/tests/tooling/test-suite.spec.js",
    ]) {
      assert.ok(fast.includes(pure), `${pure} is fast`);
    }
  });

  it("runs one file alone, from its .ts path, and ends with the summary line", async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [script, "file", "tests/unit/stopFlags.spec.ts"],
      {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const lines = stdout.trim().split("\n");
    const summary = /^(\d+) passed, 0 failed, 0 skipped$/.exec(lines[lines.length - 1] ?? "");
    assert.ok(summary, `ends with the summary line:\n${lines.slice(-3).join("\n")}`);
    // Exactly that file's tests: as many as mocha counts in it without any configuration.
    const alone = await execFileAsync(
      process.execPath,
      [
        require.resolve("mocha/bin/mocha.js"),
        "--no-config",
        "--reporter",
        "json",
        path.join(root, "build", "tests", "unit", "stopFlags.spec.js"),
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    const { stats } = JSON.parse(alone.stdout) as { stats: { tests: number } };
    assert.ok(stats.tests > 0);
    assert.equal(Number(summary[1]), stats.tests);
  });
});
