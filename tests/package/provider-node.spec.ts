/**
 * Which `node` runs the provider (sdk/README.md, "Which `node` runs the provider"): the Pulumi CLI starts
 * the dynamic-provider plugin `pulumi-resource-pulumi-nodejs` that ships in `@pulumi/pulumi`, and the
 * plugin runs the first `node` on its PATH. Pinned by running the plugin with a stand-in `node` first on
 * PATH: the stand-in is what runs.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

describe("the provider's node: the plugin runs the first node on PATH", () => {
  let dir: string;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("starts a stand-in node placed first on PATH, in the directory it runs in", async () => {
    const plugin = path.join(
      path.dirname(require.resolve("@pulumi/pulumi/package.json")),
      "pulumi-resource-pulumi-nodejs",
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "es-ml-provider-node-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // Answers the plugin's `node -e` lookup with a path, then records how it was started.
    fs.writeFileSync(
      path.join(bin, "node"),
      '#!/bin/sh\nif [ "$1" = "-e" ]; then echo /stand-in/dynamic-provider; else echo "stand-in node: $* in $(pwd)"; fi\n',
      { mode: 0o755 },
    );
    const { stdout } = await execFileAsync(plugin, ["127.0.0.1:1"], {
      cwd: dir,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    });
    assert.equal(
      stdout.trim(),
      `stand-in node: /stand-in/dynamic-provider 127.0.0.1:1 in ${fs.realpathSync(dir)}`,
    );
  });
});
