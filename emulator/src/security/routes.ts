/**
 * The `/_security/...` REST routes the realm serves: `_authenticate`, API key creation, roles and
 * users. Each route names its action, so authorization works as for every other route.
 */
import { illegalArgument } from "../errors";
import type { EmulatorRequest, RouteResult } from "../http/types";
import type { Principal } from "./types";
import { ACTIONS } from "./actions";
import { parseCreateApiKey, parsePutRole, parsePutUser } from "./requests";
import type { SecurityStore, StoredUser } from "./store";

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

interface RouteContext {
  req: EmulatorRequest;
  principal: Principal;
  store: SecurityStore;
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
  }
  const creatorRealm =
    principal.apiKeyId !== undefined ? "_es_api_key" : realmOf(store.getUser(principal.username)).name;
  const now = store.now();
  const { key, secret } = store.createApiKey({
    name: request.name,
    username: principal.username,
    realm: creatorRealm,
    expiration: request.expirationMs === undefined ? undefined : now + Math.ceil(request.expirationMs),
    metadata: request.metadata,
    limitedBy,
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
export function runSecurityRoute(
  match: SecurityRouteMatch,
  ctx: RouteContext,
  authorize: (principal: Principal, action: string) => void,
): RouteResult {
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
  authorize(ctx.principal, match.action);
  return match.spec.run(ctx, match.name);
}
