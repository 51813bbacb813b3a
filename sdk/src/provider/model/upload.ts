/**
 * Uploading your own model as eland's `eland_import_hub_model` does: the configuration, the TorchScript
 * definition in base64 parts (`definition/<part>` with `total_parts` and `total_definition_length`), then the
 * vocabulary. The definition is streamed from disk one chunk at a time (memory bounded by the chunk size),
 * and hashed (SHA-256) as it is read, so the state records exactly the bytes that were sent.
 *
 * Elasticsearch tells only whether a model is fully defined, not which parts arrived, so an interrupted
 * upload is never resumed: the caller deletes the model and uploads it again.
 */
import { createHash } from "node:crypto";
import type { ElasticsearchClient } from "../../client";
import { ModelUploadError } from "../errors";
import type { Progress } from "../progress";
import { readChunks, readVocabularyFile, sha256File, statFile } from "./files";
import type { FileRecord, InlineVocabulary, UploadInputs } from "./inputs";

/** eland's default part size (4 MiB of definition, about 5.3 MiB once base64-encoded). */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

export interface UploadOptions {
  client: ElasticsearchClient;
  modelId: string;
  upload: UploadInputs;
  chunkBytes: number;
  progress: Progress;
}

export interface UploadResult {
  definition: FileRecord;
  vocabulary?: FileRecord;
}

/**
 * Upload configuration, definition and vocabulary.
 *
 * @throws {ModelUploadError} When a file cannot be read or changes while it is read, or a part is refused
 *   (the cause is kept); the model is then half-defined in the cluster.
 */
export async function uploadModel(options: UploadOptions): Promise<UploadResult> {
  const { client, modelId, upload, chunkBytes, progress } = options;
  const before = await statFile(upload.definitionPath);
  if ("problem" in before) {
    throw new ModelUploadError(`upload.definitionPath: ${upload.definitionPath} ${before.problem}`);
  }
  let vocabulary: InlineVocabulary;
  let vocabularyRecord: FileRecord | undefined;
  if (upload.vocabularyPath !== undefined) {
    const facts = await statFile(upload.vocabularyPath);
    if ("problem" in facts) {
      throw new ModelUploadError(`upload.vocabularyPath: ${upload.vocabularyPath} ${facts.problem}`);
    }
    try {
      vocabulary = await readVocabularyFile(upload.vocabularyPath);
    } catch (err) {
      throw new ModelUploadError(
        `upload.vocabularyPath: ${upload.vocabularyPath} is not a vocabulary JSON file (${(err as Error).message})`,
        { cause: err },
      );
    }
    vocabularyRecord = { sha256: await sha256File(upload.vocabularyPath), ...facts };
  } else {
    vocabulary = upload.vocabulary as InlineVocabulary;
  }

  const totalParts = Math.ceil(before.sizeBytes / chunkBytes);
  const size = formatBytes(before.sizeBytes);
  progress.info(
    `${modelId}: uploading the configuration, then ${size} of definition in ${totalParts} part(s)`,
  );
  await client.putTrainedModel(modelId, { model_type: "pytorch", ...upload.config });

  const hash = createHash("sha256");
  let part = 0;
  let sent = 0;
  let lastStep = -1;
  try {
    for await (const chunk of readChunks(upload.definitionPath, chunkBytes)) {
      if (part >= totalParts) throw new Error("the file grew while it was read");
      hash.update(chunk);
      await client.putDefinitionPart(modelId, {
        part,
        definition: chunk.toString("base64"),
        totalDefinitionLength: before.sizeBytes,
        totalParts,
      });
      part += 1;
      sent += chunk.length;
      const step = Math.floor((part * 10) / totalParts);
      if (step !== lastStep) {
        progress.info(
          `${modelId}: definition part ${part}/${totalParts} uploaded (${formatBytes(sent)} of ${size})`,
        );
        lastStep = step;
      }
    }
    if (part !== totalParts || sent !== before.sizeBytes)
      throw new Error("the file shrank while it was read");
  } catch (err) {
    throw new ModelUploadError(
      `Upload of model [${modelId}] stopped after ${part} of ${totalParts} definition part(s): ${(err as Error).message}`,
      { cause: err },
    );
  }
  const after = await statFile(upload.definitionPath);
  if ("problem" in after || after.sizeBytes !== before.sizeBytes || after.modifiedMs !== before.modifiedMs) {
    throw new ModelUploadError(
      `Upload of model [${modelId}]: ${upload.definitionPath} changed while it was uploaded; the uploaded bytes ` +
        "may mix two versions",
    );
  }
  progress.info(`${modelId}: uploading the vocabulary (${vocabulary.vocabulary.length} tokens)`);
  await client.putVocabulary(modelId, vocabulary);
  return {
    definition: { sha256: hash.digest("hex"), ...before },
    ...(vocabularyRecord ? { vocabulary: vocabularyRecord } : {}),
  };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
