/**
 * Contract between the HTTP server and the security realm (active with `--security`).
 * The server calls authenticate() for every request except the emulator's admin API,
 * then authorize() with the route's action name before running the handler.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorRequest, RouteResult } from "../http/types";

export interface Principal {
  username: string;
  roles: string[];
  /** Set when the request authenticated with an API key. */
  apiKeyId?: string;
}

export interface Realm {
  /** Returns the principal, or throws an EsError 401 shaped as Elasticsearch's. `uri` is path + query as received. */
  authenticate(headers: IncomingHttpHeaders, uri: string): Principal;
  /** Throws an EsError 403 (`action [..] is unauthorized for user [..] ...`) unless a role grants `action`. */
  authorize(principal: Principal, action: string): void;
  /**
   * Handles `/_security/...` routes (API keys, users, roles, `_authenticate`).
   * Returns undefined when the request is not a security route.
   */
  handle(req: EmulatorRequest, principal: Principal): RouteResult | undefined;
  /** Forgets users, roles and API keys; `elastic` keeps its password. For the admin API's reset. */
  reset?(): void;
}
