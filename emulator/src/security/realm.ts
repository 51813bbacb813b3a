/**
 * The security realm used with `--security`: authenticates requests (basic auth for the built-in
 * `elastic` superuser and native users, API keys), authorizes them by action name against cluster
 * privileges, and serves the `/_security/...` APIs.
 *
 * What an API key may do: the intersection of its owner's cluster privileges when it was created
 * (Elasticsearch's `limited_by`) and, when the request gave `role_descriptors`, the union of their
 * cluster privileges. Without `role_descriptors` a key can do what its owner could. A key created
 * with another API key must have empty `role_descriptors` and can then do nothing but authenticate.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorRequest, RouteResult } from "../http/types";
import type { Principal, Realm } from "./types";
import { ALWAYS_ALLOWED_ACTIONS } from "./actions";
import { parseCredentials } from "./credentials";
import {
  actionDenied,
  apiKeyAuthenticationFailed,
  bearerTokenFailed,
  missingCredentials,
  userAuthenticationFailed,
} from "./messages";
import { privilegesGrant, privilegesGranting } from "./privileges";
import { matchSecurityRoute, runSecurityRoute } from "./routes";
import { SecurityStore } from "./store";

export interface RealmOptions {
  /** Password of the built-in `elastic` superuser. */
  elasticPassword: string;
  /** Clock (epoch ms) for API key creation and expiry; tests pass a fake one. */
  now?: () => number;
}

/** The realm plus its store, for tests and tools that seed users or roles without HTTP. */
export interface SecurityRealm extends Realm {
  readonly store: SecurityStore;
  /** True when `principal` may run `action` (authorize() without the throw). */
  isAllowed(principal: Principal, action: string): boolean;
}

/** Creates the realm `startEmulator({ security: true })` uses. */
export function createRealm(opts: RealmOptions): SecurityRealm {
  if (typeof opts.elasticPassword !== "string" || opts.elasticPassword === "") {
    throw new Error(
      `elasticPassword must be a non-empty string, got ${JSON.stringify(opts.elasticPassword)}`,
    );
  }
  const store = new SecurityStore(opts.elasticPassword, opts.now);

  function authenticate(headers: IncomingHttpHeaders, uri: string): Principal {
    const credentials = parseCredentials(headers);
    if (!credentials) throw missingCredentials(uri);
    switch (credentials.scheme) {
      case "basic": {
        const user = store.checkPassword(credentials.username, credentials.password);
        if (!user) throw userAuthenticationFailed(credentials.username, uri);
        return { username: user.username, roles: [...user.roles] };
      }
      case "apiKey": {
        const check = store.checkApiKey(credentials.id, credentials.key);
        if (!check.ok) throw apiKeyAuthenticationFailed(check.detail);
        // A key has privileges, not roles: `_authenticate` shows `roles: []` for it, as Elasticsearch does.
        return { username: check.key.username, roles: [], apiKeyId: check.key.id };
      }
      case "bearer":
        throw bearerTokenFailed();
    }
  }

  function isAllowed(principal: Principal, action: string): boolean {
    if (ALWAYS_ALLOWED_ACTIONS.has(action)) return true;
    if (principal.apiKeyId !== undefined) {
      const key = store.getApiKey(principal.apiKeyId);
      if (!key) return false;
      return (
        privilegesGrant(key.limitedBy, action) && (!key.assigned || privilegesGrant(key.assigned, action))
      );
    }
    return privilegesGrant(store.clusterPrivilegesOf(principal.roles), action);
  }

  function authorize(principal: Principal, action: string): void {
    if (isAllowed(principal, action)) return;
    throw actionDenied(
      action,
      {
        username: principal.username,
        apiKeyId: principal.apiKeyId,
        assignedRoles: principal.roles,
        effectiveRoles: store.resolveRoles(principal.roles),
      },
      privilegesGranting(action),
    );
  }

  function handle(req: EmulatorRequest, principal: Principal): RouteResult | undefined {
    const match = matchSecurityRoute(req.method, req.path);
    if (!match) return undefined;
    return runSecurityRoute(match, { req, principal, store }, authorize);
  }

  return { store, authenticate, authorize, handle, isAllowed };
}
