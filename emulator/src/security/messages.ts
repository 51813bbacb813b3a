/**
 * The 401 and 403 errors of the security realm, built by pure functions so every message can be
 * unit-tested verbatim. Wording follows Elasticsearch (reference §1.4, `AuthorizationDenialMessages`,
 * `DefaultAuthenticationFailureHandler`).
 */
import { EsError, type ErrorCause } from "../errors";

/**
 * The challenges a cluster with the native realm, the token service and API keys sends, in the 8.x/9.x
 * form (older builds had no comma before `charset`).
 */
export const WWW_AUTHENTICATE: readonly string[] = [
  'Basic realm="security", charset="UTF-8"',
  'Bearer realm="security"',
  "ApiKey",
];

/** Reason Elasticsearch gives when credentials were sent but no authenticator accepted them. */
export const ANONYMOUS_NOT_ALLOWED =
  "unable to authenticate with provided credentials and anonymous access is not allowed for this request";

/**
 * Every authentication failure carries the challenges twice: as a `header` field in the body (root
 * cause and top-level error) and as HTTP `WWW-Authenticate` headers.
 */
function authenticationError(
  reason: string,
  extra: Record<string, unknown> = {},
  causedBy?: ErrorCause,
): EsError {
  return new EsError(401, "security_exception", reason, {
    causedBy,
    extra: { ...extra, header: { "WWW-Authenticate": [...WWW_AUTHENTICATE] } },
    headers: { "WWW-Authenticate": [...WWW_AUTHENTICATE] },
  });
}

/** No `Authorization` header (or a scheme Elasticsearch does not read). */
export function missingCredentials(uri: string): EsError {
  return authenticationError(`missing authentication credentials for REST request [${uri}]`);
}

/** Basic credentials naming an unknown or disabled user, or with a wrong password. */
export function userAuthenticationFailed(username: string, uri: string): EsError {
  return authenticationError(`unable to authenticate user [${username}] for REST request [${uri}]`);
}

/** A `Basic` header whose value is not base64. */
export function invalidBasicEncoding(): EsError {
  return authenticationError("invalid basic authentication header encoding");
}

/** A `Basic` header whose decoded value has no `:`. */
export function invalidBasicValue(): EsError {
  return authenticationError("invalid basic authentication header value");
}

/**
 * An `ApiKey` header that decodes to no `id:key` pair. Elasticsearch raises an
 * `IllegalArgumentException("invalid ApiKey value")` while extracting the credentials, which the
 * failure handler wraps as below (wrapping reason unconfirmed).
 */
export function invalidApiKeyValue(): EsError {
  return authenticationError(
    "error attempting to authenticate request",
    {},
    {
      type: "illegal_argument_exception",
      reason: "invalid ApiKey value",
    },
  );
}

/**
 * Well-formed API key credentials that do not authenticate. Elasticsearch answers with the generic
 * "anonymous access" reason and lists why each credential failed in
 * `additional_unsuccessful_credentials`, e.g. `API key: unable to find apikey with id <id>`,
 * `API key: invalid credentials for API key [<id>]`, `API key: api key is expired` (all seen in
 * real responses / source).
 */
export function apiKeyAuthenticationFailed(detail: string): EsError {
  return authenticationError(ANONYMOUS_NOT_ALLOWED, {
    additional_unsuccessful_credentials: `API key: ${detail}`,
  });
}

/**
 * A `Bearer` token. The emulator issues no OAuth2 tokens, so no bearer token can succeed; the detail
 * string is the emulator's own (Elasticsearch's varies with the token service and realms enabled).
 */
export function bearerTokenFailed(): EsError {
  return authenticationError(ANONYMOUS_NOT_ALLOWED, {
    additional_unsuccessful_credentials: "bearer token: unable to authenticate bearer token",
  });
}

/** Who was refused, as the 403 message describes it. */
export interface DeniedSubject {
  username: string;
  /** Set for API-key authentication: roles are then not described (a key has privileges, not roles). */
  apiKeyId?: string;
  /** Roles assigned to the user. */
  assignedRoles?: readonly string[];
  /** Roles that exist and were applied (Elasticsearch's "effective roles"). */
  effectiveRoles?: readonly string[];
}

/**
 * `action [<action>] is unauthorized for user [<user>] with effective roles [<roles>], this action is
 * granted by the cluster privileges [<list>]`.
 *
 * Wording: Elasticsearch's `AuthorizationDenialMessages` (8.5+, still current in the 9.x source read):
 * effective roles sorted, then ` (assigned roles [x] were not found)` when some assigned roles do not
 * exist. The reference's `with declared roles [...] (all resolved)` wording comes from a draft of
 * elastic/elasticsearch#89680 that was not merged in that form; the merged source says
 * `effective roles`. API keys are described as `API key id [<id>] of user [<name>]`, with no roles.
 */
export function actionDeniedMessage(
  action: string,
  subject: DeniedSubject,
  grantedBy: readonly string[],
): string {
  let who = `user [${subject.username}]`;
  if (subject.apiKeyId !== undefined) {
    who = `API key id [${subject.apiKeyId}] of ${who}`;
  } else {
    const effective = [...(subject.effectiveRoles ?? [])].sort();
    who += ` with effective roles [${effective.join(",")}]`;
    const missing = [...new Set(subject.assignedRoles ?? [])].filter((r) => !effective.includes(r)).sort();
    if (missing.length > 0) who += ` (assigned roles [${missing.join(",")}] were not found)`;
  }
  let message = `action [${action}] is unauthorized for ${who}`;
  if (grantedBy.length > 0)
    message += `, this action is granted by the cluster privileges [${grantedBy.join(",")}]`;
  return message;
}

/** The 403 `security_exception` for {@link actionDeniedMessage}. */
export function actionDenied(action: string, subject: DeniedSubject, grantedBy: readonly string[]): EsError {
  return new EsError(403, "security_exception", actionDeniedMessage(action, subject, grantedBy));
}
