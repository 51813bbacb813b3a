/**
 * Parsing and validation of the security API request bodies (roles, users, API keys). Pure: each
 * function takes the raw body and returns a typed request or throws the Elasticsearch-shaped 400.
 *
 * Elasticsearch reports body-shape problems while parsing (`parse_exception`,
 * `x_content_parse_exception`) and semantic ones from the request's `validate()`
 * (`action_request_validation_exception`, every message concatenated).
 */
import { parseException, validationFailed, xContentParseException } from "../errors";
import { unknownClusterPrivilege } from "./privileges";
import type { RoleDescriptor } from "./store";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Parses a JSON object body; `undefined` when the body is empty. */
export function parseJsonObject(rawBody: string): JsonObject | undefined {
  if (rawBody.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch (e) {
    throw xContentParseException(`failed to parse request body as JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) {
    throw parseException(`request body must be a JSON object, found [${describe(value)}]`);
  }
  return value;
}

function requireBody(rawBody: string): JsonObject {
  const body = parseJsonObject(rawBody);
  if (!body) throw parseException("request body is required");
  return body;
}

function stringArray(value: unknown, onError: () => never): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) onError();
  return value as string[];
}

const ROLE_FIELDS = new Set([
  "cluster",
  "indices",
  "applications",
  "run_as",
  "metadata",
  "transient_metadata",
  "global",
  "description",
  "remote_indices",
  "remote_cluster",
]);

/**
 * Reads a role descriptor (the body of `PUT _security/role/<name>`, or one entry of an API key's
 * `role_descriptors`). Only `cluster` privileges take effect; the other fields are kept as given.
 * Returns the descriptor and the validation messages it raises (unknown privileges).
 */
export function parseRoleDescriptor(name: string, body: unknown): { role: RoleDescriptor; errors: string[] } {
  const fail = (what: string): never => {
    throw parseException(`failed to parse role [${name}]. ${what}`);
  };
  if (!isObject(body)) fail(`expected an object but found [${describe(body)}]`);
  const source = body as JsonObject;
  for (const field of Object.keys(source)) if (!ROLE_FIELDS.has(field)) fail(`unexpected field [${field}]`);

  const arrayField = (field: string): unknown[] => {
    const value = source[field];
    if (value === undefined) return [];
    if (!Array.isArray(value)) fail(`field [${field}] must be an array, found [${describe(value)}]`);
    return value as unknown[];
  };
  const cluster = stringArray(source.cluster ?? [], () =>
    fail(`field [cluster] must be an array of privilege names, found [${describe(source.cluster)}]`),
  ).map((p) => p.toLowerCase());
  const runAs = stringArray(source.run_as ?? [], () =>
    fail(`field [run_as] must be an array of user names, found [${describe(source.run_as)}]`),
  );
  const metadata = source.metadata ?? {};
  if (!isObject(metadata)) fail(`field [metadata] must be an object, found [${describe(metadata)}]`);

  const role: RoleDescriptor = {
    cluster,
    indices: arrayField("indices"),
    applications: arrayField("applications"),
    run_as: runAs,
    metadata: metadata as JsonObject,
    transient_metadata: { enabled: true },
  };
  if (typeof source.description === "string") role.description = source.description;
  const errors = cluster.map(unknownClusterPrivilege).filter((m): m is string => m !== undefined);
  return { role, errors };
}

/** `PUT/POST _security/role/<name>`. */
export function parsePutRole(name: string, rawBody: string, isReserved: boolean): RoleDescriptor {
  const { role, errors } = parseRoleDescriptor(name, requireBody(rawBody));
  // Wording recalled from Elasticsearch's role-name validation (unconfirmed).
  if (isReserved) errors.unshift(`Role [${name}] is reserved and may not be used.`);
  if (errors.length > 0) throw validationFailed(errors);
  return role;
}

export interface PutUserRequest {
  password?: string;
  roles: string[];
  full_name: string | null;
  email: string | null;
  metadata: JsonObject;
  enabled: boolean;
}

const USER_FIELDS = new Set([
  "password",
  "password_hash",
  "roles",
  "full_name",
  "email",
  "metadata",
  "enabled",
]);

/** Elasticsearch's minimum password length for the native realm. */
export const MIN_PASSWORD_LENGTH = 6;

/**
 * `PUT/POST _security/user/<name>`. `exists` says whether the user is already there (a password is
 * then optional). `password_hash` is refused: the emulator cannot verify foreign hashes.
 */
export function parsePutUser(username: string, rawBody: string, exists: boolean): PutUserRequest {
  const body = requireBody(rawBody);
  // Parse-error wording for unknown fields unconfirmed.
  const fail = (what: string): never => {
    throw parseException(`failed to parse add user request for [${username}]. ${what}`);
  };
  for (const field of Object.keys(body)) if (!USER_FIELDS.has(field)) fail(`unexpected field [${field}]`);
  if (body.password_hash !== undefined) {
    fail("field [password_hash] is not supported by the emulator; send [password] instead");
  }
  const optionalString = (field: string): string | null => {
    const value = body[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") fail(`field [${field}] must be a string, found [${describe(value)}]`);
    return value as string;
  };
  const password = optionalString("password") ?? undefined;
  const roles =
    body.roles === undefined
      ? undefined
      : stringArray(body.roles, () =>
          fail(`field [roles] must be an array of role names, found [${describe(body.roles)}]`),
        );
  const metadata = body.metadata ?? {};
  if (!isObject(metadata)) fail(`field [metadata] must be an object, found [${describe(metadata)}]`);
  const enabled = body.enabled ?? true;
  if (typeof enabled !== "boolean") fail(`field [enabled] must be a boolean, found [${describe(enabled)}]`);

  const errors: string[] = [];
  if (username === "") errors.push("user is missing");
  if (roles === undefined) errors.push("roles are missing");
  if (password === undefined && !exists)
    errors.push("password must be specified unless you are updating an existing user");
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
    errors.push(`passwords must be at least [${MIN_PASSWORD_LENGTH}] characters long`);
  }
  if (errors.length > 0) throw validationFailed(errors);
  return {
    password,
    roles: roles as string[],
    full_name: optionalString("full_name"),
    email: optionalString("email"),
    metadata: metadata as JsonObject,
    enabled: enabled as boolean,
  };
}

export interface CreateApiKeyRequest {
  name: string;
  /** Lifetime in milliseconds, when the key expires. */
  expirationMs?: number;
  expiration?: string;
  roleDescriptors?: Record<string, RoleDescriptor>;
  metadata: JsonObject;
}

const API_KEY_FIELDS = new Set(["name", "expiration", "role_descriptors", "metadata"]);

const TIME_UNITS_MS: Record<string, number> = {
  nanos: 1e-6,
  micros: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Elasticsearch's `TimeValue` syntax (`30s`, `1d`, `500ms`); throws its `parse_exception` otherwise. */
export function parseTimeValueMs(setting: string, value: string): number {
  const match = /^(\d+)\s*(nanos|micros|ms|s|m|h|d)$/.exec(value.trim());
  if (!match) {
    throw parseException(
      `failed to parse setting [${setting}] with value [${value}] as a time value: unit is missing or unrecognized`,
    );
  }
  return Number(match[1]) * TIME_UNITS_MS[match[2]];
}

/** Elasticsearch caps API key names (validation wording unconfirmed). */
const MAX_API_KEY_NAME_LENGTH = 1024;

/** `POST/PUT _security/api_key`. */
export function parseCreateApiKey(rawBody: string): CreateApiKeyRequest {
  const body = requireBody(rawBody);
  // Elasticsearch's object parser is named `api_key_request` (unknown-field wording unconfirmed).
  const fail = (what: string): never => {
    throw xContentParseException(`[api_key_request] ${what}`);
  };
  for (const field of Object.keys(body)) if (!API_KEY_FIELDS.has(field)) fail(`unknown field [${field}]`);
  if (body.name !== undefined && typeof body.name !== "string") {
    fail(`field [name] must be a string, found [${describe(body.name)}]`);
  }
  if (body.expiration !== undefined && typeof body.expiration !== "string") {
    fail(`field [expiration] must be a time value such as "1d", found [${describe(body.expiration)}]`);
  }
  const metadata = body.metadata ?? {};
  if (!isObject(metadata)) fail(`field [metadata] must be an object, found [${describe(metadata)}]`);

  const errors: string[] = [];
  let roleDescriptors: Record<string, RoleDescriptor> | undefined;
  if (body.role_descriptors !== undefined && body.role_descriptors !== null) {
    if (!isObject(body.role_descriptors)) {
      fail(`field [role_descriptors] must be an object of roles, found [${describe(body.role_descriptors)}]`);
    }
    roleDescriptors = {};
    for (const [roleName, descriptor] of Object.entries(body.role_descriptors as JsonObject)) {
      const parsed = parseRoleDescriptor(roleName, descriptor);
      roleDescriptors[roleName] = parsed.role;
      errors.push(...parsed.errors);
    }
  }
  const name = (body.name as string | undefined) ?? "";
  if (name.trim() === "") errors.push("api key name is required");
  else if (name.length > MAX_API_KEY_NAME_LENGTH) {
    errors.push(`api key name may not be more than [${MAX_API_KEY_NAME_LENGTH}] characters long`);
  }
  if (errors.length > 0) throw validationFailed(errors);

  const expiration = body.expiration as string | undefined;
  return {
    name,
    expiration,
    expirationMs: expiration === undefined ? undefined : parseTimeValueMs("expiration", expiration),
    roleDescriptors,
    metadata: metadata as JsonObject,
  };
}

/** Which API keys a get or invalidate request selects. */
export interface ApiKeySelector {
  ids?: string[];
  /** Name or `*` pattern. */
  name?: string;
  username?: string;
  realmName?: string;
  /** Only the caller's own keys. */
  owner: boolean;
}

/** Validation shared by get and invalidate (wording recalled from Elasticsearch, unconfirmed). */
function selectorErrors(selector: ApiKeySelector): string[] {
  if (selector.owner && (selector.username !== undefined || selector.realmName !== undefined)) {
    return ["username or realm name must not be specified when the current user owns the API key(s)"];
  }
  return [];
}

function queryBoolean(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  if (value === "" || value === "true") return true;
  if (value === "false") return false;
  throw parseException(`Failed to parse value [${value}] as only [true] or [false] are allowed.`);
}

/** `GET _security/api_key?id=&name=&username=&realm_name=&owner=&active_only=&with_limited_by=`. */
export function parseGetApiKeys(query: URLSearchParams): ApiKeySelector & {
  activeOnly: boolean;
  withLimitedBy: boolean;
} {
  const text = (name: string) => query.get(name) ?? undefined;
  const id = text("id");
  const selector = {
    ids: id === undefined ? undefined : [id],
    name: text("name"),
    username: text("username"),
    realmName: text("realm_name"),
    owner: queryBoolean(query, "owner"),
    activeOnly: queryBoolean(query, "active_only"),
    withLimitedBy: queryBoolean(query, "with_limited_by"),
  };
  const errors = selectorErrors(selector);
  if (errors.length > 0) throw validationFailed(errors);
  return selector;
}

const INVALIDATE_FIELDS = new Set(["id", "ids", "name", "username", "realm_name", "owner"]);

/** `DELETE _security/api_key` body. */
export function parseInvalidateApiKeys(rawBody: string): ApiKeySelector {
  const body = requireBody(rawBody);
  const fail = (what: string): never => {
    throw xContentParseException(`[invalidate_api_key] ${what}`);
  };
  for (const field of Object.keys(body)) if (!INVALIDATE_FIELDS.has(field)) fail(`unknown field [${field}]`);
  const optionalString = (field: string): string | undefined => {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") fail(`field [${field}] must be a string, found [${describe(value)}]`);
    return value as string;
  };
  const id = optionalString("id");
  const ids =
    body.ids === undefined
      ? undefined
      : stringArray(body.ids, () =>
          fail(`field [ids] must be an array of API key ids, found [${describe(body.ids)}]`),
        );
  const owner = body.owner ?? false;
  if (typeof owner !== "boolean") fail(`field [owner] must be a boolean, found [${describe(owner)}]`);
  const selector: ApiKeySelector = {
    ids: ids ?? (id === undefined ? undefined : [id]),
    name: optionalString("name"),
    username: optionalString("username"),
    realmName: optionalString("realm_name"),
    owner: owner as boolean,
  };
  const errors: string[] = [];
  if (id !== undefined && ids !== undefined)
    errors.push("Must use either [id] or [ids], not both at the same time");
  if (
    !selector.owner &&
    selector.ids === undefined &&
    selector.name === undefined &&
    selector.username === undefined &&
    selector.realmName === undefined
  ) {
    errors.push(
      "One of [api key id(s), api key name, username, realm name] must be specified if [owner] flag is false",
    );
  }
  errors.push(...selectorErrors(selector));
  if (errors.length > 0) throw validationFailed(errors);
  return selector;
}
