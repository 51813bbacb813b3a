#!/usr/bin/env node
// The one test runner behind `npm test`, `npm run test:fast`, `test:slow` and `test:file`. It runs compiled
// spec files with the settings of .mocharc.json (reporter, timeout, exit) but not its spec glob: mocha
// merges files given on the command line with the config's `spec`, so `mocha --config .mocharc.json <file>`
// ran every test. Run after `npm run build` (the npm scripts do).
//
//   node scripts/test-suite.js all           every spec file (npm test)
//   node scripts/test-suite.js fast          every spec file that does not start the Pulumi engine
//   node scripts/test-suite.js slow          every spec file that does (the engine suites)
//   node scripts/test-suite.js file <f>...   the given files: build/tests/x.spec.js or tests/x.spec.ts
//   node scripts/test-suite.js list fast|slow   print the files of a set
//
// A spec file starts the engine when it reaches, through its relative requires, the e2e harness's CLI
// module or the Automation API: read from the compiled JavaScript, so a new engine test is classified
// without a list to maintain.
//
// Each engine file runs in a mocha process of its own, every other file together in one: inline programs
// share @pulumi/pulumi's runtime state within a process, and a run whose operation failed never ends and
// keeps its process-wide handlers and gRPC clients (docs/pulumi-engine-findings.md, section g). The last
// line adds every process up: "N passed, N failed, N skipped" (exit 1 when a test failed, 3 when none ran).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
const BUILD = path.join(ROOT, "build", "tests");
const ENGINE_MODULES = [path.join(BUILD, "e2e", "harness", "cli.js")];
const ENGINE_PACKAGES = /^@pulumi\/pulumi\/automation(\/|$)/;

function specFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return specFiles(full);
      return entry.name.endsWith(".spec.js") ? [full] : [];
    })
    .sort();
}

/** The file a relative require names, as Node would find it (file, .js, or index.js). */
function resolveRelative(from, request) {
  const base = path.resolve(path.dirname(from), request);
  for (const candidate of [base, `${base}.js`, path.join(base, "index.js")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const engineCache = new Map();
function startsEngine(file, seen = new Set()) {
  if (engineCache.has(file)) return engineCache.get(file);
  if (seen.has(file)) return false;
  seen.add(file);
  let found = ENGINE_MODULES.includes(file);
  const source = found ? "" : fs.readFileSync(file, "utf8");
  for (const [, request] of source.matchAll(/require\("([^"]+)"\)/g)) {
    if (found) break;
    if (ENGINE_PACKAGES.test(request)) found = true;
    else if (request.startsWith(".")) {
      const target = resolveRelative(file, request);
      if (target && startsEngine(target, seen)) found = true;
    }
  }
  engineCache.set(file, found);
  return found;
}

/** A test file as given on the command line: the compiled spec, from either its .ts or .js path. */
function compiledSpec(arg) {
  const full = path.resolve(arg);
  const relative = path.relative(path.join(ROOT, "tests"), full);
  const compiled = relative.startsWith("..") ? full : path.join(BUILD, relative.replace(/\.ts$/, ".js"));
  if (!fs.existsSync(compiled)) {
    console.error(
      `test-suite: ${arg}: no compiled test at ${path.relative(ROOT, compiled)} (npm run build?)`,
    );
    process.exit(2);
  }
  return compiled;
}

function selection(mode, args) {
  if (mode === "file") {
    if (args.length === 0) {
      console.error("test-suite: file needs at least one test file, e.g. build/tests/unit/check.spec.js");
      process.exit(2);
    }
    return args.map(compiledSpec);
  }
  const all = specFiles(BUILD);
  if (mode === "fast") return all.filter((f) => !startsEngine(f));
  if (mode === "slow") return all.filter((f) => startsEngine(f));
  console.error("usage: node scripts/test-suite.js fast|slow|file <test files>|list fast|slow");
  process.exit(2);
}

const SUMMARY = /^(\d+) passed, (\d+) failed, (\d+) skipped[ \t]*$/m;

/** Runs mocha on `files` in a child process with `configFile`; returns its counts from the summary line. */
function runMocha(configFile, files) {
  const mocha = require.resolve("mocha/bin/mocha.js", { paths: [ROOT] });
  const result = spawnSync(process.execPath, [mocha, "--config", configFile, ...files], {
    cwd: ROOT,
    stdio: ["inherit", "pipe", "inherit"],
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const out = result.stdout.toString();
  const line = SUMMARY.exec(out);
  // The process's own summary is shown as a partial count, so that only the total reads as a closing line.
  process.stdout.write(
    out.replace(SUMMARY, (_, p, f, s) => `(this process: ${p} passed, ${f} failed, ${s} skipped)`),
  );
  if (!line) {
    // The process died before its summary (a crash, a signal): count it as one failure.
    const which = files.length === 1 ? path.relative(ROOT, files[0]) : `${files.length} files`;
    console.error(`test-suite: no summary from ${which} (exit ${result.status ?? result.signal})`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  return { passed: Number(line[1]), failed: Number(line[2]), skipped: Number(line[3]) };
}

function main(argv) {
  const [mode, ...args] = argv;
  if (mode === "list") {
    for (const file of selection(args[0], [])) console.log(path.relative(ROOT, file));
    return 0;
  }
  const files = mode === "all" ? specFiles(BUILD) : selection(mode, args);
  if (files.length === 0) {
    console.error(`test-suite: no ${mode} test files under build/tests (npm run build?)`);
    return 3;
  }
  // .mocharc.json without `spec`, so that only these files run.
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, ".mocharc.json"), "utf8"));
  delete config.spec;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "es-ml-mocharc-"));
  const configFile = path.join(dir, "mocharc.json");
  fs.writeFileSync(configFile, JSON.stringify(config));
  const total = { passed: 0, failed: 0, skipped: 0 };
  const add = (counts) => {
    for (const key of Object.keys(total)) total[key] += counts[key];
  };
  try {
    const engine = files.filter((f) => startsEngine(f));
    const others = files.filter((f) => !engine.includes(f));
    if (others.length > 0) add(runMocha(configFile, others));
    for (const file of engine) {
      console.error(`test-suite: ${path.relative(ROOT, file)} in a process of its own`);
      add(runMocha(configFile, [file]));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  if (total.passed + total.failed === 0) {
    console.error("test-suite: no test ran");
    return 3;
  }
  return total.failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
