/**
 * Whether a model's delete is forced: `ELASTICSEARCH_ML_FORCE_DELETE_MODELS` > the resource's `forceDelete`
 * > stack config `elasticsearch-ml:forceDeleteModels` > not forced (the shared rule in `../forceDelete.ts`).
 */
import { resolveForceDeleteFlag, type ResolvedForceDelete } from "../forceDelete";

export const FORCE_DELETE_ENV_VAR = "ELASTICSEARCH_ML_FORCE_DELETE_MODELS";
export { FORCE_DELETE_MODELS_KEY as FORCE_DELETE_CONFIG_KEY } from "../config";
export type { ResolvedForceDelete } from "../forceDelete";

/**
 * @throws {ProviderConfigError} When the environment variable is set to something other than a boolean.
 */
export function resolveForceDelete(
  env: Readonly<Record<string, string | undefined>>,
  resource: unknown,
  config: boolean | undefined,
): ResolvedForceDelete {
  return resolveForceDeleteFlag({ envVar: FORCE_DELETE_ENV_VAR }, env, resource, config);
}
