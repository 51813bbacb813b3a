/**
 * `check`: fill defaults and validate every Elasticsearch rule before anything is sent, so bad input
 * fails at preview with a message naming the property, the value and what is allowed.
 *
 * Pure: no I/O, no Pulumi runtime. Values equal to Pulumi's unknown sentinel (preview) are skipped, as is
 * any cross-field rule that depends on one.
 */
import {
  ADAPTIVE_PROPERTIES,
  DEFAULT_STATE,
  DEFAULT_WAIT_FOR,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  DEPLOYMENT_STATES,
  DeploymentInputs,
  INPUT_PROPERTIES,
  isPlainObject,
  isUnknown,
  MAX_ID_LENGTH,
  MAX_INT32,
  MAX_QUEUE_CAPACITY,
  MAX_THREADS_PER_ALLOCATION,
  MAX_WAIT_TIMEOUT_SECONDS,
  NESTED_INPUTS,
  PRIORITIES,
  PROVIDER_KEY,
  PULUMI_UNKNOWN,
  STOP_FLAG_PROPERTIES,
  WAIT_FOR_VALUES,
  withoutNulls,
} from "./inputs";

import { checkConnectionArgument } from "./connectionInput";

/** One validation failure; `property` is a dotted path such as `adaptiveAllocations.enabled`. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** The result of {@link checkInputs}: normalized inputs (defaults filled) and every failure found. */
export interface CheckOutcome {
  inputs: DeploymentInputs;
  failures: CheckFailure[];
}

// Elasticsearch's model-id rule (MlStrings), plus an optional leading "." for built-in and downloadable
// models such as ".elser_model_2" and ".elser_model_2_linux-x86_64". Deployment ids share the namespace.
export const ID_PATTERN = /^\.?[a-z0-9](?:[a-z0-9_\-.]*[a-z0-9])?$/;
// "0" alone, or a non-negative decimal with a unit. Elasticsearch also accepts the one-letter units and
// lowercases the value before parsing, so "512K" and "1.5GB" are valid there too.
const BYTE_SIZE_PATTERN = /^(\d+(?:\.\d+)?)(b|kb?|mb?|gb?|tb?|pb?)$/i;
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};
// Elasticsearch refuses byte sizes above Long.MAX_VALUE (2^63 - 1).
const TOO_MANY_BYTES = 2 ** 63;

export const ID_RULE =
  'must be a string of 1 to 64 characters: lowercase letters (a-z), digits (0-9), "-", "_" and ".", ' +
  'starting and ending with a letter or digit (a leading "." is allowed for built-in models such as ".elser_model_2")';
const THREADS_RULE = `must be a power of 2 from 1 to ${MAX_THREADS_PER_ALLOCATION} (1, 2, 4, 8, 16, 32)`;
const QUEUE_RULE =
  `must be an integer from 1 to ${MAX_QUEUE_CAPACITY} ` +
  "(the Elasticsearch 9.x limit; 8.x allowed up to 1000000)";
const CACHE_RULE =
  'must be a byte size such as "0", "512kb" or "1.5gb": a non-negative number with a unit ' +
  '(b, kb, mb, gb, tb or pb, any case; a fraction is allowed except for b); "0" disables the cache';
export const WAIT_TIMEOUT_RULE =
  `must be a number of seconds greater than 0 and at most ${MAX_WAIT_TIMEOUT_SECONDS} ` +
  "(about 24.8 days, the longest delay a Node.js timer holds)";
const BOOLEAN_RULE = "must be true or false";
const ADAPTIVE_RULE = "must be an object { enabled, minNumberOfAllocations?, maxNumberOfAllocations? }";
const STOP_RULE = "must be an object { force?, finishPendingWork?, allowNoMatch? }";
const LOW_PRIORITY_RULE = "a low-priority deployment has exactly 1 allocation of 1 thread";

/**
 * Validate and normalize a `TrainedModelDeployment`'s inputs.
 *
 * @param _olds The previous inputs (unused: every rule depends on the new inputs only).
 * @param news The inputs as the engine passes them (may hold `__provider` and unknown sentinels).
 * @returns The inputs with defaults filled (`deploymentId` = `modelId`, `state`, `waitFor`,
 *   `waitTimeoutSeconds`), with unset (`undefined`/`null`) properties, unset members of
 *   `adaptiveAllocations` and `stop`, and `__provider` left out, and every
 *   failure found. Inputs are returned even when there are failures; the engine stops on failures.
 */
export function checkInputs(_olds: unknown, news: unknown): CheckOutcome {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string): void => {
    failures.push({ property, reason });
  };
  const raw: Record<string, unknown> = isPlainObject(news) ? news : {};
  if (!isPlainObject(news)) {
    fail("", `the inputs: ${show(news)} are not allowed; must be an object of properties`);
  }

  const given = new Map<string, unknown>();
  for (const [key, value] of Object.entries(raw)) {
    if (key === PROVIDER_KEY) continue;
    if (!(INPUT_PROPERTIES as readonly string[]).includes(key)) {
      fail(key, unknownPropertyReason(key, "", INPUT_PROPERTIES));
      continue;
    }
    // Pulumi leaves unset inputs out, but a null from YAML or JSON means the same, nested ones included.
    if (value === undefined || value === null) continue;
    given.set(key, (NESTED_INPUTS as readonly string[]).includes(key) ? withoutNulls(value) : value);
  }
  const value = (key: string): unknown => given.get(key);
  const known = (key: string): boolean => given.has(key) && !isUnknown(given.get(key));

  // Identity.
  if (!given.has("modelId")) {
    fail("modelId", `modelId is required; ${ID_RULE}`);
  } else {
    checkId("modelId", value("modelId"), fail);
  }
  if (given.has("deploymentId")) checkId("deploymentId", value("deploymentId"), fail);

  if (known("state")) checkEnum("state", value("state"), DEPLOYMENT_STATES, fail);

  // Scaling and start parameters.
  if (known("numberOfAllocations")) {
    checkInteger("numberOfAllocations", value("numberOfAllocations"), 1, MAX_INT32, fail);
  }
  if (known("threadsPerAllocation")) {
    const threads = value("threadsPerAllocation");
    if (!isPowerOfTwoUpTo(threads, MAX_THREADS_PER_ALLOCATION)) {
      fail("threadsPerAllocation", `threadsPerAllocation: ${show(threads)} is not allowed; ${THREADS_RULE}`);
    }
  }
  if (known("priority")) checkEnum("priority", value("priority"), PRIORITIES, fail);
  if (known("queueCapacity")) {
    const queue = value("queueCapacity");
    if (!isIntegerIn(queue, 1, MAX_QUEUE_CAPACITY)) {
      fail("queueCapacity", `queueCapacity: ${show(queue)} is not allowed; ${QUEUE_RULE}`);
    }
  }
  if (known("cacheSize")) {
    const cache = value("cacheSize");
    if (typeof cache !== "string" || parseByteSize(cache) === undefined) {
      fail("cacheSize", `cacheSize: ${show(cache)} is not allowed; ${CACHE_RULE}`);
    }
  }
  if (known("adaptiveAllocations")) checkAdaptive(value("adaptiveAllocations"), fail);
  checkCrossFieldRules(given, fail);

  // Provider behaviour.
  if (known("waitFor")) checkEnum("waitFor", value("waitFor"), WAIT_FOR_VALUES, fail);
  if (known("waitTimeoutSeconds")) {
    const timeout = value("waitTimeoutSeconds");
    if (!isFiniteNumber(timeout) || timeout <= 0 || timeout > MAX_WAIT_TIMEOUT_SECONDS) {
      fail("waitTimeoutSeconds", `waitTimeoutSeconds: ${show(timeout)} is not allowed; ${WAIT_TIMEOUT_RULE}`);
    }
  }
  if (known("stop")) checkStop(value("stop"), fail);
  if (known("adoptExisting") && typeof value("adoptExisting") !== "boolean") {
    fail("adoptExisting", `adoptExisting: ${show(value("adoptExisting"))} is not allowed; ${BOOLEAN_RULE}`);
  }
  // A name or an object of settings (the shared rules of every resource; never shows a credential).
  if (known("connection")) {
    for (const failure of checkConnectionArgument(value("connection")))
      fail(failure.property, failure.reason);
  }

  return { inputs: normalize(given), failures };
}

/** Defaults are filled here, not in the resource, so every later call (diff, create, delete) sees them. */
function normalize(given: Map<string, unknown>): DeploymentInputs {
  const inputs: Record<string, unknown> = {};
  for (const key of INPUT_PROPERTIES) {
    if (given.has(key)) inputs[key] = given.get(key);
  }
  // An unknown modelId makes the defaulted deploymentId unknown too, which is what the engine must show.
  if (!given.has("deploymentId") && given.has("modelId")) inputs.deploymentId = given.get("modelId");
  if (!given.has("state")) inputs.state = DEFAULT_STATE;
  if (!given.has("waitFor")) inputs.waitFor = DEFAULT_WAIT_FOR;
  if (!given.has("waitTimeoutSeconds")) inputs.waitTimeoutSeconds = DEFAULT_WAIT_TIMEOUT_SECONDS;
  return inputs as unknown as DeploymentInputs;
}

type Fail = (property: string, reason: string) => void;

function checkId(property: string, id: unknown, fail: Fail): void {
  if (isUnknown(id)) return;
  if (typeof id === "string" && id.length > MAX_ID_LENGTH) {
    fail(
      property,
      `${property}: ${show(id)} is not allowed; must be at most ${MAX_ID_LENGTH} characters (it has ${id.length})`,
    );
    return;
  }
  if (typeof id !== "string" || !ID_PATTERN.test(id)) {
    fail(property, `${property}: ${show(id)} is not allowed; ${ID_RULE}`);
  }
}

function checkEnum(property: string, value: unknown, allowed: readonly string[], fail: Fail): void {
  if (typeof value === "string" && allowed.includes(value)) return;
  const list = allowed.map((v) => JSON.stringify(v)).join(", ");
  fail(property, `${property}: ${show(value)} is not allowed; must be one of ${list}`);
}

function checkInteger(property: string, value: unknown, min: number, max: number, fail: Fail): void {
  if (isIntegerIn(value, min, max)) return;
  const rule =
    isIntegerIn(value, min, Number.MAX_SAFE_INTEGER) && (value as number) > max
      ? `must be an integer of at most ${max}`
      : `must be an integer of at least ${min}`;
  fail(property, `${property}: ${show(value)} is not allowed; ${rule}`);
}

function checkAdaptive(adaptive: unknown, fail: Fail): void {
  if (!isPlainObject(adaptive)) {
    fail("adaptiveAllocations", `adaptiveAllocations: ${show(adaptive)} is not allowed; ${ADAPTIVE_RULE}`);
    return;
  }
  for (const key of Object.keys(adaptive)) {
    if (!(ADAPTIVE_PROPERTIES as readonly string[]).includes(key)) {
      fail(
        `adaptiveAllocations.${key}`,
        unknownPropertyReason(key, "adaptiveAllocations", ADAPTIVE_PROPERTIES),
      );
    }
  }
  const enabled = adaptive.enabled;
  if (enabled === undefined || enabled === null) {
    fail("adaptiveAllocations.enabled", `adaptiveAllocations.enabled is required; ${BOOLEAN_RULE}`);
  } else if (!isUnknown(enabled) && typeof enabled !== "boolean") {
    fail(
      "adaptiveAllocations.enabled",
      `adaptiveAllocations.enabled: ${show(enabled)} is not allowed; ${BOOLEAN_RULE}`,
    );
  }
  const min = adaptive.minNumberOfAllocations;
  const max = adaptive.maxNumberOfAllocations;
  const minSet = min !== undefined && min !== null && !isUnknown(min);
  const maxSet = max !== undefined && max !== null && !isUnknown(max);
  // ES 8.16+ may scale to zero, hence min >= 0 (the client gates older versions at run time).
  if (minSet) checkInteger("adaptiveAllocations.minNumberOfAllocations", min, 0, MAX_INT32, fail);
  if (maxSet) checkInteger("adaptiveAllocations.maxNumberOfAllocations", max, 1, MAX_INT32, fail);
  if (minSet && maxSet && isIntegerIn(min, 0, MAX_INT32) && isIntegerIn(max, 1, MAX_INT32) && min > max) {
    fail(
      "adaptiveAllocations.minNumberOfAllocations",
      `adaptiveAllocations.minNumberOfAllocations: ${min} is not allowed; ` +
        `must not be larger than adaptiveAllocations.maxNumberOfAllocations (${max})`,
    );
  }
}

/** Rules that span properties; each runs only when all the values it needs are known and well-typed. */
function checkCrossFieldRules(given: Map<string, unknown>, fail: Fail): void {
  const allocations = given.get("numberOfAllocations");
  const threads = given.get("threadsPerAllocation");
  const adaptive = given.get("adaptiveAllocations");
  const adaptiveEnabled = isPlainObject(adaptive) && adaptive.enabled === true;

  if (adaptiveEnabled && isIntegerIn(allocations, 1, MAX_INT32)) {
    fail(
      "numberOfAllocations",
      `numberOfAllocations: ${allocations} is not allowed while adaptiveAllocations.enabled is true; ` +
        "set either numberOfAllocations or adaptiveAllocations (Elasticsearch then picks the count " +
        "between minNumberOfAllocations and maxNumberOfAllocations)",
    );
  }

  if (given.get("priority") !== "low") return;
  if (isIntegerIn(allocations, 2, MAX_INT32)) {
    fail(
      "numberOfAllocations",
      `numberOfAllocations: ${allocations} is not allowed with priority "low"; ${LOW_PRIORITY_RULE}`,
    );
  }
  if (isPowerOfTwoUpTo(threads, MAX_THREADS_PER_ALLOCATION) && (threads as number) > 1) {
    fail(
      "threadsPerAllocation",
      `threadsPerAllocation: ${threads} is not allowed with priority "low"; ${LOW_PRIORITY_RULE}`,
    );
  }
  const max = isPlainObject(adaptive) ? adaptive.maxNumberOfAllocations : undefined;
  if (adaptiveEnabled && isIntegerIn(max, 2, MAX_INT32)) {
    fail(
      "adaptiveAllocations.maxNumberOfAllocations",
      `adaptiveAllocations.maxNumberOfAllocations: ${max} is not allowed with priority "low"; ` +
        `must be at most 1 (${LOW_PRIORITY_RULE})`,
    );
  }
}

function checkStop(stop: unknown, fail: Fail): void {
  if (!isPlainObject(stop)) {
    fail("stop", `stop: ${show(stop)} is not allowed; ${STOP_RULE}`);
    return;
  }
  for (const [key, flag] of Object.entries(stop)) {
    const property = `stop.${key}`;
    if (!(STOP_FLAG_PROPERTIES as readonly string[]).includes(key)) {
      fail(property, unknownPropertyReason(key, "stop", STOP_FLAG_PROPERTIES));
    } else if (flag !== undefined && flag !== null && !isUnknown(flag) && typeof flag !== "boolean") {
      fail(property, `${property}: ${show(flag)} is not allowed; ${BOOLEAN_RULE}`);
    }
  }
}

function unknownPropertyReason(key: string, parent: string, known: readonly string[]): string {
  const where = parent === "" ? "" : ` of ${parent}`;
  const path = parent === "" ? key : `${parent}.${key}`;
  const suggestion = closest(key, known);
  const hint = suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
  return `${path} is not a known property${where}${hint}; known properties${where} are: ${known.join(", ")}`;
}

/** The known name a typo most likely meant: same letters ignoring case and "_"/"-", or within 2 edits. */
function closest(key: string, known: readonly string[]): string | undefined {
  const squash = (s: string): string => s.toLowerCase().replace(/[_-]/g, "");
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    if (squash(candidate) === squash(key)) return candidate;
    const distance = editDistance(squash(key), squash(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function isPowerOfTwoUpTo(value: unknown, max: number): value is number {
  return isIntegerIn(value, 1, max) && (value & (value - 1)) === 0;
}

/**
 * Parse an Elasticsearch byte size (`"0"`, `"0b"`, `"512kb"`, `"1.5gb"`, case-insensitive) into bytes.
 * Fractions are truncated to whole bytes as Elasticsearch does.
 *
 * @returns The size in bytes, or `undefined` when the text is not a valid non-negative byte size.
 */
export function parseByteSize(text: string): number | undefined {
  if (text === "0") return 0;
  const match = BYTE_SIZE_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, amount, unit] = match;
  const multiplier = UNIT_BYTES[unit[0].toLowerCase()];
  // A fraction of a byte is not a size (Elasticsearch would silently truncate "1.5b" to 1 byte).
  if (multiplier === 1 && amount.includes(".")) return undefined;
  const bytes = Math.trunc(Number(amount) * multiplier);
  return bytes >= TOO_MANY_BYTES ? undefined : bytes;
}

/** Render a bad value for a message: strings quoted, long values shortened, NaN and Infinity as such. */
export function show(value: unknown): string {
  if (value === PULUMI_UNKNOWN) return "(unknown until apply)";
  if (value === undefined) return "undefined";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const limit = 100;
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text;
}
