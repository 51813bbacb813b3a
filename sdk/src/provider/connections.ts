/**
 * Connections for the provider process: which settings a resource's `connection` names, and one client
 * per distinct set of settings (keyed by `ConnectionSettings.cacheKey()`, which reveals nothing). Lives in
 * the provider process only; nothing here is ever serialized into state.
 */
import {
  type ClientOptions,
  ConfigurationError,
  createClient,
  ElasticsearchClient,
  ENV_VARS,
  resolveConnectionSettings,
  TRACE_ENV_VAR,
} from "../client";
import { configKeyOf, CONNECTIONS_KEY, ProviderConfig, TEXT_CONNECTION_KEYS } from "./config";
import {
  CONNECTION_ARGUMENT,
  type ConnectionArgument,
  hasUnknownSetting,
  isConnectionObject,
  parseConnectionArgument,
} from "./connectionInput";
import { isUnknown } from "./inputs";
import type { OnceWarnings } from "./progress";
import { ProviderConfigError } from "./stopFlags";

/** A client for one resource's connection. */
export interface Connection {
  client: ElasticsearchClient;
  /** `the default connection`, `connection "eu"` or `the connection argument`, for messages. */
  label: string;
}

// Words in the client's messages that name a setting (plain-English ones such as "password" are left alone).
const SETTING_WORDS = ["endpoints", ...TEXT_CONNECTION_KEYS.filter((key) => key !== "password")];

/** One client per distinct connection settings, for the life of the provider process. */
export class Connections {
  readonly #clients = new Map<string, ElasticsearchClient>();

  constructor(
    private readonly clientOptions: ClientOptions,
    private readonly warnings: OnceWarnings,
  ) {}

  /**
   * The client for a resource's `connection` (the default connection when undefined). The default
   * connection takes its explicit settings from stack config and fills the gaps from the `ELASTICSEARCH_*`
   * environment; a named connection, and an object given as the resource's `connection` argument, use
   * only their own settings (another cluster must not inherit the default cluster's credentials from the
   * environment, and an argument is never merged with stack config).
   *
   * @throws {ProviderConfigError} Naming the config key (or argument path) when the connection is unknown or its settings are unusable.
   */
  connect(
    config: ProviderConfig,
    name: ConnectionArgument,
    env: Readonly<Record<string, string | undefined>>,
  ): Connection {
    const { label, options, settingsEnv, settings } = this.#resolve(config, name, env);
    const key = settings.cacheKey();
    const insecure = settings.tls.insecure;
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = createClient(
        { ...options, ...this.clientOptions },
        { ...settingsEnv, [TRACE_ENV_VAR]: env[TRACE_ENV_VAR] },
      );
      this.#clients.set(key, client);
    }
    if (insecure) {
      this.warnings.warn(
        `insecure:${key}`,
        `${label}: TLS certificate verification is OFF (insecure: true); anyone on the network path can ` +
          "impersonate the cluster. Use caFile, caData or caFingerprint instead outside development.",
      );
    }
    return { client, label };
  }

  /**
   * The preview's verdict on a resource's `connection` (after its own shape passed `check`): a name must be
   * defined in stack config; the settings it selects must be usable. Nothing is sent. A problem with an
   * object argument is a failure naming its path (`connection.apiKey`); one with stack config throws, naming
   * the config key, as every operation does.
   *
   * @throws {ProviderConfigError} When the stack config the connection selects is unusable.
   */
  check(
    config: ProviderConfig,
    connection: ConnectionArgument,
    env: Readonly<Record<string, string | undefined>>,
  ): { property: string; reason: string }[] {
    if (isUnknown(connection)) return [];
    if (typeof connection === "string" && !Object.hasOwn(config.connections, connection)) {
      const known = Object.keys(config.connections);
      return [
        {
          property: CONNECTION_ARGUMENT,
          reason:
            `connection: "${connection}" is not allowed; it must name a connection defined in stack config ` +
            `${CONNECTIONS_KEY} (${known.length === 0 ? "none is defined" : `defined: ${known.join(", ")}`}), ` +
            "or be omitted to use the default connection",
        },
      ];
    }
    if (!isConnectionObject(connection)) {
      this.validate(config, connection, env);
      return [];
    }
    // Settings not known yet (another resource's outputs) are checked by the first operation instead.
    if (hasUnknownSetting(connection)) return [];
    try {
      this.validate(config, connection, env);
      return [];
    } catch (err) {
      if (err instanceof ProviderConfigError) return [{ property: err.key, reason: err.message }];
      throw err;
    }
  }

  /**
   * Validate a resource's connection settings without connecting: `check` runs this at preview, so a
   * malformed endpoint, Cloud ID or fingerprint, or two authentication methods, fail before anything is
   * sent. A connection with no endpoint anywhere is left to the first call that needs the cluster: a
   * preview needs none.
   *
   * @throws {ProviderConfigError} As {@link connect} does.
   */
  validate(
    config: ProviderConfig,
    name: ConnectionArgument,
    env: Readonly<Record<string, string | undefined>>,
  ): void {
    const options = optionsOf(config, name);
    const hasEndpoint =
      options?.endpoints !== undefined ||
      options?.cloudId !== undefined ||
      (name === undefined && Boolean(env[ENV_VARS.endpoints]?.trim() || env[ENV_VARS.cloudId]?.trim()));
    // An object argument never falls back to anything: without an endpoint it fails here, at preview.
    if (options !== undefined && !hasEndpoint && !isConnectionObject(name)) return;
    this.#resolve(config, name, env);
  }

  #resolve(
    config: ProviderConfig,
    name: ConnectionArgument,
    env: Readonly<Record<string, string | undefined>>,
  ) {
    if (isConnectionObject(name)) {
      const options = parseConnectionArgument(name);
      const label = "the connection argument";
      try {
        return { label, options, settingsEnv: {}, settings: resolveConnectionSettings(options, {}) };
      } catch (err) {
        if (err instanceof ConfigurationError) throw explainConfigurationError(err, name, label);
        throw err;
      }
    }
    const label = name === undefined ? "the default connection" : `connection "${name}"`;
    const options = optionsOf(config, name);
    if (options === undefined) {
      const known = Object.keys(config.connections);
      throw new ProviderConfigError(
        CONNECTIONS_KEY,
        `connection: "${name}" is not defined in stack config ${CONNECTIONS_KEY} ` +
          `(${known.length === 0 ? "no connection is defined there" : `defined: ${known.join(", ")}`}); add it, e.g. ` +
          `pulumi config set --secret ${CONNECTIONS_KEY} '{"${name}": {"endpoints": "https://…:9200", "apiKey": "…"}}'`,
      );
    }
    const settingsEnv = name === undefined ? env : {};
    try {
      return { label, options, settingsEnv, settings: resolveConnectionSettings(options, settingsEnv) };
    } catch (err) {
      if (err instanceof ConfigurationError) throw explainConfigurationError(err, name, label);
      throw err;
    }
  }

  /** Closes every client (tests; the engine simply ends the provider process). */
  async closeAll(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** The explicit settings a `connection` value selects; `undefined` for an unknown name. */
function optionsOf(config: ProviderConfig, name: ConnectionArgument) {
  if (isConnectionObject(name)) return parseConnectionArgument(name);
  return name === undefined ? config.defaultConnection : config.connections[name];
}

/** The full name of a setting of the connection, for messages (`connection.apiKey` for the argument). */
function settingPath(name: ConnectionArgument, setting: string): string {
  return isConnectionObject(name) ? `${CONNECTION_ARGUMENT}.${setting}` : configKeyOf(name, setting);
}

/** Restate a client configuration error in terms of stack config keys (or the argument's paths). */
function explainConfigurationError(
  err: ConfigurationError,
  name: ConnectionArgument,
  label: string,
): ProviderConfigError {
  const key = err.setting.startsWith("ELASTICSEARCH_") ? err.setting : settingPath(name, err.setting);
  let message = err.message;
  // The argument never falls back to the environment: a hint naming ELASTICSEARCH_* would mislead.
  if (isConnectionObject(name))
    message = message.replace(/ \(or ELASTICSEARCH_[A-Z_]+(?: \/ ELASTICSEARCH_[A-Z_]+)*\)/g, "");
  for (const word of SETTING_WORDS) {
    message = message.replace(
      // Not inside a JavaScript shape such as `{ id, apiKey }` (the client's wording for the object form).
      new RegExp(`(^|[\\s(,])${word}\\b(?![:_]|\\s*\\})`, "g"),
      `$1${settingPath(name, word)}`,
    );
  }
  if (message.startsWith(`${err.setting}:`) && !message.startsWith(key))
    message = `${key}${message.slice(err.setting.length)}`;
  const sources = isConnectionObject(name)
    ? "its settings come from the resource's connection argument only, never from stack config or the environment"
    : name === undefined
      ? "its settings come from stack config (elasticsearch-ml:*), then from ELASTICSEARCH_* environment variables"
      : `its settings come from stack config ${CONNECTIONS_KEY} only`;
  return new ProviderConfigError(key, `${label} is not usable: ${message} (${sources})`);
}
