import * as path from "node:path";

/** Inputs of {@link offlineEnv}. */
export interface OfflineEnvInput {
  /** Repository root: its `node_modules` provides Node 24 and `@pulumi/pulumi` to the plugin. */
  readonly repoRoot: string;
  /** Absolute folder of the local file backend (one per run: a killed run can leave a lock). */
  readonly backendDir: string;
  /** Passphrase of the passphrase secrets provider. */
  readonly passphrase: string;
  /** PATH to extend; the test process's own PATH by default. */
  readonly basePath?: string;
}

/**
 * The environment every CLI command of a test stack gets, so nothing is
 * fetched or asked for at run time (see docs/pulumi-cli.md):
 * - a file backend and a passphrase: no login, no prompt;
 * - no update check and no automatic plugin download: a missing plugin fails
 *   at once with a local error;
 * - `<repo>/node_modules/.bin` first on PATH, because the CLI starts the
 *   dynamic-provider plugin with whatever `node` comes first, and the
 *   machine's own node may be too old for @pulumi/pulumi (it needs Node >= 22);
 * - `NODE_PATH` so the plugin resolves `@pulumi/pulumi` even from a work dir
 *   outside the repository.
 * `PULUMI_HOME` is set by the workspace's `pulumiHome` option.
 */
export function offlineEnv(input: OfflineEnvInput): Record<string, string> {
  if (!path.isAbsolute(input.backendDir)) {
    throw new Error(
      `offlineEnv: backendDir must be an absolute path; got ${JSON.stringify(input.backendDir)}`,
    );
  }
  const nodeModules = path.join(input.repoRoot, "node_modules");
  const basePath = input.basePath ?? process.env.PATH ?? "";
  return {
    PULUMI_BACKEND_URL: `file://${input.backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: input.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NODE_PATH: nodeModules,
    PATH: [path.join(nodeModules, ".bin"), basePath].filter((p) => p !== "").join(path.delimiter),
  };
}
