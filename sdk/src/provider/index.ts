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
import { warningsDelivered } from "./engineLog";
import { forHost } from "./hostErrors";
import { DeploymentProvider, type ProviderDependencies } from "./provider";

let instance: DeploymentProvider | undefined;

function current(): DeploymentProvider {
  instance ??= new DeploymentProvider();
  return instance;
}

/** The shape of the dynamic provider's `ConfigureRequest` this entry relies on. */
export interface ConfigureRequestLike {
  config: { get(key: string): string | undefined };
}

type Props = Record<string, unknown>;

/** Runs one method for the engine: expected errors printed quietly, warnings delivered before answering. */
async function answer<T>(method: () => T | Promise<T>): Promise<T> {
  try {
    return await forHost(method);
  } finally {
    await warningsDelivered();
  }
}

/** Receives the stack configuration once per provider process. */
export async function configure(req: ConfigureRequestLike): Promise<void> {
  current().configure((key) => req.config.get(key));
}

export async function check(olds: unknown, news: unknown) {
  return answer(() => current().check(olds, news));
}

export async function diff(id: string, olds: Props, news: Props) {
  return answer(() => current().diff(id, olds, news));
}

export async function create(inputs: Props) {
  return answer(() => current().create(inputs));
}

export async function read(id: string, props: Props) {
  return answer(() => current().read(id, props));
}

export async function update(id: string, olds: Props, news: Props) {
  return answer(() => current().update(id, olds, news));
}

async function remove(id: string, props: Props): Promise<void> {
  return answer(() => current().delete(id, props));
}
export { remove as delete };

/**
 * Close the clients this process opened. The engine never needs it (it ends the provider process); tests
 * and programs that embed the provider call it to leave no socket open.
 */
export async function closeConnections(): Promise<void> {
  const closing = instance;
  instance = undefined;
  await closing?.close();
}

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
