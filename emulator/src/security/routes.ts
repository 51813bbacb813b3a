/**
 * The `/_security/...` REST routes the realm serves: `_authenticate`, API keys (create, get,
 * invalidate), roles and users. Each route names its action, so authorization works as for every other route.
 */
import { illegalArgument } from "../errors";
import { actionMatches } from "./privileges";
import type { EmulatorRequest, RouteResult } from "../http/types";
import type { Principal } from "./types";
import { ACTIONS } from "./actions";
import {
  parseCreateApiKey,
  parseGetApiKeys,
  parseInvalidateApiKeys,
  parsePutRole,
  parsePutUser,
  type ApiKeySelector,
} from "./requests";
import type { SecurityStore, StoredApiKey, StoredUser } from "./store";

/** Query parameters every Elasticsearch REST handler accepts. */
const GLOBAL_PARAMS = ["pretty", "human", "error_trace", "filter_path", "format"];

interface MethodSpec {
  action: string;
  /** Query parameters this route consumes besides the global ones. */
  params: readonly string[];
  run(ctx: RouteContext, name: string | undefined): RouteResult;
}

interface SecurityRoute {
  /** Matches `req.path`; the first group, when present, is the role/user name list. */
  path: RegExp;
  methods: Readonly<Record<string, MethodSpec>>;
}

/** What the routes need from the realm's authorization. */
export interface RouteAccess {
  /** Throws the 403 unless `principal` may run `action`. */
  authorize(principal: Principal, action: string): void;
  /**
   * Throws the 403 unless `principal` may run `action` on API keys that are not its own, i.e.
   * through a privilege other than `manage_own_api_key`.
   */
  authorizeOthersKeys(principal: Principal, action: string): void;
}

export interface RouteContext {
  req: EmulatorRequest;
  principal: Principal;
  store: SecurityStore;
  access: RouteAccess;
}

const ok = (body: unknown): RouteResult => ({ status: 200, body });

/** Realm names as `_authenticate` reports them. */
function realmOf(user: StoredUser | undefined): { name: string; type: string } {
  return user?.reserved ? { name: "reserved", type: "reserved" } : { name: "default_native", type: "native" };
}

function userView(user: StoredUser) {
  return {
    username: user.username,
    roles: user.roles,
    full_name: user.full_name,
    email: user.email,
    metadata: user.metadata,
    enabled: user.enabled,
  };
}

function authenticateRoute(ctx: RouteContext): RouteResult {
  const { principal, store } = ctx;
  const user = store.getUser(principal.username);
  const base = {
    username: principal.username,
    roles: principal.roles,
    full_name: user?.full_name ?? null,
    email: user?.email ?? null,
    metadata: user?.metadata ?? {},
    enabled: true,
  };
  if (principal.apiKeyId !== undefined) {
    const key = store.getApiKey(principal.apiKeyId);
    const realm = { name: "_es_api_key", type: "_es_api_key" };
    return ok({
      ...base,
      authentication_realm: realm,
      lookup_realm: realm,
      authentication_type: "api_key",
      api_key: { id: principal.apiKeyId, name: key?.name ?? null },
    });
  }
  const realm = realmOf(user);
  return ok({ ...base, authentication_realm: realm, lookup_realm: realm, authentication_type: "realm" });
}

function createApiKeyRoute(ctx: RouteContext): RouteResult {
  const { principal, store, req } = ctx;
  const request = parseCreateApiKey(req.rawBody);
  let limitedBy: string[];
  let limitedByRoles: StoredApiKey["limitedByRoles"] = {};
  if (principal.apiKeyId !== undefined) {
    // An API key may only derive a key without privileges (Elasticsearch's rule for derived keys;
    // message recalled from its source, unconfirmed).
    const descriptors = request.roleDescriptors;
    if (
      !descriptors ||
      Object.values(descriptors).some((r) => r.cluster.length > 0 || r.indices.length > 0)
    ) {
      throw illegalArgument(
        "creating derived api keys requires an explicit role descriptor that is empty (has no privileges)",
      );
    }
    limitedBy = [];
  } else {
    limitedBy = store.clusterPrivilegesOf(principal.roles);
    limitedByRoles = store.roleSnapshot(principal.roles);
  }
  const creatorRealm =
    principal.apiKeyId !== undefined
      ? { name: "_es_api_key", type: "_es_api_key" }
      : realmOf(store.getUser(principal.username));
  const now = store.now();
  const { key, secret } = store.createApiKey({
    name: request.name,
    username: principal.username,
    realm: creatorRealm.name,
    realmType: creatorRealm.type,
    expiration: request.expirationMs === undefined ? undefined : now + Math.ceil(request.expirationMs),
    metadata: request.metadata,
    limitedBy,
    limitedByRoles,
    roleDescriptors: request.roleDescriptors,
    assigned: request.roleDescriptors
      ? [...new Set(Object.values(request.roleDescriptors).flatMap((r) => r.cluster))]
      : undefined,
  });
  return ok({
    id: key.id,
    name: key.name,
    ...(key.expiration !== undefined ? { expiration: key.expiration } : {}),
    api_key: secret,
    encoded: Buffer.from(`${key.id}:${secret}`, "utf8").toString("base64"),
  });
}

/**
 * A request touches only the caller's keys when it says `owner`, names the caller as the user, or
 * (for a caller authenticated by API key) names that key's id alone.
 */
function isOwnRequest(selector: ApiKeySelector, principal: Principal): boolean {
  if (selector.owner) return true;
  if (selector.username === principal.username) return true;
  return (
    principal.apiKeyId !== undefined && selector.ids?.length === 1 && selector.ids[0] === principal.apiKeyId
  );
}

function selectApiKeys(ctx: RouteContext, selector: ApiKeySelector, action: string): StoredApiKey[] {
  const { principal, store, access } = ctx;
  if (!isOwnRequest(selector, principal)) access.authorizeOthersKeys(principal, action);
  return store
    .listApiKeys()
    .filter(
      (key) =>
        (!selector.owner || key.username === principal.username) &&
        (selector.ids === undefined || selector.ids.includes(key.id)) &&
        (selector.name === undefined || actionMatches(selector.name, key.name)) &&
        (selector.username === undefined || key.username === selector.username) &&
        (selector.realmName === undefined || key.realm === selector.realmName),
    );
}

function getApiKeysRoute(ctx: RouteContext): RouteResult {
  const request = parseGetApiKeys(ctx.req.query);
  const now = ctx.store.now();
  const keys = selectApiKeys(ctx, request, ACTIONS.getApiKey).filter(
    (key) =>
      !request.activeOnly || (!key.invalidated && (key.expiration === undefined || key.expiration > now)),
  );
  // No match is an empty list, not a 404.
  return ok({
    api_keys: keys
      .sort((a, b) => a.creation - b.creation || (a.id < b.id ? -1 : 1))
      .map((key) => ({
        id: key.id,
        name: key.name,
        type: "rest",
        creation: key.creation,
        ...(key.expiration !== undefined ? { expiration: key.expiration } : {}),
        invalidated: key.invalidated,
        ...(key.invalidation !== undefined ? { invalidation: key.invalidation } : {}),
        username: key.username,
        realm: key.realm,
        realm_type: key.realmType,
        metadata: key.metadata,
        role_descriptors: key.roleDescriptors ?? {},
        ...(request.withLimitedBy ? { limited_by: [key.limitedByRoles] } : {}),
      })),
  });
}

function invalidateApiKeysRoute(ctx: RouteContext): RouteResult {
  const selector = parseInvalidateApiKeys(ctx.req.rawBody);
  const invalidated: string[] = [];
  const previously: string[] = [];
  for (const key of selectApiKeys(ctx, selector, ACTIONS.invalidateApiKey)) {
    (ctx.store.invalidateApiKey(key) ? invalidated : previously).push(key.id);
  }
  return ok({
    invalidated_api_keys: invalidated,
    previously_invalidated_api_keys: previously,
    error_count: 0,
  });
}

/** Comma-separated names in the path; none means "all". */
function namesOf(list: string | undefined): string[] | undefined {
  if (list === undefined || list === "" || list === "*") return undefined;
  return list.split(",").filter((n) => n !== "");
}

function getRolesRoute(ctx: RouteContext, list: string | undefined): RouteResult {
  const wanted = namesOf(list);
  const entries = wanted
    ? wanted.flatMap((n) => {
        const role = ctx.store.getRole(n);
        return role ? [[n, role] as const] : [];
      })
    : ctx.store.listRoles();
  // Elasticsearch answers 404 with an empty object when none of the named roles exists.
  if (wanted && entries.length === 0) return { status: 404, body: {} };
  return ok(Object.fromEntries(entries));
}

function putRoleRoute(ctx: RouteContext, name: string | undefined): RouteResult {
  const roleName = name ?? "";
  const role = parsePutRole(roleName, ctx.req.rawBody, ctx.store.isReservedRole(roleName));
  return ok({ role: { created: ctx.store.putRole(roleName, role) } });
}

function deleteRoleRoute(ctx: RouteContext, name: string | undefined): RouteResult {
  const roleName = name ?? "";
  if (ctx.store.isReservedRole(roleName)) {
    throw illegalArgument(`role [${roleName}] is a reserved role and cannot be deleted`);
  }
  const found = ctx.store.deleteRole(roleName);
  return { status: found ? 200 : 404, body: { found } };
}

function getUsersRoute(ctx: RouteContext, list: string | undefined): RouteResult {
  const wanted = namesOf(list);
  const users = wanted
    ? wanted.flatMap((n) => {
        const user = ctx.store.getUser(n);
        return user ? [user] : [];
      })
    : ctx.store.listUsers();
  if (wanted && users.length === 0) return { status: 404, body: {} };
  return ok(Object.fromEntries(users.map((u) => [u.username, userView(u)])));
}

function putUserRoute(ctx: RouteContext, name: string | undefined): RouteResult {
  const username = name ?? "";
  const existing = ctx.store.getUser(username);
  if (existing?.reserved) {
    throw illegalArgument(`user [${username}] is reserved and only the password can be changed`);
  }
  const request = parsePutUser(username, ctx.req.rawBody, existing !== undefined);
  const { password, ...fields } = request;
  return ok({ created: ctx.store.putUser(username, fields, password) });
}

function deleteUserRoute(ctx: RouteContext, name: string | undefined): RouteResult {
  const username = name ?? "";
  if (ctx.store.getUser(username)?.reserved) {
    throw illegalArgument(`user [${username}] is reserved and cannot be deleted`);
  }
  const found = ctx.store.deleteUser(username);
  return { status: found ? 200 : 404, body: { found } };
}

const REFRESH = ["refresh"];

const ROUTES: readonly SecurityRoute[] = [
  {
    path: /^\/_security\/_authenticate$/,
    methods: { GET: { action: ACTIONS.authenticate, params: [], run: authenticateRoute } },
  },
  {
    path: /^\/_security\/api_key$/,
    methods: {
      POST: { action: ACTIONS.createApiKey, params: REFRESH, run: createApiKeyRoute },
      PUT: { action: ACTIONS.createApiKey, params: REFRESH, run: createApiKeyRoute },
      GET: {
        action: ACTIONS.getApiKey,
        params: [
          "id",
          "name",
          "username",
          "realm_name",
          "owner",
          "active_only",
          "with_limited_by",
          "with_profile_uid",
        ],
        run: getApiKeysRoute,
      },
      DELETE: { action: ACTIONS.invalidateApiKey, params: REFRESH, run: invalidateApiKeysRoute },
    },
  },
  {
    path: /^\/_security\/role$/,
    methods: { GET: { action: ACTIONS.getRoles, params: [], run: getRolesRoute } },
  },
  {
    path: /^\/_security\/role\/([^/]+)$/,
    methods: {
      GET: { action: ACTIONS.getRoles, params: [], run: getRolesRoute },
      PUT: { action: ACTIONS.putRole, params: REFRESH, run: putRoleRoute },
      POST: { action: ACTIONS.putRole, params: REFRESH, run: putRoleRoute },
      DELETE: { action: ACTIONS.deleteRole, params: REFRESH, run: deleteRoleRoute },
    },
  },
  {
    path: /^\/_security\/user$/,
    methods: { GET: { action: ACTIONS.getUsers, params: [], run: getUsersRoute } },
  },
  {
    path: /^\/_security\/user\/([^/]+)$/,
    methods: {
      GET: { action: ACTIONS.getUsers, params: [], run: getUsersRoute },
      PUT: { action: ACTIONS.putUser, params: REFRESH, run: putUserRoute },
      POST: { action: ACTIONS.putUser, params: REFRESH, run: putUserRoute },
      DELETE: { action: ACTIONS.deleteUser, params: REFRESH, run: deleteUserRoute },
    },
  },
];

export type SecurityRouteMatch =
  | { kind: "route"; action: string; spec: MethodSpec; name: string | undefined }
  | { kind: "wrongMethod"; allowed: string[] };

/** Finds the security route for a request; undefined when the path is not one the realm serves. */
export function matchSecurityRoute(method: string, path: string): SecurityRouteMatch | undefined {
  for (const route of ROUTES) {
    const m = route.path.exec(path);
    if (!m) continue;
    const spec = Object.hasOwn(route.methods, method) ? route.methods[method] : undefined;
    if (!spec) return { kind: "wrongMethod", allowed: Object.keys(route.methods) };
    return { kind: "route", action: spec.action, spec, name: m[1] };
  }
  return undefined;
}

/**
 * The security action of a `/_security/...` request, for the server's request log; undefined when the
 * realm does not serve it.
 */
export function securityActionFor(method: string, path: string): string | undefined {
  const match = matchSecurityRoute(method, path);
  return match?.kind === "route" ? match.action : undefined;
}

/** Runs a matched route: query-parameter check, authorization, then the handler. */
export function runSecurityRoute(match: SecurityRouteMatch, ctx: RouteContext): RouteResult {
  const { req } = ctx;
  if (match.kind === "wrongMethod") {
    // Generic Elasticsearch 405 (reference §1.1; shape unconfirmed for these routes).
    return {
      status: 405,
      body: {
        error: `Incorrect HTTP method for uri [${req.uri}] and method [${req.method}], allowed: [${match.allowed.join(", ")}]`,
        status: 405,
      },
      headers: { Allow: match.allowed.join(",") },
    };
  }
  for (const param of req.query.keys()) {
    if (!GLOBAL_PARAMS.includes(param) && !match.spec.params.includes(param)) {
      throw illegalArgument(`request [${req.path}] contains unrecognized parameter: [${param}]`);
    }
  }
  ctx.access.authorize(ctx.principal, match.action);
  return match.spec.run(ctx, match.name);
}
