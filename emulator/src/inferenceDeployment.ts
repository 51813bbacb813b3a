/**
 * How an `elasticsearch`-service endpoint gets its deployment (`BaseElasticsearchInternalService.start`):
 * unless it uses an existing deployment, the packaged model is downloaded first when the cluster does not
 * have it (`isBuiltinModelPut`, then `putBuiltInModel`: `PUT _ml/trained_models/<id>` with input
 * `text_field` and `wait_for_completion=true`), then a deployment whose id is the inference id is started
 * and waited for until `started` within the request's timeout
 * (`ElasticsearchInternalModel.getStartTrainedModelDeploymentActionRequest`). A deployment with that id
 * already there counts as started (`getCreateTrainedModelAssignmentActionListener`).
 */
import { EsError, resourceNotFound } from "./errors";
import type { Duration } from "./params";
import { beginPackagedDownload, resolvePackage } from "./routes/packagedModels";
import type { Services } from "./routes/context";
import { runStart } from "./routes/start";
import type { Cluster } from "./state/cluster";
import type { Deployment } from "./state/deployments";
import { deploymentIdOf, InferenceEndpoint } from "./state/inferenceEndpoints";
import type { Model } from "./state/models";
import { packagedModel } from "./state/packagedModels";

/** Waits for a running import; a failed one is the answer. */
async function awaitImport(cluster: Cluster, modelId: string): Promise<void> {
  const download = cluster.downloads.running(modelId);
  if (!download) return;
  await cluster.scheduler.waitFor(() => (download.state === "running" ? undefined : true));
  if (download.failure) {
    const { status, type, reason } = download.failure;
    throw new EsError(status, type, reason);
  }
}

/** The model, downloading a packaged one first when the cluster lacks it. */
export async function ensureModel(cluster: Cluster, modelId: string): Promise<Model> {
  const existing = cluster.models.get(modelId);
  if (existing) {
    await awaitImport(cluster, modelId);
    return existing;
  }
  if (!packagedModel(modelId)) {
    throw resourceNotFound(`Could not deploy model [${modelId}] as the model cannot be found.`);
  }
  const spec = resolvePackage(cluster, modelId);
  const { model } = beginPackagedDownload(cluster, modelId, spec, { input: { field_names: ["text_field"] } });
  await awaitImport(cluster, modelId);
  return model;
}

/**
 * Downloads (if needed) and starts the endpoint's own deployment; resolves with it once `started`.
 * An endpoint that uses an existing deployment starts nothing.
 */
export async function deployEndpoint(
  services: Services,
  endpoint: InferenceEndpoint,
  timeout: Duration | undefined,
): Promise<Deployment | undefined> {
  const { cluster } = services;
  const id = deploymentIdOf(endpoint);
  if (endpoint.deploymentId !== undefined) return cluster.deployments.get(id);
  const existing = cluster.deployments.get(id);
  if (existing) return existing;
  await ensureModel(cluster, endpoint.modelId);
  const again = cluster.deployments.get(id);
  if (again) return again;
  try {
    return await runStart(
      services,
      {
        deploymentId: id,
        numberOfAllocations: endpoint.numAllocations,
        threadsPerAllocation: endpoint.numThreads,
        adaptive: endpoint.adaptive ? { ...endpoint.adaptive } : undefined,
        timeout,
        waitFor: "started",
      },
      endpoint.modelId,
    );
  } catch (error) {
    throw await startFailure(cluster, endpoint, error);
  }
}

/** Status exceptions, as the start listener tells them apart (`ElasticsearchStatusException` subclasses). */
const STATUS_EXCEPTIONS = new Set(["status_exception", "model_deployment_timeout_exception"]);

/**
 * What the start listener makes of a failed start: a missing model becomes `Could not deploy model [m] as
 * the model cannot be found.`; in the versions that lost status exceptions the request is never answered.
 */
async function startFailure(cluster: Cluster, endpoint: InferenceEndpoint, error: unknown): Promise<unknown> {
  if (!(error instanceof EsError)) return error;
  if (error.type === "resource_not_found_exception") {
    return resourceNotFound(`Could not deploy model [${endpoint.modelId}] as the model cannot be found.`);
  }
  if (STATUS_EXCEPTIONS.has(error.type) && cluster.profile.has("inferenceStartErrorsUnanswered")) {
    // Held until the client (or a proxy, `--proxy-timeout-ms`) gives up; the deployment may go on starting.
    await new Promise<never>(() => undefined);
  }
  return error;
}
