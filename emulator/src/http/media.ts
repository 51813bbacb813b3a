/**
 * Media types as Elasticsearch checks them: bodies must be JSON (or the vendor type the official
 * clients send, `application/vnd.elasticsearch+json; compatible-with=N`), and N must be this
 * major or the previous one.
 */
import type { IncomingHttpHeaders } from "node:http";
import { EsError } from "../errors";
import type { VersionProfile } from "../versions";

const BODY_TYPES = [
  "application/json",
  "application/x-ndjson",
  "application/vnd.elasticsearch+json",
  "application/vnd.elasticsearch+x-ndjson",
];

/** A 4xx whose body is Elasticsearch's plain `{ "error": "<text>", "status": n }` form. */
export class PlainError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(text);
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Validates Content-Type/Accept; returns the requested compatible major, if any. */
export function checkMediaTypes(
  headers: IncomingHttpHeaders,
  hasBody: boolean,
  profile: VersionProfile,
): number | undefined {
  let compat: number | undefined;
  for (const [name, display] of [
    ["content-type", "Content-Type"],
    ["accept", "Accept"],
  ] as const) {
    const value = header(headers, name);
    if (!value) continue;
    const match = /compatible-with\s*=\s*"?(\d+)/i.exec(value);
    if (!match) continue;
    const requested = Number(match[1]);
    if (!profile.compatibleMajors.includes(requested)) {
      const [previous, current] = profile.compatibleMajors;
      throw new EsError(
        400,
        "media_type_header_exception",
        `Invalid media-type value on headers [${display}]`,
        {
          causedBy: {
            type: "status_exception",
            reason: `${display} version must be either version ${previous} or ${current}, but found ${requested}. ${display}=${value}`,
          },
        },
      );
    }
    compat = requested;
  }
  if (hasBody) {
    const contentType = header(headers, "content-type");
    if (!contentType) throw new PlainError(406, "Content-Type header is missing");
    const base = contentType.split(";")[0].trim().toLowerCase();
    if (!BODY_TYPES.includes(base))
      throw new PlainError(406, `Content-Type header [${contentType}] is not supported`);
  }
  return compat;
}

/** The response Content-Type: the vendor type when the client asked for it. */
export function responseContentType(headers: IncomingHttpHeaders): string {
  const accept = header(headers, "accept") ?? "";
  const match = /application\/vnd\.elasticsearch\+json\s*;\s*compatible-with\s*=\s*"?(\d+)/i.exec(accept);
  return match ? `application/vnd.elasticsearch+json;compatible-with=${match[1]}` : "application/json";
}
