/**
 * HTTP to Elasticsearch over undici: the only module that knows undici.
 *
 * - One keep-alive `Pool` per endpoint origin, created lazily, destroyed by {@link Transport.close}.
 * - Per-attempt timeouts (response headers, then body) inside an overall deadline per call.
 * - Every response body is read to the end (or the request destroyed), so no socket is left hanging.
 * - undici and socket failures are mapped to {@link ConnectionError}/{@link TlsError}/{@link TimeoutError}
 *   here, with the original kept as `cause`; nothing above this module sees an undici error code.
 * - Retries follow `retry.ts`; connect failures move on to the next endpoint (`endpoints.ts`).
 * - `applied: false` only with evidence from every attempt (`evidence.ts`); unknown otherwise.
 * - TLS: trusted CA, client certificate, `insecure`, and SHA-256 fingerprint pinning checked on the
 *   peer chain right after the handshake, before any byte of the request is written.
 * - An opt-in trace (one line per attempt and outcome, secrets redacted).
 */
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { inspect } from "node:util";
import type { Pool, buildConnector } from "undici";
import { type Auth, authSecrets, authorizationHeader, describeIdentity } from "./auth";
import type { ConnectionSettings, Endpoint } from "./config";
import { DEFAULT_ENDPOINT_HEALTH, EndpointSelector, type EndpointHealthOptions } from "./endpoints";
import {
  ClientClosedError,
  ConnectionError,
  EsClientError,
  type IdentityInfo,
  InvalidResponseError,
  isCapacityRefusal,
  type OperationInfo,
  ResponseError,
  TimeoutError,
  TlsError,
} from "./errors";
import { ELASTIC_PRODUCT_HEADER, isRefusalBeforeActing } from "./evidence";
import { type AttemptFailure, DEFAULT_BACKOFF, decideRetry, parseRetryAfter } from "./retry";
import { type Secret, scrubSecrets } from "./secret";
import { chainFingerprints, chainMatchesFingerprint } from "./tls";

// undici takes about 45 ms to load, a third of the provider's start; a preview (check and diff) never sends
// a request, so it is loaded with the first pool instead of with this module.
let undici: typeof import("undici") | undefined;
function loadUndici(): typeof import("undici") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  return (undici ??= require("undici") as typeof import("undici"));
}

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE";

/** One logical call; the transport may make several attempts. */
export interface RequestSpec {
  method: HttpMethod;
  /** Path starting with "/", segments already encoded. */
  path: string;
  /** Query parameters; `undefined` values are left out. */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body; left out (no body at all) when undefined. */
  body?: unknown;
  /** Whether resending is harmless. Default: true for GET/HEAD, false otherwise. */
  idempotent?: boolean;
  /** Per-attempt timeout (default: the settings' `requestTimeoutMs`). */
  timeoutMs?: number;
  /** Overall budget across attempts (default: the settings' `retryDeadlineMs`). */
  deadlineMs?: number;
  /** For actionable 401/403 messages. */
  operation?: OperationInfo;
}

export interface TransportResponse<T = unknown> {
  statusCode: number;
  /** Parsed JSON body (undefined when empty). */
  body: T;
}

/** Tuning knobs that are not connection settings (tests shrink them). */
export interface TransportOptions {
  /** Receives trace lines (see `ELASTICSEARCH_ML_TRACE`); off when undefined. */
  trace?: (line: string) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  endpointHealth?: EndpointHealthOptions;
  /** Connections per endpoint (default 10). */
  maxConnectionsPerEndpoint?: number;
  /** Idle keep-alive time of pooled connections (default 4000 ms). */
  keepAliveTimeoutMs?: number;
  /** Connect timeout (default: min(10000, requestTimeoutMs)). */
  connectTimeoutMs?: number;
  /** Source of randomness for backoff jitter (tests pin it). */
  random?: () => number;
}

const DEADLINE = Symbol("deadline");
const FINGERPRINT_MISMATCH = "ES_TLS_FINGERPRINT_MISMATCH";

const USER_AGENT = (() => {
  let version = "unknown";
  try {
    // dist/client/transport.js -> sdk/package.json; absent when bundled.
    version = (JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    // keep "unknown"
  }
  return `pulumi-elasticsearch-ml/${version} (Node.js ${process.version})`;
})();

type AttemptOutcome =
  | { ok: true; statusCode: number; headers: Record<string, string | string[] | undefined>; text: string }
  | {
      ok: false;
      error: EsClientError;
      failure: AttemptFailure;
      /** True when no attempt was even made (the deadline had passed before it). */
      notAttempted?: boolean;
    };

export class Transport {
  readonly #settings: ConnectionSettings;
  readonly #options: TransportOptions;
  readonly #selector: EndpointSelector<Endpoint>;
  readonly #pools = new Map<string, Pool>();
  readonly #secrets: Secret[];
  readonly #headers: Record<string, string>;
  readonly #identity: IdentityInfo;
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();
  #closed = false;

  constructor(settings: ConnectionSettings, options: TransportOptions = {}) {
    this.#settings = settings;
    this.#options = options;
    this.#selector = new EndpointSelector(
      settings.endpoints,
      options.endpointHealth ?? DEFAULT_ENDPOINT_HEALTH,
    );
    this.#secrets = [...authSecrets(settings.auth), ...settings.secrets()];
    this.#headers = buildHeaders(settings.auth, settings);
    const customAuth = Object.keys(settings.headers).some((h) => h.toLowerCase() === "authorization");
    this.#identity = describeIdentity(settings.auth, customAuth);
  }

  /** Who requests authenticate as (no secret). */
  get identity(): IdentityInfo {
    return this.#identity;
  }

  /** The configured per-request timeout. */
  get requestTimeoutMs(): number {
    return this.#settings.requestTimeoutMs;
  }

  /** Display URLs of the endpoints. */
  get endpoints(): string[] {
    return this.#settings.endpoints.map((e) => e.url);
  }

  /** Scrubs every configured secret out of `text`. */
  scrub(text: string): string {
    return scrubSecrets(text, this.#secrets);
  }

  /**
   * Sends a request, retrying per `retry.ts`. Resolves for 2xx; throws {@link ResponseError} for an
   * error status and the other {@link EsClientError}s for transport failures.
   */
  async request<T = unknown>(spec: RequestSpec): Promise<TransportResponse<T>> {
    if (this.#closed) throw new ClientClosedError();
    const idempotent = spec.idempotent ?? (spec.method === "GET" || spec.method === "HEAD");
    const timeoutMs = spec.timeoutMs ?? this.#settings.requestTimeoutMs;
    const deadlineMs = spec.deadlineMs ?? Math.max(this.#settings.retryDeadlineMs, timeoutMs);
    const policy = {
      maxRetries: this.#settings.maxRetries,
      initialBackoffMs: this.#options.initialBackoffMs ?? DEFAULT_BACKOFF.initialBackoffMs,
      maxBackoffMs: this.#options.maxBackoffMs ?? DEFAULT_BACKOFF.maxBackoffMs,
      deadlineMs,
    };
    const query = encodeQuery(spec.query);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const started = Date.now();
    const deadlineAt = started + deadlineMs;
    // Stays true only while every attempt so far carries evidence that it changed nothing.
    let notAppliedByAny = true;

    for (let attempts = 1; ; attempts++) {
      const endpoint = this.#selector.pick(Date.now());
      const remaining = deadlineAt - Date.now();
      const outcome =
        remaining <= 0
          ? this.#deadlineOutcome(spec, endpoint, deadlineMs)
          : await this.#attempt(
              endpoint,
              spec,
              query,
              payload,
              Math.min(timeoutMs, remaining),
              deadlineMs,
              remaining,
              attempts,
            );

      let error: EsClientError;
      let failure: AttemptFailure;
      if (outcome.ok) {
        this.#selector.markUp(endpoint);
        if (outcome.statusCode < 400)
          return { statusCode: outcome.statusCode, body: this.#parseSuccess<T>(spec, outcome.text) };
        const response = this.#responseError(spec, query, outcome);
        error = response;
        failure = {
          kind: "status",
          statusCode: outcome.statusCode,
          retryAfterMs: response.retryAfterMs,
          capacityRefusal: isCapacityRefusal(response),
        };
        notAppliedByAny &&= isRefusalBeforeActing(
          response.statusCode,
          response.type,
          response.fromElasticsearch,
        );
      } else {
        ({ error, failure } = outcome);
        if (failure.kind === "connect" || failure.kind === "timeout")
          this.#selector.markDown(endpoint, Date.now());
        // Connect and TLS failures happen before a byte of the request is written.
        if (!outcome.notAttempted) notAppliedByAny &&= failure.kind === "connect" || failure.kind === "tls";
      }

      const decision = decideRetry(
        policy,
        {
          failure,
          attempts,
          elapsedMs: Date.now() - started,
          idempotent,
          otherEndpointAvailable: this.#selector.hasHealthyOtherThan(endpoint, Date.now()),
        },
        this.#options.random,
      );
      if (!decision.retry) {
        error.attempts = attempts;
        if (attempts > 1) error.addDetail(`Gave up after ${attempts} attempts (${decision.reason})`);
        error.applied = notAppliedByAny ? false : undefined;
        throw error;
      }
      this.#trace(`retrying ${spec.method} ${spec.path} in ${decision.delayMs} ms (${failure.kind})`);
      await this.#sleep(decision.delayMs);
    }
  }

  /** Destroys every pool (open sockets included) and cancels pending backoff waits. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const sleep of this.#sleeps) {
      clearTimeout(sleep.timer);
      sleep.reject(new ClientClosedError());
    }
    this.#sleeps.clear();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  toJSON(): Record<string, unknown> {
    return { endpoints: this.endpoints, auth: this.#identity.description };
  }

  [inspect.custom](): string {
    return `Transport ${inspect(this.toJSON())}`;
  }

  // -------------------------------------------------------------------------------------------

  async #attempt(
    endpoint: Endpoint,
    spec: RequestSpec,
    query: string,
    payload: string | undefined,
    timeoutMs: number,
    deadlineMs: number,
    remainingMs: number,
    attempt: number,
  ): Promise<AttemptOutcome> {
    const url = `${endpoint.url}${spec.path}${query}`;
    this.#trace(`-> ${spec.method} ${url} (attempt ${attempt})`);
    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(DEADLINE), remainingMs);
    try {
      const headers: Record<string, string> = { ...this.#headers };
      if (payload !== undefined) headers["content-type"] = "application/json";
      const res = await this.#pool(endpoint).request({
        method: spec.method,
        path: `${endpoint.pathPrefix}${spec.path}${query}`,
        headers,
        body: payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: controller.signal,
      });
      // Always read the body to the end: an unread body pins the socket.
      const text = spec.method === "HEAD" ? (await res.body.dump(), "") : await res.body.text();
      this.#trace(`<- ${res.statusCode} ${spec.method} ${url} (${Date.now() - started} ms)`);
      return { ok: true, statusCode: res.statusCode, headers: res.headers, text };
    } catch (err) {
      const mapped = this.#mapError(err, endpoint, spec, timeoutMs, deadlineMs);
      this.#trace(
        `xx ${spec.method} ${url}: ${mapped.error.code} ${mapped.error.message} (${Date.now() - started} ms)`,
      );
      return { ok: false, ...mapped };
    } finally {
      clearTimeout(timer);
    }
  }

  #deadlineOutcome(spec: RequestSpec, endpoint: Endpoint, deadlineMs: number): AttemptOutcome {
    return {
      ok: false,
      error: new TimeoutError({
        method: spec.method,
        path: spec.path,
        endpoint: endpoint.url,
        timeoutMs: deadlineMs,
        phase: "deadline",
      }),
      failure: { kind: "deadline" },
      notAttempted: true,
    };
  }

  #pool(endpoint: Endpoint): Pool {
    if (this.#closed) throw new ClientClosedError();
    let pool = this.#pools.get(endpoint.origin);
    if (!pool) {
      const connectTimeout =
        this.#options.connectTimeoutMs ?? Math.min(10_000, this.#settings.requestTimeoutMs);
      pool = new (loadUndici().Pool)(endpoint.origin, {
        connections: this.#options.maxConnectionsPerEndpoint ?? 10,
        keepAliveTimeout: this.#options.keepAliveTimeoutMs ?? 4_000,
        connect: buildPinningConnector(this.#settings, connectTimeout),
      });
      this.#pools.set(endpoint.origin, pool);
    }
    return pool;
  }

  #parseSuccess<T>(spec: RequestSpec, text: string): T {
    if (text.trim() === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      const excerpt = this.scrub(text.slice(0, 120).replace(/\s+/g, " "));
      throw new InvalidResponseError(
        spec.method,
        spec.path,
        `the body is not JSON (starts with ${JSON.stringify(excerpt)})`,
        {
          cause: err,
        },
      );
    }
  }

  #responseError(
    spec: RequestSpec,
    query: string,
    outcome: Extract<AttemptOutcome, { ok: true }>,
  ): ResponseError {
    const text = this.scrub(outcome.text);
    let body: unknown = text;
    try {
      if (text.trim() !== "") body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page): keep the text.
    }
    const header = (name: string) => {
      const v = outcome.headers[name];
      return Array.isArray(v) ? v.join(", ") : v;
    };
    return new ResponseError({
      statusCode: outcome.statusCode,
      method: spec.method,
      path: spec.path,
      query: query === "" ? undefined : query.slice(1),
      body,
      wwwAuthenticate: header("www-authenticate"),
      operation: spec.operation,
      identity: this.#identity,
      retryAfterMs: parseRetryAfter(header("retry-after"), Date.now()),
      fromElasticsearch: header(ELASTIC_PRODUCT_HEADER) === "Elasticsearch",
    });
  }

  #mapError(
    err: unknown,
    endpoint: Endpoint,
    spec: RequestSpec,
    timeoutMs: number,
    deadlineMs: number,
  ): { error: EsClientError; failure: AttemptFailure } {
    const base = { method: spec.method, path: spec.path, endpoint: endpoint.url };
    if (err === DEADLINE) {
      return {
        error: new TimeoutError({ ...base, timeoutMs: deadlineMs, phase: "deadline" }),
        failure: { kind: "deadline" },
      };
    }
    if (err instanceof ClientClosedError) return { error: err, failure: { kind: "closed" } };
    const e = err as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[]; presented?: string[] };
    const code = e?.code ?? e?.errors?.[0]?.code ?? "UNKNOWN";
    const detail = this.scrub(`${e?.message || e?.errors?.[0]?.message || String(err)}`);
    const kind = classifyErrorCode(code);
    switch (kind) {
      case "closed":
        return { error: new ClientClosedError(), failure: { kind: "closed" } };
      case "headers-timeout":
      case "body-timeout":
        return {
          error: new TimeoutError(
            { ...base, timeoutMs, phase: kind === "headers-timeout" ? "headers" : "body" },
            { cause: err },
          ),
          failure: { kind: "timeout" },
        };
      case "tls": {
        const message =
          code === FINGERPRINT_MISMATCH
            ? `TLS: the server's certificate chain [${(e.presented ?? []).join(", ")}] does not contain the pinned ` +
              `caFingerprint ${this.#settings.tls.caFingerprint}`
            : `TLS verification failed: ${detail} (${code}); trust the cluster's CA with caFile/caData ` +
              "(ELASTICSEARCH_CA_FILE) or pin it with caFingerprint (ELASTICSEARCH_CA_FINGERPRINT)";
        return {
          error: new TlsError({ ...base, requestSent: false, causeCode: code }, message, { cause: err }),
          failure: { kind: "tls" },
        };
      }
      case "connect":
        return {
          error: new ConnectionError(
            { ...base, requestSent: false, causeCode: code },
            `Cannot connect to Elasticsearch: ${detail} (${code})`,
            {
              cause: err,
            },
          ),
          failure: { kind: "connect" },
        };
      case "lost":
        return {
          error: new ConnectionError(
            { ...base, requestSent: true, causeCode: code },
            `Connection to Elasticsearch lost before a complete response: ${detail} (${code})`,
            { cause: err },
          ),
          failure: { kind: "lost" },
        };
    }
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.#sleeps.add(entry);
    });
  }

  #trace(line: string): void {
    this.#options.trace?.(`elasticsearch-ml: ${this.scrub(line)}`);
  }
}

/** What an undici / socket / TLS error code means for us. */
export function classifyErrorCode(
  code: string,
): "connect" | "tls" | "lost" | "headers-timeout" | "body-timeout" | "closed" {
  if (code === "UND_ERR_HEADERS_TIMEOUT") return "headers-timeout";
  if (code === "UND_ERR_BODY_TIMEOUT") return "body-timeout";
  if (code === "UND_ERR_DESTROYED" || code === "UND_ERR_CLOSED") return "closed";
  if (
    code === FINGERPRINT_MISMATCH ||
    code === "EPROTO" ||
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|HOSTNAME_MISMATCH)/.test(
      code,
    )
  ) {
    return "tls";
  }
  if (
    [
      "ECONNREFUSED",
      "ENOTFOUND",
      "EAI_AGAIN",
      "EHOSTUNREACH",
      "ENETUNREACH",
      "EHOSTDOWN",
      "ENETDOWN",
      "EADDRNOTAVAIL",
      "UND_ERR_CONNECT_TIMEOUT",
    ].includes(code)
  ) {
    return "connect";
  }
  // ECONNRESET, EPIPE, UND_ERR_SOCKET ("other side closed") and anything unknown: the request may
  // have reached the server, so treat it as sent.
  return "lost";
}

function encodeQuery(query: RequestSpec["query"]): string {
  if (!query) return "";
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function buildHeaders(auth: Auth | undefined, settings: ConnectionSettings): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": USER_AGENT };
  for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value.reveal();
  if (auth) headers.authorization = authorizationHeader(auth);
  if (settings.esClientAuthentication) {
    headers["es-client-authentication"] = `SharedSecret ${settings.esClientAuthentication.reveal()}`;
  }
  return headers;
}

/**
 * undici connector with our TLS settings. With `caFingerprint` and no CA, chain verification is
 * replaced by the pin (as Elasticsearch's own clients do for its self-signed HTTP CA); with a CA too,
 * both must hold. The pin is checked after the handshake and before the socket is handed to undici,
 * so nothing is written to an unverified peer. Session resumption is off when pinning, so every
 * connection presents its chain.
 */
function buildPinningConnector(
  settings: ConnectionSettings,
  connectTimeoutMs: number,
): buildConnector.connector {
  const { tls } = settings;
  const pin = tls.caFingerprint;
  const base = loadUndici().buildConnector({
    timeout: connectTimeoutMs,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key?.reveal(),
    rejectUnauthorized: !(tls.insecure || (pin !== undefined && tls.ca === undefined)),
    ...(pin ? { maxCachedSessions: 0 } : {}),
  });
  if (!pin) return base;
  return (options, callback) =>
    base(options, (err: Error | null, socket: Socket | TLSSocket | null) => {
      if (err || !socket) return callback(err ?? new Error("connect failed"), null);
      if (options.protocol !== "https:") return callback(null, socket);
      const chain = (socket as TLSSocket).getPeerCertificate(true);
      if (chainMatchesFingerprint(chain, pin)) return callback(null, socket);
      socket.destroy();
      const mismatch = Object.assign(new Error("certificate fingerprint mismatch"), {
        code: FINGERPRINT_MISMATCH,
        presented: chainFingerprints(chain),
      });
      return callback(mismatch, null);
    });
}
