/**
 * Query-string parameters the way Elasticsearch's REST layer reads them: every parameter a
 * handler reads is "consumed"; anything left over is rejected with
 * `request [<path>] contains unrecognized parameter: [<name>]` (plus "did you mean" hints).
 * Value parsers follow `RestRequest.paramAsBoolean/paramAsInt`, `TimeValue` and `ByteSizeValue`.
 */
import { EsError, illegalArgument, parseException } from "./errors";

/** Parameters every route accepts (response-shaping parameters in Elasticsearch). */
const RESPONSE_PARAMS = ["error_trace", "pretty", "human", "filter_path", "format"];

export class QueryParams {
  private readonly consumed = new Set<string>(RESPONSE_PARAMS);

  constructor(
    private readonly params: URLSearchParams,
    /** Request path without query, quoted in the unrecognized-parameter message. */
    private readonly path: string,
  ) {}

  /** Whether the parameter is present (does not consume it, as `RestRequest.hasParam`). */
  has(name: string): boolean {
    return this.params.has(name);
  }

  /** The raw value (last occurrence wins), consuming the name. */
  str(name: string): string | undefined {
    this.consumed.add(name);
    const all = this.params.getAll(name);
    return all.length === 0 ? undefined : all[all.length - 1];
  }

  /** `RestRequest.paramAsBoolean`: a bare `?force` (empty value) means true. */
  bool(name: string): boolean | undefined {
    const value = this.str(name);
    if (value === undefined) return undefined;
    if (value === "") return true;
    return parseBooleanValue(value);
  }

  int(name: string): number | undefined {
    const value = this.str(name);
    if (value === undefined) return undefined;
    if (
      !/^[+-]?\d+$/.test(value) ||
      !Number.isSafeInteger(Number(value)) ||
      Math.abs(Number(value)) > 2 ** 31 - 1
    ) {
      throw new EsError(
        400,
        "illegal_argument_exception",
        `Failed to parse int parameter [${name}] with value [${value}]`,
        {
          causedBy: { type: "number_format_exception", reason: `For input string: "${value}"` },
        },
      );
    }
    return Number(value);
  }

  duration(name: string): Duration | undefined {
    const value = this.str(name);
    return value === undefined ? undefined : parseDuration(value, name);
  }

  byteSize(name: string): ByteSize | undefined {
    const value = this.str(name);
    return value === undefined ? undefined : parseByteSize(value, name);
  }

  /** Marks every present parameter as read (for routes that delegate parameter handling). */
  consumeAll(): void {
    for (const name of this.params.keys()) this.consumed.add(name);
  }

  /** Names present in the request that nothing consumed. */
  unconsumed(): string[] {
    return [...new Set(this.params.keys())].filter((name) => !this.consumed.has(name)).sort();
  }

  /** Throws the 400 Elasticsearch sends for parameters the handler did not read. */
  assertAllConsumed(): void {
    const invalid = this.unconsumed();
    if (invalid.length === 0) return;
    const candidates = [...this.consumed].filter(
      (name) => !RESPONSE_PARAMS.includes(name) || this.params.has(name),
    );
    throw illegalArgument(unrecognizedMessage(this.path, invalid, [...candidates, ...RESPONSE_PARAMS]));
  }

  /** Every present name mapped to its value, for the request log. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.params) out[key] = value;
    return out;
  }
}

/** Builds `request [p] contains unrecognized parameter(s): [a] -> did you mean [b]?, [c]`. */
export function unrecognizedMessage(path: string, invalid: string[], candidates: string[]): string {
  const parts = invalid.map((name) => {
    const scored = [...new Set(candidates)]
      .map((candidate) => ({ candidate, score: similarity(name, candidate) }))
      .filter((entry) => entry.score > 0.5)
      .sort((a, b) => b.score - a.score || a.candidate.localeCompare(b.candidate))
      .map((entry) => entry.candidate);
    if (scored.length === 0) return `[${name}]`;
    const hint = scored.length === 1 ? `[${scored[0]}]` : `any of [${scored.join(", ")}]`;
    return `[${name}] -> did you mean ${hint}?`;
  });
  const noun = invalid.length > 1 ? "parameters" : "parameter";
  return `request [${path}] contains unrecognized ${noun}: ${parts.join(", ")}`;
}

/** 1 - edit distance / longer length (Lucene's LevenshteinDistance similarity). */
function similarity(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return 1 - row[b.length] / Math.max(a.length, b.length, 1);
}

export function parseBooleanValue(value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw illegalArgument(`Failed to parse value [${value}] as only [true] or [false] are allowed.`);
}

/** An Elasticsearch time value: milliseconds plus its canonical text (`TimeValue.toString`). */
export interface Duration {
  ms: number;
  text: string;
}

const TIME_UNITS: [string, number][] = [
  ["nanos", 1e-6],
  ["micros", 1e-3],
  ["ms", 1],
  ["s", 1000],
  ["m", 60_000],
  ["h", 3_600_000],
  ["d", 86_400_000],
];

/** `TimeValue.parseTimeValue`: `30s`, `1m`, `100ms`, `-1`, `0`; no fractions, no negatives. */
export function parseDuration(raw: string, setting: string): Duration {
  const value = raw.trim().toLowerCase();
  if (value === "-1") return { ms: -1, text: "-1" };
  if (value === "0") return { ms: 0, text: "0s" };
  // "ms", "nanos" and "micros" all end with "s": pick the longest matching suffix.
  const match = TIME_UNITS.filter(([suffix]) => value.endsWith(suffix)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0];
  if (!match) {
    throw parseException(
      `failed to parse setting [${setting}] with value [${raw}] as a time value: unit is missing or unrecognized`,
    );
  }
  const number = value.slice(0, value.length - match[0].length).trim();
  if (/^-?\d+\.\d*$/.test(number)) {
    throw parseException(`failed to parse [${raw}], fractional time values are not supported`);
  }
  if (!/^-?\d+$/.test(number)) {
    throw parseException(
      `failed to parse setting [${setting}] with value [${raw}] as a time value: unit is missing or unrecognized`,
    );
  }
  const amount = Number(number);
  if (amount < 0) {
    throw parseException(
      `failed to parse setting [${setting}] with value [${raw}] as a time value: negative durations are not supported`,
    );
  }
  const ms = amount * match[1];
  return { ms, text: formatDuration(ms) };
}

/** One decimal, truncated (not rounded), as Elasticsearch's `Strings.format1Decimals`. */
function oneDecimal(value: number): string {
  const truncated = Math.floor(value * 10) / 10;
  return Number.isInteger(truncated) ? String(truncated) : truncated.toFixed(1);
}

/** `TimeValue.toString()`: the largest unit with at most one decimal, e.g. 90 s → "1.5m". */
export function formatDuration(ms: number): string {
  if (ms < 0) return "-1";
  const units: [string, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
  ];
  for (const [suffix, size] of units) {
    if (ms >= size) {
      return `${oneDecimal(ms / size)}${suffix}`;
    }
  }
  if (ms === 0) return "0s";
  return `${Math.round(ms * 1000)}micros`;
}

/** An Elasticsearch byte size: bytes plus the representation echoed in responses ("10kb", "0"). */
export interface ByteSize {
  bytes: number;
  text: string;
}

const BYTE_UNITS: [string, number][] = [
  ["pb", 1024 ** 5],
  ["tb", 1024 ** 4],
  ["gb", 1024 ** 3],
  ["mb", 1024 ** 2],
  ["kb", 1024],
  ["p", 1024 ** 5],
  ["t", 1024 ** 4],
  ["g", 1024 ** 3],
  ["m", 1024 ** 2],
  ["k", 1024],
  ["b", 1],
];

/** `ByteSizeValue.parseBytesSizeValue`: `0`, `-1`, `1630b`, `10kb`, `20mb`, `1.5kb`. */
export function parseByteSize(raw: string, setting: string): ByteSize {
  const value = raw.trim().toLowerCase();
  if (value === "0" || value === "-1") return { bytes: Number(value), text: value };
  const unit = BYTE_UNITS.find(([suffix]) => value.endsWith(suffix));
  const number = unit ? value.slice(0, value.length - unit[0].length).trim() : "";
  if (!unit || !/^-?\d+(\.\d+)?$/.test(number)) {
    throw parseException(
      `failed to parse setting [${setting}] with value [${raw}] as a size in bytes: unit is missing or unrecognized`,
    );
  }
  const amount = Number(number);
  if (amount < 0) {
    throw parseException(`failed to parse setting [${setting}] with value [${raw}] as a size in bytes`);
  }
  const bytes = Math.floor(amount * unit[1]);
  const suffix = unit[0].length === 1 && unit[0] !== "b" ? `${unit[0]}b` : unit[0];
  // Fractional sizes are converted to bytes, as ByteSizeValue does.
  const text = Number.isInteger(amount) ? `${amount}${suffix}` : `${bytes}b`;
  return { bytes, text };
}

/** Formats bytes the way `?human` does ("1.5kb", "240mb"). */
export function humanBytes(bytes: number): string {
  const units: [string, number][] = [
    ["pb", 1024 ** 5],
    ["tb", 1024 ** 4],
    ["gb", 1024 ** 3],
    ["mb", 1024 ** 2],
    ["kb", 1024],
  ];
  for (const [suffix, size] of units) {
    if (bytes >= size) {
      return `${oneDecimal(bytes / size)}${suffix}`;
    }
  }
  return `${bytes}b`;
}
