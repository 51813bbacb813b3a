/**
 * Trained model configurations: `PUT/GET/DELETE _ml/trained_models/<id>` (reference §5.3, §6, §7).
 */
import { ACTIONS } from "../security/actions";
import { bodyRequired, locate, readObject } from "../body";
import { EsError, statusException, validationFailed } from "../errors";
import type { Execute, RouteDef } from "../router";
import type { Cluster } from "../state/cluster";
import { Model, ModelType, missingModel, modelIdErrors } from "../state/models";
import { acknowledged, jsonBody, ok, RouteContext } from "./context";
import { readPage } from "./stats";
import { inconsistentModelId, parseEnum } from "./start";

const PYTORCH_TASKS = [
  "pass_through",
  "text_embedding",
  "text_expansion",
  "ner",
  "fill_mask",
  "text_classification",
  "zero_shot_classification",
  "question_answering",
  "text_similarity",
];
const TREE_TASKS = ["regression", "classification"];
const MODEL_TYPES: ModelType[] = ["tree_ensemble", "lang_ident", "pytorch"];
const INCLUDE_VALUES = [
  "definition",
  "definition_status",
  "feature_importance_baseline",
  "hyperparameters",
  "total_feature_importance",
];
const PARSER = "trained_model_config";

/** Fields a user may set on PUT; generated fields come from the server. */
const CONFIG_FIELDS = {
  model_id: "string",
  model_type: "string",
  description: "string",
  tags: "array",
  metadata: "object",
  input: "object",
  inference_config: "object",
  definition: "object",
  compressed_definition: "string",
  location: "object",
  platform_architecture: "string",
  prefix_strings: "object",
  model_size_bytes: "int",
  estimated_operations: "int",
  default_field_map: "object",
  per_deployment_memory_bytes: "int",
  per_allocation_memory_bytes: "int",
} as const;

/** A model configuration as `GET _ml/trained_models` prints it. */
export function renderConfig(
  cluster: Cluster,
  model: Model,
  options: { definitionStatus?: boolean; excludeGenerated?: boolean } = {},
): Record<string, unknown> {
  const c = model.config;
  const out: Record<string, unknown> = { model_id: model.modelId, model_type: model.modelType };
  if (!options.excludeGenerated) {
    out.created_by = model.createdBy;
    out.version = c.version ?? cluster.profile.version.text;
    out.create_time = model.createTime;
    out.model_size_bytes = c.model_size_bytes ?? cluster.models.modelBytes(model);
    out.estimated_operations = c.estimated_operations ?? 0;
    out.license_level = c.license_level ?? "platinum";
  }
  for (const key of ["description", "platform_architecture"]) if (c[key] !== undefined) out[key] = c[key];
  out.tags = c.tags ?? [];
  const aliases = cluster.models.aliasesOf(model.modelId);
  const metadata = { ...((c.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (aliases.length > 0) metadata.model_aliases = aliases;
  if (Object.keys(metadata).length > 0) out.metadata = metadata;
  for (const key of ["input", "inference_config", "default_field_map", "prefix_strings"])
    if (c[key] !== undefined) out[key] = c[key];
  if (model.modelType === "pytorch")
    out.location = c.location ?? { index: { name: ".ml-inference-native-000002" } };
  if (options.definitionStatus) out.fully_defined = cluster.models.definitionStatus(model) === "complete";
  return out;
}

function putModel(ctx: RouteContext): Execute {
  const q = ctx.query;
  q.bool("defer_definition_decompression");
  q.bool("wait_for_completion");
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const values = readObject(body, PARSER, CONFIG_FIELDS);
  const id = ctx.params.model_id;
  if (values.model_id !== undefined && values.model_id !== id) {
    throw statusException(400, inconsistentModelId(values.model_id as string, id));
  }
  const inferenceConfig = values.inference_config as Record<string, unknown> | undefined;
  if (inferenceConfig) {
    const keys = Object.keys(inferenceConfig);
    const unknown = keys.find((key) => ![...PYTORCH_TASKS, ...TREE_TASKS].includes(key));
    if (keys.length !== 1 || unknown !== undefined) {
      throw new EsError(
        400,
        "x_content_parse_exception",
        `${locate(body.raw, "inference_config")} [${PARSER}] failed to parse field [inference_config]`,
        {
          causedBy: {
            type: "named_object_not_found_exception",
            reason:
              keys.length === 1
                ? `unknown inference configuration [${unknown}]`
                : "[inference_config] must contain exactly one inference configuration",
          },
        },
      );
    }
  }
  return () => {
    const cluster = ctx.services.cluster;
    const errors = modelIdErrors(id);
    const hasDefinition = values.definition !== undefined || values.compressed_definition !== undefined;
    let modelType: ModelType | undefined;
    if (values.model_type !== undefined) {
      modelType = parseEnum(
        values.model_type as string,
        MODEL_TYPES,
        "org.elasticsearch.xpack.core.ml.inference.TrainedModelType",
      );
    }
    if (!modelType && !hasDefinition) errors.push("[model_type] must be set if [definition] is not defined");
    if (!inferenceConfig) errors.push("[inference_config] must not be null.");
    if (values.input === undefined) errors.push("[input] must not be null.");
    if (errors.length > 0) throw validationFailed(errors);
    if (cluster.models.get(id)) {
      throw new EsError(
        400,
        "resource_already_exists_exception",
        `Trained machine learning model [${id}] already exists`,
      );
    }
    if (cluster.deployments.has(id)) {
      throw statusException(
        400,
        `Cannot create model [${id}] the id is the same as an current model deployment`,
      );
    }
    if (cluster.models.aliases.has(id)) {
      throw statusException(
        400,
        `requested model_id [${id}] is the same as an existing model_alias. Model model_aliases and ids must be unique`,
      );
    }
    const config: Record<string, unknown> = { ...values };
    delete config.model_id;
    delete config.model_type;
    delete config.definition;
    delete config.compressed_definition;
    const inlineDefinition = values.definition ?? values.compressed_definition;
    const model: Model = {
      modelId: id,
      modelType: modelType ?? "tree_ensemble",
      config,
      createTime: Date.now(),
      createdBy: "api_user",
      parts: new Map(),
      hasVocabulary: false,
      inlineSizeBytes: inlineDefinition === undefined ? 0 : JSON.stringify(inlineDefinition).length,
      builtIn: false,
    };
    cluster.models.models.set(id, model);
    return ok(renderConfig(cluster, model));
  };
}

function getModels(ctx: RouteContext): Execute {
  const q = ctx.query;
  const allowNoMatch = q.bool("allow_no_match") ?? true;
  const page = readPage(q);
  const include = (q.str("include") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  q.bool("decompress_definition");
  q.bool("include_model_definition");
  const excludeGenerated = q.bool("exclude_generated") ?? false;
  const tags = (q.str("tags") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const value of include) {
    if (!INCLUDE_VALUES.includes(value)) {
      throw new EsError(
        400,
        "illegal_argument_exception",
        `unknown value [${value}] for [include]; expected one of [${INCLUDE_VALUES.join(", ")}]`,
      );
    }
  }
  const ids = ctx.params.model_id;
  return () => {
    const cluster = ctx.services.cluster;
    const expansion = cluster.models.expand(ids, { allowNoMatch });
    const models = expansion.modelIds
      .map((id) => cluster.models.get(id) as Model)
      .filter((model) =>
        tags.every((tag) => ((model.config.tags as string[] | undefined) ?? []).includes(tag)),
      );
    const pageModels = models.slice(page.from, page.from + page.size);
    const definitionStatus = include.includes("definition_status");
    if (definitionStatus) {
      if (models.length > 1) {
        throw statusException(
          400,
          "Getting the model download status is not supported when getting more than one model",
        );
      }
      if (models[0] && models[0].modelType !== "pytorch") {
        throw statusException(400, "Definition status is only relevant to PyTorch model types");
      }
    }
    if (include.includes("definition")) {
      const pytorch = pageModels.find((model) => model.modelType === "pytorch");
      if (pytorch)
        throw statusException(
          400,
          `[${pytorch.modelId}] is type [pytorch] and does not support retrieving the definition`,
        );
    }
    return ok({
      count: models.length,
      trained_model_configs: pageModels.map((model) =>
        renderConfig(cluster, model, { definitionStatus, excludeGenerated }),
      ),
    });
  };
}

function deleteModel(ctx: RouteContext): Execute {
  const force = ctx.query.bool("force") ?? false;
  ctx.query.duration("timeout");
  const id = ctx.params.model_id;
  return async () => {
    const { cluster, lifecycle } = ctx.services;
    const model = cluster.models.get(id);
    if (!model) throw missingModel(id);
    if (model.builtIn) throw statusException(400, `Unable to delete model [${id}]; it is a built-in model`);
    const deployments = [...cluster.deployments.values()].filter((dep) => dep.modelId === id);
    if (!force) {
      if (deployments.length > 0) {
        throw statusException(
          409,
          `Cannot delete model [${id}] as it is currently deployed; use force to delete the model`,
        );
      }
      if (cluster.pipelines.referencing([id, ...cluster.models.aliasesOf(id)]).length > 0) {
        throw statusException(
          409,
          `Cannot delete model [${id}] as it is still referenced by ingest processors; use force to delete the model`,
        );
      }
    }
    // Force delete stops the deployments too (§7).
    await Promise.all(deployments.map((dep) => lifecycle.stop(dep, false)));
    cluster.models.models.delete(id);
    for (const alias of cluster.models.aliasesOf(id)) cluster.models.aliases.delete(alias);
    return acknowledged();
  };
}

export const modelRoutes: RouteDef[] = [
  { method: "GET", path: "/_ml/trained_models", action: ACTIONS.getTrainedModels, handler: getModels },
  {
    method: "GET",
    path: "/_ml/trained_models/{model_id}",
    action: ACTIONS.getTrainedModels,
    handler: getModels,
  },
  {
    method: "PUT",
    path: "/_ml/trained_models/{model_id}",
    action: ACTIONS.putTrainedModel,
    handler: putModel,
  },
  {
    method: "DELETE",
    path: "/_ml/trained_models/{model_id}",
    action: ACTIONS.deleteTrainedModel,
    handler: deleteModel,
  },
];
