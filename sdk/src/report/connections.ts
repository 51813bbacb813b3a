/**
 * Which clusters the report reads, and with which settings. Per connection the sources are, first set wins:
 *
 * 1. command flags (`--endpoints`; the default connection only);
 * 2. the stack's `elasticsearch-ml:*` config as the preview JSON carries it — plain values only: secret
 *    values read `"[secret]"` there, so credentials set with `--secret` are not available from it;
 * 3. for the default connection, the `ELASTICSEARCH_*` environment (credentials belong here in CI).
 *
 * This is the provider's own order (stack config wins over the environment), so the report looks at the
 * cluster `pulumi up` will act on. Named connections (`elasticsearch-ml:connections`) never read the
 * environment, as in the provider; when that key is a secret they cannot be checked.
 */
import { ConfigurationError, type ConnectionOptions, resolveConnectionSettings } from "../client";
import {
  CONFIG_NAMESPACE,
  CONNECTIONS_KEY,
  parseProviderConfig,
  type ProviderConfig,
} from "../provider/config";
import { ProviderConfigError } from "../provider/stopFlags";
import { SECRET_PLACEHOLDER } from "./previewDocument";

/** The default connection's name in the report. */
export const DEFAULT_CONNECTION = "default";

/**
 * The report's name for connections given as a resource's `connection` argument (settings, not a name).
 * Their credentials are secrets, masked in the preview JSON, so the report does not read those clusters.
 */
export const ARGUMENT_CONNECTION = "(connection argument)";

/** Command-line connection settings. */
export interface ConnectionFlags {
  /** Endpoints for the default connection (override stack config and environment). */
  endpoints?: string[];
}

/** A connection to read, or why it cannot be. */
export type ConnectionTarget =
  | {
      connection: string;
      options: ConnectionOptions;
      env: Readonly<Record<string, string | undefined>>;
      /** Said when authentication fails: the stack's credentials are secrets the preview JSON hides. */
      credentialHint?: string;
    }
  | { connection: string; unavailable: string };

/**
 * Resolves the connections the report needs.
 *
 * @param names The connections the changes use (`default` for resources without `connection`).
 * @param config The stack config from the preview JSON.
 * @throws {ConfigurationError} When the flags themselves are invalid (a usage error).
 */
export function resolveTargets(
  names: readonly string[],
  config: Record<string, unknown>,
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionTarget[] {
  const redacted = Object.keys(config).filter(
    (k) => config[k] === SECRET_PLACEHOLDER && k.startsWith(`${CONFIG_NAMESPACE}:`),
  );
  let parsed: ProviderConfig | undefined;
  let configProblem: string | undefined;
  try {
    parsed = parseProviderConfig((key) => (config[key] === SECRET_PLACEHOLDER ? undefined : config[key]));
  } catch (err) {
    if (!(err instanceof ProviderConfigError)) throw err;
    configProblem = `the stack config cannot be used: ${err.message}`;
  }

  const targets: ConnectionTarget[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (name === ARGUMENT_CONNECTION) {
      targets.push({
        connection: name,
        unavailable:
          "the connection is given as resource arguments, whose credentials are secrets (masked in the preview " +
          "JSON), so the report does not read that cluster; pulumi up checks it with GET / before changing anything",
      });
      continue;
    }
    if (name === DEFAULT_CONNECTION) {
      const options: ConnectionOptions = { ...(parsed?.defaultConnection ?? {}) };
      if (flags.endpoints !== undefined && flags.endpoints.length > 0) {
        options.endpoints = flags.endpoints;
        delete options.cloudId;
      }
      if (configProblem !== undefined && flags.endpoints === undefined) {
        targets.push({ connection: name, unavailable: configProblem });
        continue;
      }
      try {
        resolveConnectionSettings(options, env);
      } catch (err) {
        targets.push({ connection: name, unavailable: noConnectionMessage(err, redacted) });
        continue;
      }
      targets.push({
        connection: name,
        options,
        env,
        ...(redacted.length > 0 ? { credentialHint: redactedHint(redacted) } : {}),
      });
      continue;
    }
    if (config[CONNECTIONS_KEY] === SECRET_PLACEHOLDER) {
      targets.push({
        connection: name,
        unavailable: `${CONNECTIONS_KEY} is a secret, so the preview JSON does not show its settings`,
      });
      continue;
    }
    if (configProblem !== undefined) {
      targets.push({ connection: name, unavailable: configProblem });
      continue;
    }
    const options = parsed?.connections[name];
    if (options === undefined) {
      targets.push({ connection: name, unavailable: `${CONNECTIONS_KEY} defines no connection "${name}"` });
      continue;
    }
    try {
      resolveConnectionSettings(options, {});
    } catch (err) {
      targets.push({ connection: name, unavailable: noConnectionMessage(err, [], false) });
      continue;
    }
    targets.push({ connection: name, options, env: {} });
  }
  return targets;
}

function redactedHint(redacted: readonly string[]): string {
  return (
    `the stack's ${redacted.join(", ")} ${redacted.length === 1 ? "is a secret" : "are secrets"}, ` +
    "redacted in the preview JSON: provide credentials through the ELASTICSEARCH_* environment"
  );
}

function noConnectionMessage(err: unknown, redacted: readonly string[], isDefault = true): string {
  const message =
    isDefault &&
    err instanceof ConfigurationError &&
    err.setting === "endpoints" &&
    /No Elasticsearch endpoint/.test(err.message)
      ? "no Elasticsearch connection is configured: pass --endpoints, set ELASTICSEARCH_ENDPOINTS " +
        "(or ELASTICSEARCH_CLOUD_ID), or set elasticsearch-ml:endpoints in the stack"
      : err instanceof Error
        ? err.message
        : String(err);
  const secrets = redacted.length > 0 ? ` (${redactedHint(redacted)})` : "";
  return `${message}${secrets}`;
}
