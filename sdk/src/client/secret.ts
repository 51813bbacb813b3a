/**
 * Secrets held by the client (passwords, API keys, bearer tokens, private keys, header values).
 *
 * A {@link Secret} keeps its value in an ECMAScript private field, so `JSON.stringify`,
 * `util.inspect`, template literals and `String()` all print `[redacted]`: redaction holds by
 * construction wherever a settings object or error ends up, not only where we remembered to redact.
 */
import { inspect } from "node:util";

/** What a secret prints as, everywhere. */
export const REDACTED = "[redacted]";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret value, for the one place that needs it (building the request header). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Replaces every occurrence of each secret value (and its base64 and percent-encoded forms, which is
 * how they travel in headers and URLs) in `text`. A last line of defence for text that came from
 * outside (a proxy echoing a header in an error page, an undici message quoting a URL).
 */
export function scrubSecrets(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret.reveal();
    // Very short values would redact ordinary words; nobody uses them as credentials.
    if (value.length < 4) continue;
    for (const form of new Set([value, encodeURIComponent(value), Buffer.from(value).toString("base64")])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * Strips `user:password@` from a URL string for display; leaves non-URLs untouched. Up to the last "@":
 * a password pasted with a raw "@" or "/" must not leave its tail visible (an "@" in a path is rare, and
 * hiding too much is the safe side).
 */
export function redactUrlUserInfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)\S*@/i, "$1");
}
