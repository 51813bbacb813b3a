/**
 * Reads the `Authorization` header into typed credentials. Pure: malformed values become the 401
 * Elasticsearch sends for them; a missing header or an unknown scheme yields `undefined` (Elasticsearch
 * ignores schemes it has no authenticator for, so they end as "missing authentication credentials").
 */
import type { IncomingHttpHeaders } from "node:http";
import { invalidApiKeyValue, invalidBasicEncoding, invalidBasicValue } from "./messages";

export type Credentials =
  | { scheme: "basic"; username: string; password: string }
  | { scheme: "apiKey"; id: string; key: string }
  | { scheme: "bearer"; token: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(value: string): string | undefined {
  // Buffer.from() silently skips bad characters; Elasticsearch's decoder rejects them.
  if (value.length % 4 === 1 || !BASE64.test(value)) return undefined;
  return Buffer.from(value, "base64").toString("utf8");
}

/** Splits `<scheme> <value>`; the scheme is matched case-insensitively. */
function splitScheme(header: string): { scheme: string; value: string } {
  const space = header.indexOf(" ");
  if (space < 0) return { scheme: header.toLowerCase(), value: "" };
  return { scheme: header.slice(0, space).toLowerCase(), value: header.slice(space + 1).trim() };
}

export function parseCredentials(headers: IncomingHttpHeaders): Credentials | undefined {
  const header = headers.authorization;
  if (header === undefined || header === "") return undefined;
  const { scheme, value } = splitScheme(header);
  switch (scheme) {
    case "basic": {
      const decoded = decodeBase64(value);
      if (decoded === undefined) throw invalidBasicEncoding();
      const colon = decoded.indexOf(":");
      if (colon < 0) throw invalidBasicValue();
      return { scheme: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    case "apikey": {
      const decoded = decodeBase64(value);
      const colon = decoded === undefined ? -1 : decoded.indexOf(":");
      // Elasticsearch needs a non-empty id before the colon.
      if (decoded === undefined || colon < 1) throw invalidApiKeyValue();
      return { scheme: "apiKey", id: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
    }
    case "bearer":
      return value === "" ? undefined : { scheme: "bearer", token: value };
    default:
      return undefined;
  }
}

/** `Basic <base64(user:password)>`, for tests and tools. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}
