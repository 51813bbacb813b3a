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
import type { OnceWarnings } from "./progress";
import { ProviderConfigError } from "./stopFlags";

/** A client for one resource's connection. */
export interface Connection {
  client: ElasticsearchClient;
  /** `the default connection` or `connection "eu"`, for messages. */
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
   * environment; a named connection uses only its own settings (another cluster must not inherit the
   * default cluster's credentials from the environment).
   *
   * @throws {ProviderConfigError} Naming the config key when the connection is unknown or its settings are unusable.
   */
  connect(
    config: ProviderConfig,
    name: string | undefined,
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
   * Validate a resource's connection settings without connecting: `check` runs this at preview, so a
   * malformed endpoint, Cloud ID or fingerprint, or two authentication methods, fail before anything is
   * sent. A connection with no endpoint anywhere is left to the first call that needs the cluster: a
   * preview needs none.
   *
   * @throws {ProviderConfigError} As {@link connect} does.
   */
  validate(
    config: ProviderConfig,
    name: string | undefined,
    env: Readonly<Record<string, string | undefined>>,
  ): void {
    const options = name === undefined ? config.defaultConnection : config.connections[name];
    const hasEndpoint =
      options?.endpoints !== undefined ||
      options?.cloudId !== undefined ||
      (name === undefined && Boolean(env[ENV_VARS.endpoints]?.trim() || env[ENV_VARS.cloudId]?.trim()));
    if (options !== undefined && !hasEndpoint) return;
    this.#resolve(config, name, env);
  }

  #resolve(
    config: ProviderConfig,
    name: string | undefined,
    env: Readonly<Record<string, string | undefined>>,
  ) {
    const label = name === undefined ? "the default connection" : `connection "${name}"`;
    const options = name === undefined ? config.defaultConnection : config.connections[name];
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

/** Restate a client configuration error in terms of stack config keys. */
function explainConfigurationError(
  err: ConfigurationError,
  name: string | undefined,
  label: string,
): ProviderConfigError {
  const key = err.setting.startsWith("ELASTICSEARCH_") ? err.setting : configKeyOf(name, err.setting);
  let message = err.message;
  for (const word of SETTING_WORDS) {
    message = message.replace(
      // Not inside a JavaScript shape such as `{ id, apiKey }` (the client's wording for the object form).
      new RegExp(`(^|[\\s(,])${word}\\b(?![:_]|\\s*\\})`, "g"),
      `$1${configKeyOf(name, word)}`,
    );
  }
  if (message.startsWith(`${err.setting}:`) && !message.startsWith(key))
    message = `${key}${message.slice(err.setting.length)}`;
  const sources =
    name === undefined
      ? "its settings come from stack config (elasticsearch-ml:*), then from ELASTICSEARCH_* environment variables"
      : `its settings come from stack config ${CONNECTIONS_KEY} only`;
  return new ProviderConfigError(key, `${label} is not usable: ${message} (${sources})`);
}
