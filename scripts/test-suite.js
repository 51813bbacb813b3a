#!/usr/bin/env node
// Runs part of the compiled test suite with the settings of .mocharc.json (reporter, timeout, hooks...)
// but not its spec glob: mocha merges files given on the command line with the config's `spec`, so
// `mocha --config .mocharc.json <file>` ran every test. Run after `npm run build` (the npm scripts do).
//
//   node scripts/test-suite.js fast          every spec file that does not start the Pulumi engine
//   node scripts/test-suite.js slow          every spec file that does (the engine suites)
//   node scripts/test-suite.js file <f>...   the given files: build/tests/x.spec.js or tests/x.spec.ts
//   node scripts/test-suite.js list fast|slow   print the files of a set
//
// A spec file starts the engine when it reaches, through its relative requires, the e2e harness's CLI
// module or the Automation API: read from the compiled JavaScript, so a new engine test is classified
// without a list to maintain. Output ends with the summary reporter's "N passed, N failed, N skipped".
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

function main(argv) {
  const [mode, ...args] = argv;
  if (mode === "list") {
    for (const file of selection(args[0], [])) console.log(path.relative(ROOT, file));
    return 0;
  }
  const files = selection(mode, args);
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
  try {
    const mocha = require.resolve("mocha/bin/mocha.js", { paths: [ROOT] });
    const result = spawnSync(process.execPath, [mocha, "--config", configFile, ...files], {
      cwd: ROOT,
      stdio: "inherit",
    });
    if (result.error) throw result.error;
    return result.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
