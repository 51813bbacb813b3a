/**
 * Whether a resource's delete is forced by its own flag (`TrainedModel`'s `forceDelete`,
 * `InferenceEndpoint`'s `forceDelete`). Never the stop flags' `force`: force-deleting something ingest
 * pipelines or `semantic_text` fields use breaks them until it is back, which is worse than a forced stop.
 * Precedence, as for the stop flags (`stopFlags.ts`): the environment of the running operation > the
 * resource's value > stack config > unset (not forced). Pure.
 */
import { parseConfigBoolean } from "./stopFlags";

/** Where a flag is read: its environment variable (the stack-config key is parsed by `config.ts`). */
export interface ForceDeleteFlag {
  envVar: string;
}

export interface ResolvedForceDelete {
  force: boolean;
  source: "environment" | "resource" | "config" | "default";
}

/**
 * @throws {ProviderConfigError} When the environment variable is set to something other than a boolean.
 */
export function resolveForceDeleteFlag(
  flag: ForceDeleteFlag,
  env: Readonly<Record<string, string | undefined>>,
  resource: unknown,
  config: boolean | undefined,
): ResolvedForceDelete {
  const fromEnv = parseConfigBoolean(flag.envVar, env[flag.envVar]);
  if (fromEnv !== undefined) return { force: fromEnv, source: "environment" };
  if (typeof resource === "boolean") return { force: resource, source: "resource" };
  if (config !== undefined) return { force: config, source: "config" };
  return { force: false, source: "default" };
}
