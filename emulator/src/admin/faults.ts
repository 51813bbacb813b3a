/**
 * Fault injection. A fault matches requests by method and path regex and fires for the next
 * `times` matches, or on a `probability` fraction of them drawn from a seeded generator (so a
 * run with the same seed and request sequence fires on the same requests).
 */
import type { RouteResult } from "../http/types";
import { SeededRandom } from "../random";
import type { Fault, FaultSpec } from "./types";

const SPEC_KEYS = [
  "method",
  "path",
  "when",
  "status",
  "body",
  "headers",
  "elasticProduct",
  "reset",
  "delayMs",
  "times",
  "probability",
];

/** Checks a fault spec from an untrusted source; throws an Error naming the bad property. */
export function validateFaultSpec(input: unknown): FaultSpec {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new Error(`fault: expected a JSON object with ${SPEC_KEYS.join(", ")}`);
  }
  const spec = input as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(key))
      throw new Error(`fault: unknown property "${key}"; allowed: ${SPEC_KEYS.join(", ")}`);
  }
  const fail = (key: string, allowed: string): never => {
    throw new Error(`fault.${key}: ${JSON.stringify(spec[key])} is not allowed; expected ${allowed}`);
  };
  if (spec.method !== undefined && (typeof spec.method !== "string" || !/^[A-Za-z]+$/.test(spec.method))) {
    fail("method", 'an HTTP method such as "POST"');
  }
  if (spec.path !== undefined) {
    if (typeof spec.path !== "string") fail("path", "a regular expression source string");
    try {
      new RegExp(spec.path as string);
    } catch {
      fail("path", "a valid regular expression");
    }
  }
  if (spec.when !== undefined && spec.when !== "before" && spec.when !== "after")
    fail("when", '"before" or "after"');
  const isInt = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v);
  if (
    spec.status !== undefined &&
    (!isInt(spec.status) || (spec.status as number) < 100 || (spec.status as number) > 599)
  ) {
    fail("status", "an integer HTTP status from 100 to 599");
  }
  if (spec.reset !== undefined && typeof spec.reset !== "boolean") fail("reset", "a boolean");
  if (spec.elasticProduct !== undefined && typeof spec.elasticProduct !== "boolean")
    fail("elasticProduct", "a boolean");
  if (spec.headers !== undefined) {
    const headers = spec.headers as unknown;
    if (
      headers === null ||
      typeof headers !== "object" ||
      Array.isArray(headers) ||
      Object.entries(headers).some(
        ([name, value]) => !/^[A-Za-z0-9-]+$/.test(name) || typeof value !== "string",
      )
    ) {
      fail("headers", 'an object of header names to string values, e.g. {"Retry-After": "2"}');
    }
  }
  if (spec.delayMs !== undefined && (!isInt(spec.delayMs) || (spec.delayMs as number) < 0))
    fail("delayMs", "a non-negative integer");
  if (spec.times !== undefined && (!isInt(spec.times) || (spec.times as number) < 1))
    fail("times", "a positive integer");
  if (
    spec.probability !== undefined &&
    (typeof spec.probability !== "number" ||
      (spec.probability as number) < 0 ||
      (spec.probability as number) > 1)
  ) {
    fail("probability", "a number from 0 to 1");
  }
  if (spec.reset === true && spec.status !== undefined) {
    throw new Error("fault: status and reset are exclusive (a reset connection sends no status)");
  }
  if (spec.status === undefined && spec.reset !== true && spec.delayMs === undefined) {
    throw new Error("fault: needs at least one of status, reset: true or delayMs");
  }
  if (spec.body !== undefined && spec.status === undefined) throw new Error("fault.body: needs a status");
  if (spec.headers !== undefined && spec.status === undefined)
    throw new Error("fault.headers: needs a status");
  if (spec.elasticProduct !== undefined && spec.status === undefined)
    throw new Error("fault.elasticProduct: needs a status");
  return spec as FaultSpec;
}

export class FaultManager {
  private faults: Fault[] = [];
  private counter = 0;
  private random: SeededRandom;

  constructor(private readonly seed: number) {
    this.random = new SeededRandom(seed);
  }

  add(input: FaultSpec): Fault {
    const spec = validateFaultSpec(input);
    this.counter++;
    const fault: Fault = { ...spec, when: spec.when ?? "before", id: `fault-${this.counter}`, fired: 0 };
    this.faults.push(fault);
    return { ...fault };
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((fault) => fault.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Clears faults and restarts the generator from the seed. */
  reset(): void {
    this.faults = [];
    this.counter = 0;
    this.random = new SeededRandom(this.seed);
  }

  /** The first fault that fires for this request (its counter is incremented), if any. */
  take(method: string, path: string): Fault | undefined {
    for (const fault of this.faults) {
      if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (fault.path && !new RegExp(fault.path).test(path)) continue;
      const limit = fault.times ?? (fault.probability === undefined ? 1 : Infinity);
      if (fault.fired >= limit) continue;
      if (fault.probability !== undefined && this.random.next() >= fault.probability) continue;
      fault.fired++;
      return { ...fault };
    }
    return undefined;
  }
}

const TYPES_BY_STATUS: Record<number, string> = {
  400: "illegal_argument_exception",
  401: "security_exception",
  403: "security_exception",
  404: "resource_not_found_exception",
  408: "status_exception",
  409: "status_exception",
  429: "es_rejected_execution_exception",
  500: "exception",
  503: "master_not_discovered_exception",
};

/**
 * The answer an injected status gives. It carries `X-Elastic-Product: Elasticsearch` (as every answer of
 * Elasticsearch 7.14+ does) only when it stands for Elasticsearch's own refusal: by default a `before` fault
 * does (the cluster refused before acting) and an `after` fault does not (the request was applied, so the
 * error can only come from a proxy in between, or stand for an answer that was lost). `elasticProduct`
 * overrides that, e.g. `false` on a `before` fault for a proxy that refuses without forwarding.
 */
export function faultResult(fault: Fault, status: number): RouteResult {
  const fromElasticsearch = fault.elasticProduct ?? fault.when !== "after";
  return {
    status,
    body: fault.body ?? defaultFaultBody(status, fault.id),
    headers: fault.headers,
    notFromElasticsearch: !fromElasticsearch,
  };
}

/** An Elasticsearch-shaped error body for an injected status. */
export function defaultFaultBody(status: number, faultId: string): Record<string, unknown> {
  const type = TYPES_BY_STATUS[status] ?? "status_exception";
  const reason = `fault [${faultId}] injected by the emulator (HTTP ${status})`;
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}
