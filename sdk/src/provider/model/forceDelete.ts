/**
 * Whether a model's delete is forced. Its own flag, never the stop flags' `force`: force-deleting a model
 * that ingest pipelines use breaks ingest until the model is back, which is worse than a forced stop.
 * Precedence, as for the stop flags: the environment of the running operation
 * (`ELASTICSEARCH_ML_FORCE_DELETE_MODELS`) > the resource's `forceDelete` > stack config
 * (`elasticsearch-ml:forceDeleteModels`) > unset (not forced). Pure.
 */
import { parseConfigBoolean } from "../stopFlags";

export const FORCE_DELETE_ENV_VAR = "ELASTICSEARCH_ML_FORCE_DELETE_MODELS";
export { FORCE_DELETE_MODELS_KEY as FORCE_DELETE_CONFIG_KEY } from "../config";

export interface ResolvedForceDelete {
  force: boolean;
  source: "environment" | "resource" | "config" | "default";
}

/**
 * @throws {ProviderConfigError} When the environment variable is set to something other than a boolean.
 */
export function resolveForceDelete(
  env: Readonly<Record<string, string | undefined>>,
  resource: unknown,
  config: boolean | undefined,
): ResolvedForceDelete {
  const fromEnv = parseConfigBoolean(FORCE_DELETE_ENV_VAR, env[FORCE_DELETE_ENV_VAR]);
  if (fromEnv !== undefined) return { force: fromEnv, source: "environment" };
  if (typeof resource === "boolean") return { force: resource, source: "resource" };
  if (config !== undefined) return { force: config, source: "config" };
  return { force: false, source: "default" };
}
