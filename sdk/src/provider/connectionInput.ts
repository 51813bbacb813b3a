/**
 * A resource's `connection` argument, shared by every resource of the package: either the name of a
 * connection from stack config `elasticsearch-ml:connections` (a string), or an object with the same
 * settings as the stack-config keys (`endpoints` or `cloudId`, `apiKey`, …), typically fed by another
 * resource's or stack's outputs. Pure: no I/O, no Pulumi runtime.
 *
 * An object is parsed by the very functions that parse stack config (`config.ts`), so the rules and the
 * messages are the same; messages name the argument path (`connection.apiKey`) and never quote a
 * credential. A resource has exactly one source: the object, the named connection, or the default
 * connection (stack config, then the `ELASTICSEARCH_*` environment). An object is never merged with stack
 * config or the environment.
 *
 * How a resource adopts it (what `TrainedModelDeployment` and `TrainedModel` do; the connecting and
 * `check`'s stack-config rules are shared in `session.ts`):
 * 1. args: `connection?: ConnectionInput`, passed as `secretConnection(args.connection)` in the
 *    constructor (`../connectionArgs.ts`), so credentials are secrets in state whatever the caller passed;
 * 2. `check`: {@link checkConnectionArgument} for the argument's shape and settings, then
 *    `Connections.check` through `session.ts`'s `connectionFailures` (named connection defined, settings
 *    usable together; nothing is sent);
 * 3. `diff`: {@link connectionChange}; a change is an in-place update, never a replacement, and the
 *    preview says what changes ({@link connectionChangeNotice}); plans carry {@link redactConnection}'s form;
 * 4. `update`: connect with the NEW settings before anything else (`GET /` checks the credentials and the
 *    recorded cluster uuid: `session.ts`'s `connectSession`), then record them in the outputs; `delete` and
 *    `read` use the recorded ones.
 */
import type { ConnectionOptions } from "../client";
import {
  CONNECTION_CONFIG_KEYS,
  type ConnectionConfigKey,
  CREDENTIAL_CONFIG_KEYS,
  parseConnectionSettings,
  rejectUnknownSettings,
} from "./config";
import { isPlainObject, isUnknown } from "./inputs";
import { ProviderConfigError } from "./stopFlags";

/** The argument's name, the root of every path in messages. */
export const CONNECTION_ARGUMENT = "connection";

/** The object form of `connection`, as the provider receives it (values unparsed). */
export type ConnectionSettingsInput = Partial<Record<ConnectionConfigKey, unknown>>;

/** `connection` as the provider receives it: a name, an object of settings, or absent (the default). */
export type ConnectionArgument = string | ConnectionSettingsInput | undefined;

/** The settings whose values are credentials: stored as secrets, never shown (the stack-config list). */
export const CREDENTIAL_SETTINGS: readonly ConnectionConfigKey[] = CREDENTIAL_CONFIG_KEYS;

/** The settings that say where the cluster is: a change needs the wrong-cluster guard's check. */
export const ENDPOINT_SETTINGS: readonly ConnectionConfigKey[] = ["endpoints", "cloudId"];

/** The settings that say who connects (credentials, and the user name that goes with a password). */
const IDENTITY_SETTINGS: readonly ConnectionConfigKey[] = [
  "username",
  "password",
  "apiKey",
  "bearerToken",
  "esClientAuthentication",
  "certFile",
  "keyFile",
  "certData",
  "keyData",
  "headers",
];

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const NAME_RULE =
  'must be the name of a connection from stack config: letters, digits, "_" and "-" (omit it to use the default connection)';
const OBJECT_RULE = `must be the name of a connection from stack config, or an object of connection settings (${CONNECTION_CONFIG_KEYS.join(", ")})`;

/** One failure of the argument, as `check` reports it (`property` is a path such as `connection.apiKey`). */
export interface ConnectionFailure {
  property: string;
  reason: string;
}

/** True for the object form. */
export function isConnectionObject(value: unknown): value is ConnectionSettingsInput {
  return isPlainObject(value);
}

/**
 * Validate the argument's own shape and settings, without stack config or the network: a name's
 * characters, or an object's keys and every known setting's value (values not known yet at preview are
 * skipped). Rules that combine settings (one authentication method, an endpoint or Cloud ID, …) need the
 * client's resolution: see {@link parseConnectionArgument} and `Connections.validate`.
 */
export function checkConnectionArgument(value: unknown, path = CONNECTION_ARGUMENT): ConnectionFailure[] {
  if (value === undefined || value === null || isUnknown(value)) return [];
  if (typeof value === "string") {
    return NAME_PATTERN.test(value)
      ? []
      : [{ property: path, reason: `${path}: ${JSON.stringify(value)} is not allowed; ${NAME_RULE}` }];
  }
  if (!isConnectionObject(value)) {
    const type = Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return [{ property: path, reason: `${path} ${OBJECT_RULE}; got ${type}` }];
  }
  try {
    parseConnectionArgument(value, path);
    return [];
  } catch (err) {
    if (err instanceof ProviderConfigError) return [{ property: err.key, reason: err.message }];
    throw err;
  }
}

/**
 * The client options of an object `connection`. Unknown (preview) values count as unset here; the
 * provider never sees them at run time.
 *
 * @throws {ProviderConfigError} Naming the path (`connection.maxRetries`), as stack config's messages do.
 */
export function parseConnectionArgument(
  value: ConnectionSettingsInput,
  path = CONNECTION_ARGUMENT,
): ConnectionOptions {
  rejectUnknownSettings(value as Record<string, unknown>, path);
  return parseConnectionSettings((key) => (isUnknown(value[key]) ? undefined : value[key]), `${path}.`);
}

/** Whether any setting of an object argument is not known yet (preview). */
export function hasUnknownSetting(value: ConnectionSettingsInput): boolean {
  return Object.values(value).some(
    (v) =>
      isUnknown(v) || (Array.isArray(v) && v.some(isUnknown)) || (isPlainObject(v) && hasUnknownSetting(v)),
  );
}

/** What differs between the recorded connection and the declared one. */
export interface ConnectionChange {
  /** Name ↔ object ↔ default, or another name: a different source of settings. */
  source: boolean;
  /** `endpoints` or `cloudId` of an object changed (the update checks the cluster uuid). */
  endpoint: boolean;
  /** Credentials (or the user name, client certificate, headers) changed. */
  credentials: boolean;
  /** Any other setting (TLS trust, insecure, timeouts, retries). */
  settings: boolean;
}

/** Compare two `connection` values; `undefined` when they are the same. An unknown new value differs. */
export function connectionChange(old: unknown, next: unknown): ConnectionChange | undefined {
  const change: ConnectionChange = { source: false, endpoint: false, credentials: false, settings: false };
  if (isUnknown(next)) return { ...change, source: true, endpoint: true, credentials: true };
  const blank = (v: unknown): boolean => v === undefined || v === null;
  if (blank(old) && blank(next)) return undefined;
  if (!isConnectionObject(old) || !isConnectionObject(next)) {
    return old === next ? undefined : { ...change, source: true };
  }
  for (const key of new Set([...Object.keys(old), ...Object.keys(next)]) as Set<ConnectionConfigKey>) {
    if (sameSetting(old[key], next[key])) continue;
    if (ENDPOINT_SETTINGS.includes(key)) change.endpoint = true;
    else if (IDENTITY_SETTINGS.includes(key)) change.credentials = true;
    else change.settings = true;
  }
  return change.endpoint || change.credentials || change.settings ? change : undefined;
}

/**
 * The argument with every credential replaced by `[secret]`, and user-info in endpoint URLs redacted:
 * what plans, reports and messages may show.
 */
export function redactConnection(value: unknown): unknown {
  if (!isConnectionObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(value)) {
    if (setting === undefined || setting === null) continue;
    if (isUnknown(setting)) out[key] = setting;
    else if ((CREDENTIAL_SETTINGS as readonly string[]).includes(key)) out[key] = "[secret]";
    else if (key === "endpoints") out[key] = redactUserInfo(setting);
    else out[key] = setting;
  }
  return out;
}

/** Endpoint URLs with any `user:password@` replaced, for messages. */
export function redactUserInfo(endpoints: unknown): unknown {
  const redact = (text: string): string => text.replace(/\/\/[^\s,"\]]*@/g, "//[redacted]@");
  if (typeof endpoints === "string") return redact(endpoints);
  if (Array.isArray(endpoints)) return endpoints.map((e) => (typeof e === "string" ? redact(e) : e));
  return endpoints;
}

function sameSetting(a: unknown, b: unknown): boolean {
  if (isUnknown(b)) return false;
  const blank = (v: unknown): boolean => v === undefined || v === null || v === "";
  if (blank(a) && blank(b)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a check failure's property is the argument or one of its settings. */
export function isConnectionPath(property: string): boolean {
  return property === CONNECTION_ARGUMENT || property.startsWith(`${CONNECTION_ARGUMENT}.`);
}

/**
 * What a preview says about a connection change (a preview sends no request, so it cannot know yet whether
 * the new endpoint is the same cluster): which parts change, and what the update will check.
 */
export function connectionChangeNotice(
  id: string,
  change: ConnectionChange,
  old: unknown,
  next: unknown,
  clusterUuid: string | undefined,
): string {
  const parts = [
    change.source ? `its source (${describeSource(old)} → ${describeSource(next)})` : undefined,
    change.endpoint ? `the endpoint (${describeEndpoint(old)} → ${describeEndpoint(next)})` : undefined,
    change.credentials ? "the credentials" : undefined,
    change.settings ? "other settings" : undefined,
  ].filter((p) => p !== undefined);
  const cluster = clusterUuid ? `cluster [${clusterUuid}], recorded for it` : "the cluster it runs on";
  return (
    `${id}: the connection changes: ${parts.join(", ")}. The update sends GET / with the new settings ` +
    `to check the credentials, and refuses (wrong cluster) unless the endpoint answers as ${cluster}; the new ` +
    "settings are then recorded, and later operations (pulumi destroy included) use them."
  );
}

function describeSource(value: unknown): string {
  if (isUnknown(value)) return "known after apply";
  if (isConnectionObject(value)) return "the connection argument";
  return typeof value === "string" ? `connection "${value}"` : "the default connection";
}

function describeEndpoint(value: unknown): string {
  if (!isConnectionObject(value)) return describeSource(value);
  const where = value.endpoints ?? value.cloudId;
  if (isUnknown(where)) return "known after apply";
  if (value.endpoints === undefined && value.cloudId !== undefined)
    return `Cloud ID ${JSON.stringify(where)}`;
  return JSON.stringify(redactUserInfo(where));
}
