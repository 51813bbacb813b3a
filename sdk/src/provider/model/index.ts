/**
 * The `TrainedModel` provider's **stable entry point**, exported as
 * `pulumi-elasticsearch-ml/provider/trained-model`.
 *
 * The provider object serialized into every `TrainedModel`'s state only calls
 * `require("pulumi-elasticsearch-ml/provider/trained-model").<method>(...)`, so state written by one version
 * of the package is deleted, read and updated by whatever version is installed when the operation runs.
 * Keep these exports (`configure`, `check`, `diff`, `create`, `read`, `update`, `delete`) and the shapes they
 * accept compatible across versions.
 *
 * One {@link ModelProvider} per process: the configuration and one client per connection, never serialized.
 * Expected errors print without a stack trace in the host, and warnings reach the engine before each
 * answer, as for deployments (`../hostErrors`, `../engineLog`).
 */
import { warningsDelivered } from "../engineLog";
import { forHost } from "../hostErrors";
import type { ConfigureRequestLike } from "../index";
import { ModelProvider, type ModelProviderDependencies } from "./provider";

let instance: ModelProvider | undefined;

function current(): ModelProvider {
  instance ??= new ModelProvider();
  return instance;
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

/** Close the clients this process opened (tests and embedding; the engine ends the process instead). */
export async function closeConnections(): Promise<void> {
  const closing = instance;
  instance = undefined;
  await closing?.close();
}

/** A provider with its own dependencies (timings, progress sink, environment, client tuning, part size). */
export function createModelProvider(dependencies: Partial<ModelProviderDependencies> = {}): ModelProvider {
  return new ModelProvider(dependencies);
}

export { ModelProvider, MODEL_TIMING, type ModelProviderDependencies } from "./provider";
export { FORCE_DELETE_CONFIG_KEY, FORCE_DELETE_ENV_VAR } from "./forceDelete";
export { DEFAULT_CHUNK_BYTES } from "./upload";
export {
  ModelInUseError,
  ModelExistsError,
  ModelDownloadError,
  ModelRepositoryUnreachableError,
  ModelUploadError,
} from "../errors";
