/**
 * The client's error family. Every failure the client reports is an {@link EsClientError} with a
 * stable {@link EsClientError.code}; callers branch on `code` (and, for response errors, on the
 * Elasticsearch `type`), never on message text.
 *
 * No error ever carries request headers, and text that came from the wire is scrubbed of the
 * configured secrets before it is stored (see `transport.ts`).
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type EsClientErrorCode =
  /** Elasticsearch (or a proxy) answered with an HTTP error status. */
  | "ES_RESPONSE_ERROR"
  /** The connection could not be made or was lost. */
  | "ES_CONNECTION_ERROR"
  /** TLS verification failed (untrusted certificate, host name mismatch, pinned fingerprint mismatch). */
  | "ES_TLS_ERROR"
  /** No answer within the request timeout or the overall deadline. */
  | "ES_TIMEOUT"
  /** A connection setting is missing, malformed or contradicts another one. Raised before any request. */
  | "ES_CONFIGURATION_ERROR"
  /** The cluster's Elasticsearch version is older than the client supports. */
  | "ES_VERSION_UNSUPPORTED"
  /** A parameter was set that the connected Elasticsearch version does not know. Nothing was sent. */
  | "ES_PARAMETER_UNSUPPORTED"
  /** A request parameter is invalid for the connected version (checked locally). Nothing was sent. */
  | "ES_INVALID_REQUEST"
  /** A successful response could not be understood (not JSON, missing fields). */
  | "ES_INVALID_RESPONSE"
  /** The client was closed. */
  | "ES_CLIENT_CLOSED";

/** Base of every error the client throws. */
export class EsClientError extends Error {
  override name = "EsClientError";
  readonly code: EsClientErrorCode;
  /**
   * Whether the server applied the request, when the client knows:
   * `false` = verified not applied (safe to retry), `true` = applied despite the error,
   * `undefined` = unknown or not relevant.
   */
  applied: boolean | undefined;
  /** Number of attempts made (1 when not retried). */
  attempts = 1;

  constructor(code: EsClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.applied = undefined;
  }

  /** Appends a sentence to the message (used when the client learns more after the failure). */
  addDetail(detail: string): this {
    this.message = `${this.message}. ${detail}`;
    return this;
  }
}

/** Describes one Elasticsearch error cause (`error`, `error.root_cause[i]`, `error.caused_by`). */
export interface EsErrorCause {
  type?: string;
  reason?: string;
  [extra: string]: unknown;
}

/** What the client knows about the call that failed, for actionable 401/403 messages. */
export interface OperationInfo {
  /** What the call does, as a phrase: "start a trained model deployment". */
  description: string;
  /** Cluster privileges that allow the call, least powerful first: `["manage_ml"]`. */
  privileges: readonly string[];
}

/** Who the client authenticates as, for 401/403 messages (never the secret itself). */
export interface IdentityInfo {
  /** "basic" | "apiKey" | "bearer" | "none" (or a custom Authorization header). */
  kind: string;
  /** Human description: "user [elastic] (basic auth)", "API key id [abc]", "a bearer token". */
  description: string;
  username?: string;
}

export interface ResponseErrorInit {
  statusCode: number;
  method: string;
  /** Request path without the query string. */
  path: string;
  query?: string;
  /** Parsed response body (scrubbed), or the raw text when it was not JSON. */
  body: unknown;
  /** The `www-authenticate` response header, if any (it holds no secret). */
  wwwAuthenticate?: string;
  operation?: OperationInfo;
  identity?: IdentityInfo;
  retryAfterMs?: number;
  /** Whether the answer carried `X-Elastic-Product: Elasticsearch` (false: a proxy, or unknown). */
  fromElasticsearch?: boolean;
}

/** Elasticsearch (or a proxy in front of it) answered with an HTTP error status. */
export class ResponseError extends EsClientError {
  override name = "ResponseError";
  readonly statusCode: number;
  /** Elasticsearch `error.type`, e.g. `status_exception`; undefined for non-Elasticsearch bodies. */
  readonly type: string | undefined;
  /** Elasticsearch `error.reason` (or a short excerpt of a non-JSON body). */
  readonly reason: string | undefined;
  /** The first `error.root_cause` entry. */
  readonly rootCause: EsErrorCause | undefined;
  /** `error.caused_by`, when present. */
  readonly causedBy: EsErrorCause | undefined;
  readonly method: string;
  readonly path: string;
  readonly query: string | undefined;
  /** The response body, scrubbed of configured secrets. Never includes request headers. */
  readonly body: unknown;
  /** For 401/403: the user the server refused, from its reason or from the configured identity. */
  readonly user: string | undefined;
  /** For 401/403: cluster privileges that would allow the call. */
  readonly requiredPrivileges: readonly string[] | undefined;
  /** For a 409 from stop: ingest pipelines that reference the deployment (looked up by the client). */
  referencingPipelines: string[] | undefined;
  /** `Retry-After`, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  /**
   * Whether the answer carried `X-Elastic-Product: Elasticsearch`, as every Elasticsearch 7.14+ answer does.
   * False for a proxy's or load balancer's error page (or an answer whose origin is unknown).
   */
  readonly fromElasticsearch: boolean;

  constructor(init: ResponseErrorInit) {
    const parsed = parseErrorBody(init.body);
    const auth =
      init.statusCode === 401 || init.statusCode === 403 ? describeAuthFailure(init, parsed) : undefined;
    super(
      "ES_RESPONSE_ERROR",
      buildResponseErrorMessage({
        statusCode: init.statusCode,
        type: parsed.type,
        reason: parsed.reason,
        rootCause: parsed.rootCause,
        method: init.method,
        path: init.path,
        hint: auth?.hint,
      }),
    );
    this.statusCode = init.statusCode;
    this.type = parsed.type;
    this.reason = parsed.reason;
    this.rootCause = parsed.rootCause;
    this.causedBy = parsed.causedBy;
    this.method = init.method;
    this.path = init.path;
    this.query = init.query;
    this.body = init.body;
    this.user = auth?.user;
    this.requiredPrivileges = auth?.privileges;
    this.referencingPipelines = undefined;
    this.retryAfterMs = init.retryAfterMs;
    this.fromElasticsearch = init.fromElasticsearch === true;
  }
}

/** Details of a connection failure. */
export interface ConnectionFailureInfo {
  method: string;
  path: string;
  /** The endpoint (origin and path prefix, never user-info). */
  endpoint: string;
  /** False when the failure happened before the request could have been written (safe to resend). */
  requestSent: boolean;
  /** The system or undici code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  causeCode?: string;
}

/** The connection could not be made, or was lost before a response arrived. */
export class ConnectionError extends EsClientError {
  override name = "ConnectionError";
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly requestSent: boolean;
  readonly causeCode: string | undefined;

  constructor(
    info: ConnectionFailureInfo,
    message: string,
    options?: { cause?: unknown; code?: "ES_CONNECTION_ERROR" | "ES_TLS_ERROR" },
  ) {
    super(
      options?.code ?? "ES_CONNECTION_ERROR",
      `${message} (${info.method} ${info.endpoint}${info.path})`,
      options,
    );
    this.method = info.method;
    this.path = info.path;
    this.endpoint = info.endpoint;
    this.requestSent = info.requestSent;
    this.causeCode = info.causeCode;
  }
}

/** TLS verification failed: the server's certificate is not trusted, or does not match the pinned fingerprint. */
export class TlsError extends ConnectionError {
  override name = "TlsError";

  constructor(info: ConnectionFailureInfo, message: string, options?: { cause?: unknown }) {
    super({ ...info, requestSent: false }, message, { ...options, code: "ES_TLS_ERROR" });
  }
}

/** No answer in time: per-request timeout or the overall retry deadline. */
export class TimeoutError extends EsClientError {
  override name = "TimeoutError";
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly timeoutMs: number;
  /** "headers" | "body" (per-request timeout) or "deadline" (overall deadline across retries). */
  readonly phase: "headers" | "body" | "deadline";

  constructor(
    info: {
      method: string;
      path: string;
      endpoint: string;
      timeoutMs: number;
      phase: "headers" | "body" | "deadline";
    },
    options?: { cause?: unknown },
  ) {
    const what =
      info.phase === "deadline"
        ? "the request's overall deadline"
        : info.phase === "headers"
          ? "the response headers"
          : "the rest of the response body";
    super(
      "ES_TIMEOUT",
      `Timed out after ${info.timeoutMs} ms waiting for ${what} (${info.method} ${info.endpoint}${info.path})`,
      options,
    );
    this.method = info.method;
    this.path = info.path;
    this.endpoint = info.endpoint;
    this.timeoutMs = info.timeoutMs;
    this.phase = info.phase;
  }
}

/** A connection setting is missing, malformed or contradicts another. Names the setting. */
export class ConfigurationError extends EsClientError {
  override name = "ConfigurationError";
  /** The option or environment variable at fault, e.g. `caFingerprint` or `ELASTICSEARCH_INSECURE`. */
  readonly setting: string;

  constructor(setting: string, message: string, options?: { cause?: unknown }) {
    super("ES_CONFIGURATION_ERROR", message, options);
    this.setting = setting;
  }
}

/** The connected Elasticsearch is too old, or too old for a parameter that was set. Nothing was sent. */
export class UnsupportedVersionError extends EsClientError {
  override name = "UnsupportedVersionError";
  /** The version the cluster reported. */
  readonly esVersion: string;
  /** The first version that supports what was asked. */
  readonly requiredVersion: string;
  /** The parameter, for `ES_PARAMETER_UNSUPPORTED`. */
  readonly parameter: string | undefined;

  constructor(init: { esVersion: string; requiredVersion: string; parameter?: string; message: string }) {
    super(init.parameter === undefined ? "ES_VERSION_UNSUPPORTED" : "ES_PARAMETER_UNSUPPORTED", init.message);
    this.esVersion = init.esVersion;
    this.requiredVersion = init.requiredVersion;
    this.parameter = init.parameter;
    this.applied = false;
  }
}

/** A request parameter was refused locally (out of range for the connected version, nothing to do). */
export class InvalidRequestError extends EsClientError {
  override name = "InvalidRequestError";
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super("ES_INVALID_REQUEST", message);
    this.parameter = parameter;
    this.applied = false;
  }
}

/** A 2xx response that could not be understood. */
export class InvalidResponseError extends EsClientError {
  override name = "InvalidResponseError";
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, problem: string, options?: { cause?: unknown }) {
    super(
      "ES_INVALID_RESPONSE",
      `Unexpected response from Elasticsearch: ${problem} (${method} ${path})`,
      options,
    );
    this.method = method;
    this.path = path;
  }
}

/** The client was closed while (or before) a request ran. */
export class ClientClosedError extends EsClientError {
  override name = "ClientClosedError";

  constructor() {
    super("ES_CLIENT_CLOSED", "The Elasticsearch client is closed");
  }
}

// ---------------------------------------------------------------------------------------------
// Recognisers: branch on these, not on instanceof or message text.

/** True for any error thrown by this client. */
export function isEsClientError(err: unknown): err is EsClientError {
  return err instanceof EsClientError;
}

/** True when Elasticsearch said the thing does not exist: HTTP 404 or `resource_not_found_exception`. */
export function isNotFound(err: unknown): err is ResponseError {
  return (
    err instanceof ResponseError && (err.statusCode === 404 || err.type === "resource_not_found_exception")
  );
}

/**
 * True for the error a second `_start` gets when a deployment with the same id exists
 * (400 "existing deployment with the same id", or the 409 "already been started" race).
 */
export function isDeploymentAlreadyExists(err: unknown): err is ResponseError {
  return (
    err instanceof ResponseError &&
    ((err.statusCode === 400 && /existing deployment with the same id/.test(err.reason ?? "")) ||
      (err.statusCode === 409 && /has already been started/.test(err.reason ?? "")))
  );
}

/** True for the 408 Elasticsearch sends when `_start` stopped waiting but the deployment keeps starting. */
export function isStartTimeout(err: unknown): err is ResponseError {
  return (
    err instanceof ResponseError &&
    err.statusCode === 408 &&
    err.type === "model_deployment_timeout_exception"
  );
}

/**
 * True for Elasticsearch's capacity refusal of a start or update: 429 `status_exception`
 * "Could not start deployment because no ML nodes with sufficient capacity were found", "… because there
 * are not enough resources to provide all requested allocations", "Could not update deployment because …",
 * and "Could not start model deployment because existing deployments reached the limit of [100]". It stands
 * until capacity changes, so it is final: retrying within seconds cannot succeed.
 */
export function isCapacityRefusal(err: unknown): err is ResponseError {
  return (
    err instanceof ResponseError &&
    err.statusCode === 429 &&
    err.type === "status_exception" &&
    /^Could not (start|update) (model )?deployment because /.test(err.reason ?? "")
  );
}

// ---------------------------------------------------------------------------------------------
// Message building (pure; unit-tested verbatim).

interface ParsedErrorBody {
  type?: string;
  reason?: string;
  rootCause?: EsErrorCause;
  causedBy?: EsErrorCause;
}

function asCause(value: unknown): EsErrorCause | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as EsErrorCause)
    : undefined;
}

/** Reads an Elasticsearch error envelope `{error: {...}, status}`; tolerates `{error: "text"}` and non-JSON. */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  if (typeof body === "string") {
    const text = body.trim().replace(/\s+/g, " ");
    return text === "" ? {} : { reason: text.length > 200 ? `${text.slice(0, 200)}…` : text };
  }
  const envelope = asCause(body);
  if (!envelope) return {};
  if (typeof envelope.error === "string") return { reason: envelope.error };
  const error = asCause(envelope.error);
  if (!error) return {};
  const roots = Array.isArray(error.root_cause)
    ? error.root_cause.map(asCause).filter((c) => c !== undefined)
    : [];
  return {
    type: typeof error.type === "string" ? error.type : undefined,
    reason: typeof error.reason === "string" ? error.reason : undefined,
    rootCause: roots[0],
    causedBy: asCause(error.caused_by),
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * `409 status_exception: Cannot stop … (POST /_ml/trained_models/x/deployment/_stop)`, adding the
 * root cause when it differs from the top-level error, and a hint sentence (401/403) at the end.
 */
export function buildResponseErrorMessage(parts: {
  statusCode: number;
  type?: string;
  reason?: string;
  rootCause?: EsErrorCause;
  method: string;
  path: string;
  hint?: string;
}): string {
  const head = parts.type ?? STATUS_TEXT[parts.statusCode] ?? "HTTP error";
  let message = `${parts.statusCode} ${head}`;
  if (parts.reason) message += `: ${parts.reason}`;
  const root = parts.rootCause;
  if (root && (root.type !== parts.type || root.reason !== parts.reason) && (root.type || root.reason)) {
    message += ` (root cause: ${[root.type, root.reason].filter(Boolean).join(": ")})`;
  }
  message += ` (${parts.method} ${parts.path})`;
  if (parts.hint) message += `. ${parts.hint}`;
  return message;
}

/** Pulls the refused principal out of an Elasticsearch security reason. */
export function userFromSecurityReason(reason: string | undefined): string | undefined {
  if (!reason) return undefined;
  const patterns = [
    /API key id \[([^\]]+)\] of user \[([^\]]+)\]/,
    /unable to authenticate user \[([^\]]+)\]/,
    /for user \[([^\]]+)\]/,
    /of user \[([^\]]+)\]/,
  ];
  const apiKey = patterns[0].exec(reason);
  if (apiKey) return `${apiKey[2]} (API key id ${apiKey[1]})`;
  for (const pattern of patterns.slice(1)) {
    const match = pattern.exec(reason);
    if (match) return match[1];
  }
  return undefined;
}

/** Pulls `[p1,p2]` out of "…, this action is granted by the cluster privileges [p1,p2]". */
export function privilegesFromSecurityReason(reason: string | undefined): string[] | undefined {
  const match = /granted by the (?:cluster|index) privileges \[([^\]]*)\]/.exec(reason ?? "");
  if (!match) return undefined;
  const list = match[1]
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/**
 * The privilege to name first: `manage_ml`, what this package's minimal role grants, when Elasticsearch lists
 * it (from 8.15 `manage_inference` also grants deployment start and stop, and sorts first in its list;
 * `ClusterPrivilegeResolver.MANAGE_INFERENCE_PATTERN`); otherwise Elasticsearch's own first.
 */
const PREFERRED_PRIVILEGE = "manage_ml";

function formatPrivileges(privileges: readonly string[]): string {
  const first = privileges.includes(PREFERRED_PRIVILEGE) ? PREFERRED_PRIVILEGE : privileges[0];
  const rest = privileges.filter((p) => p !== first);
  return rest.length === 0 ? first : `${first} (or one of ${rest.join(", ")})`;
}

/** Builds the extra sentence for 401/403: which privilege the call needs and who was refused. */
export function describeAuthFailure(
  init: Pick<ResponseErrorInit, "statusCode" | "operation" | "identity">,
  parsed: { type?: string; reason?: string },
): { user?: string; privileges?: readonly string[]; hint: string } {
  const user = userFromSecurityReason(parsed.reason) ?? init.identity?.username;
  const privileges = privilegesFromSecurityReason(parsed.reason) ?? init.operation?.privileges;
  const doing = init.operation?.description ?? "make this call";
  const needs =
    privileges && privileges.length > 0 ? `the cluster privilege ${formatPrivileges(privileges)}` : undefined;

  if (init.statusCode === 401) {
    const then = needs ? `; to ${doing} the user also needs ${needs}` : "";
    if (/missing authentication credentials/.test(parsed.reason ?? "") || init.identity?.kind === "none") {
      return {
        user,
        privileges,
        hint:
          "No credentials were sent: configure an API key, a username and password, or a bearer token " +
          `(ELASTICSEARCH_API_KEY, ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, or ELASTICSEARCH_BEARER_TOKEN)${then}`,
      };
    }
    const who = user ? `user [${user}]` : (init.identity?.description ?? "the configured credentials");
    return { user, privileges, hint: `Authentication failed for ${who}: check the credentials${then}` };
  }

  if (/license is non-compliant/.test(parsed.reason ?? "")) {
    return { user, privileges, hint: "The cluster's license does not include machine learning" };
  }
  const who = user ? `User [${user}]` : "The configured user";
  return {
    user,
    privileges,
    hint: needs
      ? `${who} is not allowed to ${doing}: that needs ${needs}`
      : `${who} is not allowed to ${doing}`,
  };
}
