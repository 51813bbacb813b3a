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
import { stableEntry } from "../entry";
import { ModelProvider, type ModelProviderDependencies } from "./provider";

const entry = stableEntry(() => new ModelProvider());

export const configure = entry.configure;
export const check = entry.check;
export const diff = entry.diff;
export const create = entry.create;
export const read = entry.read;
export const update = entry.update;
const remove = entry.delete;
export { remove as delete };
export const closeConnections = entry.closeConnections;

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
