/**
 * `/_security/...` routes. The router knows their paths and action names (so authorization
 * works like for every other route); the realm implements them.
 */
import { ACTIONS } from "../security/actions";
import { EsError } from "../errors";
import type { Execute, Handler, RouteDef } from "../router";
import type { RouteContext } from "./context";

const delegate: Handler = (ctx: RouteContext): Execute => {
  // The realm reads its own parameters.
  ctx.query.consumeAll();
  return () => {
    if (!ctx.realm || !ctx.principal) {
      throw new EsError(
        500,
        "exception",
        "Security must be explicitly enabled when using a [basic] license. Enable security by setting [xpack.security.enabled] to [true] in the elasticsearch.yml file and restart the node.",
      );
    }
    const result = ctx.realm.handle(ctx.req, ctx.principal);
    if (!result) {
      throw new EsError(
        400,
        "illegal_argument_exception",
        `no handler found for uri [${ctx.req.uri}] and method [${ctx.req.method}]`,
      );
    }
    return result;
  };
};

const route = (method: string, path: string, action: string): RouteDef => ({
  method,
  path,
  action,
  handler: delegate,
});

export const securityRoutes: RouteDef[] = [
  route("GET", "/_security/_authenticate", ACTIONS.authenticate),
  route("POST", "/_security/api_key", ACTIONS.createApiKey),
  route("PUT", "/_security/api_key", ACTIONS.createApiKey),
  route("GET", "/_security/api_key", ACTIONS.getApiKey),
  route("DELETE", "/_security/api_key", ACTIONS.invalidateApiKey),
  route("PUT", "/_security/role/{name}", ACTIONS.putRole),
  route("POST", "/_security/role/{name}", ACTIONS.putRole),
  route("GET", "/_security/role", ACTIONS.getRoles),
  route("GET", "/_security/role/{name}", ACTIONS.getRoles),
  route("DELETE", "/_security/role/{name}", ACTIONS.deleteRole),
  route("PUT", "/_security/user/{username}", ACTIONS.putUser),
  route("POST", "/_security/user/{username}", ACTIONS.putUser),
  route("GET", "/_security/user", ACTIONS.getUsers),
  route("GET", "/_security/user/{username}", ACTIONS.getUsers),
  route("DELETE", "/_security/user/{username}", ACTIONS.deleteUser),
];
