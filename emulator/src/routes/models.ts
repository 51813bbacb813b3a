/**
 * Trained model configurations: `PUT/GET/DELETE _ml/trained_models/<id>` (reference §5.3, §6, §7).
 */
import { ACTIONS } from "../security/actions";
import { bodyRequired, readObject } from "../body";
import { EsError, statusException, validationFailed } from "../errors";
import type { Execute, RouteDef } from "../router";
import { Model, ModelType, missingModel, modelIdErrors } from "../state/models";
import { acknowledged, jsonBody, ok, RouteContext } from "./context";
import { assertModelIdFree } from "./modelIds";
import {
  checkDefinition,
  effectiveInput,
  inflateDefinition,
  inputErrors,
  parseInferenceConfig,
} from "./modelValidation";
import { putPackagedModel } from "./packagedModels";
import { renderConfig } from "./renderModel";
import { readPage } from "./stats";
import { inconsistentModelId, parseEnum } from "./start";

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
  // Generated fields: known to the parser, refused at creation (`checkIllegalSetting`).
  version: "string",
  created_by: "string",
  create_time: "any",
  license_level: "string",
  model_package: "object",
} as const;

/** Fields only the server sets, in `validate(forCreation)` order (metadata keys as `metadata.<key>`). */
const GENERATED_FIELDS = [
  "version",
  "created_by",
  "create_time",
  "license_level",
  "location",
  "metadata.total_feature_importance",
  "metadata.model_aliases",
  "model_package",
];

function generatedFieldErrors(values: Record<string, unknown>): string[] {
  const metadata = (values.metadata as Record<string, unknown> | undefined) ?? {};
  const present = (field: string): boolean =>
    field.startsWith("metadata.")
      ? metadata[field.slice("metadata.".length)] !== undefined
      : values[field] !== undefined && values[field] !== null;
  return GENERATED_FIELDS.filter(present).map(
    (field) => `illegal to set [${field}] at inference model creation`,
  );
}

/** `TrainedModelConfig.Builder.validate(forCreation)` messages, in order. */
function creationErrors(
  id: string,
  packaged: boolean,
  values: Record<string, unknown>,
  inferenceConfig: Record<string, unknown> | undefined,
  input: unknown,
): string[] {
  const hasDefinition = values.definition !== undefined || values.compressed_definition !== undefined;
  const errors = packaged
    ? id.length > 64
      ? [`Invalid model_id; '${id}' cannot contain more than 64 characters.`]
      : []
    : modelIdErrors(id);
  if (!packaged) {
    if (values.model_type === undefined && !hasDefinition)
      errors.push("[model_type] must be set if [definition] is not defined");
    if (!inferenceConfig) errors.push("[inference_config] must not be null.");
  }
  if (input === undefined) errors.push("[input] must not be null.");
  if (inferenceConfig) errors.push(...inputErrors(input));
  errors.push(...generatedFieldErrors(values));
  return errors;
}

function putModel(ctx: RouteContext): Execute {
  const q = ctx.query;
  const deferDecompression = q.bool("defer_definition_decompression") ?? false;
  // `wait_for_completion` came with packaged model downloads (8.8); older versions reject it.
  const waitForCompletion = ctx.services.cluster.profile.has("packagedModels")
    ? (q.bool("wait_for_completion") ?? false)
    : false;
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const values = readObject(body, PARSER, CONFIG_FIELDS);
  const id = ctx.params.model_id;
  if (values.model_id !== undefined && values.model_id !== id) {
    throw statusException(400, inconsistentModelId(values.model_id as string, id));
  }
  const rawConfig = values.inference_config as Record<string, unknown> | undefined;
  const inferenceConfig = rawConfig ? parseInferenceConfig(body, rawConfig) : undefined;
  let modelType: ModelType | undefined;
  if (values.model_type !== undefined) {
    modelType = parseEnum(
      values.model_type as string,
      MODEL_TYPES,
      "org.elasticsearch.xpack.core.ml.inference.TrainedModelType",
    );
  }
  const input = effectiveInput(values.input, modelType, inferenceConfig);
  // Packaged models (Elastic's, downloaded) have ids starting with a dot (`TrainedModelConfig.isPackagedModel`).
  const packaged = id.startsWith(".") && ctx.services.cluster.profile.has("packagedModels");
  const errors = creationErrors(id, packaged, values, inferenceConfig, input);
  if (errors.length > 0) throw validationFailed(errors);
  const compressed = values.compressed_definition as string | undefined;
  if (
    deferDecompression &&
    compressed !== undefined &&
    !((values.model_size_bytes as number | undefined) ?? 0)
  ) {
    // `PutTrainedModelAction.Request.validate`
    throw validationFailed([
      "when [defer_definition_decompression] is true and a compressed definition is provided, model_size_bytes must be set",
    ]);
  }
  if (packaged) {
    return putPackagedModel(ctx, { ...values, input }, waitForCompletion, (model) =>
      renderConfig(ctx.services.cluster, model),
    );
  }
  return () => {
    const cluster = ctx.services.cluster;
    // `ensureParsedDefinition` unless decompression is deferred; then the definition checks.
    let definition = values.definition as Record<string, unknown> | undefined;
    if (compressed !== undefined && !deferDecompression) {
      definition = inflateDefinition(compressed);
      if (!definition) throw statusException(400, `Failed to parse definition for [${id}]`);
    }
    if (definition) checkDefinition(id, definition, inferenceConfig);
    assertModelIdFree(cluster, id);
    if (cluster.models.get(id)) {
      throw new EsError(
        400,
        "resource_already_exists_exception",
        `Trained machine learning model [${id}] already exists`,
      );
    }
    const config: Record<string, unknown> = { ...values, input, inference_config: inferenceConfig };
    for (const key of ["model_id", "model_type", "definition", "compressed_definition"]) delete config[key];
    const inlineDefinition = values.definition ?? compressed;
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
      definition: values.definition as Record<string, unknown> | undefined,
      compressedDefinition: compressed,
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
  const decompress = q.bool("decompress_definition") ?? true;
  const includeModelDefinition = q.bool("include_model_definition") ?? false;
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
    const withDefinition = include.includes("definition") || includeModelDefinition;
    if (withDefinition) {
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
        renderConfig(cluster, model, {
          definitionStatus,
          excludeGenerated,
          definition: withDefinition ? (decompress ? "parsed" : "compressed") : undefined,
        }),
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
    // `TransportDeleteTrainedModelAction.deleteModel`: pipelines naming the model, then its
    // aliases, then deployments.
    if (!force) {
      if (cluster.pipelines.referencing([id]).length > 0) {
        throw statusException(
          409,
          `Cannot delete model [${id}] as it is still referenced by ingest processors; use force to delete the model`,
        );
      }
      const referencedAlias = cluster.models
        .aliasesOf(id)
        .find((alias) => cluster.pipelines.referencing([alias]).length > 0);
      if (referencedAlias !== undefined) {
        throw statusException(
          409,
          `Cannot delete model [${id}] as it has a model_alias [${referencedAlias}] that is still referenced by ingest processors; use force to delete the model`,
        );
      }
      if (deployments.length > 0) {
        throw statusException(
          409,
          `Cannot delete model [${id}] as it is currently deployed; use force to delete the model`,
        );
      }
    }
    // Force delete stops the deployments too (§7).
    await Promise.all(deployments.map((dep) => lifecycle.stop(dep, false)));
    // A running import task is cancelled first (`cancelDownloadTask`).
    cluster.downloads.forget(id);
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
