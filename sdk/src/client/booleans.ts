/**
 * The one boolean parser for every setting read from text: stack config (`elasticsearch-ml:insecure`,
 * the stop flags), environment variables (`ELASTICSEARCH_INSECURE`, `ELASTICSEARCH_ML_FORCE`, …,
 * `ELASTICSEARCH_ML_TRACE`) and the client's own options. One rule everywhere, so a value that works in
 * one place never fails (or, worse, silently means something else) in another.
 *
 * It lives in the client because imports go one way (client → provider): the provider reuses it.
 */

/** What a boolean setting accepts, for messages. */
export const BOOLEAN_SETTING_RULE = "must be true or false (any case), 1 or 0";

const TRUE = new Set(["true", "1"]);
const FALSE = new Set(["false", "0"]);

/**
 * Parse a boolean setting: `true`/`false` in any case, `1`/`0`, as text (surrounding white space ignored)
 * or typed (a boolean, or the number 1 or 0). Unset (`undefined`, `null`, blank text) is `undefined`.
 * Anything else is refused: a typo such as `yes` must never silently leave a flag off.
 *
 * @param value The raw value.
 * @param key The setting's name as the user wrote it (`elasticsearch-ml:force`, `ELASTICSEARCH_ML_FORCE`).
 * @param refuse Builds the caller's typed error from the key and the message.
 * @throws What `refuse` builds, with a message naming the key, the value and what is allowed.
 */
export function parseBooleanSetting(
  value: unknown,
  key: string,
  refuse: (key: string, message: string) => Error,
): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === "string") {
    const text = value.trim().toLowerCase();
    if (text === "") return undefined;
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
  }
  throw refuse(key, `${key}: ${showValue(value)} is not allowed; ${BOOLEAN_SETTING_RULE}, or unset`);
}

// A boolean setting never holds a credential, so the value is shown (shortened when long).
function showValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 60)}… (${text.length} characters)` : text;
}
