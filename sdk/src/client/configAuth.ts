/**
 * Authentication and extra headers: username/password, API key, bearer token, credentials in an endpoint
 * URL or an `Authorization` header, of which exactly one may be set (explicit options mask the
 * environment, see `config.ts`).
 */
import { inspect } from "node:util";
import type { Auth } from "./auth";
import { type ConnectionOptions, ENV_VARS } from "./configOptions";
import type { EndpointWithUserInfo } from "./configEndpoints";
import { type Env, type Sourced, fromEnv, fromExplicit, requireString, show } from "./configSources";
import { ConfigurationError } from "./errors";
import { Secret } from "./secret";

interface AuthCandidate {
  kind: "basic" | "apiKey" | "bearer" | "url" | "header";
  /** Settings it came from, for messages. */
  settings: string[];
  build(): Auth | undefined;
}

const AUTH_NAMES: Record<AuthCandidate["kind"], string> = {
  basic: "username/password",
  apiKey: "API key",
  bearer: "bearer token",
  url: "credentials in the endpoint URL",
  header: "an Authorization header",
};

export function resolveAuth(
  explicit: ConnectionOptions,
  env: Env,
  endpoints: EndpointWithUserInfo[],
  headers: Record<string, string>,
): Auth | undefined {
  const explicitUser = fromExplicit(explicit.username, "username");
  const explicitPassword = fromExplicit(explicit.password, "password");
  const explicitApiKey = fromExplicit<string | { id: string; apiKey: string }>(explicit.apiKey, "apiKey");
  const explicitBearer = fromExplicit(explicit.bearerToken, "bearerToken");
  const withUserInfo = endpoints.find((e) => e.userInfo);
  // Credentials in an explicit endpoint URL are explicit auth too: they mask the ELASTICSEARCH_* ones.
  const urlIsExplicit =
    withUserInfo !== undefined && !withUserInfo.endpoint.source.startsWith("ELASTICSEARCH_");
  const anyExplicit = explicitUser || explicitPassword || explicitApiKey || explicitBearer || urlIsExplicit;

  const candidates: AuthCandidate[] = [];
  const addBasic = (user?: Sourced<unknown>, password?: Sourced<unknown>) => {
    if (!user && !password) return;
    candidates.push({
      kind: "basic",
      settings: [user?.setting, password?.setting].filter((s): s is string => !!s),
      build: () => buildBasic(user, password),
    });
  };
  if (anyExplicit) {
    if (explicitUser || explicitPassword) {
      // Explicit basic auth may take its missing half from the environment (see module docs).
      addBasic(
        explicitUser ?? fromEnv(env, ENV_VARS.username),
        explicitPassword ?? fromEnv(env, ENV_VARS.password),
      );
    }
    if (explicitApiKey)
      candidates.push({ kind: "apiKey", settings: ["apiKey"], build: () => buildApiKey(explicitApiKey) });
    if (explicitBearer) {
      candidates.push({
        kind: "bearer",
        settings: ["bearerToken"],
        build: () => buildBearer(explicitBearer),
      });
    }
  } else {
    addBasic(fromEnv(env, ENV_VARS.username), fromEnv(env, ENV_VARS.password));
    const envApiKey = fromEnv(env, ENV_VARS.apiKey);
    if (envApiKey)
      candidates.push({ kind: "apiKey", settings: [envApiKey.setting], build: () => buildApiKey(envApiKey) });
    const envBearer = fromEnv(env, ENV_VARS.bearerToken);
    if (envBearer)
      candidates.push({ kind: "bearer", settings: [envBearer.setting], build: () => buildBearer(envBearer) });
  }
  if (withUserInfo?.userInfo) {
    const info = withUserInfo.userInfo;
    candidates.push({
      kind: "url",
      settings: [withUserInfo.endpoint.source],
      build: () => ({ kind: "basic", username: info.username, password: new Secret(info.password) }),
    });
  }
  const authHeader = Object.keys(headers).find((h) => h.toLowerCase() === "authorization");
  if (authHeader) {
    candidates.push({ kind: "header", settings: [`headers["${authHeader}"]`], build: () => undefined });
  }

  if (candidates.length > 1) {
    const described = candidates.map((c) => `${AUTH_NAMES[c.kind]} (from ${c.settings.join(", ")})`);
    throw new ConfigurationError(
      candidates[1].settings[0],
      `Conflicting authentication settings: ${described.join(" and ")}; ` +
        "set only one of username/password, API key or bearer token",
    );
  }
  return candidates[0]?.build();
}

function buildBasic(user: Sourced<unknown> | undefined, password: Sourced<unknown> | undefined): Auth {
  if (!user) {
    const ps = password?.setting ?? "password";
    throw new ConfigurationError(
      "username",
      `${ps} is set but no user name is: set username or ${ENV_VARS.username} as well`,
    );
  }
  if (!password) {
    throw new ConfigurationError(
      "password",
      `${user.setting} is set but no password is: set password or ${ENV_VARS.password} as well`,
    );
  }
  const username = requireString(user);
  if (username.includes(":")) {
    throw new ConfigurationError(
      user.setting,
      `${user.setting}: ${show(username)} contains ':', which basic auth cannot carry`,
    );
  }
  return { kind: "basic", username, password: new Secret(requireString(password)) };
}

function buildBearer(token: Sourced<unknown>): Auth {
  const value = requireString(token).trim();
  if (/\s/.test(value)) {
    throw new ConfigurationError(
      token.setting,
      `${token.setting}: ${show(value, true)} contains white space; give the token alone, without "Bearer "`,
    );
  }
  return { kind: "bearer", token: new Secret(value) };
}

/**
 * Accepts an encoded API key (base64 of `id:api_key`), `id:api_key`, or `{ id, apiKey }`.
 * A value containing ':' is taken as `id:api_key` (':' never occurs in base64).
 */
export function buildApiKey(key: Sourced<unknown>): Auth {
  const setting = key.setting;
  const allowed = 'expected the encoded API key (base64 of "id:api_key"), "id:api_key", or { id, apiKey }';
  const raw = key.value;
  if (typeof raw === "object" && raw !== null) {
    const { id, apiKey } = raw as { id?: unknown; apiKey?: unknown };
    if (
      typeof id !== "string" ||
      id === "" ||
      id.includes(":") ||
      typeof apiKey !== "string" ||
      apiKey === ""
    ) {
      throw new ConfigurationError(
        setting,
        `${setting}: { id, apiKey } needs two non-empty strings (id without ':'); ${allowed}`,
      );
    }
    return { kind: "apiKey", id, encoded: new Secret(Buffer.from(`${id}:${apiKey}`).toString("base64")) };
  }
  if (typeof raw !== "string") {
    throw new ConfigurationError(
      setting,
      `${setting} must be a string or { id, apiKey }, got ${typeof raw}; ${allowed}`,
    );
  }
  const value = raw.trim();
  if (value.includes(":")) {
    const id = value.slice(0, value.indexOf(":"));
    const secretPart = value.slice(value.indexOf(":") + 1);
    if (id === "" || secretPart === "" || /\s/.test(value)) {
      throw new ConfigurationError(setting, `${setting}: ${show(value, true)} is not valid; ${allowed}`);
    }
    return { kind: "apiKey", id, encoded: new Secret(Buffer.from(value).toString("base64")) };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    throw new ConfigurationError(setting, `${setting}: ${show(value, true)} is not valid; ${allowed}`);
  }
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const match = /^([^:\s]+):\S+$/.exec(decoded);
  return { kind: "apiKey", id: match ? match[1] : undefined, encoded: new Secret(value) };
}

// ---------------------------------------------------------------------------------------------
// Headers

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "accept",
]);

export function resolveHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== "object" || Array.isArray(headers)) {
    throw new ConfigurationError(
      "headers",
      `headers must be an object of header names to string values, got ${inspect(headers)}`,
    );
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const setting = `headers["${name}"]`;
    if (!TOKEN.test(name))
      throw new ConfigurationError(setting, `${setting}: ${show(name)} is not a valid header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new ConfigurationError(
        setting,
        `${setting}: the client sets ${name} itself; it cannot be overridden`,
      );
    }
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      throw new ConfigurationError(setting, `${setting} must be a string without line breaks`);
    }
    out[name] = value;
  }
  return out;
}
