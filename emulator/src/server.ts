/**
 * HTTP plumbing: reads the request, answers the admin API, applies faults, checks media types
 * and security, routes, runs the handler, logs the request and writes an Elasticsearch-shaped
 * response (`X-Elastic-Product` on every response but the injected answers of faults that stand for a
 * proxy, `?pretty`, `?filter_path`, `?error_trace`).
 * Nothing thrown by a handler escapes: unexpected errors become a 500 `exception`.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { handleAdmin } from "./admin/http";
import { faultResult, FaultManager } from "./admin/faults";
import type { RequestLog } from "./admin/log";
import type { EmulatorAdmin, Fault, RequestLogEntry } from "./admin/types";
import { EsError, serverError } from "./errors";
import { applyFilterPath } from "./http/filterPath";
import { checkMediaTypes, PlainError, responseContentType } from "./http/media";
import type { EmulatorRequest, RouteResult } from "./http/types";
import { QueryParams } from "./params";
import { Router } from "./router";
import type { RouteContext, Services } from "./routes/context";
import type { Realm } from "./security/types";

/** Elasticsearch's default `http.max_content_length`. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface ServerDeps {
  services: Services;
  router: Router;
  faults: FaultManager;
  log: RequestLog;
  admin: EmulatorAdmin;
  realm?: Realm;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function errorResult(error: unknown, errorTrace: boolean): RouteResult {
  if (error instanceof PlainError) {
    return {
      status: error.status,
      body: { error: error.text, status: error.status },
      headers: error.headers,
    };
  }
  const esError = error instanceof EsError ? error : serverError((error as Error)?.message ?? String(error));
  return { status: esError.status, body: esError.toBody(errorTrace), headers: esError.options.headers };
}

function isTrue(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== "false";
}

export function createRequestListener(deps: ServerDeps): RequestListener {
  const { services } = deps;
  const cluster = services.cluster;
  const productHeaders = { "X-Elastic-Product": "Elasticsearch" };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    result: RouteResult,
    query: URLSearchParams,
  ): void => {
    if (res.destroyed || res.writableEnded) return;
    if (result.text !== undefined) {
      res.writeHead(result.status, {
        ...productHeaders,
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Length": Buffer.byteLength(result.text),
        ...result.headers,
      });
      res.end(result.text);
      return;
    }
    let body = result.body;
    const filterPath = query.get("filter_path");
    if (filterPath && result.status < 300) body = applyFilterPath(body, filterPath);
    const text = isTrue(query, "pretty") ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
    res.writeHead(result.status, {
      ...(result.notFromElasticsearch ? {} : productHeaders),
      "Content-Type": responseContentType(req.headers),
      "Content-Length": Buffer.byteLength(text),
      ...result.headers,
    });
    res.end(text);
  };

  /** Runs an Elasticsearch route; returns its response and whether the handler ran. */
  const dispatch = async (
    request: EmulatorRequest,
    segments: string[],
    entry: RequestLogEntry,
  ): Promise<RouteResult> => {
    const errorTrace = isTrue(request.query, "error_trace");
    try {
      const compatMajor = checkMediaTypes(request.headers, request.rawBody.length > 0, cluster.profile);
      const principal = deps.realm?.authenticate(request.headers, request.uri);
      if (principal) entry.user = principal.username;
      const match = deps.router.match(request.method, segments);
      if (match.kind === "none") {
        throw new PlainError(400, `no handler found for uri [${request.uri}] and method [${request.method}]`);
      }
      if (match.kind === "method") {
        throw new PlainError(
          405,
          `Incorrect HTTP method for uri [${request.uri}] and method [${request.method}], allowed: [${match.allowed.join(", ")}]`,
          { Allow: match.allowed.join(",") },
        );
      }
      entry.action = match.route.action;
      entry.route = match.route.path;
      if (deps.realm && principal) deps.realm.authorize(principal, match.route.action);
      const query = new QueryParams(request.query, request.path);
      const ctx: RouteContext = {
        req: request,
        params: match.params,
        query,
        services,
        compatMajor,
        warnings: [],
        realm: deps.realm,
        principal,
      };
      const execute = match.route.handler(ctx);
      query.assertAllConsumed();
      entry.applied = true;
      const result = await execute();
      if (ctx.warnings.length > 0) {
        const tag = `Elasticsearch-${cluster.profile.version.text}-${cluster.buildHash.slice(0, 12)}`;
        result.headers = { ...result.headers, Warning: ctx.warnings.map((w) => `299 ${tag} "${w}"`) };
      }
      return result;
    } catch (error) {
      return errorResult(error, errorTrace);
    }
  };

  /**
   * `--proxy-timeout-ms`: a proxy gives up on a slow answer with its own 502 (no `X-Elastic-Product`);
   * the request keeps running in the cluster, as Elasticsearch does not notice the proxy leaving.
   */
  const withProxyTimeout = async (answer: Promise<RouteResult>): Promise<RouteResult> => {
    const limit = cluster.options.proxyTimeoutMs;
    if (limit <= 0) return answer;
    let cancel: () => void = () => undefined;
    const gaveUp = new Promise<RouteResult>((resolve) => {
      cancel = cluster.scheduler.after(limit, () =>
        resolve({
          status: 502,
          body: { statusCode: 502, error: "Bad Gateway", message: "upstream request timeout" },
          notFromElasticsearch: true,
        }),
      );
    });
    try {
      return await Promise.race([answer, gaveUp]);
    } finally {
      cancel();
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = Date.now();
    const uri = req.url ?? "/";
    const queryStart = uri.indexOf("?");
    const rawPath = queryStart >= 0 ? uri.slice(0, queryStart) : uri;
    const query = new URLSearchParams(queryStart >= 0 ? uri.slice(queryStart + 1) : "");
    const method = (req.method ?? "GET").toUpperCase();
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      const status = error instanceof BodyTooLarge ? 413 : 400;
      send(
        req,
        res,
        { status, body: { error: status === 413 ? "Request Entity Too Large" : "bad request body", status } },
        query,
      );
      if (status === 413) res.once("finish", () => req.destroy());
      return;
    }
    let segments: string[];
    try {
      segments = rawPath
        .split("/")
        .filter((s) => s.length > 0)
        .map(decodeURIComponent);
    } catch {
      send(
        req,
        res,
        { status: 400, body: { error: `unable to decode path [${rawPath}]`, status: 400 } },
        query,
      );
      return;
    }
    if (segments[0] === "_emulator") {
      send(req, res, handleAdmin(deps.admin, method, segments.slice(1), rawBody), query);
      return;
    }

    const request: EmulatorRequest = {
      method,
      path: rawPath.length > 1 ? rawPath.replace(/\/+$/, "") : rawPath,
      uri,
      query,
      headers: req.headers,
      rawBody,
    };
    const entry: RequestLogEntry = {
      seq: deps.log.nextSeq(),
      time: arrived,
      method,
      path: request.path,
      query: Object.fromEntries(query),
      body: logBody(rawBody),
      status: 0,
      applied: false,
      durationMs: 0,
    };
    const finish = (status: number, fault?: Fault): void => {
      entry.status = status;
      if (fault)
        entry.fault = {
          id: fault.id,
          when: fault.when ?? "before",
          reset: fault.reset === true,
          status: fault.status,
        };
      entry.durationMs = Date.now() - arrived;
      deps.log.add(entry);
    };
    const resetConnection = (fault: Fault): void => {
      finish(0, fault);
      req.socket.destroy();
    };

    const fault = deps.faults.take(method, request.path);
    if (fault && fault.when !== "after") {
      if (fault.delayMs) await cluster.scheduler.sleep(fault.delayMs);
      if (fault.reset) return resetConnection(fault);
      if (fault.status !== undefined) {
        const result = faultResult(fault, fault.status);
        send(req, res, result, query);
        return finish(fault.status, fault);
      }
    }
    let result = await withProxyTimeout(dispatch(request, segments, entry));
    if (fault && fault.when === "after") {
      if (fault.delayMs) await cluster.scheduler.sleep(fault.delayMs);
      if (fault.reset) return resetConnection(fault);
      if (fault.status !== undefined) result = faultResult(fault, fault.status);
    }
    send(req, res, result, query);
    finish(result.status, fault);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Last resort: the plumbing itself failed; answer 500 rather than crash the process.
      if (!res.headersSent && !res.destroyed) {
        const body = errorResult(error, false);
        res.writeHead(body.status, { ...productHeaders, "Content-Type": "application/json" });
        res.end(JSON.stringify(body.body));
      }
    });
  };
}

function logBody(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return redactPasswords(JSON.parse(raw));
  } catch {
    return raw;
  }
}

// The log is read by tests that scan everything for leaked secrets; a user's password sent to
// `PUT _security/user/<name>` is set-up, not something a client leaked, so it is not kept.
const PASSWORD_KEYS = new Set(["password", "password_hash"]);

function redactPasswords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPasswords);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      PASSWORD_KEYS.has(key) ? "[redacted]" : redactPasswords(v),
    ]),
  );
}
