import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { repoRoot } from "./repo";

const execFileAsync = promisify(execFile);

/** The dynamic-provider plugin's file name; the CLI looks for it next to itself and on PATH. */
export const DYNAMIC_PROVIDER_PLUGIN = "pulumi-resource-pulumi-nodejs";

/** A located Pulumi CLI, ready for the Automation API. */
export interface PulumiCli {
  /** Folder holding `pulumi` and the dynamic-provider plugin. */
  readonly binDir: string;
  /** The Automation API's handle on `<binDir>/pulumi`. */
  readonly command: PulumiCommand;
  /** What `pulumi version` printed, e.g. `v3.276.0`. */
  readonly version: string;
  /** Whether `pulumi-language-nodejs` sits next to the CLI (shell `pulumi up` needs it; inline programs don't). */
  readonly hasNodejsLanguageHost: boolean;
}

/** Options for {@link getPulumiCli}. */
export interface GetPulumiCliOptions {
  /** Accept a CLI older than the Automation API's minimum (forwarded to `PulumiCommand.get`). */
  readonly skipVersionCheck?: boolean;
}

let located: Promise<PulumiCli> | undefined;

/**
 * Finds the Pulumi CLI once per process: `PULUMI_BIN_DIR` when set (the test
 * command sets it through `scripts/lib/setup.sh`), otherwise whatever
 * `scripts/get-pulumi.sh` prints (it may build the CLI, which takes minutes the
 * first time on a host). Makes sure the dynamic-provider plugin sits next to the
 * binary. Never downloads the CLI (`PulumiCommand.install()` would).
 */
export function getPulumiCli(options: GetPulumiCliOptions = {}): Promise<PulumiCli> {
  located ??= locate(options).catch((err: unknown) => {
    located = undefined; // let a later caller retry after fixing the cause
    throw err;
  });
  return located;
}

async function locate(options: GetPulumiCliOptions): Promise<PulumiCli> {
  const binDir = path.resolve(process.env.PULUMI_BIN_DIR || (await runGetPulumiScript()));
  const binary = path.join(binDir, "pulumi");
  if (!isExecutable(binary)) {
    throw new Error(`e2e harness: no executable pulumi in ${binDir} (from ${describeSource()})`);
  }
  // PulumiCommand.get takes the folder *above* bin/ and runs `<root>/bin/pulumi`.
  if (path.basename(binDir) !== "bin") {
    throw new Error(
      `e2e harness: the Pulumi CLI folder must be named "bin" (the Automation API runs <root>/bin/pulumi); got ${binDir}`,
    );
  }
  ensureDynamicProviderPlugin(binDir);
  const command = await PulumiCommand.get({
    root: path.dirname(binDir),
    skipVersionCheck: options.skipVersionCheck,
  });
  const { stdout } = await execFileAsync(binary, ["version"], {
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  return {
    binDir,
    command,
    version: stdout.trim(),
    hasNodejsLanguageHost: isExecutable(path.join(binDir, "pulumi-language-nodejs")),
  };
}

function describeSource(): string {
  return process.env.PULUMI_BIN_DIR ? "PULUMI_BIN_DIR" : "scripts/get-pulumi.sh";
}

async function runGetPulumiScript(): Promise<string> {
  const script = path.join(repoRoot(), "scripts", "get-pulumi.sh");
  try {
    const { stdout } = await execFileAsync("bash", [script], { maxBuffer: 64 * 1024 * 1024 });
    const lines = stdout.trim().split("\n");
    const last = lines[lines.length - 1];
    if (!last) throw new Error("it printed no folder");
    return last.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(
      `e2e harness: ${script} failed: ${(err as Error).message}\n${stderr.split("\n").slice(-15).join("\n")}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * The CLI resolves `pulumi-resource-pulumi-nodejs` next to itself, never in
 * node_modules. Official installs ship it; our build copies it. When it is
 * missing and the folder is not ours to write, say how to fix it.
 */
function ensureDynamicProviderPlugin(binDir: string): void {
  const target = path.join(binDir, DYNAMIC_PROVIDER_PLUGIN);
  if (isExecutable(target)) return;
  const source = path.join(repoRoot(), "node_modules", "@pulumi", "pulumi", DYNAMIC_PROVIDER_PLUGIN);
  if (!fs.existsSync(source)) {
    throw new Error(`e2e harness: ${source} is missing; run npm ci at the repository root`);
  }
  try {
    fs.copyFileSync(source, target);
    fs.chmodSync(target, 0o755);
  } catch (err) {
    throw new Error(
      `e2e harness: ${DYNAMIC_PROVIDER_PLUGIN} is missing next to ${binDir}/pulumi and could not be copied there (${(err as Error).message}); copy ${source} into ${binDir}`,
      {
        cause: err,
      },
    );
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
