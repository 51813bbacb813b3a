/**
 * Authentication: a small union that becomes exactly one `Authorization` header.
 */
import type { IdentityInfo } from "./errors";
import { Secret } from "./secret";

/** The one authentication method in use. */
export type Auth =
  | { kind: "basic"; username: string; password: Secret }
  | {
      kind: "apiKey";
      /** base64 of `id:api_key`, as sent in the header. */
      encoded: Secret;
      /** The key's id when the value revealed it (it is not secret and helps in 401/403 messages). */
      id?: string;
    }
  | { kind: "bearer"; token: Secret };

/** The `Authorization` header value for `auth`. */
export function authorizationHeader(auth: Auth): string {
  switch (auth.kind) {
    case "basic":
      return `Basic ${Buffer.from(`${auth.username}:${auth.password.reveal()}`).toString("base64")}`;
    case "apiKey":
      return `ApiKey ${auth.encoded.reveal()}`;
    case "bearer":
      return `Bearer ${auth.token.reveal()}`;
  }
}

/** Who we authenticate as, in words, for error messages and `inspect` output. Never the secret. */
export function describeIdentity(auth: Auth | undefined, customAuthorizationHeader = false): IdentityInfo {
  if (!auth) {
    return customAuthorizationHeader
      ? { kind: "header", description: "a custom Authorization header" }
      : { kind: "none", description: "no credentials" };
  }
  switch (auth.kind) {
    case "basic":
      return { kind: "basic", username: auth.username, description: `user [${auth.username}] (basic auth)` };
    case "apiKey":
      return { kind: "apiKey", description: auth.id ? `API key id [${auth.id}]` : "an API key" };
    case "bearer":
      return { kind: "bearer", description: "a bearer token" };
  }
}

/** The secrets `auth` holds, for scrubbing text that came back from the wire. */
export function authSecrets(auth: Auth | undefined): Secret[] {
  if (!auth) return [];
  switch (auth.kind) {
    case "basic":
      // The header carries base64("user:password"); scrub that form too.
      return [auth.password, new Secret(`${auth.username}:${auth.password.reveal()}`)];
    case "apiKey": {
      const decoded = Buffer.from(auth.encoded.reveal(), "base64").toString("utf8");
      return [
        auth.encoded,
        ...(decoded.includes(":") ? [new Secret(decoded.slice(decoded.indexOf(":") + 1))] : []),
      ];
    }
    case "bearer":
      return [auth.token];
  }
}
