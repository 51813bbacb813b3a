/**
 * ML capacity of a deployment: allocations × threads per allocation, which is the number of vCPUs
 * (allocated processors) Elasticsearch reserves on ML nodes. With adaptive allocations the count moves
 * between the bounds, so capacity is a range; an unset lower bound is 0 (adaptive deployments may scale to
 * zero on 8.16+) and an unset upper bound is open (`max: null`).
 */
import { containsUnknown, isPlainObject } from "../provider/inputs";
import { SECRET_PLACEHOLDER } from "./previewDocument";

/** An inclusive range; `max: null` means no upper bound is declared. */
export interface Range {
  min: number;
  max: number | null;
}

/** Capacity while a deployment runs as described; all zero when it does not run. */
export interface Capacity {
  running: boolean;
  /** The count moves between bounds (adaptive allocations). */
  adaptive: boolean;
  allocations: Range;
  threadsPerAllocation: number;
  /** allocations × threads per allocation. */
  vcpus: Range;
}

/** A capacity that cannot be computed yet, e.g. a value known only after apply. */
export interface UnknownCapacity {
  unknown: true;
  reason: string;
}

export type CapacityEstimate = Capacity | UnknownCapacity;

/** Elasticsearch's defaults: one allocation of one thread. */
export const DEFAULT_ALLOCATIONS = 1;
export const DEFAULT_THREADS = 1;

export function isUnknownCapacity(c: CapacityEstimate): c is UnknownCapacity {
  return (c as UnknownCapacity).unknown === true;
}

/** A deployment that does not run: no capacity. */
export function notRunning(threadsPerAllocation = DEFAULT_THREADS): Capacity {
  return {
    running: false,
    adaptive: false,
    allocations: { min: 0, max: 0 },
    threadsPerAllocation,
    vcpus: { min: 0, max: 0 },
  };
}

/** A fixed number of allocations. */
export function fixed(allocations: number, threadsPerAllocation: number): Capacity {
  const vcpus = allocations * threadsPerAllocation;
  return {
    running: true,
    adaptive: false,
    allocations: { min: allocations, max: allocations },
    threadsPerAllocation,
    vcpus: { min: vcpus, max: vcpus },
  };
}

/** Adaptive allocations between `min` (default 0) and `max` (default open). */
export function adaptive(
  min: number | undefined,
  max: number | undefined,
  threadsPerAllocation: number,
): Capacity {
  const lo = min ?? 0;
  const hi = max ?? null;
  return {
    running: true,
    adaptive: true,
    allocations: { min: lo, max: hi },
    threadsPerAllocation,
    vcpus: { min: lo * threadsPerAllocation, max: hi === null ? null : hi * threadsPerAllocation },
  };
}

/** `after − before`, bound by bound (an open bound on either side leaves the upper change open). */
export function difference(before: Range, after: Range): Range {
  return {
    min: after.min - before.min,
    max: after.max === null || before.max === null ? null : after.max - before.max,
  };
}

/** Sums ranges; an open bound anywhere leaves the sum's upper bound open. */
export function sum(ranges: readonly Range[]): Range {
  let min = 0;
  let max: number | null = 0;
  for (const r of ranges) {
    min += r.min;
    max = max === null || r.max === null ? null : max + r.max;
  }
  return { min, max };
}

/** True when the range is one number. */
export function isExact(r: Range): r is { min: number; max: number } {
  return r.max === r.min;
}

/**
 * Capacity from declared or recorded allocation settings (a deployment's or an inference endpoint's), or
 * why it cannot be known at preview (a value known after apply, or a secret).
 */
export function capacityFrom(adaptiveValue: unknown, count: unknown, threads: unknown): CapacityEstimate {
  const unknownReason = (what: string, value: unknown): string | undefined =>
    containsUnknown(value)
      ? `${what} known after apply`
      : hasSecret(value)
        ? `${what} is a secret`
        : undefined;
  const reason =
    unknownReason("threads", threads) ??
    unknownReason("adaptive allocations", adaptiveValue) ??
    (isPlainObject(adaptiveValue) && adaptiveValue.enabled === true
      ? undefined
      : unknownReason("allocations", count));
  if (reason !== undefined) return { unknown: true, reason };
  const t = typeof threads === "number" ? threads : DEFAULT_THREADS;
  if (isPlainObject(adaptiveValue) && adaptiveValue.enabled === true) {
    const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
    return adaptive(num(adaptiveValue.minNumberOfAllocations), num(adaptiveValue.maxNumberOfAllocations), t);
  }
  return fixed(typeof count === "number" ? count : DEFAULT_ALLOCATIONS, t);
}

function hasSecret(value: unknown): boolean {
  if (value === SECRET_PLACEHOLDER) return true;
  if (isPlainObject(value)) return Object.values(value).some(hasSecret);
  return false;
}
