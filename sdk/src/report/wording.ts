/**
 * Words for reviewers: property labels, values and the one-line description of each operation
 * ("scales 2 → 4 allocations", "restarts: threads 1 → 2", "stops, with force"). Pure.
 */
import type { Difference, ScalingPlan } from "../provider/diff";
import { isPlainObject, isUnknown, type StopFlags } from "../provider/inputs";
import { type Capacity, type CapacityEstimate, isExact, isUnknownCapacity, type Range } from "./capacity";
import { SECRET_PLACEHOLDER } from "./previewDocument";

/** Short labels for the resource's properties. */
const LABELS: Readonly<Record<string, string>> = {
  modelId: "model",
  deploymentId: "deployment id",
  state: "state",
  numberOfAllocations: "allocations",
  adaptiveAllocations: "adaptive allocations",
  threadsPerAllocation: "threads",
  priority: "priority",
  queueCapacity: "queue capacity",
  cacheSize: "cache size",
  waitFor: "wait for",
  waitTimeoutSeconds: "wait timeout",
  stop: "stop flags",
  adoptExisting: "adopt existing",
  connection: "connection",
};

/** What a value not known until apply reads as. */
export const UNKNOWN_TEXT = "(known after apply)";

/** The reviewer's name for a property. */
export function label(property: string): string {
  return LABELS[property] ?? property;
}

/** A property value as a reviewer reads it (plain text, no Markdown). */
export function formatValue(property: string, value: unknown): string {
  if (isUnknown(value)) return UNKNOWN_TEXT;
  if (value === SECRET_PLACEHOLDER) return SECRET_PLACEHOLDER;
  if (value === undefined || value === null) return "(unset)";
  if (property === "adaptiveAllocations" && isPlainObject(value)) return formatAdaptive(value);
  if (property === "stop" && isPlainObject(value)) return formatStopFlags(value as StopFlags) || "(none)";
  if (property === "waitTimeoutSeconds" && typeof value === "number") return `${value} s`;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function formatAdaptive(value: Record<string, unknown>): string {
  if (value.enabled === false) return "off";
  if (isUnknown(value.enabled)) return UNKNOWN_TEXT;
  const min = value.minNumberOfAllocations;
  const max = value.maxNumberOfAllocations;
  if (min === undefined && max === undefined) return "on";
  return `on, ${bound(min, "0")}–${bound(max, "no maximum")}`;
}

function bound(value: unknown, unset: string): string {
  if (value === undefined || value === null) return unset;
  if (isUnknown(value)) return "?";
  return String(value);
}

/** `force, finishPendingWork=false`: the flags that are set, `true` ones by name. */
export function formatStopFlags(flags: StopFlags): string {
  return (Object.entries(flags) as [string, unknown][])
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (v === true ? k : `${k}=${isUnknown(v) ? "?" : String(v)}`))
    .join(", ");
}

/** "1 allocation", "2 allocations", "1–4 allocations", "0–no maximum allocations". */
export function countOf(range: Range, noun: string): string {
  if (isExact(range)) return `${range.min} ${noun}${range.min === 1 ? "" : "s"}`;
  return `${range.min}–${range.max === null ? "no maximum" : range.max} ${noun}s`;
}

/** "2 allocations × 1 thread", or "adaptive 1–4 allocations × 1 thread". */
export function shape(c: Capacity): string {
  const threads = `${c.threadsPerAllocation} thread${c.threadsPerAllocation === 1 ? "" : "s"}`;
  return `${c.adaptive ? "adaptive " : ""}${countOf(c.allocations, "allocation")} × ${threads}`;
}

/** "4 vCPUs", "0–8 vCPUs", "2+ vCPUs" (open maximum). */
export function vcpus(r: Range): string {
  if (isExact(r)) return `${r.min} vCPU${r.min === 1 ? "" : "s"}`;
  if (r.max === null) return `${r.min}+ vCPUs`;
  return `${r.min}–${r.max} vCPUs`;
}

/** A signed change: "+6 vCPUs", "−2 vCPUs", "±0 vCPUs", "−4 to +4 vCPUs", "+2 vCPUs or more". */
export function signedVcpus(r: Range): string {
  const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "±0");
  if (r.max === null) return `${signed(r.min)} vCPUs or more`;
  if (r.min === r.max) return `${signed(r.min)} vCPU${Math.abs(r.min) === 1 ? "" : "s"}`;
  return `${signed(r.min)} to ${signed(r.max)} vCPUs`;
}

/** A capacity for a table cell: "2 vCPUs (2 × 1)", "stopped", or why it is unknown. */
export function capacityCell(c: CapacityEstimate): string {
  if (isUnknownCapacity(c)) return `unknown (${c.reason})`;
  if (!c.running) return "0 (not running)";
  return vcpus(c.vcpus);
}

/** The phrase for the stop flags a stop sends: ", with force", ", after finishing pending work". */
export function stopManner(flags: StopFlags): string {
  const parts: string[] = [];
  if (flags.force === true) parts.push("with force");
  if (flags.finishPendingWork === true) parts.push("after finishing pending work");
  return parts.length === 0 ? "" : `, ${parts.join(", ")}`;
}

/** "threads 1 → 2" for each difference. */
export function changeList(differences: readonly Difference[]): string {
  return differences
    .map((d) => `${label(d.property)} ${formatValue(d.property, d.from)} → ${formatValue(d.property, d.to)}`)
    .join(", ");
}

/** The headline of an in-place scale. */
export function scalingPhrase(
  scaling: ScalingPlan | undefined,
  differences: readonly Difference[],
  before: CapacityEstimate,
  after: CapacityEstimate,
): string {
  const adaptiveDiff = differences.find((d) => d.property === "adaptiveAllocations");
  const countDiff = differences.find((d) => d.property === "numberOfAllocations");
  if (scaling?.leavesAdaptive) {
    return `leaves adaptive allocations: fixed ${countOf({ min: scaling.numberOfAllocations ?? 1, max: scaling.numberOfAllocations ?? 1 }, "allocation")}`;
  }
  if (adaptiveDiff !== undefined) {
    const wasOn = isPlainObject(adaptiveDiff.from) && adaptiveDiff.from.enabled === true;
    if (isUnknown(adaptiveDiff.to) || !isPlainObject(adaptiveDiff.to))
      return `changes adaptive allocations (${UNKNOWN_TEXT})`;
    const bounds = !isUnknownCapacity(after)
      ? countOf(after.allocations, "allocation")
      : formatValue("adaptiveAllocations", adaptiveDiff.to);
    if (!wasOn) return `switches to adaptive allocations (${bounds})`;
    const was = !isUnknownCapacity(before)
      ? countOf(before.allocations, "allocation")
      : formatValue("adaptiveAllocations", adaptiveDiff.from);
    return `changes adaptive allocations ${stripNoun(was)} → ${bounds}`;
  }
  if (countDiff !== undefined) {
    return `scales ${formatValue("numberOfAllocations", countDiff.from)} → ${formatValue("numberOfAllocations", countDiff.to)} allocations`;
  }
  return "updates in place";
}

function stripNoun(text: string): string {
  return text.replace(/ allocations?$/, "");
}
