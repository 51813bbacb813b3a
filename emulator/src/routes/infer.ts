/**
 * `POST _ml/trained_models/<model_or_deployment_id>/_infer` and the deprecated
 * `.../deployment/_infer`: routes the request to a deployment (by deployment id 8.8+, else by
 * model id or alias) and waits in its queue. Tree models answer at once.
 */
import { ACTIONS } from "../security/actions";
import { bodyRequired, readObject } from "../body";
import { EsError, resourceNotFound, statusException, validationFailed } from "../errors";
import type { Duration } from "../params";
import { formatDuration } from "../params";
import { predict } from "../predictions";
import type { Execute, RouteDef } from "../router";
import type { Cluster } from "../state/cluster";
import type { Deployment } from "../state/deployments";
import { Model, missingModel } from "../state/models";
import { jsonBody, ok, RouteContext } from "./context";

const DEFAULT_TIMEOUT_MS = 10_000;

/** The deployment serving `id`: an exact deployment id first, then a deployment of the model. */
function resolveTarget(cluster: Cluster, id: string): { model: Model; dep?: Deployment } {
  if (cluster.profile.has("deploymentIds")) {
    const dep = cluster.deployments.get(id);
    if (dep) return { model: cluster.models.get(dep.modelId) as Model, dep };
  }
  const modelId = cluster.models.get(id) ? id : cluster.models.aliases.get(id);
  const model = modelId === undefined ? undefined : cluster.models.get(modelId);
  if (!model) throw missingModel(id);
  const candidates = [...cluster.deployments.values()]
    .filter((dep) => dep.modelId === model.modelId && dep.state !== "stopping")
    .sort((a, b) => Number(b.deploymentId === model.modelId) - Number(a.deploymentId === model.modelId));
  return { model, dep: candidates[0] };
}

/** How Java prints a document value in a message (`Object.toString`). */
function javaString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaString).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/** `XContentMapValues.extractValue`: a dotted path through nested objects. */
function extractValue(doc: Record<string, unknown>, path: string): unknown {
  if (doc[path] !== undefined) return doc[path];
  let current: unknown = doc;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * An NLP model reads its first input field from each document (`NlpTask.extractInput`): missing
 * or not a string is a 400.
 */
export function documentInputError(model: Model, doc: Record<string, unknown>): string | undefined {
  const names = (model.config.input as { field_names?: string[] } | undefined)?.field_names ?? [];
  const field = names[0];
  if (field === undefined) return undefined;
  const value = extractValue(doc, field);
  if (value === undefined || value === null)
    return `Input field [${field}] does not exist in the source document`;
  if (typeof value !== "string")
    return `Input value [${javaString(value)}] for field [${field}] must be a string`;
  return undefined;
}

/**
 * `POST _ml/trained_models/<deployment_id>/deployment/cache/_clear` (`TransportClearDeploymentCacheAction`):
 * an unknown deployment is a 404; the routes' caches are emptied.
 */
function clearCache(ctx: RouteContext): Execute {
  const id = ctx.params.deployment_id;
  return () => {
    const dep = ctx.services.cluster.deployments.get(id);
    if (!dep) throw resourceNotFound(`No known model deployment with id [${id}]`);
    dep.cache.clear();
    return ok({ cleared: true });
  };
}

function infer(ctx: RouteContext, deprecatedPath: boolean): Execute {
  const timeout: Duration | undefined = ctx.query.duration("timeout");
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const values = readObject(body, "infer_trained_model_request", {
    docs: "array",
    inference_config: "object",
    timeout: "duration",
  });
  const id = ctx.params.model_id;
  if (deprecatedPath) {
    ctx.warnings.push(
      "[POST /_ml/trained_models/{model_id}/deployment/_infer] is deprecated! Use [POST /_ml/trained_models/{model_id}/_infer] instead.",
    );
  }
  return async () => {
    const docs = values.docs as unknown[] | undefined;
    if (!docs || docs.length === 0) throw validationFailed(["at least one document is required"]);
    if (docs.some((doc) => doc === null || typeof doc !== "object" || Array.isArray(doc))) {
      throw new EsError(
        400,
        "x_content_parse_exception",
        "[infer_trained_model_request] failed to parse field [docs]",
      );
    }
    const { cluster, inference } = ctx.services;
    const { model, dep } = resolveTarget(cluster, id);
    const documents = docs as Record<string, unknown>[];
    if (model.modelType !== "pytorch")
      return ok({ inference_results: documents.map((doc) => predict(model, doc)) });
    if (!dep) {
      throw statusException(
        409,
        `Model [${model.modelId}] must be deployed to use. Please deploy with the start trained model deployment API.`,
      );
    }
    const inputError = documents.map((doc) => documentInputError(model, doc)).find(Boolean);
    if (inputError) throw statusException(400, inputError);
    const limit = timeout ?? (values.timeout as Duration | undefined);
    const timeoutMs = limit?.ms ?? DEFAULT_TIMEOUT_MS;
    const results = await inference.submit(
      dep,
      model,
      documents,
      timeoutMs,
      limit?.text ?? formatDuration(timeoutMs),
    );
    return ok({ inference_results: results });
  };
}

export const inferRoutes: RouteDef[] = [
  {
    method: "POST",
    path: "/_ml/trained_models/{deployment_id}/deployment/cache/_clear",
    action: ACTIONS.clearDeploymentCache,
    handler: clearCache,
    available: (profile) => profile.has("clearDeploymentCache"),
  },
  {
    method: "POST",
    path: "/_ml/trained_models/{model_id}/_infer",
    action: ACTIONS.inferTrainedModel,
    handler: (ctx) => infer(ctx, false),
    available: (profile) => profile.has("inferApi"),
  },
  {
    method: "POST",
    path: "/_ml/trained_models/{model_id}/deployment/_infer",
    action: ACTIONS.inferTrainedModel,
    handler: (ctx) => infer(ctx, ctx.services.cluster.profile.has("inferApi")),
  },
];
