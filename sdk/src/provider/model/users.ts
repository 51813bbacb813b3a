/**
 * What uses a model, so that a delete can be refused with each user named before Elasticsearch is asked:
 * its deployments (`_stats`), the ingest pipelines whose inference processors name the model, one of its
 * aliases or one of its deployments, and the inference endpoints built on it (`GET _inference/_all`).
 * Elasticsearch's own delete refuses deployed and pipeline-referenced models with one generic 409 that names
 * none of them.
 */
import { type ElasticsearchClient, inferenceEndpointsUsing, isNotFound, ResponseError } from "../../client";
import type { ModelUsers } from "../errors";
import { FORCE_DELETE_CONFIG_KEY, FORCE_DELETE_ENV_VAR } from "./forceDelete";

export interface UsersLookup {
  users: ModelUsers;
  /** Pipeline id → where its inference processor is, for the message. */
  pipelineLocations: Record<string, string>;
  /** Lookups that were refused (403) or unavailable; Elasticsearch's own checks still apply to those. */
  unchecked: string[];
}

/** Look up every user of `modelId` (and its aliases). Never throws for a refused or missing lookup. */
export async function lookUpModelUsers(
  client: ElasticsearchClient,
  modelId: string,
  aliases: readonly string[],
): Promise<UsersLookup> {
  const users: ModelUsers = { deployments: [], pipelines: [], inferenceEndpoints: [] };
  const pipelineLocations: Record<string, string> = {};
  const unchecked: string[] = [];
  try {
    const stats = await client.getTrainedModelStats(modelId);
    for (const entry of stats.trained_model_stats) {
      const id = entry.deployment_stats?.deployment_id;
      if (entry.model_id === modelId && typeof id === "string") users.deployments.push(id);
    }
  } catch (err) {
    if (!isNotFound(err)) {
      if (!isRefusal(err)) throw err;
      unchecked.push("deployments (monitor_ml refused)");
    }
  }
  users.deployments.sort();
  try {
    const refs = await client.findPipelinesReferencing([
      ...new Set([modelId, ...aliases, ...users.deployments]),
    ]);
    for (const ref of refs) {
      if (!users.pipelines.includes(ref.pipelineId)) users.pipelines.push(ref.pipelineId);
      pipelineLocations[ref.pipelineId] ??= `${ref.location} names [${ref.modelId}]`;
    }
  } catch (err) {
    if (!isRefusal(err)) throw err;
    unchecked.push("ingest pipelines (read_pipeline refused)");
  }
  try {
    const endpoints = await client.getInferenceEndpoints();
    if (endpoints !== undefined) {
      const ids = new Set<string>();
      for (const e of endpoints) {
        if (e.service_settings?.model_id === modelId && !isPreconfiguredEndpoint(e.inference_id)) {
          ids.add(e.inference_id);
        }
      }
      for (const d of users.deployments) for (const id of inferenceEndpointsUsing(endpoints, d)) ids.add(id);
      users.inferenceEndpoints = [...ids].sort();
    }
  } catch (err) {
    if (!isRefusal(err) && !(err instanceof ResponseError && [404, 405].includes(err.statusCode))) throw err;
    unchecked.push("inference endpoints (monitor_inference refused or no inference API)");
  }
  return { users, pipelineLocations, unchecked };
}

/**
 * Elastic's preconfigured endpoints (`ElasticsearchInternalService.defaultConfigIds`: `.elser-2-elasticsearch`,
 * `.multilingual-e5-small-elasticsearch`, `.rerank-v1-elasticsearch`, 8.16+) name the packaged models on every
 * cluster, downloaded or not, and download them on first use: deleting the model does not break them, so
 * naming the model alone does not make one a user (one that runs a deployment of it is found through the
 * deployment).
 */
export function isPreconfiguredEndpoint(inferenceId: string): boolean {
  return /^\.[a-z0-9_.-]+-elasticsearch$/.test(inferenceId);
}

/** Whether anything uses the model. */
export function hasUsers(users: ModelUsers): boolean {
  return users.deployments.length + users.pipelines.length + users.inferenceEndpoints.length > 0;
}

/** `deployment [a], ingest pipeline [p] (processors[0].inference names [m]), inference endpoint [e]`. */
export function describeUsers(lookup: Pick<UsersLookup, "users" | "pipelineLocations">): string {
  const { users, pipelineLocations } = lookup;
  return [
    ...users.deployments.map((d) => `deployment [${d}]`),
    ...users.pipelines.map(
      (p) => `ingest pipeline [${p}]${pipelineLocations[p] ? ` (${pipelineLocations[p]})` : ""}`,
    ),
    ...users.inferenceEndpoints.map((e) => `inference endpoint [${e}]`),
  ].join(", ");
}

function isRefusal(err: unknown): boolean {
  return err instanceof ResponseError && (err.statusCode === 403 || err.statusCode === 401);
}

/** The refusal of a delete, naming each user and the model's own force flag. */
export function inUseMessage(modelId: string, users: string): string {
  return (
    `Refusing to delete model [${modelId}]: it is in use by ${users}. Deleting it would break them; force-deleting a ` +
    "model that ingest pipelines use makes every document through them fail until the model is back. Stop or " +
    "remove them first (a TrainedModelDeployment whose modelId is this model's resolvedModelId output is stopped " +
    "first by Pulumi's dependency order), or force the delete with the model's own flag: forceDelete: true on the " +
    `resource, stack config ${FORCE_DELETE_CONFIG_KEY}=true, or ${FORCE_DELETE_ENV_VAR}=true for one run (the stop ` +
    "flag force / elasticsearch-ml:force does not apply to models). The model stays in the stack."
  );
}
