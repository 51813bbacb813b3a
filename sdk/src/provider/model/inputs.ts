import type { ConnectionArgument } from "../connectionInput";

/**
 * The shapes of a `TrainedModel`'s inputs and outputs as the provider sees them (plain JSON, after the
 * engine resolved every `Input`), and the packaged models this version knows.
 */

/** `platform`: which build of a packaged model to download. */
export type PlatformChoice = "auto" | "portable" | "linux-x86_64";
export const PLATFORM_CHOICES: readonly PlatformChoice[] = ["auto", "portable", "linux-x86_64"];

/** A tokenizer vocabulary given inline (eland's `vocabulary.json` content). */
export interface InlineVocabulary {
  vocabulary: string[];
  /** BPE tokenizers (RoBERTa, MPNet with BPE, …). */
  merges?: string[];
  /** Unigram tokenizers (XLM-RoBERTa, DeBERTa-v2). */
  scores?: number[];
}

/** A model of your own, as eland exports it. */
export interface UploadInputs {
  /** The TorchScript definition file (eland's `traced_pytorch_model.pt`). */
  definitionPath: string;
  /** The model configuration (eland's `config.json`), sent as the body of `PUT _ml/trained_models/<id>`. */
  config: Record<string, unknown>;
  /** A vocabulary file as eland writes it (`{"vocabulary": [...], "merges"?: [...], "scores"?: [...]}`). */
  vocabularyPath?: string;
  /** The vocabulary inline, instead of `vocabularyPath`. */
  vocabulary?: InlineVocabulary;
}

/** The declared inputs after `check` (defaults filled). */
export interface ModelInputs {
  /** The model id: an Elastic packaged model (leading ".") or your own model's id. */
  modelId: string;
  /** Packaged models with a `_linux-x86_64` build only. Unset: `modelId` is downloaded as written. */
  platform?: PlatformChoice;
  /** Packaged models: `input.field_names` (the one setting a packaged model's PUT may carry). */
  inputFieldNames?: string[];
  /** Your own model's files; required for a model id without a leading ".". */
  upload?: UploadInputs;
  /** The provider's deadline for the download or upload, in seconds (default 1200). */
  waitTimeoutSeconds: number;
  /** Delete even when deployments, pipelines or inference endpoints use the model (see forceDelete.ts). */
  forceDelete?: boolean;
  /** A connection name from stack config, or the settings (see `../connectionInput.ts`). */
  connection?: ConnectionArgument;
}

/** What is recorded about an uploaded file: enough to tell a changed file without reading it again. */
export interface FileRecord {
  sha256: string;
  sizeBytes: number;
  /** `mtimeMs` when it was hashed: a file whose size and time are unchanged is not read again by diff. */
  modifiedMs: number;
}

/** The outputs: the inputs plus what Elasticsearch reports. */
export interface ModelOutputs extends ModelInputs {
  /** The model's id in the cluster (the `_linux-x86_64` build when `platform` chose it): the resource id. */
  resolvedModelId: string;
  /** `packaged` or `upload`. */
  source: "packaged" | "upload";
  clusterUuid?: string;
  modelType?: string;
  /** `input.field_names`. */
  inputFields?: string[];
  /** The inference task: the key of `inference_config` (`text_embedding`, `text_expansion`, …). */
  inferenceTask?: string;
  /** `platform_architecture` (e.g. `linux-x86_64`); absent for a portable model. */
  platformArchitecture?: string;
  /** The definition's size in bytes, as Elasticsearch reports it. */
  modelSizeBytes?: number;
  /** Whether every part of the definition is in the cluster (`include=definition_status`). */
  fullyDefined: boolean;
  /** When the model was created (ISO 8601). */
  createTime?: string;
  /** The uploaded definition (and vocabulary file): SHA-256, size and time. Never the bytes. */
  uploadedFiles?: { definition: FileRecord; vocabulary?: FileRecord };
}

/** The packaged model ids that have a `_linux-x86_64` build (Kibana's `ELASTIC_MODEL_DEFINITIONS`). */
export const PLATFORM_SPECIFIC_BASES: readonly string[] = [".elser_model_2", ".multilingual-e5-small"];
export const PLATFORM_SUFFIX = "_linux-x86_64";

/** Elastic's packaged models this version knows, with the Elasticsearch version that first offers each. */
export const KNOWN_PACKAGED_MODELS: Readonly<Record<string, string>> = {
  ".elser_model_1": "8.8.0",
  ".elser_model_2": "8.11.0",
  ".elser_model_2_linux-x86_64": "8.11.0",
  ".multilingual-e5-small": "8.11.0",
  ".multilingual-e5-small_linux-x86_64": "8.11.0",
  ".rerank-v1": "8.17.0",
};

/** Whether an id names an Elastic packaged model: user model ids cannot start with ".". */
export function isPackagedId(modelId: string): boolean {
  return modelId.startsWith(".");
}

export const MODEL_INPUT_PROPERTIES: readonly (keyof ModelInputs)[] = [
  "modelId",
  "platform",
  "inputFieldNames",
  "upload",
  "waitTimeoutSeconds",
  "forceDelete",
  "connection",
];
