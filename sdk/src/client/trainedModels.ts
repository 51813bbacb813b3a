/**
 * Trained model configurations and statistics (`GET /_ml/trained_models[/<ids>][/_stats]`).
 */
import { type OperationContext, idList } from "./context";
import { InvalidRequestError, isNotFound } from "./errors";
import { deploymentStatsIn } from "./statsPoll";
import type {
  DeploymentStats,
  TrainedModelConfig,
  TrainedModelStatsResponse,
  TrainedModelsResponse,
} from "./types";

const READ_MODELS = { description: "read trained models", privileges: ["monitor_ml"] } as const;
const READ_STATS = { description: "read trained model stats", privileges: ["monitor_ml"] } as const;

export interface ListOptions {
  /** Whether a wildcard matching nothing is an empty result (Elasticsearch default) rather than 404. */
  allowNoMatch?: boolean;
  from?: number;
  size?: number;
}

export interface GetTrainedModelsOptions extends ListOptions {
  /** Adds `fully_defined` to each (PyTorch) model: `include=definition_status`. */
  includeDefinitionStatus?: boolean;
}

function checkIds(ids: string | readonly string[] | undefined, parameter: string): void {
  if (ids === undefined) return;
  const list = typeof ids === "string" ? [ids] : ids;
  const bad = list.find((id) => typeof id !== "string" || id.trim() === "");
  if (bad !== undefined || list.length === 0) {
    throw new InvalidRequestError(
      parameter,
      `${parameter}: ids must be non-empty strings, got ${JSON.stringify(ids)}`,
    );
  }
}

/**
 * `GET /_ml/trained_models/<ids>/_stats`. Ids may be model ids, aliases, deployment ids or wildcards;
 * omitted means all. One entry per undeployed model and one per deployment.
 */
export async function getTrainedModelStats(
  ctx: OperationContext,
  ids?: string | readonly string[],
  options: ListOptions = {},
): Promise<TrainedModelStatsResponse> {
  checkIds(ids, "ids");
  await ctx.version();
  const path = ids === undefined ? "/_ml/trained_models/_stats" : `/_ml/trained_models/${idList(ids)}/_stats`;
  const res = await ctx.transport.request<TrainedModelStatsResponse>({
    method: "GET",
    path,
    query: { allow_no_match: options.allowNoMatch, from: options.from, size: options.size },
    operation: READ_STATS,
  });
  return res.body;
}

/**
 * The `deployment_stats` of one deployment, or undefined when no such deployment exists (a 404 for
 * the id, or a model of that id that is not deployed under it).
 */
export async function getDeploymentStats(
  ctx: OperationContext,
  deploymentId: string,
): Promise<DeploymentStats | undefined> {
  checkIds(deploymentId, "deploymentId");
  let response: TrainedModelStatsResponse;
  try {
    response = await getTrainedModelStats(ctx, deploymentId);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return deploymentStatsIn(response, deploymentId);
}

/** `GET /_ml/trained_models/<ids>` (configurations; deployment ids are not resolved here). */
export async function getTrainedModels(
  ctx: OperationContext,
  ids?: string | readonly string[],
  options: GetTrainedModelsOptions = {},
): Promise<TrainedModelsResponse> {
  checkIds(ids, "ids");
  await ctx.version();
  const res = await ctx.transport.request<TrainedModelsResponse>({
    method: "GET",
    path: ids === undefined ? "/_ml/trained_models" : `/_ml/trained_models/${idList(ids)}`,
    query: {
      allow_no_match: options.allowNoMatch,
      from: options.from,
      size: options.size,
      include: options.includeDefinitionStatus ? "definition_status" : undefined,
    },
    operation: READ_MODELS,
  });
  return res.body;
}

/** One model's configuration, or undefined when Elasticsearch reports it missing. */
export async function getTrainedModel(
  ctx: OperationContext,
  modelId: string,
  options: { includeDefinitionStatus?: boolean } = {},
): Promise<TrainedModelConfig | undefined> {
  checkIds(modelId, "modelId");
  try {
    const res = await getTrainedModels(ctx, modelId, options);
    return res.trained_model_configs.find((c) => c.model_id === modelId) ?? res.trained_model_configs[0];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
