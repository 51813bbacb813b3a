/**
 * The `adaptive_allocations` object of start and update (8.15+): strict parsing, validation
 * messages (§2.2) and the update merge rules (§4.1: fields merge, -1 resets a bound).
 */
import { JsonBody, readObject } from "../body";
import type { AdaptiveSettings } from "../state/deployments";
import type { VersionProfile } from "../versions";

/** Raw request values: `-1` means "reset this bound"; absent fields are undefined. */
export interface AdaptiveRequest {
  enabled?: boolean;
  min_number_of_allocations?: number;
  max_number_of_allocations?: number;
}

export function readAdaptive(body: JsonBody, value: Record<string, unknown> | null): AdaptiveRequest | null {
  if (value === null) return null;
  const fields = readObject(
    body,
    "adaptive_allocations_settings",
    { enabled: "bool", min_number_of_allocations: "int", max_number_of_allocations: "int" },
    value,
  );
  const out: AdaptiveRequest = {};
  if (fields.enabled !== undefined && fields.enabled !== null) out.enabled = fields.enabled as boolean;
  if (typeof fields.min_number_of_allocations === "number")
    out.min_number_of_allocations = fields.min_number_of_allocations;
  if (typeof fields.max_number_of_allocations === "number")
    out.max_number_of_allocations = fields.max_number_of_allocations;
  return out;
}

/** Validation messages; -1 is treated as unset. Before 8.16 the minimum must be positive. */
export function adaptiveErrors(settings: AdaptiveRequest, profile: VersionProfile): string[] {
  const errors: string[] = [];
  const min = settings.min_number_of_allocations === -1 ? undefined : settings.min_number_of_allocations;
  const max = settings.max_number_of_allocations === -1 ? undefined : settings.max_number_of_allocations;
  if (min !== undefined) {
    if (profile.has("scaleToZero") && min < 0)
      errors.push("[min_number_of_allocations] must be a non-negative integer or null");
    if (!profile.has("scaleToZero") && min < 1)
      errors.push("[min_number_of_allocations] must be a positive integer or null");
  }
  if (max !== undefined && max < 1)
    errors.push("[max_number_of_allocations] must be a positive integer or null");
  if (min !== undefined && max !== undefined && min > max) {
    errors.push("[min_number_of_allocations] must not be larger than [max_number_of_allocations]");
  }
  return errors;
}

/** Settings as stored: `enabled` defaults to false, -1 bounds dropped. */
export function normalizeAdaptive(request: AdaptiveRequest): AdaptiveSettings {
  const out: AdaptiveSettings = { enabled: request.enabled ?? false };
  if (request.min_number_of_allocations !== undefined && request.min_number_of_allocations !== -1) {
    out.min_number_of_allocations = request.min_number_of_allocations;
  }
  if (request.max_number_of_allocations !== undefined && request.max_number_of_allocations !== -1) {
    out.max_number_of_allocations = request.max_number_of_allocations;
  }
  return out;
}

/** Update merge: request fields override, -1 removes a bound, absent fields are kept. */
export function mergeAdaptive(current: AdaptiveSettings | null, request: AdaptiveRequest): AdaptiveSettings {
  const merged: AdaptiveSettings = { enabled: request.enabled ?? current?.enabled ?? false };
  const pick = (key: "min_number_of_allocations" | "max_number_of_allocations"): void => {
    const requested = request[key];
    if (requested === -1) return;
    const value = requested ?? current?.[key];
    if (value !== undefined) merged[key] = value;
  };
  pick("min_number_of_allocations");
  pick("max_number_of_allocations");
  return merged;
}
