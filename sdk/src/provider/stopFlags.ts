/**
 * The stop flags sent with `_stop` (update to `stopped`, replace, delete), per flag, first set wins:
 *
 * 1. the environment of the running operation (`ELASTICSEARCH_ML_FORCE`, `ELASTICSEARCH_ML_FINISH_PENDING_WORK`,
 *    `ELASTICSEARCH_ML_ALLOW_NO_MATCH`), read inside the method when the stop runs: the teardown lever that
 *    needs no program edit and works with a plain `pulumi destroy` (which reuses the stack config of the
 *    last `up`, so a config change alone does not reach it);
 * 2. the resource's own `stop` value;
 * 3. the provider configuration (`elasticsearch-ml:force`, `elasticsearch-ml:finishPendingWork`,
 *    `elasticsearch-ml:allowNoMatch`);
 * 4. unset — and an unset flag is not sent, so Elasticsearch's default applies.
 *
 * Pure: the provider passes in what it read.
 */
import { parseBooleanSetting } from "../client/booleans";
import { PULUMI_UNKNOWN, StopFlags, STOP_FLAG_PROPERTIES } from "./inputs";

/** The stack-config key for each stop flag. */
export const STOP_FLAG_CONFIG_KEYS: Readonly<Record<keyof StopFlags, string>> = {
  force: "elasticsearch-ml:force",
  finishPendingWork: "elasticsearch-ml:finishPendingWork",
  allowNoMatch: "elasticsearch-ml:allowNoMatch",
};

/** A provider-configuration value that is not a valid setting. `code` is stable; match on it. */
export class ProviderConfigError extends Error {
  override readonly name = "ProviderConfigError";
  readonly code = "ERR_PROVIDER_CONFIG";
  /** The configuration key, e.g. `elasticsearch-ml:force`. */
  readonly key: string;

  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

/**
 * Parse a boolean provider setting (stack config or environment) with the one rule every boolean follows
 * (`parseBooleanSetting`): `true`/`false` in any case, `1`/`0`, or a typed boolean; blank is unset.
 *
 * @returns The flag, or `undefined` when the key is not set.
 * @throws {ProviderConfigError} For any other value, naming the key and the value.
 */
export function parseConfigBoolean(key: string, raw: unknown): boolean | undefined {
  return parseBooleanSetting(raw, key, (name, message) => new ProviderConfigError(name, message));
}

/**
 * Read the three stop flags from provider configuration.
 *
 * @param get Looks a full key up (e.g. `(key) => config.get(key)` in the provider's `configure`).
 * @returns Only the flags that are set.
 * @throws {ProviderConfigError} When a set value is not a boolean (see {@link parseConfigBoolean}).
 */
export function stopFlagsFromConfig(get: (key: string) => unknown): StopFlags {
  const flags: StopFlags = {};
  for (const name of STOP_FLAG_PROPERTIES) {
    const value = parseConfigBoolean(STOP_FLAG_CONFIG_KEYS[name], get(STOP_FLAG_CONFIG_KEYS[name]));
    if (value !== undefined) flags[name] = value;
  }
  return flags;
}

/**
 * The flags a stop sends: per flag, the resource's `stop` value wins over the provider configuration.
 *
 * @param resourceStop The resource's `stop` input (from the old outputs on delete).
 * @param providerFlags The flags from {@link stopFlagsFromConfig}.
 * @returns Only the flags that are set; an absent flag must not be sent.
 */
export function effectiveStopFlags(
  resourceStop: StopFlags | undefined,
  providerFlags: StopFlags | undefined,
): StopFlags {
  const flags: StopFlags = {};
  for (const name of STOP_FLAG_PROPERTIES) {
    const value = pick(resourceStop?.[name]) ?? pick(providerFlags?.[name]);
    if (value !== undefined) flags[name] = value;
  }
  return flags;
}

// Only a real boolean counts; null (YAML) or a leftover unknown sentinel means "not set here".
function pick(value: unknown): boolean | undefined {
  if (value === PULUMI_UNKNOWN) return undefined;
  return typeof value === "boolean" ? value : undefined;
}

/** The environment variable that overrides each stop flag while an operation runs. */
export const STOP_FLAG_ENV_VARS: Readonly<Record<keyof StopFlags, string>> = {
  force: "ELASTICSEARCH_ML_FORCE",
  finishPendingWork: "ELASTICSEARCH_ML_FINISH_PENDING_WORK",
  allowNoMatch: "ELASTICSEARCH_ML_ALLOW_NO_MATCH",
};

/**
 * Read the stop-flag overrides from the environment. A blank variable counts as unset.
 *
 * @returns Only the flags that are set.
 * @throws {ProviderConfigError} When a set value is not a boolean (see {@link parseConfigBoolean}): a typo
 *   must never silently leave a force stop off.
 */
export function stopFlagsFromEnv(env: Readonly<Record<string, string | undefined>>): StopFlags {
  const flags: StopFlags = {};
  for (const name of STOP_FLAG_PROPERTIES) {
    const value = parseConfigBoolean(STOP_FLAG_ENV_VARS[name], env[STOP_FLAG_ENV_VARS[name]]);
    if (value !== undefined) flags[name] = value;
  }
  return flags;
}

/** Where the value of a stop flag came from. */
export type StopFlagSource = "environment" | "resource" | "config";

/** The flags to send, and where each came from (for messages that name the lever to pull). */
export interface ResolvedStopFlags {
  flags: StopFlags;
  sources: Partial<Record<keyof StopFlags, StopFlagSource>>;
}

/**
 * The flags a stop sends, with the full precedence: environment > resource `stop` > provider config > unset.
 *
 * @param envFlags From {@link stopFlagsFromEnv}, read when the stop runs.
 * @param resourceStop The resource's `stop` input (from the old outputs on delete).
 * @param configFlags From {@link stopFlagsFromConfig}.
 */
export function resolveStopFlags(
  envFlags: StopFlags | undefined,
  resourceStop: StopFlags | undefined,
  configFlags: StopFlags | undefined,
): ResolvedStopFlags {
  const flags = effectiveStopFlags(envFlags, effectiveStopFlags(resourceStop, configFlags));
  const sources: ResolvedStopFlags["sources"] = {};
  for (const name of STOP_FLAG_PROPERTIES) {
    if (pick(envFlags?.[name]) !== undefined) sources[name] = "environment";
    else if (pick(resourceStop?.[name]) !== undefined) sources[name] = "resource";
    else if (pick(configFlags?.[name]) !== undefined) sources[name] = "config";
  }
  return { flags, sources };
}
