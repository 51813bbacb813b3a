/**
 * `GET _inference/_all` and `GET _inference`: the inference API's endpoint listing (8.11+).
 *
 * The emulator models no inference endpoints (see the README's known differences), so the list is
 * always empty; it is served so that clients asking "which endpoints use this deployment?" get the
 * answer a cluster without endpoints gives, instead of a 400 for an unknown route.
 */
import { ACTIONS } from "../security/actions";
import type { RouteDef } from "../router";
import type { Cluster } from "../state/cluster";
import { ok } from "./context";

function listEndpoints(cluster: Cluster) {
  // 8.11 named the list `models` (unconfirmed); later versions `endpoints`.
  const key = cluster.profile.has("inferenceListNamedEndpoints") ? "endpoints" : "models";
  return ok({ [key]: [] });
}

export const inferenceEndpointRoutes: RouteDef[] = ["/_inference", "/_inference/_all"].map((path) => ({
  method: "GET",
  path,
  action: ACTIONS.getInferenceEndpoints,
  handler: (ctx) => () => listEndpoints(ctx.services.cluster),
  available: (profile) => profile.has("inferenceApi"),
}));
