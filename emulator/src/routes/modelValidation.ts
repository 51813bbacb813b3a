/**
 * Pure checks of a `PUT _ml/trained_models/<id>` body, each with Elasticsearch's message and the
 * class it comes from:
 * - inference config parsing: one known config (`TrainedModelConfig` named objects), `vocabulary`
 *   refused at creation and `mask_token` checked against the tokenizer (NLP configs' strict
 *   parsers, e.g. `FillMaskConfig`);
 * - input: the PyTorch default `["input"]` (`TrainedModelType.PYTORCH`, `TrainedModelConfig.handleDefaultInput`)
 *   and `InferenceConfig.validateTrainedModelInput`;
 * - inline definitions: `Tree.validate`, `Ensemble.validate` and the target-type check of
 *   `TransportPutTrainedModelAction`; compressed definitions are base64 gzip JSON
 *   (`InferenceToXContentCompressor`).
 */
import { gunzipSync } from "node:zlib";
import { locate } from "../body";
import { EsError, ErrorCause, statusException } from "../errors";
import type { JsonBody } from "../body";

export const PYTORCH_TASKS = [
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
export const TREE_TASKS = ["regression", "classification"];
const PARSER = "trained_model_config";

/** The mask token of each tokenizer (`*Tokenization.MASK_TOKEN` / the tokenizers' constants). */
export const MASK_TOKENS: Record<string, string> = {
  bert: "[MASK]",
  bert_ja: "[MASK]",
  mpnet: "<mask>",
  roberta: "<mask>",
  xlm_roberta: "<mask>",
  deberta_v2: "[MASK]",
};

/** The tokenizer named in an NLP config; BERT when none is given (`Tokenization.createDefault`). */
export function tokenizerOf(config: Record<string, unknown>): string {
  const tokenization = config.tokenization as Record<string, unknown> | undefined;
  const names = tokenization ? Object.keys(tokenization) : [];
  return names[0] ?? "bert";
}

/** A parse failure of `inference_config`, wrapped as the outer parser wraps it. */
function inferenceConfigError(body: JsonBody, cause: ErrorCause): EsError {
  return new EsError(
    400,
    "x_content_parse_exception",
    `${locate(body.raw, "inference_config")} [${PARSER}] failed to parse field [inference_config]`,
    { causedBy: cause },
  );
}

/**
 * Checks `inference_config` as its parser does and returns it normalised (`fill_mask.mask_token`
 * filled in from the tokenizer, as GET prints it). Throws the 400 Elasticsearch sends.
 */
export function parseInferenceConfig(
  body: JsonBody,
  inferenceConfig: Record<string, unknown>,
): Record<string, unknown> {
  const keys = Object.keys(inferenceConfig);
  const unknown = keys.find((key) => ![...PYTORCH_TASKS, ...TREE_TASKS].includes(key));
  if (keys.length !== 1 || unknown !== undefined) {
    throw inferenceConfigError(body, {
      type: "named_object_not_found_exception",
      reason:
        keys.length === 1
          ? `unknown inference configuration [${unknown}]`
          : "[inference_config] must contain exactly one inference configuration",
    });
  }
  const task = keys[0];
  const settings = inferenceConfig[task];
  if (!PYTORCH_TASKS.includes(task) || settings === null || typeof settings !== "object")
    return inferenceConfig;
  const nlp = { ...(settings as Record<string, unknown>) };
  if (nlp.vocabulary !== undefined) {
    // The strict parser refuses a vocabulary location: the server decides where it is stored.
    throw inferenceConfigError(body, {
      type: "x_content_parse_exception",
      reason: `${locate(body.raw, "vocabulary")} [${task}] failed to parse field [vocabulary]`,
      caused_by: {
        type: "status_exception",
        reason: "illegal setting [vocabulary] on inference model creation",
      },
    });
  }
  if (task === "fill_mask") {
    const expected = MASK_TOKENS[tokenizerOf(nlp)] ?? "[MASK]";
    if (nlp.mask_token !== undefined && nlp.mask_token !== expected) {
      throw inferenceConfigError(body, {
        type: "illegal_argument_exception",
        reason: `Mask token requested was [${String(nlp.mask_token)}] but must be [${expected}] for this model`,
      });
    }
    nlp.mask_token = expected;
  }
  return { [task]: nlp };
}

/**
 * The input a model gets: the request's, else the model type's default (`["input"]` for PyTorch
 * when an inference config is given; none for tree models).
 */
export function effectiveInput(
  input: unknown,
  modelType: string | undefined,
  inferenceConfig: Record<string, unknown> | undefined,
): unknown {
  if (input !== undefined) return input;
  return inferenceConfig !== undefined && modelType === "pytorch" ? { field_names: ["input"] } : undefined;
}

/** `InferenceConfig.validateTrainedModelInput` (run when an inference config is given). */
export function inputErrors(input: unknown): string[] {
  const names = (input as { field_names?: unknown } | undefined)?.field_names;
  if (!Array.isArray(names)) return [];
  const errors: string[] = [];
  if (names.length === 0) errors.push("[input.field_names] must not be empty");
  const badDots = names.some(
    (name) => typeof name === "string" && name.includes(".") && name.split(".").some((part) => part === ""),
  );
  if (badDots) errors.push("[input.field_names] must only contain valid dot delimited field names");
  return errors;
}

/** Decodes a base64 gzip JSON definition; undefined when it is not one. */
export function inflateDefinition(compressed: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(gunzipSync(Buffer.from(compressed, "base64")).toString("utf8"));
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

type Json = Record<string, unknown>;

/** `Tree.maxFeatureIndex`: the highest `split_feature` of a split node, -1 for a stump. */
function maxFeatureIndex(tree: Json): number {
  const nodes = (tree.tree_structure as Json[] | undefined) ?? [];
  return nodes
    .filter((node) => node.left_child !== undefined && node.left_child !== null)
    .reduce((max, node) => Math.max(max, Number(node.split_feature ?? -1)), -1);
}

/** `Tree.validate` / `Ensemble.validate` (first failure only, as they throw). */
function trainedModelError(trainedModel: Json): string | undefined {
  if (trainedModel.tree) {
    const tree = trainedModel.tree as Json;
    const featureNames = (tree.feature_names as unknown[] | undefined) ?? [];
    const max = maxFeatureIndex(tree);
    if (max >= featureNames.length)
      return `feature index [${max}] is out of bounds for the [feature_names] array`;
    return undefined;
  }
  if (trainedModel.ensemble) {
    const models = ((trainedModel.ensemble as Json).trained_models as Json[] | undefined) ?? [];
    if (models.length === 0) return "[trained_models] must not be empty";
    for (const model of models) {
      const error = trainedModelError(model);
      if (error) return error;
    }
  }
  return undefined;
}

/** The definition's `target_type` (regression unless it says otherwise). */
function targetType(trainedModel: Json): string {
  const inner = (trainedModel.tree ?? trainedModel.ensemble) as Json | undefined;
  return (inner?.target_type as string | undefined) ?? "regression";
}

/**
 * The definition checks of `TransportPutTrainedModelAction`: validation failures wrapped in
 * "Definition for [id] has validation failures.", then the target type against the config.
 */
export function checkDefinition(modelId: string, definition: Json, inferenceConfig: Json | undefined): void {
  const trainedModel = (definition.trained_model as Json | undefined) ?? {};
  const error = trainedModelError(trainedModel);
  if (error) {
    throw statusException(400, `Definition for [${modelId}] has validation failures.`, {
      type: "status_exception",
      reason: error,
    });
  }
  const task = inferenceConfig ? Object.keys(inferenceConfig)[0] : undefined;
  const target = targetType(trainedModel);
  // Regression configs take regression trees, classification configs classification ones.
  if (task !== undefined && TREE_TASKS.includes(task) && task !== target) {
    throw statusException(
      400,
      `Model [${modelId}] inference config type [${task}] does not support definition target type [${target}]`,
    );
  }
}
