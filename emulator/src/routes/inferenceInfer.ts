/**
 * `POST _inference[/<task_type>]/<inference_id>` for `elasticsearch`-service endpoints: the input goes
 * through the deployment's queue like `_infer` does (`ElasticsearchInternalService.infer` sends an
 * `InferModelAction` to the endpoint's deployment, `mlNodeDeploymentId()`), and the results are
 * reshaped per task type (`SparseEmbeddingResults`, `TextEmbeddingFloatResults`, `RankedDocsResults`).
 * A preconfigured endpoint without a deployment starts one first (`maybeStartDeployment`).
 */
import { bodyRequired, readObject } from "../body";
import { validationFailed } from "../errors";
import { deployEndpoint } from "../inferenceDeployment";
import type { Duration } from "../params";
import { formatDuration } from "../params";
import type { Execute } from "../router";
import { deploymentIdOf } from "../state/inferenceEndpoints";
import { Model, missingModel } from "../state/models";
import { jsonBody, ok, RouteContext } from "./context";
import { findEndpoint } from "./inferenceParse";

/** `InferenceAction.Request.DEFAULT_TIMEOUT`. */
const DEFAULT_TIMEOUT_MS = 30_000;

function reshape(taskType: string, inputs: string[], results: Record<string, unknown>[], query?: string) {
  switch (taskType) {
    case "sparse_embedding":
      return {
        sparse_embedding: results.map((r) => ({ is_truncated: false, embedding: r.predicted_value })),
      };
    case "text_embedding":
      return { text_embedding: results.map((r) => ({ embedding: r.predicted_value })) };
    default: {
      void query;
      const ranked = results
        .map((r, index) => ({ index, relevance_score: Number(r.predicted_value), text: inputs[index] }))
        .sort((a, b) => b.relevance_score - a.relevance_score);
      return { rerank: ranked };
    }
  }
}

export function inferEndpoint(ctx: RouteContext): Execute {
  const timeout: Duration | undefined = ctx.query.duration("timeout");
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const values = readObject(body, "inference_request", {
    input: "any",
    query: "string",
    task_settings: "object",
    input_type: "string",
  });
  const id = ctx.params.inference_id;
  const pathTaskType = ctx.params.task_type;
  const raw = values.input;
  const inputs = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw.map(String) : undefined;
  // `InferenceAction.Request.validateInputRequest`, before the endpoint is looked up.
  const queryError = (taskType: string | undefined): string | undefined => {
    if (taskType !== "rerank") return undefined;
    if (values.query === undefined) return "Field [query] cannot be null for task type [rerank]";
    if (values.query === "") return "Field [query] cannot be empty for task type [rerank]";
    return undefined;
  };
  if (!inputs) throw validationFailed(["Field [input] cannot be null if using input style request schema"]);
  if (inputs.length === 0) throw validationFailed(["Field [input] cannot be an empty array"]);
  const fromPath = queryError(pathTaskType?.toLowerCase());
  if (fromPath) throw validationFailed([fromPath]);
  return async () => {
    const { cluster, inference } = ctx.services;
    const endpoint = findEndpoint(cluster, id, pathTaskType);
    const fromEndpoint = queryError(endpoint.taskType);
    if (fromEndpoint) throw validationFailed([fromEndpoint]);
    let dep = cluster.deployments.get(deploymentIdOf(endpoint));
    if (!dep && endpoint.preconfigured) dep = await deployEndpoint(ctx.services, endpoint, timeout);
    if (!dep) throw missingModel(deploymentIdOf(endpoint));
    const model = cluster.models.get(dep.modelId) as Model;
    const field =
      (model.config.input as { field_names?: string[] } | undefined)?.field_names?.[0] ?? "text_field";
    const docs = inputs.map((text) => ({ [field]: text }));
    const timeoutMs = timeout?.ms ?? DEFAULT_TIMEOUT_MS;
    const results = (await inference.submit(
      dep,
      model,
      docs,
      timeoutMs,
      timeout?.text ?? formatDuration(timeoutMs),
    )) as Record<string, unknown>[];
    return ok(reshape(endpoint.taskType, inputs, results, values.query as string | undefined));
  };
}
