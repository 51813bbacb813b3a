#!/usr/bin/env node
// Runs compiled test files with mocha, each file that drives the real Pulumi engine in a process of its
// own, every other file together in one, and ends with one "N passed, N failed, N skipped" line for the
// whole run (exit 1 when a test failed, 3 when none ran).
//
// Why: inline programs share @pulumi/pulumi's runtime state within a process. A run whose operation
// failed never ends and keeps its process-wide error handlers and gRPC clients for the life of the
// process (docs/pulumi-engine-findings.md, section g). A process per engine file keeps one file's
// leftovers away from the next file's stacks.
//
//   node scripts/run-tests.js                                 # every build/tests/**/*.spec.js
//   node scripts/run-tests.js build/tests/e2e/a.spec.js ...   # these files only
//
// Mocha options come from .mocharc.json (timeout, exit, reporter), except its spec list.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const harness = path.join(root, "build", "tests", "e2e", "harness");
const mocharc = JSON.parse(fs.readFileSync(path.join(root, ".mocharc.json"), "utf8"));

function specFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".spec.js"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/** Whether a compiled test file loads the e2e harness, i.e. runs inline programs through the engine. */
function drivesTheEngine(file) {
  const text = fs.readFileSync(path.resolve(root, file), "utf8");
  for (const match of text.matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)) {
    const target = path.resolve(path.dirname(path.resolve(root, file)), match[1]);
    if (target === harness || target.startsWith(harness + path.sep)) return true;
  }
  return false;
}

/** Runs mocha on `files` in a child process; returns its counts, read from the summary reporter's last line. */
function mocha(files) {
  const args = [
    require.resolve("mocha/bin/mocha.js"),
    "--no-config",
    "--reporter",
    path.join(root, mocharc.reporter),
    "--timeout",
    String(mocharc.timeout),
    ...(mocharc.exit ? ["--exit"] : []),
    ...files,
  ];
  const run = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: ["inherit", "pipe", "inherit"],
    maxBuffer: 1024 * 1024 * 1024,
  });
  const out = run.stdout.toString();
  process.stdout.write(out);
  const line = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(out);
  if (!line) {
    // The process died before its summary (a crash, a signal): count the files as one failure.
    console.error(`run-tests: no summary from ${files.join(" ")} (exit ${run.status ?? run.signal})`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  return { passed: Number(line[1]), failed: Number(line[2]), skipped: Number(line[3]) };
}

const files = process.argv.length > 2 ? process.argv.slice(2) : specFiles(path.join(root, "build", "tests"));
const engine = files.filter(drivesTheEngine);
const others = files.filter((f) => !engine.includes(f));
const total = { passed: 0, failed: 0, skipped: 0 };
const add = (counts) => {
  for (const key of Object.keys(total)) total[key] += counts[key];
};
if (others.length > 0) add(mocha(others));
for (const file of engine) {
  console.error(`run-tests: ${file} in a process of its own`);
  add(mocha([file]));
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
if (total.passed + total.failed === 0) {
  console.error("no test ran");
  process.exit(3);
}
process.exit(total.failed > 0 ? 1 : 0);
