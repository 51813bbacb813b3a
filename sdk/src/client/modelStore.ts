/**
 * Creating, filling and deleting trained models (`PUT`/`DELETE _ml/trained_models/<id>`, definition parts,
 * vocabulary), the packaged-model import tasks (`GET _tasks`) and the ML nodes' platforms (`GET _nodes`).
 *
 * Wire facts (Elasticsearch's `RestPutTrainedModelAction`, `RestPutTrainedModelDefinitionPartAction`,
 * `RestPutTrainedModelVocabularyAction`, `TransportLoadTrainedModelPackage`):
 * - a packaged model (`.elser_model_2`, …) is downloaded by a `PUT` whose body holds at most `input`; the
 *   request returns at once unless `wait_for_completion=true`, which this client never sends (it would hold
 *   the request for the whole download): callers poll `include=definition_status` and the import task;
 * - a definition part is `{definition: <base64>, total_definition_length, total_parts}`; the length is that
 *   of the whole decoded definition;
 * - the import task's action is `xpack/ml/model_import[n]`, its description `model_id-<id>`, and with
 *   `detailed=true` its status carries `downloaded_parts` and `total_parts` (`ModelDownloadTask.DownloadStatus`).
 */
import { type OperationContext, segment } from "./context";
import { InvalidRequestError } from "./errors";
import type { TrainedModelConfig } from "./types";

const MANAGE_MODELS = (what: string) => ({ description: what, privileges: ["manage_ml"] }) as const;

/** The action of the packaged-model import task (`MlTasks.MODEL_IMPORT_TASK_ACTION`). */
export const MODEL_IMPORT_ACTION = "xpack/ml/model_import[n]";

function requireModelId(modelId: unknown): string {
  if (typeof modelId !== "string" || modelId.trim() === "") {
    throw new InvalidRequestError(
      "modelId",
      `modelId must be a non-empty string, got ${JSON.stringify(modelId)}`,
    );
  }
  return modelId;
}

/**
 * `PUT _ml/trained_models/<id>`: create a model configuration. For a packaged model the body may hold only
 * `input`, and the call starts the download (never with `wait_for_completion`: see the module comment).
 */
export async function putTrainedModel(
  ctx: OperationContext,
  modelId: string,
  body: Record<string, unknown>,
): Promise<TrainedModelConfig> {
  requireModelId(modelId);
  await ctx.version();
  const res = await ctx.transport.request<TrainedModelConfig>({
    method: "PUT",
    path: `/_ml/trained_models/${segment(modelId)}`,
    body,
    operation: MANAGE_MODELS("create a trained model"),
  });
  return res.body;
}

/** One definition part, as `PUT _ml/trained_models/<id>/definition/<part>` takes it. */
export interface DefinitionPart {
  part: number;
  /** The part's bytes, base64-encoded. */
  definition: string;
  /** The decoded length of the whole definition, in bytes. */
  totalDefinitionLength: number;
  totalParts: number;
}

/** `PUT _ml/trained_models/<id>/definition/<part>`. */
export async function putDefinitionPart(
  ctx: OperationContext,
  modelId: string,
  part: DefinitionPart,
): Promise<void> {
  requireModelId(modelId);
  await ctx.version();
  await ctx.transport.request({
    method: "PUT",
    path: `/_ml/trained_models/${segment(modelId)}/definition/${part.part}`,
    body: {
      definition: part.definition,
      total_definition_length: part.totalDefinitionLength,
      total_parts: part.totalParts,
    },
    operation: MANAGE_MODELS("upload a trained model definition part"),
  });
}

/** A tokenizer vocabulary, as eland exports it (`merges` for BPE tokenizers, `scores` for unigram ones). */
export interface Vocabulary {
  vocabulary: string[];
  merges?: string[];
  scores?: number[];
}

/** `PUT _ml/trained_models/<id>/vocabulary`. */
export async function putVocabulary(
  ctx: OperationContext,
  modelId: string,
  vocabulary: Vocabulary,
): Promise<void> {
  requireModelId(modelId);
  await ctx.version();
  const body: Record<string, unknown> = { vocabulary: vocabulary.vocabulary };
  if (vocabulary.merges !== undefined) body.merges = vocabulary.merges;
  if (vocabulary.scores !== undefined) body.scores = vocabulary.scores;
  await ctx.transport.request({
    method: "PUT",
    path: `/_ml/trained_models/${segment(modelId)}/vocabulary`,
    body,
    operation: MANAGE_MODELS("upload a trained model vocabulary"),
  });
}

/**
 * `DELETE _ml/trained_models/<id>`. Without `force`, Elasticsearch refuses (409) a model that is deployed or
 * referenced by ingest processors; with it, it stops the deployments and leaves the pipelines broken.
 */
export async function deleteTrainedModel(
  ctx: OperationContext,
  modelId: string,
  options: { force?: boolean } = {},
): Promise<void> {
  requireModelId(modelId);
  await ctx.version();
  await ctx.transport.request({
    method: "DELETE",
    path: `/_ml/trained_models/${segment(modelId)}`,
    query: { force: options.force === true ? true : undefined },
    operation: MANAGE_MODELS("delete a trained model"),
  });
}

/** A running packaged-model import task. */
export interface ModelImportTask {
  /** `<node>:<id>`. */
  taskId: string;
  modelId: string;
  downloadedParts?: number;
  totalParts?: number;
}

interface TaskInfo {
  node?: string;
  id?: number;
  action?: string;
  description?: string;
  status?: { downloaded_parts?: unknown; total_parts?: unknown };
}

/**
 * The running packaged-model import tasks (`GET _tasks?actions=xpack/ml/model_import*&detailed=true`,
 * as Kibana polls them), with the model each imports. Needs `monitor` (or `manage`).
 */
export async function getModelImportTasks(ctx: OperationContext): Promise<ModelImportTask[]> {
  await ctx.version();
  const res = await ctx.transport.request<{
    nodes?: Record<string, { tasks?: Record<string, TaskInfo> }>;
    tasks?: TaskInfo[] | Record<string, TaskInfo>;
  }>({
    method: "GET",
    path: "/_tasks",
    query: { actions: "xpack/ml/model_import*", detailed: true, group_by: "none" },
    operation: { description: "list model download tasks", privileges: ["monitor", "manage"] },
  });
  const infos: TaskInfo[] = [];
  const tasks = res.body?.tasks;
  if (Array.isArray(tasks)) infos.push(...tasks);
  else if (tasks && typeof tasks === "object") infos.push(...Object.values(tasks));
  for (const node of Object.values(res.body?.nodes ?? {})) infos.push(...Object.values(node.tasks ?? {}));
  const prefix = "model_id-";
  return infos
    .filter((t) => typeof t.description === "string" && t.description.startsWith(prefix))
    .map((t) => {
      const task: ModelImportTask = {
        taskId: `${String(t.node)}:${String(t.id)}`,
        modelId: (t.description as string).slice(prefix.length),
      };
      if (typeof t.status?.downloaded_parts === "number") task.downloadedParts = t.status.downloaded_parts;
      if (typeof t.status?.total_parts === "number") task.totalParts = t.status.total_parts;
      return task;
    });
}

/** One ML node's operating system, as `GET _nodes/ml:true/os` reports it (Java's `os.name`, `os.arch`). */
export interface MlNodeOs {
  nodeId: string;
  name?: string;
  arch?: string;
}

/** The ML nodes' operating systems (`GET _nodes/ml:true/os`). Needs `monitor`. */
export async function getMlNodeOs(ctx: OperationContext): Promise<MlNodeOs[]> {
  await ctx.version();
  const res = await ctx.transport.request<{
    nodes?: Record<string, { os?: { name?: string; arch?: string } }>;
  }>({
    method: "GET",
    path: "/_nodes/ml:true/os",
    operation: { description: "read the ML nodes' platforms", privileges: ["monitor", "manage"] },
  });
  return Object.entries(res.body?.nodes ?? {}).map(([nodeId, node]) => ({
    nodeId,
    name: node.os?.name,
    arch: node.os?.arch,
  }));
}
