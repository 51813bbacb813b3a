/**
 * The inference API's endpoint routes (8.11+): list and read (`TransportGetInferenceModelAction`), delete
 * (`TransportDeleteInferenceEndpointAction`), and the create, update and inference routes of
 * `inferenceCreate.ts` and `inferenceInfer.ts`. Only the `elasticsearch` and `elser` services are emulated.
 */
import { statusException } from "../errors";
import type { Execute, RouteDef } from "../router";
import { ACTIONS } from "../security/actions";
import type { Cluster } from "../state/cluster";
import {
  deploymentIdOf,
  InferenceEndpoint,
  ownsDeployment,
  renderEndpoint,
} from "../state/inferenceEndpoints";
import { ok, RouteContext } from "./context";
import { putEndpoint, updateEndpoint } from "./inferenceCreate";
import { inferEndpoint } from "./inferenceInfer";
import { findEndpoint, parseTaskType } from "./inferenceParse";

function listKey(cluster: Cluster): string {
  // 8.11 named the list `models` (unconfirmed); later versions `endpoints`.
  return cluster.profile.has("inferenceListNamedEndpoints") ? "endpoints" : "models";
}

const render = (cluster: Cluster, endpoint: InferenceEndpoint) =>
  renderEndpoint(endpoint, cluster.profile, cluster.deployments.get(deploymentIdOf(endpoint)));

function getEndpoints(ctx: RouteContext): Execute {
  const id = ctx.params.inference_id;
  const pathTaskType = ctx.params.task_type;
  return () => {
    const cluster = ctx.services.cluster;
    if (id !== undefined && id !== "_all") {
      return ok({ [listKey(cluster)]: [render(cluster, findEndpoint(cluster, id, pathTaskType))] });
    }
    const taskType = pathTaskType === undefined ? "any" : parseTaskType(pathTaskType);
    const endpoints = [...cluster.endpoints.values()]
      .filter((endpoint) => taskType === "any" || endpoint.taskType === taskType)
      .sort((a, b) => (a.inferenceId < b.inferenceId ? -1 : a.inferenceId > b.inferenceId ? 1 : 0))
      .map((endpoint) => render(cluster, endpoint));
    return ok({ [listKey(cluster)]: endpoints });
  };
}

/** Java's `Set.toString` of the references (sorted here, Elasticsearch's order is a hash order). */
const javaSet = (values: string[]): string => `[${values.join(", ")}]`;

/** `TransportDeleteInferenceEndpointAction.buildErrorString`. */
export function referencesMessage(id: string, pipelines: string[], indexes: string[]): string {
  let message = "";
  if (pipelines.length > 0) {
    message += `Inference endpoint ${id} is referenced by pipelines: ${javaSet(pipelines)}. Ensure that no pipelines are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.`;
  }
  if (indexes.length > 0) {
    message += ` Inference endpoint ${id} is being used in the mapping for indexes: ${javaSet(indexes)}. Ensure that no index mappings are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.`;
  }
  return message;
}

function deleteEndpoint(ctx: RouteContext): Execute {
  const profile = ctx.services.cluster.profile;
  const checks = profile.has("inferenceDeleteChecks");
  const dryRun = checks ? (ctx.query.bool("dry_run") ?? false) : false;
  const force = checks ? (ctx.query.bool("force") ?? false) : false;
  const id = ctx.params.inference_id;
  const pathTaskType = ctx.params.task_type;
  return async () => {
    const { cluster, lifecycle } = ctx.services;
    const endpoint = findEndpoint(cluster, id, pathTaskType);
    if (endpoint.preconfigured) {
      // Two wordings in Elasticsearch's history; the force bypass is the later one (release unconfirmed).
      if (!profile.has("reservedEndpointForceDelete")) {
        throw statusException(
          400,
          `[${id}] is a reserved inference endpoint. Cannot delete a reserved inference endpoint.`,
        );
      }
      if (!force) {
        throw statusException(
          400,
          `[${id}] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.`,
        );
      }
    }
    if (!checks) {
      await stopOwned(cluster, lifecycle, endpoint);
      cluster.endpoints.delete(id);
      return ok({ acknowledged: true });
    }
    const pipelines = cluster.pipelines.referencing([id]);
    if (!profile.has("inferenceDeleteIndexChecks"))
      return deleteWithPipelineCheck(ctx, endpoint, pipelines, dryRun, force);
    const indexes = cluster.indices.referencing(id);
    if (dryRun) {
      const message = referencesMessage(id, pipelines, indexes);
      return ok({ acknowledged: false, pipelines, indexes, ...(message ? { error_message: message } : {}) });
    }
    if (!force && (pipelines.length > 0 || indexes.length > 0)) {
      throw statusException(409, referencesMessage(id, pipelines, indexes));
    }
    await stopOwned(cluster, lifecycle, endpoint);
    cluster.endpoints.delete(id);
    return ok({ acknowledged: true, pipelines: [], indexes: [] });
  };
}

/**
 * 8.15's delete (the first `TransportDeleteInferenceEndpointAction` with the flags): pipelines only, a 403,
 * and the check runs before `dry_run`, so a dry run of a referenced endpoint is refused unless forced.
 */
async function deleteWithPipelineCheck(
  ctx: RouteContext,
  endpoint: InferenceEndpoint,
  pipelines: string[],
  dryRun: boolean,
  force: boolean,
) {
  const { cluster, lifecycle } = ctx.services;
  const id = endpoint.inferenceId;
  if (!force && pipelines.length > 0) {
    throw statusException(
      403,
      `Model ${id} is referenced by pipelines and cannot be deleted. Use \`force\` to delete it anyway, or use \`dry_run\` to list the pipelines that reference it.`,
    );
  }
  if (dryRun) return ok({ acknowledged: false, pipelines });
  await stopOwned(cluster, lifecycle, endpoint);
  cluster.endpoints.delete(id);
  return ok({ acknowledged: true });
}

/**
 * `BaseElasticsearchInternalService.stop`: a forced `_stop` of the endpoint's own deployment; a deployment
 * the endpoint only uses is left running.
 */
async function stopOwned(
  cluster: Cluster,
  lifecycle: RouteContext["services"]["lifecycle"],
  endpoint: InferenceEndpoint,
): Promise<void> {
  if (!ownsDeployment(endpoint)) return;
  const dep = cluster.deployments.get(endpoint.inferenceId);
  if (dep) await lifecycle.stop(dep, false);
}

const available = (profile: { has(feature: "inferenceApi"): boolean }) => profile.has("inferenceApi");

const getRoutes: RouteDef[] = [
  "/_inference",
  "/_inference/_all",
  "/_inference/{inference_id}",
  "/_inference/{task_type}/_all",
  "/_inference/{task_type}/{inference_id}",
].map((path) => ({
  method: "GET",
  path,
  action: ACTIONS.getInferenceEndpoints,
  handler: getEndpoints,
  available,
}));

const idPaths = ["/_inference/{inference_id}", "/_inference/{task_type}/{inference_id}"];

export const inferenceEndpointRoutes: RouteDef[] = [
  ...getRoutes,
  ...idPaths.map((path) => ({
    method: "PUT",
    path,
    action: ACTIONS.putInferenceEndpoint,
    handler: putEndpoint,
    available,
  })),
  ...idPaths.map((path) => ({
    method: "DELETE",
    path,
    action: ACTIONS.deleteInferenceEndpoint,
    handler: deleteEndpoint,
    available,
  })),
  ...idPaths.map((path) => ({
    method: "POST",
    path,
    action: ACTIONS.inferenceEndpointInfer,
    handler: inferEndpoint,
    available,
  })),
  ...idPaths.map((path) => ({
    method: "PUT",
    path: `${path}/_update`,
    action: ACTIONS.updateInferenceEndpoint,
    handler: updateEndpoint,
    available: (profile: { has(feature: "inferenceUpdateApi"): boolean }) =>
      profile.has("inferenceUpdateApi"),
  })),
];
