/**
 * Path matching the way Elasticsearch's REST controller answers: the most specific route for
 * the method wins; a path known for other methods gets 405 with the allowed list; an unknown
 * path gets 400 `no handler found for uri [...] and method [...]`.
 */
import type { RouteResult } from "./http/types";
import type { RouteContext } from "./routes/context";
import type { VersionProfile } from "./versions";

/** Runs after parameters were read and checked; may change state. */
export type Execute = () => Promise<RouteResult> | RouteResult;
/** Reads (consumes) parameters and the body, and returns the work to do. */
export type Handler = (ctx: RouteContext) => Execute;

export interface RouteDef {
  method: string;
  /** Pattern such as `/_ml/trained_models/{model_id}/deployment/_start`. */
  path: string;
  action: string;
  handler: Handler;
  /** Whether this version has the route (default: always). */
  available?: (profile: VersionProfile) => boolean;
}

export type Match =
  | { kind: "route"; route: RouteDef; params: Record<string, string> }
  | { kind: "method"; allowed: string[] }
  | { kind: "none" };

interface Compiled {
  def: RouteDef;
  segments: string[];
  literals: number;
}

export class Router {
  private readonly routes: Compiled[];

  constructor(defs: RouteDef[], profile: VersionProfile) {
    this.routes = defs
      .filter((def) => def.available?.(profile) ?? true)
      .map((def) => {
        const segments = splitPath(def.path);
        return { def, segments, literals: segments.filter((s) => !s.startsWith("{")).length };
      });
  }

  /** `segments` are the request path's percent-decoded segments. */
  match(method: string, segments: string[]): Match {
    const candidates: { compiled: Compiled; params: Record<string, string> }[] = [];
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, segments);
      if (params) candidates.push({ compiled, params });
    }
    if (candidates.length === 0) return { kind: "none" };
    const wanted = method === "HEAD" ? ["HEAD", "GET"] : [method];
    for (const m of wanted) {
      const forMethod = candidates
        .filter((c) => c.compiled.def.method === m)
        .sort((a, b) => b.compiled.literals - a.compiled.literals);
      if (forMethod.length > 0)
        return { kind: "route", route: forMethod[0].compiled.def, params: forMethod[0].params };
    }
    const allowed = [...new Set(candidates.map((c) => c.compiled.def.method))].sort();
    return { kind: "method", allowed };
  }
}

export function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0);
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    // A first segment starting with `_` names an API, never an index: such paths stay unknown routes.
    if (p === "{index}" && actual[i].startsWith("_")) return undefined;
    if (p.startsWith("{")) params[p.slice(1, -1)] = actual[i];
    else if (p !== actual[i]) return undefined;
  }
  return params;
}
