/**
 * Downloading an Elastic packaged model: start (or pick up) the download, then poll until the model is
 * fully defined, printing progress, bounded by the provider's deadline.
 *
 * - The `PUT` carries at most `input` and never `wait_for_completion` (it would hold one HTTP request for the
 *   whole download, past proxies' and the client's timeouts); `include=definition_status` and the import
 *   task in `_tasks` are polled instead, as Kibana does.
 * - A model that exists, is not fully defined and has an import task running (an earlier `up` timed out, or
 *   someone pressed Download in Kibana) is waited for, never restarted.
 * - One that exists, is not fully defined and has no import task (a node restarted mid-download, or the
 *   repository went away) can never complete: it is deleted and downloaded again, and the progress says so.
 */
import {
  type ElasticsearchClient,
  type ModelImportTask,
  ResponseError,
  type TrainedModelConfig,
} from "../../client";
import { ModelDownloadError, ModelRepositoryUnreachableError, WaitTimeoutError } from "../errors";
import type { Progress } from "../progress";
import type { Clock, Timing } from "../wait";
import { KNOWN_PACKAGED_MODELS } from "./inputs";

export interface DownloadOptions {
  client: ElasticsearchClient;
  modelId: string;
  inputFieldNames?: string[];
  deadline: number;
  waitTimeoutSeconds: number;
  timing: Timing;
  clock: Clock;
  progress: Progress;
}

/** The `input.field_names` Kibana's Download sends, used when `inputFieldNames` is not declared. */
export const DEFAULT_INPUT_FIELD_NAMES = ["text_field"];

/** How the download was begun, for the outcome and tests. */
export type DownloadStart = "started" | "already-downloaded" | "picked-up" | "restarted";

/** Start the download unless one runs or the model is complete; returns what was done. */
export async function beginDownload(options: DownloadOptions): Promise<DownloadStart> {
  const { client, modelId, progress } = options;
  const existing = await client.getTrainedModel(modelId, { includeDefinitionStatus: true });
  if (existing?.fully_defined === true) {
    progress.info(`${modelId}: already downloaded in the cluster; using it`);
    return "already-downloaded";
  }
  if (existing !== undefined) {
    const task = await importTaskOf(client, modelId);
    if (task !== undefined) {
      progress.info(
        `${modelId}: a download is already running (task ${task.taskId}${describeParts(task)}); ` +
          "waiting for it instead of starting another",
      );
      return "picked-up";
    }
    progress.info(
      `${modelId}: found incomplete with no download running (a node restarted or the download failed, so ` +
        "it can never finish); deleting it and downloading it again",
    );
    // Forced: an incomplete model can serve nothing, and a pipeline naming it must not block the restart.
    await client.deleteTrainedModel(modelId, { force: true });
    await put(options);
    return "restarted";
  }
  progress.info(`${modelId}: downloading from Elastic's model repository`);
  await put(options);
  return "started";
}

async function put(options: DownloadOptions): Promise<void> {
  const { client, modelId, inputFieldNames } = options;
  // `input` is the one field a packaged model's PUT may set (validateNoPackageOverrides), and it is required
  // (PutTrainedModelAction validation: "[input] must not be null"); Kibana sends `text_field`.
  const body = { input: { field_names: inputFieldNames ?? DEFAULT_INPUT_FIELD_NAMES } };
  try {
    await client.putTrainedModel(modelId, body);
  } catch (err) {
    if (isRepositoryUnreachable(err)) {
      throw new ModelRepositoryUnreachableError(repositoryUnreachableMessage(modelId, err), { cause: err });
    }
    if (err instanceof ResponseError && /Failed to find package/i.test(err.reason ?? "")) {
      // TransportGetTrainedModelPackageConfigAction: the repository has no `<id>.metadata.json`.
      err.addDetail(
        `Elastic's model repository has no package [${modelId}]: check the id (packaged models this version ` +
          `of pulumi-elasticsearch-ml knows: ${Object.keys(KNOWN_PACKAGED_MODELS).join(", ")}) and the ` +
          "cluster's version (each model has a minimum). Nothing was created",
      );
    }
    throw err;
  }
}

/**
 * Elasticsearch's answer when it cannot fetch the package metadata (TransportGetTrainedModelPackageConfigAction:
 * 400 "Failed to load package metadata" caused by an I/O error such as UnknownHostException).
 */
export function isRepositoryUnreachable(err: unknown): err is ResponseError {
  if (!(err instanceof ResponseError)) return false;
  const reason = err.reason ?? "";
  const cause = `${err.causedBy?.type ?? ""} ${err.causedBy?.reason ?? ""}`;
  return (
    /Failed to load package metadata/i.test(reason) ||
    /UnknownHost|ConnectException|unchecked_i_o_exception|Connection refused|timed out/i.test(cause)
  );
}

export function repositoryUnreachableMessage(modelId: string, err: ResponseError): string {
  const cause = err.causedBy?.reason ?? err.reason ?? err.message;
  return (
    `Model [${modelId}] could not be downloaded: the cluster cannot reach Elastic's model repository ` +
    `(${cause}). Nothing was created. A cluster without internet access (air-gapped) needs the model files ` +
    "served from a place it can reach: download them (the .pt, .vocab.json and .metadata.json files for the " +
    "model) where there is internet access, put them on a file share or HTTP server the cluster reaches, and " +
    "set xpack.ml.model_repository in elasticsearch.yml on every master-eligible and ML node (a file:// or " +
    "http(s):// URL) — see Elastic's air-gapped install instructions for ELSER/E5 " +
    "(https://www.elastic.co/guide/en/machine-learning/current/ml-nlp-elser.html#air-gapped-install). " +
    "Then run pulumi up again. Or upload the model yourself with a TrainedModel that declares upload."
  );
}

async function importTaskOf(
  client: ElasticsearchClient,
  modelId: string,
): Promise<ModelImportTask | undefined> {
  const tasks = await client.getModelImportTasks();
  return tasks.find((t) => t.modelId === modelId);
}

function describeParts(task: ModelImportTask): string {
  if (task.totalParts === undefined || task.downloadedParts === undefined || task.totalParts === 0) return "";
  return `, ${percent(task)}% (${task.downloadedParts}/${task.totalParts} parts)`;
}

function percent(task: ModelImportTask): number {
  return Math.floor(((task.downloadedParts ?? 0) * 100) / (task.totalParts || 1));
}

/**
 * Poll until the model is fully defined.
 *
 * @throws {ModelDownloadError} When the model vanished, or its import task ended without completing it.
 * @throws {WaitTimeoutError} At the deadline (the download keeps running in Elasticsearch).
 */
export async function waitForDownload(options: DownloadOptions): Promise<TrainedModelConfig> {
  const { client, modelId, deadline, timing, clock, progress } = options;
  let interval = timing.pollInitialMs;
  let lastStep = -1;
  let lastLineAt = clock.now();
  let lastSeen = "the download had not reported progress yet";
  for (;;) {
    const model = await client.getTrainedModel(modelId, { includeDefinitionStatus: true });
    if (model === undefined) {
      throw new ModelDownloadError(
        `Model [${modelId}] disappeared while it was downloading (someone deleted it, which cancels the download)`,
      );
    }
    if (model.fully_defined === true) {
      progress.info(`${modelId}: downloaded (fully defined)`);
      return model;
    }
    const task = await importTaskOf(client, modelId);
    if (task === undefined) {
      // The task may have finished between the two reads: look once more before calling it dead.
      const again = await client.getTrainedModel(modelId, { includeDefinitionStatus: true });
      if (again?.fully_defined === true) {
        progress.info(`${modelId}: downloaded (fully defined)`);
        return again;
      }
      throw new ModelDownloadError(
        `The download of model [${modelId}] ended before the model was fully defined (its import task is gone: a ` +
          "node restarted, the download failed, or the model repository became unreachable; the cluster's logs say which)",
      );
    }
    const now = clock.now();
    if (task.totalParts !== undefined && task.downloadedParts !== undefined) {
      lastSeen = `${percent(task)}% (${task.downloadedParts}/${task.totalParts} parts)`;
    }
    // A line per 10 % step, and a heartbeat while nothing moves.
    const step = Math.floor(percent(task) / 10);
    if (step !== lastStep || now - lastLineAt >= timing.heartbeatMs) {
      progress.info(`${modelId}: downloading, ${lastSeen}`);
      lastStep = step;
      lastLineAt = now;
    }
    const remaining = deadline - now;
    if (remaining <= 0) {
      throw new WaitTimeoutError(
        `Model [${modelId}] was not fully downloaded within waitTimeoutSeconds (${options.waitTimeoutSeconds} s); ` +
          `last seen: ${lastSeen}`,
      );
    }
    await clock.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * timing.pollFactor, timing.pollMaxMs);
  }
}
