/**
 * The `InferenceEndpoint` provider's **stable entry point**, exported as
 * `pulumi-elasticsearch-ml/provider/inference-endpoint`.
 *
 * The provider object serialized into every `InferenceEndpoint`'s state only calls
 * `require("pulumi-elasticsearch-ml/provider/inference-endpoint").<method>(...)`, so state written by one
 * version of the package is handled by whatever version is installed when the operation runs. Keep these
 * exports (`configure`, `check`, `diff`, `create`, `read`, `update`, `delete`) and the shapes they accept
 * compatible across versions.
 */
import { stableEntry } from "../entry";
import { EndpointProvider, type EndpointProviderDependencies } from "./provider";

const entry = stableEntry(() => new EndpointProvider());

export const configure = entry.configure;
export const check = entry.check;
export const diff = entry.diff;
export const create = entry.create;
export const read = entry.read;
export const update = entry.update;
const remove = entry.delete;
export { remove as delete };
export const closeConnections = entry.closeConnections;

/** A provider with its own dependencies (timings, progress sink, environment, client tuning). */
export function createEndpointProvider(
  dependencies: Partial<EndpointProviderDependencies> = {},
): EndpointProvider {
  return new EndpointProvider(dependencies);
}

export { EndpointProvider, type EndpointProviderDependencies } from "./provider";
export { FORCE_DELETE_ENDPOINTS_ENV_VAR, FORCE_DELETE_ENDPOINTS_KEY } from "./forceDelete";
export { PRECONFIGURED_ENDPOINTS } from "./inputs";
export { EndpointInUseError, EndpointExistsError, EndpointGoneError } from "../errors";
