/**
 * `PUT _inference[/<task_type>]/<inference_id>` and, from 8.17, `PUT _inference[/<task_type>]/<inference_id>/_update`
 * for the `elasticsearch` and `elser` services.
 *
 * Create (`TransportPutInferenceModelAction`): the request is parsed and validated (see `inferenceParse.ts`),
 * stored, and only then deployed (`BaseElasticsearchInternalService.start`: download, `_start` with
 * `wait_for=started`, see `inferenceDeployment.ts`). A start that times out (`timeout`, default 30 s)
 * answers with the start's 408 while the deployment goes on and the endpoint stays stored, so a client
 * settles an ambiguous create with `GET _inference/<id>`, never a second PUT (that one answers
 * `Inference endpoint [<id>] already exists`).
 *
 * Update (`TransportUpdateInferenceModelAction.updateInClusterEndpoint`): `num_allocations` and
 * `adaptive_allocations` go to the endpoint's own deployment through the ML update.
 */
import { bodyRequired } from "../body";
import { EsError, resourceNotFound, statusException, validationFailed } from "../errors";
import { deployEndpoint } from "../inferenceDeployment";
import type { Execute } from "../router";
import type { Cluster } from "../state/cluster";
import type { AdaptiveSettings, Deployment } from "../state/deployments";
import { deploymentIdOf, InferenceEndpoint, renderEndpoint } from "../state/inferenceEndpoints";
import { adaptiveErrors } from "./adaptiveParams";
import { jsonBody, ok, RouteContext, Services } from "./context";
import { parseEndpointRequest, readAllocationUpdate, resolveTaskType } from "./inferenceParse";
import { applyUpdate } from "./update";

/** Services the emulator implements; third-party services (OpenAI, Cohere, ...) are not emulated. */
function knownService(cluster: Cluster, service: string): boolean {
  if (service === "elser") return true;
  return service === "elasticsearch" && cluster.profile.has("inferenceElasticsearchService");
}

/**
 * Endpoint ids may not be ids of running deployments (`ModelIdUniquenessIT`: an undeployed trained model of
 * the same id is no clash, a deployed one is).
 */
function checkIdClash(cluster: Cluster, id: string): void {
  if (!cluster.deployments.has(id)) return;
  // The older wording is the one the first version of the check used (boundary unconfirmed).
  throw statusException(
    400,
    cluster.profile.has("inferenceDeploymentId")
      ? `Inference endpoint IDs must be unique. Requested inference endpoint ID [${id}] matches existing trained model ID(s) but must not.`
      : `Model IDs must be unique. Requested model ID [${id}] matches existing model IDs but must not.`,
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export function putEndpoint(ctx: RouteContext): Execute {
  const timeout = ctx.services.cluster.profile.has("inferencePutTimeout")
    ? ctx.query.duration("timeout")
    : undefined;
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const id = ctx.params.inference_id;
  const pathTaskType = ctx.params.task_type;
  return async () => {
    const { cluster } = ctx.services;
    const config = isObject(body.value) ? { ...body.value } : {};
    const bodyTaskType = config.task_type;
    delete config.task_type;
    const taskType = resolveTaskType(pathTaskType, bodyTaskType);
    const service = config.service;
    delete config.service;
    if (typeof service !== "string") throw statusException(400, "Model configuration is missing a service");
    if (!knownService(cluster, service)) throw statusException(400, `Unknown service [${service}]`);
    if (cluster.endpoints.get(id)?.preconfigured) {
      throw statusException(
        400,
        `[${id}] is a reserved inference Id. Cannot create a new inference endpoint with a reserved Id`,
      );
    }
    // A second PUT of an endpoint meets its own deployment: that one is `already exists` (from the store).
    if (!cluster.endpoints.has(id)) checkIdClash(cluster, id);
    const { endpoint, warnings } = parseEndpointRequest(cluster, id, taskType, service, config);
    ctx.warnings.push(...warnings);
    if (cluster.endpoints.has(id)) {
      throw new EsError(
        400,
        "resource_already_exists_exception",
        `Inference endpoint [${id}] already exists`,
      );
    }
    cluster.endpoints.set(id, endpoint);
    await deployEndpoint(ctx.services, endpoint, timeout);
    return ok(renderEndpoint(endpoint, cluster.profile, undefined));
  };
}

/**
 * The ML update the inference update sends (`UpdateTrainedModelDeploymentAction`, source INFERENCE_API):
 * its request validation (count and adaptive settings both come from the merged service settings), then
 * the update proper.
 */
function updateDeployment(
  services: Services,
  dep: Deployment,
  numAllocations: number | undefined,
  adaptive: AdaptiveSettings | null,
): void {
  const errors: string[] = [];
  if (numAllocations !== undefined && adaptive?.enabled) {
    errors.push("[number_of_allocations] cannot be set if adaptive allocations is enabled");
  }
  if (adaptive) errors.push(...adaptiveErrors(adaptive, services.cluster.profile));
  if (errors.length > 0) throw validationFailed(errors);
  applyUpdate(services, dep, numAllocations ?? dep.numberOfAllocations, adaptive);
}

/** An endpoint using another deployment may not change it through the inference API (9.2+). */
function checkUpdateOwnership(cluster: Cluster, endpoint: InferenceEndpoint): void {
  const deploymentId = deploymentIdOf(endpoint);
  if (deploymentId === endpoint.inferenceId || !cluster.profile.has("endpointDeploymentUpdateChecks")) return;
  // Wording of both messages from CreateFromDeploymentIT (Messages.INFERENCE_*).
  if (cluster.endpoints.has(deploymentId)) {
    throw statusException(
      409,
      `Cannot update inference endpoint [${endpoint.inferenceId}] for model deployment [${deploymentId}] as it was created by another inference endpoint. The model can only be updated using inference endpoint id [${deploymentId}].`,
    );
  }
  throw statusException(
    409,
    `Cannot update inference endpoint [${endpoint.inferenceId}] using model deployment [${deploymentId}]. The model deployment must be updated through the trained models API.`,
  );
}

export function updateEndpoint(ctx: RouteContext): Execute {
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const id = ctx.params.inference_id;
  const pathTaskType = ctx.params.task_type;
  return () => {
    const { cluster } = ctx.services;
    const config = isObject(body.value) ? { ...body.value } : {};
    const taskType = resolveTaskType(pathTaskType, config.task_type);
    const endpoint = cluster.endpoints.get(id);
    // Wording unconfirmed (Messages.INFERENCE_ENTITY_NON_EXISTANT_NO_UPDATE).
    if (!endpoint)
      throw resourceNotFound(`The inference endpoint [${id}] does not exist and cannot be updated`);
    if (endpoint.taskType !== taskType) {
      throw statusException(400, "Task type must match the task type of the existing endpoint");
    }
    const update = readAllocationUpdate(
      cluster,
      isObject(config.service_settings) ? config.service_settings : {},
    );
    const numAllocations = update.numAllocations ?? endpoint.numAllocations;
    const adaptive = update.adaptive ?? endpoint.adaptive;
    const unchanged =
      numAllocations === endpoint.numAllocations &&
      JSON.stringify(adaptive) === JSON.stringify(endpoint.adaptive);
    if (!unchanged) {
      const dep = cluster.deployments.get(deploymentIdOf(endpoint));
      // Wording unconfirmed (Messages.MODEL_ID_DOES_NOT_MATCH_EXISTING_MODEL_IDS_BUT_MUST_FOR_IN_CLUSTER_SERVICE).
      if (!dep) {
        throw resourceNotFound(
          `Requested model ID [${id}] does not have a matching trained model and thus cannot be updated.`,
        );
      }
      checkUpdateOwnership(cluster, endpoint);
      // Only what the request sets goes to the ML update (whether Elasticsearch also resends the stored
      // count alongside new adaptive settings is unconfirmed).
      updateDeployment(ctx.services, dep, update.numAllocations, update.adaptive ?? dep.adaptive);
      endpoint.numAllocations = numAllocations;
      endpoint.adaptive = adaptive;
    }
    return ok(renderEndpoint(endpoint, cluster.profile, undefined));
  };
}
