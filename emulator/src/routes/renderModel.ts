/**
 * A model configuration as `GET _ml/trained_models` prints it (`TrainedModelConfig.toXContent`):
 * generated fields unless `exclude_generated`, aliases in `metadata.model_aliases`,
 * `fully_defined` with `include=definition_status`, and for tree models with `include=definition`
 * the definition: parsed (`decompress_definition=true`, the default) or as the stored base64
 * gzip text (`compressed_definition`).
 */
import { gzipSync } from "node:zlib";
import type { Cluster } from "../state/cluster";
import type { Model } from "../state/models";
import { inflateDefinition } from "./modelValidation";

export interface RenderOptions {
  definitionStatus?: boolean;
  excludeGenerated?: boolean;
  /** `include=definition`: "parsed" or "compressed" (`decompress_definition=false`). */
  definition?: "parsed" | "compressed";
}

/** The stored definition as base64 gzip JSON: the uploaded text when it came compressed. */
function compressedDefinition(model: Model): string | undefined {
  if (model.compressedDefinition !== undefined) return model.compressedDefinition;
  if (model.definition === undefined) return undefined;
  return gzipSync(JSON.stringify(model.definition)).toString("base64");
}

function parsedDefinition(model: Model): Record<string, unknown> | undefined {
  if (model.definition !== undefined) return model.definition;
  return model.compressedDefinition === undefined ? undefined : inflateDefinition(model.compressedDefinition);
}

export function renderConfig(
  cluster: Cluster,
  model: Model,
  options: RenderOptions = {},
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
  if (model.modelType === "pytorch") {
    out.location = c.location ?? { index: { name: ".ml-inference-native-000002" } };
    if (c.model_package !== undefined) out.model_package = c.model_package;
  }
  if (options.definition === "parsed") {
    const definition = parsedDefinition(model);
    if (definition !== undefined) out.definition = definition;
  } else if (options.definition === "compressed") {
    const compressed = compressedDefinition(model);
    if (compressed !== undefined) out.compressed_definition = compressed;
  }
  if (options.definitionStatus) out.fully_defined = cluster.models.definitionStatus(model) === "complete";
  return out;
}
