/**
 * The `connection` argument shared by every resource of the package, on the program side: its type, and
 * the wrapping that stores its credentials as secrets whatever the caller passes. A resource passes its
 * argument through {@link secretConnection} in its constructor; the provider side lives in
 * `provider/connectionInput.ts` (validation, diff) and `provider/connections.ts` (clients).
 */
import * as pulumi from "@pulumi/pulumi";
import { CREDENTIAL_SETTINGS } from "./provider/connectionInput";

/**
 * A connection given in the program, e.g. from another stack's outputs through a `StackReference`: the same
 * settings as the stack-config keys (`elasticsearch-ml:endpoints`, `…:apiKey`, …), with the same rules.
 * It is the resource's only source of connection settings: nothing is taken from stack config or the
 * `ELASTICSEARCH_*` environment for it. Credentials (`password`, `apiKey`, `bearerToken`,
 * `esClientAuthentication`, `keyData`, `headers`) are stored as secrets even when given as plain strings.
 */
export interface ConnectionArgs {
  /** Comma-separated URLs, or a list of URLs. Not together with `cloudId`. */
  endpoints?: pulumi.Input<string | pulumi.Input<string>[]>;
  /** Elastic Cloud ID. */
  cloudId?: pulumi.Input<string>;
  /** Basic authentication, with `password`. */
  username?: pulumi.Input<string>;
  password?: pulumi.Input<string>;
  /** Encoded API key, or `id:api_key`. */
  apiKey?: pulumi.Input<string>;
  bearerToken?: pulumi.Input<string>;
  /** JWT client-authentication shared secret. */
  esClientAuthentication?: pulumi.Input<string>;
  /** Trusted CA: a path, PEM text, or a pinned SHA-256 fingerprint. */
  caFile?: pulumi.Input<string>;
  caData?: pulumi.Input<string>;
  caFingerprint?: pulumi.Input<string>;
  /** Client certificate for mutual TLS: `certFile` + `keyFile`, or `certData` + `keyData`. */
  certFile?: pulumi.Input<string>;
  keyFile?: pulumi.Input<string>;
  certData?: pulumi.Input<string>;
  keyData?: pulumi.Input<string>;
  /** `true` turns TLS verification off (development only). */
  insecure?: pulumi.Input<boolean>;
  /** Extra headers sent with every request (stored as a secret: they may carry tokens). */
  headers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Per-request timeout in seconds (default 30). */
  requestTimeoutSeconds?: pulumi.Input<number>;
  /** Retries of connection errors and 429/502/503/504 (default 3). */
  maxRetries?: pulumi.Input<number>;
}

/** A resource's `connection`: a connection name from stack config `elasticsearch-ml:connections`, or the settings. */
export type ConnectionInput = pulumi.Input<string> | ConnectionArgs;

/** The recorded `connection` output; credentials in it are secrets. */
export type ConnectionOutput = string | { [K in keyof ConnectionArgs]?: unknown };

/**
 * The argument with every credential wrapped in `pulumi.secret` (and endpoint URLs that carry
 * `user:password@` too), so the engine encrypts them in state and masks them in diffs and events whatever
 * the caller passed. A name passes unchanged; an `Output` that resolves to an object becomes a secret as a
 * whole (its members cannot be told apart before it resolves).
 */
export function secretConnection(connection: ConnectionInput | undefined): ConnectionInput | undefined {
  if (connection === undefined || connection === null || typeof connection === "string") return connection;
  if (pulumi.Output.isInstance(connection) || connection instanceof Promise) {
    return pulumi
      .output(connection as pulumi.Input<string | ConnectionArgs>)
      .apply((value) => (isSettings(value) ? pulumi.secret(value) : value)) as pulumi.Output<string>;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(connection)) {
    if (value === undefined || value === null) continue;
    if ((CREDENTIAL_SETTINGS as readonly string[]).includes(key)) out[key] = pulumi.secret(value);
    else if (key === "endpoints") out[key] = secretIfUserInfo(value as ConnectionArgs["endpoints"]);
    else out[key] = value;
  }
  return out as ConnectionArgs;
}

function secretIfUserInfo(endpoints: ConnectionArgs["endpoints"]): pulumi.Output<unknown> {
  return pulumi.output(endpoints).apply((value) => {
    const urls = Array.isArray(value) ? value : [value];
    return urls.some((url) => typeof url === "string" && /\/\/[^/\s]*@/.test(url))
      ? pulumi.secret(value)
      : value;
  });
}

function isSettings(value: unknown): value is ConnectionArgs {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
