/**
 * A subset of `filter_path`: comma-separated dotted paths with `*` (one level) and `**` (any
 * depth) wildcards, inclusion only (exclusions with `-` are not supported).
 */
type Filter = string[];

export function applyFilterPath(value: unknown, filterPath: string): unknown {
  const filters = filterPath
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f.length > 0 && !f.startsWith("-"))
    .map((f) => f.split("."));
  if (filters.length === 0) return value;
  const result = filter(value, filters);
  return result === undefined ? {} : result;
}

function segmentMatches(segment: string, key: string): boolean {
  if (segment === "*" || segment === "**") return true;
  if (!segment.includes("*")) return segment === key;
  return new RegExp(
    `^${segment
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(key);
}

function filter(value: unknown, filters: Filter[]): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => filter(item, filters)).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const next: Filter[] = [];
    let whole = false;
    for (const f of filters) {
      if (f[0] === "**") {
        next.push(f); // ** keeps matching deeper
        if (f.length > 1 && segmentMatches(f[1], key)) {
          if (f.length === 2) whole = true;
          else next.push(f.slice(2));
        }
        continue;
      }
      if (!segmentMatches(f[0], key)) continue;
      if (f.length === 1) whole = true;
      else next.push(f.slice(1));
    }
    if (whole) out[key] = child;
    else if (next.length > 0) {
      const filtered = filter(child, next);
      if (filtered !== undefined) out[key] = filtered;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
