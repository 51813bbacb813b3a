/**
 * Request bodies read the way Elasticsearch's strict `ObjectParser`s read them: fields in
 * document order, the first unknown field or badly typed value fails with a 400
 * `x_content_parse_exception` whose reason starts with the `[line:col]` of the field.
 */
import { EsError, ErrorCause, parseException } from "./errors";
import { ByteSize, Duration, parseBooleanValue, parseByteSize, parseDuration } from "./params";

/** A parsed JSON body with the text it came from (for error locations). */
export interface JsonBody {
  value: unknown;
  raw: string;
}

/** Parses a JSON body; malformed JSON becomes the 400 Elasticsearch sends. */
export function parseJson(raw: string): JsonBody {
  try {
    return { value: JSON.parse(raw), raw };
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const offset = position ? Number(position[1]) : raw.length;
    const [line, col] = lineCol(raw, offset);
    const char = raw[offset];
    const what =
      char === undefined
        ? "Unexpected end-of-input"
        : `Unexpected character ('${char}' (code ${char.charCodeAt(0)}))`;
    throw new EsError(400, "x_content_parse_exception", `[${line}:${col}] ${what}`, {
      causedBy: {
        type: "json_parse_exception",
        reason: `${what}\n at [Source: (byte[])"${raw.slice(0, 200)}"; line: ${line}, column: ${col}]`,
      },
    });
  }
}

function lineCol(raw: string, offset: number): [number, number] {
  const before = raw.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - before.lastIndexOf("\n");
  return [line, col];
}

/** `[line:col]` of the first `"key":` in the raw text (approximate: the first occurrence). */
export function locate(raw: string, key: string): string {
  const match = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\s*:`).exec(raw);
  const [line, col] = lineCol(raw, match ? match.index : 0);
  return `[${line}:${col}]`;
}

export type FieldKind = "int" | "bool" | "string" | "duration" | "byteSize" | "object" | "array" | "any";

export interface FieldSpec {
  kind: FieldKind;
  /** JSON null is accepted (and returned as null). */
  nullable?: boolean;
}

type FieldValue =
  number | boolean | string | Duration | ByteSize | Record<string, unknown> | unknown[] | null;

function tokenName(value: unknown): string {
  if (value === null) return "VALUE_NULL";
  if (Array.isArray(value)) return "START_ARRAY";
  switch (typeof value) {
    case "object":
      return "START_OBJECT";
    case "string":
      return "VALUE_STRING";
    case "boolean":
      return "VALUE_BOOLEAN";
    default:
      return "VALUE_NUMBER";
  }
}

/**
 * Reads `body` as an object with exactly the declared fields (any may be absent). Returns the
 * converted values of the present fields. `parser` is the name quoted in errors.
 */
export function readObject(
  body: JsonBody,
  parser: string,
  fields: Record<string, FieldSpec | FieldKind>,
  value: unknown = body.value,
): Record<string, FieldValue> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new EsError(
      400,
      "x_content_parse_exception",
      `[1:1] [${parser}] Expected START_OBJECT but was: ${tokenName(value)}`,
    );
  }
  const out: Record<string, FieldValue> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const declared = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
    const where = locate(body.raw, key);
    if (declared === undefined) {
      throw new EsError(400, "x_content_parse_exception", `${where} [${parser}] unknown field [${key}]`);
    }
    const spec = typeof declared === "string" ? { kind: declared } : declared;
    out[key] = convert(raw, spec, key, parser, where);
  }
  return out;
}

function convert(raw: unknown, spec: FieldSpec, key: string, parser: string, where: string): FieldValue {
  const unsupported = (): EsError =>
    new EsError(
      400,
      "x_content_parse_exception",
      `${where} [${parser}] ${key} doesn't support values of type: ${tokenName(raw)}`,
    );
  const failed = (cause: ErrorCause): EsError =>
    new EsError(400, "x_content_parse_exception", `${where} [${parser}] failed to parse field [${key}]`, {
      causedBy: cause,
    });
  if (raw === null) {
    if (spec.nullable || spec.kind === "any") return null;
    throw unsupported();
  }
  switch (spec.kind) {
    case "int": {
      if (typeof raw === "number") return Math.trunc(raw);
      if (typeof raw === "string" && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(raw)) return Math.trunc(Number(raw));
      if (typeof raw === "string")
        throw failed({ type: "number_format_exception", reason: `For input string: "${raw}"` });
      throw unsupported();
    }
    case "bool": {
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string") {
        try {
          return parseBooleanValue(raw);
        } catch (error) {
          throw failed({ type: "illegal_argument_exception", reason: (error as EsError).reason });
        }
      }
      throw unsupported();
    }
    case "string":
      if (typeof raw === "string") return raw;
      throw unsupported();
    case "duration":
    case "byteSize": {
      if (typeof raw !== "string" && typeof raw !== "number") throw unsupported();
      try {
        return spec.kind === "duration" ? parseDuration(String(raw), key) : parseByteSize(String(raw), key);
      } catch (error) {
        const cause = error as EsError;
        throw failed({ type: cause.type, reason: cause.reason });
      }
    }
    case "object":
      if (typeof raw === "object" && !Array.isArray(raw)) return raw as Record<string, unknown>;
      throw unsupported();
    case "array":
      if (Array.isArray(raw)) return raw;
      throw unsupported();
    default:
      return raw as FieldValue;
  }
}

/** The 400 for a route that needs a body and got none. */
export const bodyRequired = (): EsError => parseException("request body is required");
