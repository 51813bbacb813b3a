/**
 * `POST _ml/trained_models/<model_or_deployment_id>/_infer` and the deprecated
 * `.../deployment/_infer`: routes the request to a deployment (by deployment id 8.8+, else by
 * model id or alias) and waits in its queue. Tree models answer at once.
 */
import { ACTIONS } from "../security/actions";
import { bodyRequired, readObject } from "../body";
import { EsError, statusException, validationFailed } from "../errors";
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
