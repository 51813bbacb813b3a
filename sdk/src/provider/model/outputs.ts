/**
 * A `TrainedModel`'s outputs: what Elasticsearch reports about the model, the observed part of recorded
 * outputs (for updates that make no call), the declared inputs of recorded props, and the partial failure
 * that records a model that is not fully defined.
 */
import { ResponseError, type TrainedModelConfig } from "../../client";
import { PartialFailureError } from "../errors";
import { isPlainObject, PROVIDER_KEY } from "../inputs";
import type { Session } from "../session";
import { isPackagedId, MODEL_INPUT_PROPERTIES, type ModelOutputs } from "./inputs";

type Props = Record<string, unknown>;

/**
 * The partial failure of a create or update whose model exists but is not fully defined: the engine records
 * it (with `__provider`, so it stays deletable) as not fully defined, and the next `up` finishes it.
 */
export function partialFailure(
  session: Session,
  props: Props,
  modelId: string,
  source: "packaged" | "upload",
  err: unknown,
  next: string,
): PartialFailureError {
  const message = `${(err as Error).message}. ${next}`;
  // `properties` spreads the inputs so `__provider` rides along: without it the state could not be deleted.
  const properties = compact({
    ...props,
    resolvedModelId: modelId,
    source,
    clusterUuid: session.clusterUuid,
    fullyDefined: false,
  });
  return new PartialFailureError(modelId, properties, message, { cause: err });
}

/** The outputs: the inputs and what Elasticsearch reports about the model. */
export async function reportModel(
  session: Session,
  props: Props,
  modelId: string,
  model: TrainedModelConfig,
): Promise<Props> {
  const inference = isPlainObject(model.inference_config) ? Object.keys(model.inference_config) : [];
  const input = model.input as { field_names?: unknown } | undefined;
  const pkg = model.model_package as { size?: unknown } | undefined;
  let size: number | undefined;
  try {
    const stats = await session.client.getTrainedModelStats(modelId);
    size = stats.trained_model_stats.find((s) => s.model_id === modelId)?.model_size_stats?.model_size_bytes;
  } catch (err) {
    // The size is informative: without monitor_ml on stats (or a transient failure) it is left out.
    if (!(err instanceof ResponseError)) throw err;
  }
  if (size === undefined && typeof model.model_size_bytes === "number") size = model.model_size_bytes;
  if (size === undefined && typeof pkg?.size === "number") size = pkg.size;
  return compact({
    ...props,
    resolvedModelId: modelId,
    source: isPackagedId(modelId) ? "packaged" : "upload",
    clusterUuid: session.clusterUuid,
    modelType: model.model_type,
    inputFields: Array.isArray(input?.field_names) ? input.field_names : undefined,
    inferenceTask: inference[0],
    platformArchitecture:
      typeof model.platform_architecture === "string" ? model.platform_architecture : undefined,
    modelSizeBytes: size,
    fullyDefined:
      model.fully_defined === true || (model.fully_defined === undefined && model.model_type !== "pytorch"),
    createTime: isoTime(model.create_time),
  });
}

/** The observed outputs of a recorded model (for updates that make no call). */
export function observed(old: Partial<ModelOutputs>): Props {
  const keys = [
    "resolvedModelId",
    "source",
    "clusterUuid",
    "modelType",
    "inputFields",
    "inferenceTask",
    "platformArchitecture",
    "modelSizeBytes",
    "fullyDefined",
    "createTime",
    "uploadedFiles",
  ] as const;
  const out: Props = {};
  for (const key of keys) if (old[key] !== undefined) out[key] = old[key];
  return out;
}

/** `create_time` (TrainedModelConfig.CREATE_TIME: epoch ms, or a date string with `human`) as ISO 8601. */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== "number" && typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The declared inputs of recorded props (with `__provider`). */
export function declaredInputs(props: Props): Props {
  const out: Props = {};
  for (const key of [...MODEL_INPUT_PROPERTIES, PROVIDER_KEY])
    if (props[key] !== undefined) out[key] = props[key];
  return out;
}

/** Without undefined members (the engine keeps no `undefined`). */
export function compact(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}
