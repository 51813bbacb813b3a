/**
 * The provider's **stable entry point**, exported as `pulumi-elasticsearch-ml/provider`.
 *
 * The provider object serialized into every resource's state (`__provider`) only calls
 * `require("pulumi-elasticsearch-ml/provider").<method>(...)`. State written by one version of the package
 * is therefore deleted, read and updated by whatever version is installed when the operation runs. Keep
 * this module's exports (`configure`, `check`, `diff`, `create`, `read`, `update`, `delete`) and the shapes
 * they accept compatible across versions: old state must keep working.
 *
 * The module keeps one {@link DeploymentProvider} per process: the configuration `configure` received and
 * one Elasticsearch client per distinct connection. None of it is ever serialized.
 *
 * Expected errors thrown from here print without a stack trace in the host (see `./hostErrors`).
 */
import { stableEntry } from "./entry";

export type { ConfigureRequestLike } from "./entry";
import { DeploymentProvider, type ProviderDependencies } from "./provider";

const entry = stableEntry(() => new DeploymentProvider());

export const configure = entry.configure;
export const check = entry.check;
export const diff = entry.diff;
export const create = entry.create;
export const read = entry.read;
export const update = entry.update;
const remove = entry.delete;
export { remove as delete };
export const closeConnections = entry.closeConnections;

/**
 * A provider with its own dependencies (timings, progress sink, environment, client tuning), for tests and
 * for embedding; the engine uses the module-level functions above.
 */
export function createProvider(dependencies: Partial<ProviderDependencies> = {}): DeploymentProvider {
  return new DeploymentProvider(dependencies);
}

export { DeploymentProvider, type ProviderDependencies } from "./provider";
export type { CheckResult, DiffResult, CreateResult, ReadResult, UpdateResult } from "./provider";
export {
  PartialFailureError,
  WrongClusterError,
  DeploymentExistsError,
  DeploymentFailedError,
  WaitTimeoutError,
  StopRefusedError,
  OwnedByInferenceEndpointError,
  ClusterUnreachableError,
  ProviderError,
  type ProviderErrorCode,
} from "./errors";
export { EXPECTED_ERROR_NOTE, isExpectedError, printableForHost } from "./hostErrors";
export { engineAddressFromArgs, isDynamicProviderHost, warnThroughEngine } from "./engineLog";
export { ProviderConfigError, STOP_FLAG_CONFIG_KEYS, STOP_FLAG_ENV_VARS } from "./stopFlags";
export { CONFIG_NAMESPACE, CONNECTION_CONFIG_KEYS, CREDENTIAL_CONFIG_KEYS, CONNECTIONS_KEY } from "./config";
export { DEFAULT_TIMING, type Timing, type Clock } from "./wait";
export { collectingProgress, consoleProgress, type Progress } from "./progress";
