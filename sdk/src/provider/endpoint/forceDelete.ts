/**
 * Whether an inference endpoint's delete is forced past the pipelines and `semantic_text` fields that
 * reference it: `ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS` > the resource's `forceDelete` > stack config
 * `elasticsearch-ml:forceDeleteEndpoints` > not forced (the shared rule in `../forceDelete.ts`). Not implied by
 * the stop flag `force` nor by the models' flag.
 */
import { resolveForceDeleteFlag, type ResolvedForceDelete } from "../forceDelete";

export const FORCE_DELETE_ENDPOINTS_ENV_VAR = "ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS";
export { FORCE_DELETE_ENDPOINTS_KEY } from "../config";

/**
 * @throws {ProviderConfigError} When the environment variable is set to something other than a boolean.
 */
export function resolveEndpointForceDelete(
  env: Readonly<Record<string, string | undefined>>,
  resource: unknown,
  config: boolean | undefined,
): ResolvedForceDelete {
  return resolveForceDeleteFlag({ envVar: FORCE_DELETE_ENDPOINTS_ENV_VAR }, env, resource, config);
}
