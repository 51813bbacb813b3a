/**
 * `diff` for a `TrainedModel`. Pure: the provider passes in the current files' SHA-256 (see `files.ts`).
 *
 * A model's definition, vocabulary and configuration cannot be changed in Elasticsearch once created, so
 * any change to what the model is (id, platform, packaged input fields, uploaded files or configuration)
 * replaces it, deleting first (the new model has the same id). Settings of the provider (`waitTimeoutSeconds`,
 * `forceDelete`), the connection (checked against the recorded cluster by the update) and a moved file with
 * the same bytes are updated in place. A model
 * recorded as not fully defined (a timed-out download, an interrupted upload, or found missing at refresh)
 * is always a change, so the next `up` finishes it.
 */
import { connectionChange } from "../connectionInput";
import { isUnknown, sameJson } from "../inputs";
import type { ModelInputs, ModelOutputs } from "./inputs";

/** The current files' hashes, when an upload is declared and its paths are known. */
export interface CurrentFiles {
  definitionSha256?: string;
  vocabularySha256?: string;
  /**
   * The files' size or time differ from the records while their bytes are the same (a rewrite, a checkout):
   * recorded in place, so later previews trust the record again instead of reading the file.
   */
  recordsStale?: boolean;
}

export interface ModelDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Why the model must be replaced, for messages and tests (`upload.definitionPath: file changed`, …). */
  reasons: string[];
  /** Recorded as not fully defined: the update finishes the download or upload. */
  incomplete: boolean;
  /** The connection changes: the update connects with the new settings first. */
  reconnect: boolean;
}

/** Compare the recorded model with the declaration. */
export function diffModelInputs(
  olds: Partial<ModelOutputs>,
  news: ModelInputs,
  files: CurrentFiles = {},
): ModelDiff {
  const replaces = new Set<string>();
  const reasons: string[] = [];
  const replace = (property: string, reason: string) => {
    replaces.add(property);
    reasons.push(`${property}: ${reason}`);
  };
  let recordOnly = false;

  for (const key of ["modelId", "platform"] as const) {
    if (!sameJson(olds[key], news[key])) replace(key, `${show(olds[key])} → ${show(news[key])}`);
  }
  // As for every resource of the package, a connection change is an update, never a replacement: the
  // update connects with the new settings and refuses another cluster than the recorded one.
  const reconnect = connectionChange(olds.connection, news.connection) !== undefined;
  if (reconnect) recordOnly = true;
  if (!sameJson(olds.inputFieldNames, news.inputFieldNames)) {
    replace("inputFieldNames", `${show(olds.inputFieldNames)} → ${show(news.inputFieldNames)}`);
  }

  const oldUpload = olds.upload;
  const newUpload = news.upload;
  if (oldUpload === undefined || newUpload === undefined || isUnknown(newUpload)) {
    if (oldUpload !== newUpload) replace("upload", oldUpload === undefined ? "added" : "changed or removed");
  } else {
    if (!sameJson(oldUpload.config, newUpload.config)) replace("upload", "config changed");
    if (!sameJson(oldUpload.vocabulary, newUpload.vocabulary)) replace("upload", "inline vocabulary changed");
    const recorded = olds.uploadedFiles;
    // No record: the upload never finished (recorded not fully defined); the update uploads the files as
    // they are now, so there is nothing to compare.
    const unfinished = recorded === undefined && olds.fullyDefined !== true;
    if (unfinished) {
      if (oldUpload.definitionPath !== newUpload.definitionPath) recordOnly = true;
    } else if (
      files.definitionSha256 === undefined ||
      recorded?.definition.sha256 !== files.definitionSha256
    ) {
      replace(
        "upload",
        `definition file ${files.definitionSha256 === undefined ? "unknown" : "changed"} (SHA-256)`,
      );
    } else if (oldUpload.definitionPath !== newUpload.definitionPath) recordOnly = true;
    if (!unfinished && (newUpload.vocabularyPath !== undefined || oldUpload.vocabularyPath !== undefined)) {
      if (
        newUpload.vocabularyPath === undefined ||
        files.vocabularySha256 === undefined ||
        recorded?.vocabulary?.sha256 !== files.vocabularySha256
      ) {
        replace("upload", "vocabulary file changed (SHA-256)");
      } else if (oldUpload.vocabularyPath !== newUpload.vocabularyPath) recordOnly = true;
    }
  }

  if (files.recordsStale === true) recordOnly = true;
  for (const key of ["waitTimeoutSeconds", "forceDelete"] as const) {
    if (!sameJson(olds[key], news[key])) recordOnly = true;
  }
  const incomplete = olds.fullyDefined !== true;
  const replaceList = [...replaces];
  const sameId = olds.modelId === news.modelId || isUnknown(news.modelId);
  return {
    changes: replaceList.length > 0 || recordOnly || incomplete,
    replaces: replaceList,
    deleteBeforeReplace: replaceList.length > 0 && sameId,
    reasons,
    incomplete,
    reconnect,
  };
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : (JSON.stringify(value) ?? String(value));
}
