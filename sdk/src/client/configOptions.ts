/**
 * The connection options a program can pass, the environment variable behind each, and the shapes the
 * resolved settings hold (see `config.ts` for how they are resolved).
 */
import type { Secret } from "./secret";

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
