/**
 * The provider configuration: stack config under the `elasticsearch-ml` namespace, as the dynamic
 * provider's `configure` receives it, parsed into connection options and stop flags. Pure: the caller
 * passes a lookup function; nothing here reads the environment or files.
 *
 * Stack config values arrive as strings (`pulumi config set` stores strings; structured YAML values
 * arrive JSON-encoded), so lists and objects are parsed from JSON here. Typed values (booleans, numbers,
 * arrays) are accepted too, for callers that pass them directly.
 *
 * | key | value |
 * |---|---|
 * | `elasticsearch-ml:endpoints` | comma-separated URLs, or a JSON array of URLs |
 * | `elasticsearch-ml:cloudId` | Elastic Cloud ID |
 * | `elasticsearch-ml:username` / `password` | basic auth (`--secret` for the password) |
 * | `elasticsearch-ml:apiKey` | encoded API key or `id:api_key` (`--secret`) |
 * | `elasticsearch-ml:bearerToken` | bearer token (`--secret`) |
 * | `elasticsearch-ml:esClientAuthentication` | JWT client-authentication shared secret (`--secret`) |
 * | `elasticsearch-ml:caFile` / `caData` / `caFingerprint` | trusted CA (path, PEM text) or pinned SHA-256 |
 * | `elasticsearch-ml:certFile` + `keyFile`, or `certData` + `keyData` | client certificate for mutual TLS |
 * | `elasticsearch-ml:insecure` | `true` turns TLS verification off (development only); booleans take `true`/`false` in any case, or `1`/`0` |
 * | `elasticsearch-ml:headers` | JSON object of extra headers (`--secret` if they carry tokens) |
 * | `elasticsearch-ml:requestTimeoutSeconds` | per-request timeout (default 30) |
 * | `elasticsearch-ml:maxRetries` | retries of connection errors and 429/502/503/504 (default 3) |
 * | `elasticsearch-ml:connections` | JSON object: connection name → the keys above (other clusters) |
 * | `elasticsearch-ml:force` / `finishPendingWork` / `allowNoMatch` | stop flags, booleans |
 * | `elasticsearch-ml:forceDeleteModels` | force `TrainedModel` deletes, boolean (not implied by `force`) |
 * | `elasticsearch-ml:forceDeleteEndpoints` | force `InferenceEndpoint` deletes, boolean (not implied by `force`) |
 */
import type { ConnectionOptions } from "../client";
import { isPlainObject, StopFlags } from "./inputs";
import { jsonErrorPosition } from "./jsonPosition";
import { parseConfigBoolean, ProviderConfigError, stopFlagsFromConfig } from "./stopFlags";

export const CONFIG_NAMESPACE = "elasticsearch-ml";

/** Every connection setting, as named in stack config and inside `elasticsearch-ml:connections`. */
export const CONNECTION_CONFIG_KEYS = [
  "endpoints",
  "cloudId",
  "username",
  "password",
  "apiKey",
  "bearerToken",
  "esClientAuthentication",
  "caFile",
  "caData",
  "caFingerprint",
  "certFile",
  "keyFile",
  "certData",
  "keyData",
  "insecure",
  "headers",
  "requestTimeoutSeconds",
  "maxRetries",
] as const;

export type ConnectionConfigKey = (typeof CONNECTION_CONFIG_KEYS)[number];

/** The settings passed to the client as plain strings (the others are parsed: lists, booleans, JSON, numbers). */
export const TEXT_CONNECTION_KEYS: readonly ConnectionConfigKey[] = CONNECTION_CONFIG_KEYS.filter(
  (key) => !["endpoints", "insecure", "headers", "requestTimeoutSeconds", "maxRetries"].includes(key),
);

/** The settings that carry credentials: set them with `pulumi config set --secret`. */
export const CREDENTIAL_CONFIG_KEYS: readonly ConnectionConfigKey[] = [
  "password",
  "apiKey",
  "bearerToken",
  "esClientAuthentication",
  "keyData",
  "headers",
];

/** The key of `elasticsearch-ml:connections`. */
/** Force the delete of `TrainedModel`s (see model/forceDelete.ts). */
export const FORCE_DELETE_MODELS_KEY = `${CONFIG_NAMESPACE}:forceDeleteModels`;
/** Force the delete of `InferenceEndpoint`s still referenced (see endpoint/forceDelete.ts). */
export const FORCE_DELETE_ENDPOINTS_KEY = `${CONFIG_NAMESPACE}:forceDeleteEndpoints`;
export const CONNECTIONS_KEY = `${CONFIG_NAMESPACE}:connections`;

const CONNECTION_NAME = /^[A-Za-z0-9_-]+$/;
const MAX_RETRIES = 20;

/** The parsed provider configuration. */
export interface ProviderConfig {
  /** The default connection's explicit settings (the `ELASTICSEARCH_*` environment fills the gaps). */
  defaultConnection: ConnectionOptions;
  /** Named connections, for resources whose `connection` input names one. */
  connections: Readonly<Record<string, ConnectionOptions>>;
  /** Stop flags from `elasticsearch-ml:force`, `…:finishPendingWork`, `…:allowNoMatch`. */
  stopFlags: StopFlags;
  /** `elasticsearch-ml:forceDeleteModels`: force `TrainedModel` deletes (never implied by `force`). */
  forceDeleteModels?: boolean;
  /** `elasticsearch-ml:forceDeleteEndpoints`: force `InferenceEndpoint` deletes (never implied by `force`). */
  forceDeleteEndpoints?: boolean;
}

/** A configuration with nothing set: connections come from the environment alone. */
export const EMPTY_PROVIDER_CONFIG: ProviderConfig = Object.freeze({
  defaultConnection: {},
  connections: {},
  stopFlags: {},
});

/**
 * Parse the provider configuration.
 *
 * @param get Looks a full key up, e.g. `(key) => req.config.get(key)` in `configure`.
 * @throws {ProviderConfigError} Naming the key, the bad value (never a credential's value) and what is allowed.
 */
export function parseProviderConfig(get: (key: string) => unknown): ProviderConfig {
  const defaultConnection = parseConnectionSettings(
    (key) => get(`${CONFIG_NAMESPACE}:${key}`),
    `${CONFIG_NAMESPACE}:`,
  );
  const connections: Record<string, ConnectionOptions> = {};
  const raw = get(CONNECTIONS_KEY);
  if (!isBlank(raw)) {
    // The connections hold credentials: messages about them never echo a value.
    const parsed = parseJson(raw, CONNECTIONS_KEY, "a JSON object of connection name → settings");
    if (!isPlainObject(parsed)) {
      throw new ProviderConfigError(
        CONNECTIONS_KEY,
        `${CONNECTIONS_KEY} must be a JSON object of connection name → settings, ` +
          `e.g. {"eu": {"endpoints": "https://eu.example.com:9200", "apiKey": "…"}}; got ${typeName(parsed)}`,
      );
    }
    for (const [name, settings] of Object.entries(parsed)) {
      const where = `${CONNECTIONS_KEY}.${name}`;
      if (!CONNECTION_NAME.test(name)) {
        throw new ProviderConfigError(
          where,
          `${CONNECTIONS_KEY}: the connection name ${JSON.stringify(name)} is not allowed; ` +
            'use letters, digits, "_" and "-"',
        );
      }
      if (!isPlainObject(settings)) {
        throw new ProviderConfigError(
          where,
          `${where} must be an object of connection settings (${CONNECTION_CONFIG_KEYS.join(", ")}); got ${typeName(settings)}`,
        );
      }
      rejectUnknownSettings(settings, where);
      connections[name] = parseConnectionSettings((key) => settings[key], `${where}.`);
    }
  }
  const forceDeleteModels = parseConfigBoolean(FORCE_DELETE_MODELS_KEY, get(FORCE_DELETE_MODELS_KEY));
  const forceDeleteEndpoints = parseConfigBoolean(
    FORCE_DELETE_ENDPOINTS_KEY,
    get(FORCE_DELETE_ENDPOINTS_KEY),
  );
  return {
    defaultConnection,
    connections,
    stopFlags: stopFlagsFromConfig(get),
    ...(forceDeleteModels === undefined ? {} : { forceDeleteModels }),
    ...(forceDeleteEndpoints === undefined ? {} : { forceDeleteEndpoints }),
  };
}

/**
 * Refuse keys that are not connection settings (a typo such as `apikey` would otherwise be ignored and the
 * connection would silently go without credentials).
 *
 * @throws {ProviderConfigError} Naming `<where>.<key>` and the known settings.
 */
export function rejectUnknownSettings(settings: Record<string, unknown>, where: string): void {
  for (const key of Object.keys(settings)) {
    if (!(CONNECTION_CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new ProviderConfigError(
        `${where}.${key}`,
        `${where}.${key} is not a connection setting; known settings are: ${CONNECTION_CONFIG_KEYS.join(", ")}`,
      );
    }
  }
}

/**
 * The configuration a provider process received. `configure` must never throw (the host caches the
 * provider before calling it, so a throw would leave later calls running unconfigured): a malformed value
 * is kept and thrown by every operation instead, naming the key.
 */
export class ReceivedConfig {
  #config: ProviderConfig | ProviderConfigError = EMPTY_PROVIDER_CONFIG;

  /** Parse the stack configuration; keeps a {@link ProviderConfigError} instead of throwing it. */
  receive(get: (key: string) => unknown): void {
    try {
      this.#config = parseProviderConfig(get);
    } catch (err) {
      if (!(err instanceof ProviderConfigError)) throw err;
      this.#config = err;
    }
  }

  /** @throws {ProviderConfigError} When the configuration received was malformed. */
  get(): ProviderConfig {
    if (this.#config instanceof ProviderConfigError) throw this.#config;
    return this.#config;
  }
}

/** The full name of a setting of a connection, for messages: `elasticsearch-ml:apiKey` or `elasticsearch-ml:connections.eu.apiKey`. */
export function configKeyOf(connection: string | undefined, setting: string): string {
  return connection === undefined
    ? `${CONFIG_NAMESPACE}:${setting}`
    : `${CONNECTIONS_KEY}.${connection}.${setting}`;
}

/**
 * Parse one connection's settings. Stack config (the default connection, `elasticsearch-ml:connections`)
 * and a resource's `connection` argument both come through here, so every path validates alike and gives
 * the same messages; `prefix` names where the settings live (`elasticsearch-ml:`,
 * `elasticsearch-ml:connections.eu.`, `connection.`). Blank values count as unset.
 *
 * @throws {ProviderConfigError} Naming `<prefix><setting>`, never quoting a credential.
 */
export function parseConnectionSettings(
  get: (key: ConnectionConfigKey) => unknown,
  prefix: string,
): ConnectionOptions {
  const options: Record<string, unknown> = {};
  for (const key of CONNECTION_CONFIG_KEYS) {
    const value = get(key);
    if (isBlank(value)) continue;
    Object.assign(options, parseConnectionSetting(key, value, `${prefix}${key}`));
  }
  return options as ConnectionOptions;
}

/**
 * One connection setting's value, parsed: the one place that knows each setting's rule.
 *
 * @param where The setting's full name for messages (`elasticsearch-ml:apiKey`, `connection.apiKey`).
 * @returns The client option(s) it sets (`requestTimeoutSeconds` becomes `requestTimeoutMs`).
 */
export function parseConnectionSetting(
  key: ConnectionConfigKey,
  value: unknown,
  where: string,
): Partial<ConnectionOptions> {
  switch (key) {
    case "endpoints":
      return { endpoints: parseEndpoints(value, where) };
    case "insecure": {
      const insecure = parseConfigBoolean(where, value);
      return insecure === undefined ? {} : { insecure };
    }
    case "headers":
      return { headers: parseHeaders(value, where) };
    case "requestTimeoutSeconds": {
      const seconds = parseNumber(value, where);
      if (!(seconds > 0) || seconds > 3600) {
        throw new ProviderConfigError(
          where,
          `${where}: ${describe(value)} is not allowed; must be a number of seconds greater than 0 and at most 3600`,
        );
      }
      return { requestTimeoutMs: Math.max(1, Math.round(seconds * 1000)) };
    }
    case "maxRetries": {
      const count = parseNumber(value, where);
      if (!Number.isInteger(count) || count < 0 || count > MAX_RETRIES) {
        throw new ProviderConfigError(
          where,
          `${where}: ${describe(value)} is not allowed; must be an integer from 0 to ${MAX_RETRIES}`,
        );
      }
      return { maxRetries: count };
    }
    default: {
      if (typeof value !== "string") {
        const shown = CREDENTIAL_CONFIG_KEYS.includes(key) ? "a non-string value" : describe(value);
        throw new ProviderConfigError(where, `${where} must be a string; got ${shown}`);
      }
      return { [key]: value } as Partial<ConnectionOptions>;
    }
  }
}

function parseEndpoints(value: unknown, key: string): string[] {
  let list: unknown = value;
  if (typeof value === "string") {
    list = value.trim().startsWith("[")
      ? parseJson(
          value,
          key,
          'a comma-separated list of URLs or a JSON array of URLs such as ["https://a:9200"]',
        )
      : value.split(",");
  }
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw new ProviderConfigError(
      key,
      `${key}: ${showEndpoints(value)} is not allowed; must be a comma-separated list of URLs or a JSON array of URL strings`,
    );
  }
  const urls = (list as string[]).map((url) => url.trim()).filter((url) => url !== "");
  if (urls.length === 0) {
    throw new ProviderConfigError(
      key,
      `${key}: ${showEndpoints(value)} names no URL; e.g. https://localhost:9200`,
    );
  }
  return urls;
}

function parseHeaders(value: unknown, key: string): Record<string, string> {
  // Header values may carry tokens: never echo them.
  const parsed =
    typeof value === "string" ? parseJson(value, key, "a JSON object of header name → value") : value;
  if (!isPlainObject(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
    throw new ProviderConfigError(
      key,
      `${key} must be a JSON object of header names to string values, e.g. {"X-Opaque-Id": "pulumi"}`,
    );
  }
  return parsed as Record<string, string>;
}

function parseNumber(value: unknown, key: string): number {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n)) {
    throw new ProviderConfigError(key, `${key}: ${describe(value)} is not allowed; must be a number`);
  }
  return n;
}

/**
 * Parse a JSON config value. Every JSON-valued key can hold credentials (headers, connections, endpoint
 * URLs with user-info), so the message gives only the position of the error, never `JSON.parse`'s own
 * message (which quotes the text around it), and the SyntaxError is not kept as the cause for the same
 * reason.
 */
function parseJson(value: unknown, key: string, expected: string): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    const position = jsonErrorPosition(value) ?? 0;
    throw new ProviderConfigError(
      key,
      `${key} is not valid JSON at position ${position} (of ${value.length} characters); must be ${expected}`,
    );
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

// Endpoint URLs may carry user-info (`https://user:password@host`): messages show it redacted, up to the
// last "@" of the URL (a raw "@" or "/" in a password must not leave its tail visible), and show nested
// values only by their type.
function showEndpoints(value: unknown): string {
  const redact = (text: string): string => text.replace(/\/\/[^\s,"\]]*@/g, "//[redacted]@");
  if (typeof value === "string") return describe(redact(value));
  if (Array.isArray(value) && value.every((item) => typeof item !== "object" || item === null)) {
    return describe(value.map((item) => (typeof item === "string" ? redact(item) : item)));
  }
  return typeName(value);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 100 ? `${text.slice(0, 100)}… (${text.length} characters)` : text;
}
