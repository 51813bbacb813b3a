/**
 * Harness for end-to-end tests against the real Pulumi engine: finds the CLI,
 * runs inline programs on a private file backend with offline settings, and
 * captures what the engine reports. See docs/pulumi-cli.md.
 */
export { getPulumiCli, DYNAMIC_PROVIDER_PLUGIN, type PulumiCli, type GetPulumiCliOptions } from "./cli";
export { offlineEnv, type OfflineEnvInput } from "./env";
export { steps, stepOps, diagnostics, changeCounts, finalOutputs, urnName, type Step } from "./events";
export { Journal } from "./journal";
export { repoRoot } from "./repo";
export {
  isolateProgramConnections,
  programConnectionsIsolated,
  LOCAL_SUBCHANNEL_POOL,
} from "./program-connections";
export {
  TestStack,
  withTestStack,
  expectOperationFailure,
  OperationFailedError,
  CliCommandError,
  ProgramDidNotRunError,
  type TestStackOptions,
  type Operation,
  type StackCheckpoint,
  type CheckpointResource,
  type UpOpts,
  type PreviewOpts,
  type RefreshOpts,
  type DestroyOpts,
} from "./test-stack";
