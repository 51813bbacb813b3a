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
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { type Auth, describeIdentity } from "./auth";
import { parseBooleanSetting } from "./booleans";
import { ConfigurationError } from "./errors";
import { REDACTED, Secret, redactUrlUserInfo } from "./secret";

/** Connection options a program can pass; each falls back to the environment variable named in {@link ENV_VARS}. */
export interface ConnectionOptions {
  /** One or more Elasticsearch URLs (`http://` or `https://`, optional path prefix for proxies). */
  endpoints?: string | readonly string[];
  /** Elastic Cloud ID (`name:base64(host$es_uuid$kibana_uuid)`); decoded to the Elasticsearch URL. */
  cloudId?: string;
  /** Basic authentication user. */
  username?: string;
  /** Basic authentication password. */
  password?: string;
  /** API key: the encoded form (base64 of `id:api_key`, as returned by the create API key API), `id:api_key`, or `{ id, apiKey }`. */
  apiKey?: string | { id: string; apiKey: string };
  /** Bearer token (OAuth2 / JWT access token). */
  bearerToken?: string;
  /** Shared secret sent as `ES-Client-Authentication: SharedSecret <value>` (JWT realms with client authentication). */
  esClientAuthentication?: string;
  /** Path of a PEM file with the CA certificate(s) to trust. */
  caFile?: string;
  /** PEM text of the CA certificate(s) to trust. */
  caData?: string;
  /** Path of the client certificate (PEM) for mutual TLS. */
  certFile?: string;
  /** Client certificate PEM text for mutual TLS. */
  certData?: string;
  /** Path of the client private key (PEM) for mutual TLS. */
  keyFile?: string;
  /** Client private key PEM text for mutual TLS. */
  keyData?: string;
  /**
   * SHA-256 fingerprint of the server certificate or of a CA certificate in its chain (hex, colons
   * optional, any case). When set without a CA, it replaces CA verification: the connection is trusted
   * if and only if a certificate the server presents has this fingerprint.
   */
  caFingerprint?: string;
  /** Skip TLS certificate verification entirely. For development only. */
  insecure?: boolean | string;
  /** Extra headers sent with every request (values are treated as secrets in output). */
  headers?: Readonly<Record<string, string>>;
  /** Per-request timeout in milliseconds (default 30000). */
  requestTimeoutMs?: number;
  /** Retries for connection errors and 429/502/503/504 (default 3). */
  maxRetries?: number;
  /** Overall deadline for one call including retries, in milliseconds (default 90000). */
  retryDeadlineMs?: number;
}

/** The environment variable behind each option. */
export const ENV_VARS = {
  endpoints: "ELASTICSEARCH_ENDPOINTS",
  cloudId: "ELASTICSEARCH_CLOUD_ID",
  username: "ELASTICSEARCH_USERNAME",
  password: "ELASTICSEARCH_PASSWORD",
  apiKey: "ELASTICSEARCH_API_KEY",
  bearerToken: "ELASTICSEARCH_BEARER_TOKEN",
  esClientAuthentication: "ELASTICSEARCH_ES_CLIENT_AUTHENTICATION",
  caFile: "ELASTICSEARCH_CA_FILE",
  caFingerprint: "ELASTICSEARCH_CA_FINGERPRINT",
  insecure: "ELASTICSEARCH_INSECURE",
} as const;

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_RETRY_DEADLINE_MS = 90_000;

/** One endpoint. `url` never contains user-info. */
export interface Endpoint {
  /** Display form: origin plus path prefix, e.g. `https://es.example.com:9243/proxy`. */
  readonly url: string;
  /** `https://host:port` */
  readonly origin: string;
  /** Path prefix without a trailing slash ("" when none). */
  readonly pathPrefix: string;
  readonly protocol: "http:" | "https:";
  /** The option or environment variable it came from. */
  readonly source: string;
}

export interface TlsSettings {
  /** PEM text of the trusted CA certificate(s), when set. */
  readonly ca?: string;
  /** Client certificate PEM (mutual TLS). */
  readonly cert?: string;
  /** Client private key PEM (mutual TLS). */
  readonly key?: Secret;
  /** Normalised fingerprint: upper-case hex pairs joined by colons (Node's `fingerprint256` format). */
  readonly caFingerprint?: string;
  readonly insecure: boolean;
}

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

/** Reads a file as UTF-8 text; injectable so that resolution can be tested without a file system. */
export type FileReader = (path: string) => string;
const readUtf8: FileReader = (path) => readFileSync(path, "utf8");

type Env = Readonly<Record<string, string | undefined>>;

/** A value and the option or environment variable it came from. */
interface Sourced<T> {
  value: T;
  setting: string;
}

function blankToUndefined<T>(value: T | undefined | null): T | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" && value.trim() === "") return undefined;
  return value;
}

function fromExplicit<T>(value: T | undefined | null, setting: string): Sourced<T> | undefined {
  const v = blankToUndefined(value);
  return v === undefined ? undefined : { value: v, setting };
}

function fromEnv(env: Env, name: string): Sourced<string> | undefined {
  const v = blankToUndefined(env[name]);
  return v === undefined ? undefined : { value: v, setting: name };
}

/** Shows a value in an error message: quoted, or redacted (with its length, which helps spot a truncated paste). */
function show(value: string, secret = false): string {
  return secret ? `${REDACTED} (${value.length} characters)` : JSON.stringify(value);
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

// ---------------------------------------------------------------------------------------------
// Endpoints and Cloud ID

interface EndpointWithUserInfo {
  endpoint: Endpoint;
  userInfo?: { username: string; password: string };
}

function resolveEndpoints(explicit: ConnectionOptions, env: Env): EndpointWithUserInfo[] {
  const explicitList = normaliseEndpointList(explicit.endpoints, "endpoints");
  const explicitCloud = fromExplicit(explicit.cloudId, "cloudId");
  if (explicitList && explicitCloud) {
    throw new ConfigurationError(
      "cloudId",
      "endpoints and cloudId are both set; set one of them (a Cloud ID is decoded to the Elasticsearch endpoint)",
    );
  }
  let list = explicitList;
  let cloud = explicitCloud;
  if (!list && !cloud) {
    const envEndpoints = fromEnv(env, ENV_VARS.endpoints);
    list = envEndpoints
      ? envEndpoints.value
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
          .map((value) => ({ value, setting: ENV_VARS.endpoints }))
      : undefined;
    cloud = fromEnv(env, ENV_VARS.cloudId);
    if (list && list.length > 0 && cloud) {
      throw new ConfigurationError(
        ENV_VARS.cloudId,
        `${ENV_VARS.endpoints} and ${ENV_VARS.cloudId} are both set; set one of them`,
      );
    }
  }
  if (cloud) {
    if (typeof cloud.value !== "string") {
      throw new ConfigurationError(
        cloud.setting,
        `${cloud.setting} must be a string, got ${typeof cloud.value}`,
      );
    }
    const decoded = decodeCloudId(cloud.value, cloud.setting);
    return [{ endpoint: parseEndpoint(decoded.url, cloud.setting).endpoint }];
  }
  if (!list || list.length === 0) {
    throw new ConfigurationError(
      "endpoints",
      `No Elasticsearch endpoint: set endpoints or cloudId (or ${ENV_VARS.endpoints} / ${ENV_VARS.cloudId})`,
    );
  }
  const parsed = list.map(({ value, setting }) => parseEndpoint(value, setting));
  const withUserInfo = parsed.filter((p) => p.userInfo);
  if (withUserInfo.length > 0) {
    const first = withUserInfo[0];
    const differs = parsed.some(
      (p) =>
        !p.userInfo ||
        p.userInfo.username !== first.userInfo?.username ||
        p.userInfo.password !== first.userInfo?.password,
    );
    if (differs) {
      throw new ConfigurationError(
        first.endpoint.source,
        `${first.endpoint.source}: credentials in endpoint URLs must be the same on every endpoint; ` +
          "prefer username/password or an API key over credentials in URLs",
      );
    }
  }
  // The same endpoint twice would only skew round-robin; drop duplicates.
  const seen = new Set<string>();
  return parsed.filter((p) => (seen.has(p.endpoint.url) ? false : (seen.add(p.endpoint.url), true)));
}

function normaliseEndpointList(value: unknown, setting: string): Sourced<string>[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items)) {
    throw new ConfigurationError(
      setting,
      `${setting} must be a URL string or an array of URL strings, got ${typeof value}`,
    );
  }
  const list = items.map((item, i) => {
    const name = typeof value === "string" ? setting : `${setting}[${i}]`;
    if (typeof item !== "string") {
      throw new ConfigurationError(name, `${name} must be a URL string, got ${inspect(item)}`);
    }
    return { value: item.trim(), setting: name };
  });
  const nonBlank = list.filter((e) => e.value !== "");
  return nonBlank.length === 0 ? undefined : nonBlank;
}

/** Parses one endpoint URL; user-info is split off (and never kept in the display URL). */
export function parseEndpoint(value: string, setting: string): EndpointWithUserInfo {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(redactUrlUserInfo(value))} is not a valid URL; expected e.g. https://elasticsearch.example.com:9200`,
    );
  }
  const display = redactUrlUserInfo(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(display)} uses ${url.protocol.replace(/:$/, "")}; only http and https URLs are allowed`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(display)} has a query or fragment; an endpoint is scheme, host, port and an optional path prefix`,
    );
  }
  const pathPrefix = url.pathname.replace(/\/+$/, "");
  const endpoint: Endpoint = {
    url: `${url.origin}${pathPrefix}`,
    origin: url.origin,
    pathPrefix,
    protocol: url.protocol,
    source: setting,
  };
  if (url.username === "" && url.password === "") return { endpoint };
  if (url.password === "") {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(display)} has a user name but no password in its URL`,
    );
  }
  return {
    endpoint,
    userInfo: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
  };
}

/** A decoded Elastic Cloud ID. */
export interface DecodedCloudId {
  /** The deployment name (the part before the colon). */
  name: string;
  /** `https://<es_uuid>.<host>:<port>` */
  url: string;
  /** `https://<kibana_uuid>.<host>:<port>` when the ID carries a Kibana part. */
  kibanaUrl?: string;
}

/**
 * Decodes an Elastic Cloud ID `<name>:<base64(host[:port]$es_uuid[:port]$kibana_uuid[:port])>`.
 * The port comes from the Elasticsearch part, else from the host part, else 443.
 *
 * @throws {ConfigurationError} naming `setting` when the ID is malformed.
 */
export function decodeCloudId(cloudId: string, setting = "cloudId"): DecodedCloudId {
  const expected =
    "expected <name>:<base64 of host$es_uuid$kibana_uuid> as shown in the Elastic Cloud console";
  const fail = (problem: string): never => {
    throw new ConfigurationError(setting, `${setting}: ${show(cloudId)} ${problem}; ${expected}`);
  };
  const colon = cloudId.lastIndexOf(":");
  if (colon < 0) fail("has no ':' separating the name from the encoded part");
  const name = cloudId.slice(0, colon);
  const encoded = cloudId.slice(colon + 1).trim();
  if (encoded === "" || !/^[A-Za-z0-9+/_-]+=*$/.test(encoded))
    fail("is not valid: the part after ':' is not base64");
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const parts = decoded.split("$");
  if (parts.length < 2 || parts.length > 3)
    fail("is not valid: the decoded value does not have 2 or 3 '$'-separated parts");
  const [hostPart, esPart, kibanaPart] = parts;
  const splitPort = (text: string): [string, number | undefined] => {
    const m = /^(.*?)(?::(\d+))?$/.exec(text) as RegExpExecArray;
    const port = m[2] === undefined ? undefined : Number(m[2]);
    if (port !== undefined && (port < 1 || port > 65535)) fail(`is not valid: port ${port} is out of range`);
    return [m[1], port];
  };
  const [host, hostPort] = splitPort(hostPart);
  const [esUuid, esPort] = splitPort(esPart);
  if (!/^[A-Za-z0-9.-]+$/.test(host)) fail("is not valid: the decoded host is empty or malformed");
  if (!/^[A-Za-z0-9-]+$/.test(esUuid))
    fail("is not valid: the decoded Elasticsearch id is empty or malformed");
  const port = esPort ?? hostPort ?? 443;
  const result: DecodedCloudId = { name, url: `https://${esUuid}.${host}${port === 443 ? "" : `:${port}`}` };
  if (kibanaPart) {
    const [kibanaUuid, kibanaPort] = splitPort(kibanaPart);
    if (/^[A-Za-z0-9-]+$/.test(kibanaUuid)) {
      const kp = kibanaPort ?? hostPort ?? 443;
      result.kibanaUrl = `https://${kibanaUuid}.${host}${kp === 443 ? "" : `:${kp}`}`;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Authentication

interface AuthCandidate {
  kind: "basic" | "apiKey" | "bearer" | "url" | "header";
  /** Settings it came from, for messages. */
  settings: string[];
  build(): Auth | undefined;
}

const AUTH_NAMES: Record<AuthCandidate["kind"], string> = {
  basic: "username/password",
  apiKey: "API key",
  bearer: "bearer token",
  url: "credentials in the endpoint URL",
  header: "an Authorization header",
};

function resolveAuth(
  explicit: ConnectionOptions,
  env: Env,
  endpoints: EndpointWithUserInfo[],
  headers: Record<string, string>,
): Auth | undefined {
  const explicitUser = fromExplicit(explicit.username, "username");
  const explicitPassword = fromExplicit(explicit.password, "password");
  const explicitApiKey = fromExplicit<string | { id: string; apiKey: string }>(explicit.apiKey, "apiKey");
  const explicitBearer = fromExplicit(explicit.bearerToken, "bearerToken");
  const withUserInfo = endpoints.find((e) => e.userInfo);
  // Credentials in an explicit endpoint URL are explicit auth too: they mask the ELASTICSEARCH_* ones.
  const urlIsExplicit =
    withUserInfo !== undefined && !withUserInfo.endpoint.source.startsWith("ELASTICSEARCH_");
  const anyExplicit = explicitUser || explicitPassword || explicitApiKey || explicitBearer || urlIsExplicit;

  const candidates: AuthCandidate[] = [];
  const addBasic = (user?: Sourced<unknown>, password?: Sourced<unknown>) => {
    if (!user && !password) return;
    candidates.push({
      kind: "basic",
      settings: [user?.setting, password?.setting].filter((s): s is string => !!s),
      build: () => buildBasic(user, password),
    });
  };
  if (anyExplicit) {
    if (explicitUser || explicitPassword) {
      // Explicit basic auth may take its missing half from the environment (see module docs).
      addBasic(
        explicitUser ?? fromEnv(env, ENV_VARS.username),
        explicitPassword ?? fromEnv(env, ENV_VARS.password),
      );
    }
    if (explicitApiKey)
      candidates.push({ kind: "apiKey", settings: ["apiKey"], build: () => buildApiKey(explicitApiKey) });
    if (explicitBearer) {
      candidates.push({
        kind: "bearer",
        settings: ["bearerToken"],
        build: () => buildBearer(explicitBearer),
      });
    }
  } else {
    addBasic(fromEnv(env, ENV_VARS.username), fromEnv(env, ENV_VARS.password));
    const envApiKey = fromEnv(env, ENV_VARS.apiKey);
    if (envApiKey)
      candidates.push({ kind: "apiKey", settings: [envApiKey.setting], build: () => buildApiKey(envApiKey) });
    const envBearer = fromEnv(env, ENV_VARS.bearerToken);
    if (envBearer)
      candidates.push({ kind: "bearer", settings: [envBearer.setting], build: () => buildBearer(envBearer) });
  }
  if (withUserInfo?.userInfo) {
    const info = withUserInfo.userInfo;
    candidates.push({
      kind: "url",
      settings: [withUserInfo.endpoint.source],
      build: () => ({ kind: "basic", username: info.username, password: new Secret(info.password) }),
    });
  }
  const authHeader = Object.keys(headers).find((h) => h.toLowerCase() === "authorization");
  if (authHeader) {
    candidates.push({ kind: "header", settings: [`headers["${authHeader}"]`], build: () => undefined });
  }

  if (candidates.length > 1) {
    const described = candidates.map((c) => `${AUTH_NAMES[c.kind]} (from ${c.settings.join(", ")})`);
    throw new ConfigurationError(
      candidates[1].settings[0],
      `Conflicting authentication settings: ${described.join(" and ")}; ` +
        "set only one of username/password, API key or bearer token",
    );
  }
  return candidates[0]?.build();
}

function requireString(value: Sourced<unknown>): string {
  if (typeof value.value !== "string") {
    throw new ConfigurationError(
      value.setting,
      `${value.setting} must be a string, got ${typeof value.value}`,
    );
  }
  return value.value;
}

function buildBasic(user: Sourced<unknown> | undefined, password: Sourced<unknown> | undefined): Auth {
  if (!user) {
    const ps = password?.setting ?? "password";
    throw new ConfigurationError(
      "username",
      `${ps} is set but no user name is: set username or ${ENV_VARS.username} as well`,
    );
  }
  if (!password) {
    throw new ConfigurationError(
      "password",
      `${user.setting} is set but no password is: set password or ${ENV_VARS.password} as well`,
    );
  }
  const username = requireString(user);
  if (username.includes(":")) {
    throw new ConfigurationError(
      user.setting,
      `${user.setting}: ${show(username)} contains ':', which basic auth cannot carry`,
    );
  }
  return { kind: "basic", username, password: new Secret(requireString(password)) };
}

function buildBearer(token: Sourced<unknown>): Auth {
  const value = requireString(token).trim();
  if (/\s/.test(value)) {
    throw new ConfigurationError(
      token.setting,
      `${token.setting}: ${show(value, true)} contains white space; give the token alone, without "Bearer "`,
    );
  }
  return { kind: "bearer", token: new Secret(value) };
}

/**
 * Accepts an encoded API key (base64 of `id:api_key`), `id:api_key`, or `{ id, apiKey }`.
 * A value containing ':' is taken as `id:api_key` (':' never occurs in base64).
 */
export function buildApiKey(key: Sourced<unknown>): Auth {
  const setting = key.setting;
  const allowed = 'expected the encoded API key (base64 of "id:api_key"), "id:api_key", or { id, apiKey }';
  const raw = key.value;
  if (typeof raw === "object" && raw !== null) {
    const { id, apiKey } = raw as { id?: unknown; apiKey?: unknown };
    if (
      typeof id !== "string" ||
      id === "" ||
      id.includes(":") ||
      typeof apiKey !== "string" ||
      apiKey === ""
    ) {
      throw new ConfigurationError(
        setting,
        `${setting}: { id, apiKey } needs two non-empty strings (id without ':'); ${allowed}`,
      );
    }
    return { kind: "apiKey", id, encoded: new Secret(Buffer.from(`${id}:${apiKey}`).toString("base64")) };
  }
  if (typeof raw !== "string") {
    throw new ConfigurationError(
      setting,
      `${setting} must be a string or { id, apiKey }, got ${typeof raw}; ${allowed}`,
    );
  }
  const value = raw.trim();
  if (value.includes(":")) {
    const id = value.slice(0, value.indexOf(":"));
    const secretPart = value.slice(value.indexOf(":") + 1);
    if (id === "" || secretPart === "" || /\s/.test(value)) {
      throw new ConfigurationError(setting, `${setting}: ${show(value, true)} is not valid; ${allowed}`);
    }
    return { kind: "apiKey", id, encoded: new Secret(Buffer.from(value).toString("base64")) };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    throw new ConfigurationError(setting, `${setting}: ${show(value, true)} is not valid; ${allowed}`);
  }
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const match = /^([^:\s]+):\S+$/.exec(decoded);
  return { kind: "apiKey", id: match ? match[1] : undefined, encoded: new Secret(value) };
}

// ---------------------------------------------------------------------------------------------
// Headers

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "accept",
]);

function resolveHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== "object" || Array.isArray(headers)) {
    throw new ConfigurationError(
      "headers",
      `headers must be an object of header names to string values, got ${inspect(headers)}`,
    );
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const setting = `headers["${name}"]`;
    if (!TOKEN.test(name))
      throw new ConfigurationError(setting, `${setting}: ${show(name)} is not a valid header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new ConfigurationError(
        setting,
        `${setting}: the client sets ${name} itself; it cannot be overridden`,
      );
    }
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      throw new ConfigurationError(setting, `${setting} must be a string without line breaks`);
    }
    out[name] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TLS

/** Normalises a SHA-256 fingerprint to `AB:CD:…` (Node's `fingerprint256` format), or throws naming `setting`. */
export function normalizeFingerprint(value: string, setting = "caFingerprint"): string {
  const trimmed = value.trim();
  const plain = /^[0-9a-f]{64}$/i.test(trimmed);
  const colons = /^(?:[0-9a-f]{2}:){31}[0-9a-f]{2}$/i.test(trimmed);
  if (!plain && !colons) {
    const hex = trimmed.replace(/:/g, "");
    const sha1 = /^[0-9a-f]{40}$/i.test(hex)
      ? " (this looks like a SHA-1 fingerprint; only SHA-256 is accepted)"
      : "";
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(trimmed)} is not a SHA-256 fingerprint${sha1}; expected 64 hex digits, ` +
        "optionally as colon-separated pairs (e.g. from `openssl x509 -fingerprint -sha256`)",
    );
  }
  const hex = trimmed.replace(/:/g, "").toUpperCase();
  return hex.match(/.{2}/g)!.join(":");
}

const configurationError = (setting: string, message: string): ConfigurationError =>
  new ConfigurationError(setting, message);

function readPemFile(
  path: Sourced<unknown>,
  readFile: FileReader,
  kind: "certificate" | "private key",
): string {
  const file = requireString(path);
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      path.setting,
      `${path.setting}: cannot read ${show(file)} (${code ?? (err as Error).message}); expected a readable PEM file`,
      { cause: err },
    );
  }
  checkPem(text, kind, `${path.setting} (${show(file)})`, path.setting);
  return text;
}

function checkPem(text: string, kind: "certificate" | "private key", where: string, setting: string): void {
  const ok =
    kind === "certificate"
      ? /-----BEGIN CERTIFICATE-----/.test(text)
      : /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
  if (!ok) {
    const marker = kind === "certificate" ? "-----BEGIN CERTIFICATE-----" : "-----BEGIN … PRIVATE KEY-----";
    throw new ConfigurationError(
      setting,
      `${where} does not contain a PEM ${kind}; expected a block starting with ${marker}`,
    );
  }
}

function pemFromPair(
  fileOpt: Sourced<unknown> | undefined,
  dataOpt: Sourced<unknown> | undefined,
  readFile: FileReader,
  kind: "certificate" | "private key",
): string | undefined {
  if (fileOpt && dataOpt) {
    throw new ConfigurationError(
      dataOpt.setting,
      `${fileOpt.setting} and ${dataOpt.setting} are both set; set one of them`,
    );
  }
  if (fileOpt) return readPemFile(fileOpt, readFile, kind);
  if (dataOpt) {
    const text = requireString(dataOpt);
    checkPem(text, kind, dataOpt.setting, dataOpt.setting);
    return text;
  }
  return undefined;
}

function resolveTls(
  explicit: ConnectionOptions,
  env: Env,
  endpoints: readonly Endpoint[],
  readFile: FileReader,
): TlsSettings {
  const explicitCaFile = fromExplicit<unknown>(explicit.caFile, "caFile");
  const explicitCaData = fromExplicit<unknown>(explicit.caData, "caData");
  const [caFile, caData] =
    explicitCaFile || explicitCaData
      ? [explicitCaFile, explicitCaData]
      : [fromEnv(env, ENV_VARS.caFile), undefined];
  const ca = pemFromPair(caFile, caData, readFile, "certificate");

  const cert = pemFromPair(
    fromExplicit<unknown>(explicit.certFile, "certFile"),
    fromExplicit<unknown>(explicit.certData, "certData"),
    readFile,
    "certificate",
  );
  const key = pemFromPair(
    fromExplicit<unknown>(explicit.keyFile, "keyFile"),
    fromExplicit<unknown>(explicit.keyData, "keyData"),
    readFile,
    "private key",
  );
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? "certFile or certData" : "keyFile or keyData";
    const present = cert === undefined ? "a client key" : "a client certificate";
    throw new ConfigurationError(
      cert === undefined ? "certFile" : "keyFile",
      `Mutual TLS needs both a client certificate and its key: ${present} is set, so set ${missing} as well`,
    );
  }

  const fp =
    fromExplicit<unknown>(explicit.caFingerprint, "caFingerprint") ?? fromEnv(env, ENV_VARS.caFingerprint);
  const caFingerprint = fp ? normalizeFingerprint(requireString(fp), fp.setting) : undefined;

  const insecureOpt = fromExplicit<unknown>(explicit.insecure, "insecure") ?? fromEnv(env, ENV_VARS.insecure);
  const insecure =
    parseBooleanSetting(insecureOpt?.value, insecureOpt?.setting ?? "insecure", configurationError) ?? false;

  if (insecure && insecureOpt) {
    const verifying = [fp?.setting, caFile?.setting, caData?.setting].filter((s): s is string => !!s);
    if (verifying.length > 0) {
      throw new ConfigurationError(
        insecureOpt.setting,
        `${insecureOpt.setting} turns certificate verification off, but ${verifying.join(" and ")} ` +
          "asks for it; set one or the other",
      );
    }
  }

  const tlsSettings = [
    caFile?.setting,
    caData?.setting,
    cert !== undefined ? "client certificate" : undefined,
    fp?.setting,
    insecure ? insecureOpt?.setting : undefined,
  ].filter((s): s is string => !!s);
  if (tlsSettings.length > 0 && !endpoints.some((e) => e.protocol === "https:")) {
    throw new ConfigurationError(
      tlsSettings[0],
      `${tlsSettings.join(", ")} ${tlsSettings.length === 1 ? "configures" : "configure"} TLS, but no endpoint uses https (${endpoints.map((e) => e.url).join(", ")}); ` +
        "use https:// endpoints or drop the TLS settings",
    );
  }
  return { ca, cert, key: key === undefined ? undefined : new Secret(key), caFingerprint, insecure };
}
