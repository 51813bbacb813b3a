/** The request and response shapes shared by the router, the route handlers and the security realm. */
import type { IncomingHttpHeaders } from "node:http";

export interface EmulatorRequest {
  method: string;
  /** Path without the query string, percent-decoded per segment by the router. */
  path: string;
  /** The raw URI as received (path and query), for messages that quote it. */
  uri: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body text; empty string when the request had no body. */
  rawBody: string;
}

export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string | string[]>;
  /**
   * Leave out `X-Elastic-Product: Elasticsearch` (an injected answer that stands for a proxy or a lost
   * answer). Elasticsearch itself sends the header on every response since 7.14.
   */
  notFromElasticsearch?: boolean;
  /** A plain-text answer instead of JSON (the `_cat` APIs' default format). */
  text?: string;
}

/**
 * The security action a route needs (the reference's §1.1 table), e.g.
 * `cluster:admin/xpack/ml/trained_models/deployment/start`.
 */
export type ActionName = string;
