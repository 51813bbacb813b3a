/**
 * Model contents and names: definition parts, vocabulary and model aliases (reference §6).
 */
import { ACTIONS } from "../security/actions";
import { bodyRequired, locate, readObject } from "../body";
import { EsError, resourceNotFound, statusException, validationFailed } from "../errors";
import type { Execute, RouteDef } from "../router";
import type { Cluster } from "../state/cluster";
import { Model, missingModel, modelAliasErrors } from "../state/models";
import { acknowledged, jsonBody, RouteContext } from "./context";

function requireFields(values: Record<string, unknown>, names: string[]): void {
  const missing = names.filter((name) => values[name] === undefined || values[name] === null);
  if (missing.length > 0)
    throw new EsError(400, "x_content_parse_exception", `[1:1] Required [${missing.join(", ")}]`);
}

function pytorchModel(cluster: Cluster, id: string, what: string): Model {
  const model = cluster.models.get(id);
  if (!model) throw missingModel(id);
  if (model.modelType !== "pytorch") {
    throw statusException(
      400,
      `cannot put ${what} for model [${id}] of type [${model.modelType}]; only PyTorch models have one`,
    );
  }
  return model;
}

function putDefinitionPart(ctx: RouteContext): Execute {
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const parser = "put_trained_model_definition_part_action";
  const values = readObject(body, parser, {
    definition: "string",
    total_definition_length: "int",
    total_parts: "int",
  });
  requireFields(values, ["definition", "total_definition_length", "total_parts"]);
  const definition = values.definition as string;
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(definition)) {
    throw new EsError(
      400,
      "x_content_parse_exception",
      `${locate(body.raw, "definition")} [${parser}] failed to parse field [definition]`,
      {
        causedBy: { type: "illegal_argument_exception", reason: "Illegal base64 character" },
      },
    );
  }
  const rawPart = ctx.params.part;
  if (!/^[+-]?\d+$/.test(rawPart)) {
    throw new EsError(
      400,
      "illegal_argument_exception",
      `Failed to parse int parameter [part] with value [${rawPart}]`,
      {
        causedBy: { type: "number_format_exception", reason: `For input string: "${rawPart}"` },
      },
    );
  }
  const part = Number(rawPart);
  const totalLength = values.total_definition_length as number;
  const totalParts = values.total_parts as number;
  return () => {
    const errors: string[] = [];
    if (part < 0) errors.push("[part] must be greater or equal to 0");
    if (totalParts <= 0) errors.push("[total_parts] must be greater than 0");
    if (part >= totalParts) errors.push("[part] must be less than total_parts");
    if (totalLength <= 0) errors.push("[total_definition_length] must be greater than 0");
    if (errors.length > 0) throw validationFailed(errors);
    const model = pytorchModel(ctx.services.cluster, ctx.params.model_id, "definition parts");
    if (model.parts.has(part)) {
      throw new EsError(
        400,
        "resource_already_exists_exception",
        `Trained machine learning model definition [${model.modelId}] part [${part}] already exists`,
      );
    }
    const bytes = Buffer.from(definition, "base64").length;
    model.parts.set(part, { bytes, totalDefinitionLength: totalLength, totalParts });
    return acknowledged();
  };
}

function putVocabulary(ctx: RouteContext): Execute {
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const values = readObject(body, "put_trained_model_vocabulary_action", {
    vocabulary: "array",
    merges: "array",
    scores: "array",
  });
  requireFields(values, ["vocabulary"]);
  return () => {
    const model = pytorchModel(ctx.services.cluster, ctx.params.model_id, "a vocabulary");
    model.hasVocabulary = true;
    return acknowledged();
  };
}

/** `InferenceConfig.getName()`: the key of the model's inference config. */
function inferenceConfigName(model: Model): string | undefined {
  const config = model.config.inference_config as Record<string, unknown> | undefined;
  return config ? Object.keys(config)[0] : undefined;
}

function putAlias(ctx: RouteContext): Execute {
  const reassign = ctx.query.bool("reassign") ?? false;
  const { model_id: modelId, model_alias: alias } = ctx.params;
  return () => {
    const { cluster } = ctx.services;
    const errors = modelAliasErrors(alias);
    if (alias === modelId) errors.push(`model_alias [${alias}] cannot equal model_id [${modelId}]`);
    if (errors.length > 0) throw validationFailed(errors);
    const model = cluster.models.get(modelId);
    if (!model) throw missingModel(modelId);
    if (cluster.models.get(alias))
      throw statusException(400, "model_alias cannot be the same as an existing trained model_id");
    const previous = cluster.models.aliases.get(alias);
    if (previous !== undefined && previous !== modelId) {
      if (!reassign) {
        throw statusException(
          400,
          `cannot assign model_alias [${alias}] to model_id [${modelId}] as model_alias already refers to [${previous}]. Set parameter [reassign] to [true] if model_alias should be reassigned.`,
        );
      }
      const old = cluster.models.get(previous);
      // `TransportPutTrainedModelAliasAction`: the inference config kind first, then the model type.
      const oldTask = old ? inferenceConfigName(old) : undefined;
      const newTask = inferenceConfigName(model);
      if (old && oldTask !== undefined && newTask !== undefined && oldTask !== newTask) {
        throw statusException(
          400,
          `cannot reassign model_alias [${alias}] to model [${modelId}] with inference config type [${newTask}] from model [${previous}] with type [${oldTask}]`,
        );
      }
      if (old && old.modelType !== model.modelType) {
        throw statusException(
          400,
          `cannot reassign model_alias [${alias}] to model [${modelId}] with type [${model.modelType}] from model [${previous}] with type [${old.modelType}]`,
        );
      }
      const deploymentsOf = (id: string) =>
        [...cluster.deployments.values()].filter((dep) => dep.modelId === id);
      if (model.modelType === "pytorch" && deploymentsOf(previous).length > 0) {
        const target = deploymentsOf(modelId);
        const prefix = `cannot reassign model_alias [${alias}] to model [${modelId}] from model [${previous}]`;
        if (target.length === 0) throw statusException(409, `${prefix} as it is not yet deployed`);
        const allocated = target.some((dep) =>
          [...dep.routes.values()].some((r) => r.state === "started" && r.current > 0),
        );
        if (!allocated) throw statusException(409, `${prefix} as it is not yet allocated to any nodes`);
      }
    }
    cluster.models.aliases.set(alias, modelId);
    return acknowledged();
  };
}

function deleteAlias(ctx: RouteContext): Execute {
  const { model_id: modelId, model_alias: alias } = ctx.params;
  return () => {
    const { cluster } = ctx.services;
    const target = cluster.models.aliases.get(alias);
    if (target === undefined)
      throw resourceNotFound(`trained model alias [${alias}] to model [${modelId}] not found`);
    if (target !== modelId) {
      throw statusException(
        409,
        `trained model alias [${alias}] does not refer to provided model [${modelId}]`,
      );
    }
    cluster.models.aliases.delete(alias);
    return acknowledged();
  };
}

export const modelPartRoutes: RouteDef[] = [
  {
    method: "PUT",
    path: "/_ml/trained_models/{model_id}/definition/{part}",
    action: ACTIONS.putTrainedModelDefinitionPart,
    handler: putDefinitionPart,
  },
  {
    method: "PUT",
    path: "/_ml/trained_models/{model_id}/vocabulary",
    action: ACTIONS.putTrainedModelVocabulary,
    handler: putVocabulary,
  },
  {
    method: "PUT",
    path: "/_ml/trained_models/{model_id}/model_aliases/{model_alias}",
    action: ACTIONS.putTrainedModelAlias,
    handler: putAlias,
  },
  {
    method: "DELETE",
    path: "/_ml/trained_models/{model_id}/model_aliases/{model_alias}",
    action: ACTIONS.deleteTrainedModelAlias,
    handler: deleteAlias,
  },
];
