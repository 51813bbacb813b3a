/** `GET _ml/trained_models[/<ids>]/_stats` (reference §5.1). */
import { ACTIONS } from "../security/actions";
import { illegalArgument } from "../errors";
import type { QueryParams } from "../params";
import type { Execute, RouteDef } from "../router";
import { statsResponse } from "../stats";
import { ok, RouteContext } from "./context";

const MAX_RESULT_WINDOW = 10_000;

/** `from` (0) and `size` (100) with Elasticsearch's `PageParams` checks. */
export function readPage(q: QueryParams): { from: number; size: number } {
  const from = q.int("from") ?? 0;
  const size = q.int("size") ?? 100;
  if (from < 0) throw illegalArgument("[from] parameter cannot be negative");
  if (size < 0) throw illegalArgument("[size] parameter cannot be negative");
  if (from + size > MAX_RESULT_WINDOW) {
    throw illegalArgument(
      `The sum of parameters [from] and [size] cannot be higher than ${MAX_RESULT_WINDOW}.`,
    );
  }
  return { from, size };
}

function getStats(ctx: RouteContext): Execute {
  const q = ctx.query;
  const allowNoMatch = q.bool("allow_no_match") ?? true;
  const page = readPage(q);
  const human = q.bool("human") ?? false;
  const ids = ctx.params.model_id;
  return () => {
    const cluster = ctx.services.cluster;
    const expansion = cluster.models.expand(ids, {
      allowNoMatch,
      deployments: cluster.profile.has("deploymentIds") ? cluster.deploymentRefs() : undefined,
    });
    return ok(statsResponse(cluster, expansion, page, human));
  };
}

export const statsRoutes: RouteDef[] = [
  {
    method: "GET",
    path: "/_ml/trained_models/_stats",
    action: ACTIONS.getTrainedModelsStats,
    handler: getStats,
  },
  {
    method: "GET",
    path: "/_ml/trained_models/{model_id}/_stats",
    action: ACTIONS.getTrainedModelsStats,
    handler: getStats,
  },
];
