/**
 * scripts/test-suite.js: test files that start the engine run each in a mocha process of its own, the
 * others together, and the last line adds every process up (the line CI reads).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
/** The repository root (this file runs from build/tests/tooling). */
const root = path.resolve(__dirname, "..", "..", "..");
const runner = path.join(root, "scripts", "test-suite.js");

function run(files: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [runner, "file", ...files], { cwd: root, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lastLine = (text: string): string => text.trimEnd().split("\n").at(-1) ?? "";

describe("scripts/test-suite.js: isolation and the total line", function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-tests-"));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A compiled spec file with `passing` passing tests and `failing` failing ones. */
  function spec(name: string, passing: number, failing: number): string {
    const file = path.join(dir, `${name}.spec.js`);
    const tests = [
      ...Array.from({ length: passing }, (_, i) => `it("passes ${i}", () => {});`),
      ...Array.from({ length: failing }, (_, i) => `it("fails ${i}", () => { throw new Error("no"); });`),
    ];
    fs.writeFileSync(file, `describe("${name}", () => { ${tests.join(" ")} });\n`);
    return file;
  }

  it("an engine file in its own process, the others together, one total line", () => {
    const engineFile = path.join("build", "tests", "e2e", "program-connections.spec.js");
    const plain = spec("plain", 2, 0);
    const result = run([plain, engineFile]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      /test-suite: build\/tests\/e2e\/program-connections\.spec\.js in a process of its own/,
    );
    assert.doesNotMatch(result.stderr, /plain\.spec\.js in a process of its own/);
    assert.equal(lastLine(result.stdout), "5 passed, 0 failed, 0 skipped");
  });

  it("a failure anywhere fails the run and is counted", () => {
    const result = run([spec("ok", 1, 0), spec("bad", 1, 2)]);
    assert.equal(result.status, 1);
    assert.equal(lastLine(result.stdout), "2 passed, 2 failed, 0 skipped");
  });
});
