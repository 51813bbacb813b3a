/**
 * `check` for a `TrainedModel`: fill defaults and validate every rule before anything is sent, naming the
 * property, the value and what is allowed. Pure: no I/O (the files are looked at by `files.ts`), no
 * Pulumi runtime. Values equal to Pulumi's unknown sentinel (preview) are skipped.
 */
import { type CheckFailure, ID_PATTERN, ID_RULE, WAIT_TIMEOUT_RULE } from "../check";
import { checkConnectionArgument } from "../connectionInput";
import {
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  isPlainObject,
  isUnknown,
  MAX_ID_LENGTH,
  MAX_WAIT_TIMEOUT_SECONDS,
  PROVIDER_KEY,
  withoutNulls,
} from "../inputs";
import {
  isPackagedId,
  MODEL_INPUT_PROPERTIES,
  ModelInputs,
  PLATFORM_CHOICES,
  PLATFORM_SPECIFIC_BASES,
  PLATFORM_SUFFIX,
} from "./inputs";

export interface ModelCheckOutcome {
  inputs: ModelInputs;
  failures: CheckFailure[];
}

const UPLOAD_KEYS = ["definitionPath", "config", "vocabularyPath", "vocabulary"];
const VOCABULARY_KEYS = ["vocabulary", "merges", "scores"];
// Parts of a configuration that are uploaded separately or set by Elasticsearch only.
const CONFIG_REFUSED = ["model_id", "definition", "compressed_definition", "model_package"];

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** Validate and normalize a `TrainedModel`'s inputs. */
export function checkModelInputs(_olds: unknown, news: unknown): ModelCheckOutcome {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const raw = isPlainObject(news) ? news : {};
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    // An object `connection`'s unset settings may arrive as null (another stack's outputs): dropped.
    if (key === "connection") inputs[key] = withoutNulls(value);
    else if (key === PROVIDER_KEY || (MODEL_INPUT_PROPERTIES as readonly string[]).includes(key))
      inputs[key] = value;
    else
      fail(key, `${key} is not an input of TrainedModel; inputs are: ${MODEL_INPUT_PROPERTIES.join(", ")}`);
  }
  inputs.waitTimeoutSeconds ??= DEFAULT_WAIT_TIMEOUT_SECONDS;

  const modelId = inputs.modelId;
  if (modelId === undefined) fail("modelId", "modelId is required");
  else if (!isUnknown(modelId)) {
    if (typeof modelId !== "string" || !ID_PATTERN.test(modelId)) {
      fail("modelId", `modelId: ${show(modelId)} is not allowed; ${ID_RULE}`);
    } else if (modelId.length > MAX_ID_LENGTH) {
      fail(
        "modelId",
        `modelId: ${show(modelId)} is not allowed; must be at most ${MAX_ID_LENGTH} characters`,
      );
    }
  }
  // Rules that depend on the id's kind wait for a valid id.
  const known =
    typeof modelId === "string" && !isUnknown(modelId) && failures.every((f) => f.property !== "modelId");
  const packaged = known && isPackagedId(modelId);

  checkPlatform(inputs, modelId, known, packaged, fail);
  checkInputFieldNames(inputs.inputFieldNames, known && !packaged, fail);

  const upload = inputs.upload;
  if (known && packaged && upload !== undefined) {
    fail(
      "upload",
      `upload is not allowed for ${show(modelId)}: an id with a leading "." is one of Elastic's packaged models, ` +
        'which Elasticsearch downloads itself; give your own model an id without a leading "."',
    );
  } else if (known && !packaged && upload === undefined) {
    fail(
      "upload",
      `upload is required for ${show(modelId)}: an id without a leading "." is your own model; declare ` +
        "upload: { definitionPath, config, vocabularyPath or vocabulary } (the files eland exports), or use an " +
        'Elastic packaged model id such as ".multilingual-e5-small"',
    );
  }
  if (upload !== undefined && !isUnknown(upload)) checkUpload(upload, fail);

  const timeout = inputs.waitTimeoutSeconds;
  if (
    !isUnknown(timeout) &&
    (typeof timeout !== "number" || !(timeout > 0) || timeout > MAX_WAIT_TIMEOUT_SECONDS)
  ) {
    fail("waitTimeoutSeconds", `waitTimeoutSeconds: ${show(timeout)} is not allowed; ${WAIT_TIMEOUT_RULE}`);
  }
  const force = inputs.forceDelete;
  if (force !== undefined && !isUnknown(force) && typeof force !== "boolean") {
    fail("forceDelete", `forceDelete: ${show(force)} is not allowed; must be true or false`);
  }
  // A name from stack config or an object of settings: the rules every resource's `connection` shares.
  if (inputs.connection !== undefined) failures.push(...checkConnectionArgument(inputs.connection));
  return { inputs: inputs as unknown as ModelInputs, failures };
}

function checkPlatform(
  inputs: Record<string, unknown>,
  modelId: unknown,
  known: boolean,
  packaged: boolean,
  fail: (property: string, reason: string) => void,
): void {
  const platform = inputs.platform;
  if (platform === undefined || isUnknown(platform)) return;
  if (!(PLATFORM_CHOICES as readonly unknown[]).includes(platform)) {
    fail(
      "platform",
      `platform: ${show(platform)} is not allowed; must be one of ${PLATFORM_CHOICES.map(show).join(", ")}`,
    );
    return;
  }
  if (!known) return;
  // "auto" and "portable" suit every packaged model (one without a platform build has only the portable
  // one), so a program can declare any packaged id the same way; "linux-x86_64" needs a model that has it.
  const fits =
    packaged &&
    !(modelId as string).endsWith(PLATFORM_SUFFIX) &&
    (platform !== "linux-x86_64" || PLATFORM_SPECIFIC_BASES.includes(modelId as string));
  if (!fits) {
    const hint = (modelId as string).endsWith(PLATFORM_SUFFIX)
      ? `; ${show(modelId)} already names the ${PLATFORM_SUFFIX.slice(1)} build (declare the base id to choose)`
      : "";
    fail(
      "platform",
      `platform: ${show(platform)} is not allowed for ${show(modelId)}; ` +
        (packaged
          ? `only the packaged models with a platform-specific build take "linux-x86_64" (${PLATFORM_SPECIFIC_BASES.map(show).join(", ")})`
          : 'platform chooses the build of an Elastic packaged model (an id with a leading ".")') +
        hint,
    );
  }
}

function checkInputFieldNames(
  value: unknown,
  uploaded: boolean,
  fail: (property: string, reason: string) => void,
): void {
  if (value === undefined || isUnknown(value)) return;
  if (uploaded) {
    fail(
      "inputFieldNames",
      "inputFieldNames is for packaged models; for your own model set input.field_names in upload.config",
    );
    return;
  }
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "string" || v === "")) {
    fail(
      "inputFieldNames",
      `inputFieldNames: ${show(value)} is not allowed; must be a non-empty list of field names ` +
        '(Elasticsearch: "[input.field_names] must not be empty")',
    );
  }
}

function checkUpload(upload: unknown, fail: (property: string, reason: string) => void): void {
  if (!isPlainObject(upload)) {
    fail("upload", `upload: ${show(upload)} is not allowed; must be an object { ${UPLOAD_KEYS.join(", ")} }`);
    return;
  }
  for (const key of Object.keys(upload)) {
    if (!UPLOAD_KEYS.includes(key) && upload[key] !== null && upload[key] !== undefined) {
      fail(
        `upload.${key}`,
        `upload.${key} is not a setting of upload; settings are: ${UPLOAD_KEYS.join(", ")}`,
      );
    }
  }
  const path = upload.definitionPath;
  if (path === undefined || path === null) fail("upload.definitionPath", "upload.definitionPath is required");
  else if (!isUnknown(path) && (typeof path !== "string" || path.trim() === "")) {
    fail("upload.definitionPath", `upload.definitionPath: ${show(path)} is not allowed; must be a file path`);
  }
  checkConfig(upload.config, fail);
  const vocabPath = upload.vocabularyPath ?? undefined;
  const vocab = upload.vocabulary ?? undefined;
  if (vocabPath === undefined && vocab === undefined) {
    fail(
      "upload.vocabulary",
      "upload needs the tokenizer's vocabulary: vocabularyPath (eland's vocabulary.json) or vocabulary inline",
    );
  } else if (vocabPath !== undefined && vocab !== undefined) {
    fail("upload.vocabulary", "upload.vocabularyPath and upload.vocabulary are exclusive; declare one");
  }
  if (
    vocabPath !== undefined &&
    !isUnknown(vocabPath) &&
    (typeof vocabPath !== "string" || vocabPath === "")
  ) {
    fail(
      "upload.vocabularyPath",
      `upload.vocabularyPath: ${show(vocabPath)} is not allowed; must be a file path`,
    );
  }
  if (vocab !== undefined && !isUnknown(vocab)) {
    for (const failure of vocabularyFailures(vocab, "upload.vocabulary"))
      fail(failure.property, failure.reason);
  }
}

function checkConfig(config: unknown, fail: (property: string, reason: string) => void): void {
  if (config === undefined || config === null) {
    fail("upload.config", "upload.config is required: the model configuration (eland's config.json, parsed)");
    return;
  }
  if (isUnknown(config)) return;
  if (!isPlainObject(config)) {
    fail(
      "upload.config",
      `upload.config: ${show(config)} is not allowed; must be an object (config.json, parsed)`,
    );
    return;
  }
  for (const key of CONFIG_REFUSED) {
    if (config[key] !== undefined) {
      fail(
        `upload.config.${key}`,
        `upload.config.${key} is not allowed: ${key === "model_id" ? "the id is modelId" : "the definition is uploaded from upload.definitionPath"}`,
      );
    }
  }
  if (config.model_type !== undefined && config.model_type !== "pytorch") {
    fail(
      "upload.config.model_type",
      `upload.config.model_type: ${show(config.model_type)} is not allowed; only "pytorch" models are uploaded in parts`,
    );
  }
  const inference = config.inference_config;
  if (inference !== undefined && !isPlainObject(inference)) {
    fail(
      "upload.config.inference_config",
      "upload.config.inference_config must be an object such as { text_embedding: {...} }",
    );
  } else if (isPlainObject(inference)) {
    for (const [task, settings] of Object.entries(inference)) {
      if (isPlainObject(settings) && settings.vocabulary !== undefined) {
        // Elasticsearch refuses it at creation; the vocabulary goes through its own API.
        fail(
          `upload.config.inference_config.${task}.vocabulary`,
          `upload.config.inference_config.${task}.vocabulary is not allowed; give the vocabulary as ` +
            "upload.vocabularyPath or upload.vocabulary (it is uploaded with PUT …/vocabulary)",
        );
      }
    }
  }
  const input = config.input;
  if (input !== undefined) {
    const names = isPlainObject(input) ? input.field_names : undefined;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string")) {
      fail(
        "upload.config.input.field_names",
        `upload.config.input: ${show(input)} is not allowed; input.field_names must be a non-empty list of ` +
          'field names (Elasticsearch: "[input.field_names] must not be empty")',
      );
    }
  }
}

/** The rules of a vocabulary (inline, or read from a file by `files.ts`). */
export function vocabularyFailures(vocab: unknown, where: string): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (!isPlainObject(vocab)) {
    return [{ property: where, reason: `${where} must be an object { vocabulary, merges?, scores? }` }];
  }
  for (const key of Object.keys(vocab)) {
    if (!VOCABULARY_KEYS.includes(key)) {
      failures.push({
        property: `${where}.${key}`,
        reason: `${where}.${key} is not allowed; keys are: ${VOCABULARY_KEYS.join(", ")}`,
      });
    }
  }
  const list = vocab.vocabulary;
  if (!Array.isArray(list) || list.length === 0 || list.some((t) => typeof t !== "string")) {
    failures.push({
      property: `${where}.vocabulary`,
      reason: `${where}.vocabulary must be a non-empty list of tokens (strings)`,
    });
  }
  if (
    vocab.merges !== undefined &&
    (!Array.isArray(vocab.merges) || vocab.merges.some((m) => typeof m !== "string"))
  ) {
    failures.push({
      property: `${where}.merges`,
      reason: `${where}.merges must be a list of strings (BPE merges)`,
    });
  }
  if (vocab.scores !== undefined) {
    if (!Array.isArray(vocab.scores) || vocab.scores.some((s) => typeof s !== "number")) {
      failures.push({
        property: `${where}.scores`,
        reason: `${where}.scores must be a list of numbers (unigram scores)`,
      });
    } else if (Array.isArray(list) && vocab.scores.length !== list.length) {
      failures.push({
        property: `${where}.scores`,
        reason: `${where}.scores has ${vocab.scores.length} entries but the vocabulary has ${list.length}; there is one score per token`,
      });
    }
  }
  return failures;
}
