/**
 * The security realm used with `--security`: authenticates requests (basic auth for the built-in
 * `elastic` superuser and native users, API keys), authorizes them by action name against cluster
 * privileges, and serves the `/_security/...` APIs.
 *
 * API keys can be created, listed (`GET _security/api_key`) and invalidated (`DELETE`); a caller
 * holding only `manage_own_api_key` may list or invalidate its own keys only.
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
import { matchSecurityRoute, runSecurityRoute, type RouteAccess } from "./routes";
import { SecurityStore } from "./store";

/** Grants API key management on the caller's own keys only. */
const OWN_KEYS_PRIVILEGE = "manage_own_api_key";

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
  /** Forgets users, roles and API keys (the admin API's reset); `elastic` keeps its password. */
  reset(): void;
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

  /** The privilege sets that must all grant an action: one for a user, one or two for an API key. */
  function privilegeSets(principal: Principal): string[][] {
    if (principal.apiKeyId === undefined) return [store.clusterPrivilegesOf(principal.roles)];
    const key = store.getApiKey(principal.apiKeyId);
    if (!key) return [[]];
    return key.assigned ? [key.limitedBy, key.assigned] : [key.limitedBy];
  }

  function allowedBy(principal: Principal, action: string, excluded?: string): boolean {
    if (ALWAYS_ALLOWED_ACTIONS.has(action)) return true;
    return privilegeSets(principal).every((set) =>
      privilegesGrant(
        set.filter((p) => p !== excluded),
        action,
      ),
    );
  }

  function deny(principal: Principal, action: string, grantedBy: string[]): never {
    throw actionDenied(
      action,
      {
        username: principal.username,
        apiKeyId: principal.apiKeyId,
        assignedRoles: principal.roles,
        effectiveRoles: store.resolveRoles(principal.roles),
      },
      grantedBy,
    );
  }

  const isAllowed = (principal: Principal, action: string): boolean => allowedBy(principal, action);

  function authorize(principal: Principal, action: string): void {
    if (!allowedBy(principal, action)) deny(principal, action, privilegesGranting(action));
  }

  const access: RouteAccess = {
    authorize,
    authorizeOthersKeys(principal, action) {
      if (allowedBy(principal, action, OWN_KEYS_PRIVILEGE)) return;
      deny(
        principal,
        action,
        privilegesGranting(action).filter((p) => p !== OWN_KEYS_PRIVILEGE),
      );
    },
  };

  function handle(req: EmulatorRequest, principal: Principal): RouteResult | undefined {
    const match = matchSecurityRoute(req.method, req.path);
    if (!match) return undefined;
    return runSecurityRoute(match, { req, principal, store, access });
  }

  return { store, authenticate, authorize, handle, isAllowed, reset: () => store.reset() };
}
