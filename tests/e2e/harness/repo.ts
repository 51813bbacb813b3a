import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The repository root, found by walking up from this file (it runs from
 * `build/tests/e2e/harness/`) to the folder that holds `scripts/get-pulumi.sh`.
 * Resolved rather than hard-coded so a clone anywhere works.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (
      fs.existsSync(path.join(dir, "scripts", "get-pulumi.sh")) &&
      fs.existsSync(path.join(dir, "package.json"))
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`e2e harness: no repository root (a folder with scripts/get-pulumi.sh) above ${from}`);
    }
    dir = parent;
  }
}
