/**
 * Connection settings: explicit options and `ELASTICSEARCH_*` environment variables resolved into one
 * validated {@link ConnectionSettings}, before any request is made.
 *
 * The settings match the Terraform elasticstack provider's (`endpoints`, `username`, `password`,
 * `api_key`, `bearer_token`, `es_client_authentication`, `headers`, `insecure`, `ca_file`, `ca_data`,
 * `ca_fingerprint`, `cert_file`/`key_file`, `cert_data`/`key_data`) plus an Elastic Cloud ID.
 *
 * Precedence: **an explicit option wins over the environment**. This is the opposite of the Terraform
 * provider (where env overrides config) and matches the official Elasticsearch clients; a program that
 * states a value means it. Within a group of alternatives the explicit choice masks the whole group:
 * an explicit `apiKey` makes `ELASTICSEARCH_USERNAME`/`ELASTICSEARCH_PASSWORD` irrelevant, an explicit
 * `cloudId` masks `ELASTICSEARCH_ENDPOINTS`, an explicit `caData` masks `ELASTICSEARCH_CA_FILE`.
 * The one exception: with explicit basic auth, a missing half (say the password) is taken from the
 * environment, so a program can name the user and leave the secret to `ELASTICSEARCH_PASSWORD`.
 * Blank strings count as unset, from either source.
 */
import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { type Auth, describeIdentity } from "./auth";
import { resolveAuth, resolveHeaders } from "./configAuth";
import { resolveEndpoints } from "./configEndpoints";
import {
  type ConnectionOptions,
  DEFAULT_MAX_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_DEADLINE_MS,
  ENV_VARS,
  type Endpoint,
  type TlsSettings,
} from "./configOptions";
import { type Env, type FileReader, fromEnv, fromExplicit, readUtf8 } from "./configSources";
import { resolveTls } from "./configTls";
import { ConfigurationError } from "./errors";
import { REDACTED, Secret } from "./secret";

// The options, their environment variables and the settings' shapes live in configOptions.ts; the parts
// of the resolution in configEndpoints.ts, configAuth.ts and configTls.ts. This module stays the entry.
export * from "./configOptions";
export { type DecodedCloudId, decodeCloudId, parseEndpoint } from "./configEndpoints";
export { buildApiKey } from "./configAuth";
export { normalizeFingerprint } from "./configTls";
export type { FileReader } from "./configSources";

/** Validated, immutable connection settings. Printing or serialising them never reveals a secret. */
export class ConnectionSettings {
  readonly endpoints: readonly Endpoint[];
  readonly auth: Auth | undefined;
  readonly tls: TlsSettings;
  /** Extra headers; values are secrets (they may carry tokens). */
  readonly headers: Readonly<Record<string, Secret>>;
  readonly esClientAuthentication: Secret | undefined;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly retryDeadlineMs: number;

  constructor(init: {
    endpoints: readonly Endpoint[];
    auth?: Auth;
    tls: TlsSettings;
    headers?: Record<string, Secret>;
    esClientAuthentication?: Secret;
    requestTimeoutMs: number;
    maxRetries: number;
    retryDeadlineMs: number;
  }) {
    this.endpoints = Object.freeze([...init.endpoints]);
    this.auth = init.auth;
    this.tls = Object.freeze({ ...init.tls });
    this.headers = Object.freeze({ ...(init.headers ?? {}) });
    this.esClientAuthentication = init.esClientAuthentication;
    this.requestTimeoutMs = init.requestTimeoutMs;
    this.maxRetries = init.maxRetries;
    this.retryDeadlineMs = init.retryDeadlineMs;
    Object.freeze(this);
  }

  /** Every secret these settings hold (for scrubbing text that came back from the wire). */
  secrets(): Secret[] {
    const list: Secret[] = [...Object.values(this.headers)];
    if (this.esClientAuthentication) list.push(this.esClientAuthentication);
    if (this.tls.key) list.push(this.tls.key);
    return list;
  }

  /**
   * A SHA-256 over every setting, secrets included, for keeping one client per distinct set of
   * settings in a per-process cache (the key reveals nothing; equal settings give equal keys).
   */
  cacheKey(): string {
    const auth = this.auth;
    const material = {
      endpoints: this.endpoints.map((e) => e.url),
      auth:
        auth === undefined
          ? null
          : auth.kind === "basic"
            ? ["basic", auth.username, auth.password.reveal()]
            : auth.kind === "apiKey"
              ? ["apiKey", auth.encoded.reveal()]
              : ["bearer", auth.token.reveal()],
      tls: [
        this.tls.ca ?? null,
        this.tls.cert ?? null,
        this.tls.key?.reveal() ?? null,
        this.tls.caFingerprint ?? null,
        this.tls.insecure,
      ],
      headers: Object.entries(this.headers)
        .map(([k, v]) => [k, v.reveal()])
        .sort(),
      esClientAuthentication: this.esClientAuthentication?.reveal() ?? null,
      limits: [this.requestTimeoutMs, this.maxRetries, this.retryDeadlineMs],
    };
    return createHash("sha256").update(JSON.stringify(material)).digest("hex");
  }

  /** A redacted summary: endpoints, who we authenticate as, TLS switches. */
  toJSON(): Record<string, unknown> {
    return {
      endpoints: this.endpoints.map((e) => e.url),
      auth: this.auth ? { ...describeIdentity(this.auth), secret: REDACTED } : { kind: "none" },
      tls: {
        ca: this.tls.ca === undefined ? undefined : `${countCertificates(this.tls.ca)} certificate(s)`,
        clientCertificate: this.tls.cert !== undefined,
        clientKey: this.tls.key === undefined ? undefined : REDACTED,
        caFingerprint: this.tls.caFingerprint,
        insecure: this.tls.insecure,
      },
      headers: Object.fromEntries(Object.keys(this.headers).map((name) => [name, REDACTED])),
      esClientAuthentication: this.esClientAuthentication ? REDACTED : undefined,
      requestTimeoutMs: this.requestTimeoutMs,
      maxRetries: this.maxRetries,
      retryDeadlineMs: this.retryDeadlineMs,
    };
  }

  [inspect.custom](): string {
    return `ConnectionSettings ${inspect(this.toJSON(), { depth: 4 })}`;
  }
}

function countCertificates(pem: string): number {
  return pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
}

/**
 * Resolves and validates connection settings. Explicit options win over `env` (see the module
 * documentation for the exact rules). Reads CA, certificate and key files through `readFile`.
 *
 * @throws {ConfigurationError} naming the setting, the bad value (redacted when secret) and what is allowed.
 */
export function resolveConnectionSettings(
  explicit: ConnectionOptions = {},
  env: Env = process.env,
  readFile: FileReader = readUtf8,
): ConnectionSettings {
  if (typeof explicit !== "object" || explicit === null) {
    throw new ConfigurationError("options", `Connection options must be an object, got ${typeof explicit}`);
  }
  const endpointsWithAuth = resolveEndpoints(explicit, env);
  const endpoints = endpointsWithAuth.map((e) => e.endpoint);
  const headers = resolveHeaders(explicit.headers);
  const esClientAuthentication =
    fromExplicit(explicit.esClientAuthentication, "esClientAuthentication") ??
    fromEnv(env, ENV_VARS.esClientAuthentication);
  if (
    esClientAuthentication &&
    Object.keys(headers).some((h) => h.toLowerCase() === "es-client-authentication")
  ) {
    throw new ConfigurationError(
      "headers",
      `headers["ES-Client-Authentication"] and ${esClientAuthentication.setting} are both set; set only one`,
    );
  }
  const auth = resolveAuth(explicit, env, endpointsWithAuth, headers);
  const tls = resolveTls(explicit, env, endpoints, readFile);
  return new ConnectionSettings({
    endpoints,
    auth,
    tls,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, new Secret(v)])),
    esClientAuthentication: esClientAuthentication ? new Secret(esClientAuthentication.value) : undefined,
    requestTimeoutMs: positiveInteger(
      explicit.requestTimeoutMs,
      "requestTimeoutMs",
      DEFAULT_REQUEST_TIMEOUT_MS,
      1,
    ),
    maxRetries: positiveInteger(explicit.maxRetries, "maxRetries", DEFAULT_MAX_RETRIES, 0, 20),
    retryDeadlineMs: positiveInteger(
      explicit.retryDeadlineMs,
      "retryDeadlineMs",
      DEFAULT_RETRY_DEADLINE_MS,
      1,
    ),
  });
}

function positiveInteger(
  value: unknown,
  setting: string,
  fallback: number,
  min: number,
  max?: number,
): number {
  if (value === undefined || value === null) return fallback;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    const range = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new ConfigurationError(setting, `${setting}: ${inspect(value)} is not allowed; expected ${range}`);
  }
  return value;
}
