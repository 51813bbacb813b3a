/**
 * Elastic's packaged models and their downloads.
 *
 * A packaged model (id starting with `.`) is not in a fresh cluster: `PUT _ml/trained_models/<id>`
 * fetches its package metadata from the model repository (`xpack.ml.model_repository`,
 * `TransportGetTrainedModelPackageConfigAction`), stores the configuration and starts a
 * `xpack/ml/model_import[n]` task (`TransportLoadTrainedModelPackage`, `ModelImporter`) that writes
 * the definition in parts. Until the task ends the model is not fully defined. A task that dies
 * (node restart) or fails leaves the configuration with whatever parts were written.
 */
import type { Scheduler } from "../scheduler";
import type { DefinitionPart, Model } from "./models";

/** `Platforms.platformName(os.name, os.arch)` values an ML node may report. */
export const PLATFORMS = [
  "linux-x86_64",
  "linux-aarch64",
  "darwin-x86_64",
  "darwin-aarch64",
  "windows-x86_64",
];
export const DEFAULT_PLATFORM = "linux-x86_64";

/** `MachineLearningPackageLoader.MODEL_REPOSITORY` default. */
export const DEFAULT_MODEL_REPOSITORY = "https://ml-models.elastic.co";
/** The repository host, as a failed DNS lookup names it. */
export const REPOSITORY_HOST = new URL(DEFAULT_MODEL_REPOSITORY).host;
/** `MlTasks.MODEL_IMPORT_TASK_ACTION`, as Kibana's model provider lists it. */
export const MODEL_IMPORT_ACTION = "xpack/ml/model_import[n]";
/** `MlTasks.MODEL_IMPORT_TASK_TYPE` (value unconfirmed). */
export const MODEL_IMPORT_TYPE = "model_import";
/** `ModelImporter` streams the definition in parts of 1 MiB (the `downloaded_parts` unit). */
export const PART_BYTES = 1024 * 1024;

/** `MlTasks.downloadModelTaskDescription`: the task description Kibana strips to get the model id. */
export const downloadTaskDescription = (modelId: string): string => `model_id-${modelId}`;

export interface PackagedModelSpec {
  /** Model id, with its leading dot. */
  id: string;
  /** The package's `minimum_version`: older clusters refuse it (`TrainedModelValidator`). */
  minimumVersion: string;
  description: string;
  inferenceConfig: Record<string, unknown>;
  /** Definition size in bytes (the package's `size`; order of magnitude of Elastic's files). */
  sizeBytes: number;
  platformArchitecture?: string;
  prefixStrings?: Record<string, string>;
  vocabularyFile: string;
}

const VOCABULARY = { index: ".ml-inference-native-000002" };
const tokenization = (name: string, doLowerCase: boolean) => ({
  [name]: {
    do_lower_case: doLowerCase,
    with_special_tokens: true,
    max_sequence_length: 512,
    truncate: "first",
    span: -1,
  },
});
const elser = { text_expansion: { vocabulary: VOCABULARY, tokenization: tokenization("bert", true) } };
const e5 = {
  text_embedding: {
    vocabulary: VOCABULARY,
    tokenization: tokenization("xlm_roberta", false),
    embedding_size: 384,
  },
};
const rerank = {
  text_similarity: {
    vocabulary: VOCABULARY,
    tokenization: tokenization("deberta_v2", false),
    span_score_combination_function: "max",
  },
};

/**
 * The packages the repository serves. Ids and platform variants: `ElasticsearchInternalService`
 * (`.multilingual-e5-small[_linux-x86_64]`, `.rerank-v1`), `ElserModels` (`.elser_model_2[_linux-x86_64]`),
 * Kibana's `ELASTIC_MODEL_DEFINITIONS` (`.elser_model_1`). Minimum versions are the releases that
 * introduced each model (ELSER v1 8.8, ELSER v2 and E5 8.11, Elastic Rerank 8.17).
 */
export const PACKAGED_MODELS: readonly PackagedModelSpec[] = [
  {
    id: ".elser_model_1",
    minimumVersion: "8.8.0",
    description: "Elastic Learned Sparse EncodeR v1",
    inferenceConfig: elser,
    sizeBytes: 438_123_914,
    vocabularyFile: "elser_model_1.vocab.json",
  },
  {
    id: ".elser_model_2",
    minimumVersion: "8.11.0",
    description: "Elastic Learned Sparse EncodeR v2",
    inferenceConfig: elser,
    sizeBytes: 438_123_914,
    vocabularyFile: "elser_model_2.vocab.json",
  },
  {
    id: ".elser_model_2_linux-x86_64",
    minimumVersion: "8.11.0",
    description: "Elastic Learned Sparse EncodeR v2, optimized for linux-x86_64",
    inferenceConfig: elser,
    sizeBytes: 274_756_282,
    platformArchitecture: "linux-x86_64",
    vocabularyFile: "elser_model_2_linux-x86_64.vocab.json",
  },
  {
    id: ".multilingual-e5-small",
    minimumVersion: "8.11.0",
    description: "E5 small multilingual",
    inferenceConfig: e5,
    sizeBytes: 470_476_574,
    prefixStrings: { ingest: "passage: ", search: "query: " },
    vocabularyFile: "multilingual-e5-small.vocab.json",
  },
  {
    id: ".multilingual-e5-small_linux-x86_64",
    minimumVersion: "8.11.0",
    description: "E5 small multilingual optimized for linux-x86_64",
    inferenceConfig: e5,
    sizeBytes: 118_096_282,
    platformArchitecture: "linux-x86_64",
    prefixStrings: { ingest: "passage: ", search: "query: " },
    vocabularyFile: "multilingual-e5-small_linux-x86_64.vocab.json",
  },
  {
    id: ".rerank-v1",
    minimumVersion: "8.17.0",
    description: "Elastic Rerank v1",
    inferenceConfig: rerank,
    sizeBytes: 565_003_442,
    vocabularyFile: "rerank-v1.vocab.json",
  },
];

export const packagedModel = (id: string): PackagedModelSpec | undefined =>
  PACKAGED_MODELS.find((spec) => spec.id === id);

/** A package's checksum: synthetic but stable, 64 hex characters as the loader requires. */
export function packageSha256(id: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${id}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 64);
}

export type DownloadState = "running" | "done" | "failed" | "killed";

export interface Download {
  model: Model;
  spec: PackagedModelSpec;
  /** Task number on the node that runs it (the `id` in `<node>:<id>`). */
  taskNumber: number;
  startTime: number;
  durationMs: number;
  totalParts: number;
  state: DownloadState;
  /** Why it failed (what a `wait_for_completion` request receives). */
  failure?: { status: number; type: string; reason: string };
  cancelTimer: () => void;
}

/** Running and finished downloads by model id; one running download per model at most. */
export class DownloadStore {
  private readonly downloads = new Map<string, Download>();
  private taskCounter = 1000;

  constructor(private readonly scheduler: Scheduler) {}

  get(modelId: string): Download | undefined {
    return this.downloads.get(modelId);
  }

  running(modelId: string): Download | undefined {
    const download = this.downloads.get(modelId);
    return download?.state === "running" ? download : undefined;
  }

  /** Running downloads, oldest first (the import tasks `_tasks` lists). */
  tasks(): Download[] {
    return [...this.downloads.values()]
      .filter((d) => d.state === "running")
      .sort((a, b) => a.taskNumber - b.taskNumber);
  }

  /** Starts the import task: the definition is complete after `durationMs`. */
  start(model: Model, spec: PackagedModelSpec, durationMs: number): Download {
    this.downloads.get(model.modelId)?.cancelTimer();
    const download: Download = {
      model,
      spec,
      taskNumber: ++this.taskCounter,
      startTime: Date.now(),
      durationMs,
      totalParts: Math.ceil(spec.sizeBytes / PART_BYTES),
      state: "running",
      cancelTimer: () => undefined,
    };
    download.cancelTimer = this.scheduler.after(durationMs, () => this.end(download, "done"));
    this.downloads.set(model.modelId, download);
    return download;
  }

  /** `downloaded_parts`: how far the import got (all parts once done). */
  downloadedParts(download: Download, now = Date.now()): number {
    if (download.state === "done") return download.totalParts;
    const elapsed = now - download.startTime;
    const fraction = download.durationMs === 0 ? 1 : Math.min(1, elapsed / download.durationMs);
    return Math.min(download.totalParts - 1, Math.floor(download.totalParts * fraction));
  }

  /**
   * Ends a running download: `done` writes every part and the vocabulary; `failed` (repository
   * error) and `killed` (node restart) leave the parts written so far, no task, a configuration
   * that is not fully defined.
   */
  end(download: Download, state: Exclude<DownloadState, "running">, failure?: Download["failure"]): void {
    if (download.state !== "running") return;
    const written = state === "done" ? download.totalParts : this.downloadedParts(download);
    download.cancelTimer();
    download.state = state;
    download.failure = failure;
    download.model.parts = definitionParts(download.spec.sizeBytes, download.totalParts, written);
    download.model.hasVocabulary = state === "done";
    this.scheduler.notify();
  }

  /**
   * The repository went away mid-download: `ModelImporter` fails on the stream (an unchecked I/O
   * error, reported by `TransportLoadTrainedModelPackage.processException` as "an Exception").
   */
  failRunning(): void {
    for (const download of this.tasks()) {
      this.end(download, "failed", {
        status: 500,
        type: "status_exception",
        reason: `Model importing failed due to an Exception [java.io.UncheckedIOException: java.net.UnknownHostException: ${REPOSITORY_HOST}]`,
      });
    }
  }

  /** A node restart mid-download: no task any more, the parts written so far, no answer to waiters. */
  kill(modelId: string): void {
    const download = this.running(modelId);
    if (!download) throw new Error(`no model download is running for [${modelId}]`);
    this.end(download, "killed", {
      status: 500,
      type: "node_closed_exception",
      reason: `node closed while importing model [${modelId}]`,
    });
  }

  /** A deleted model: its task is cancelled (`TransportDeleteTrainedModelAction.cancelDownloadTask`). */
  forget(modelId: string): void {
    const download = this.downloads.get(modelId);
    download?.cancelTimer();
    this.downloads.delete(modelId);
    this.scheduler.notify();
  }

  /** Forgets every download (reset); requests waiting on a running one get the node-restart answer. */
  clear(): void {
    for (const download of this.downloads.values()) {
      download.cancelTimer();
      if (download.state === "running") {
        download.state = "killed";
        download.failure = { status: 500, type: "node_closed_exception", reason: "node closed" };
      }
    }
    this.downloads.clear();
    this.taskCounter = 1000;
  }
}

/** The first `written` of `totalParts` definition parts of a definition of `sizeBytes`. */
function definitionParts(
  sizeBytes: number,
  totalParts: number,
  written: number,
): Map<number, DefinitionPart> {
  const parts = new Map<number, DefinitionPart>();
  for (let part = 0; part < written; part++) {
    const bytes = part === totalParts - 1 ? sizeBytes - PART_BYTES * (totalParts - 1) : PART_BYTES;
    parts.set(part, { bytes, totalDefinitionLength: sizeBytes, totalParts });
  }
  return parts;
}
