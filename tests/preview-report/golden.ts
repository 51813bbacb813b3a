/**
 * Golden files: compare a test's output with `golden/<name>`, or (re)write it when `UPDATE_GOLDEN=1`.
 * Regenerate all with:
 *
 *   npx tsc -b && UPDATE_GOLDEN=1 npx mocha --no-config --exit --timeout 60000 \
 *     --reporter scripts/summary-reporter.js 'build/tests/preview-report/**\/*.spec.js'
 *
 * then review the diff (`git diff tests/preview-report/golden`) before committing it.
 *
 * Markdown is compared as text, byte for byte. JSON is compared as data (the repository's Prettier
 * check formats `.json` files, so JSON goldens are written the way Prettier prints them).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { repoRoot } from "../e2e/harness/repo";

export const GOLDEN_DIR = path.join(repoRoot(), "tests", "preview-report", "golden");

/** True when this run rewrites the golden files instead of comparing. */
export const UPDATING = process.env.UPDATE_GOLDEN === "1";

export function goldenPath(name: string): string {
  return path.join(GOLDEN_DIR, name);
}

function missing(file: string): string {
  return `golden file ${path.relative(repoRoot(), file)} is missing; run the tests with UPDATE_GOLDEN=1 to create it`;
}

/** Asserts `actual` equals the golden text file (or writes it when updating). */
export function expectGolden(name: string, actual: string): void {
  const file = goldenPath(name);
  if (UPDATING) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), missing(file));
  assert.equal(
    actual,
    fs.readFileSync(file, "utf8"),
    `output differs from golden/${name} (UPDATE_GOLDEN=1 rewrites it)`,
  );
}

/** Asserts the JSON text `actual` holds the same data as the golden JSON file (or writes it when updating). */
export async function expectGoldenJson(name: string, actual: string): Promise<void> {
  const file = goldenPath(name);
  if (UPDATING) {
    await writeJson(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), missing(file));
  assert.deepEqual(
    JSON.parse(actual),
    JSON.parse(fs.readFileSync(file, "utf8")),
    `output differs from golden/${name} (UPDATE_GOLDEN=1 rewrites it)`,
  );
}

/** Writes JSON text as Prettier formats it. */
export async function writeJson(file: string, text: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...options, parser: "json" }));
}

/** Reads a golden file. */
export function readGolden(name: string): string {
  return fs.readFileSync(goldenPath(name), "utf8");
}

/** Replaces what changes from run to run (emulator ports) with stable placeholders. */
export function normalize(text: string): string {
  return text.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");
}
