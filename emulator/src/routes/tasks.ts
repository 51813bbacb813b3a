/**
 * `GET _tasks` and `GET _tasks/<node>:<id>` for the packaged-model import tasks: what Kibana
 * polls for download progress (`actions=xpack/ml/model_import[n]&detailed=true`, the model id
 * after `model_id-` in the description, `status.downloaded_parts` / `status.total_parts` from
 * `ModelDownloadTask.DownloadStatus`). Other tasks (including the listing itself) are not listed.
 */
import { illegalArgument, resourceNotFound } from "../errors";
import type { Execute, RouteDef } from "../router";
import type { Cluster } from "../state/cluster";
import {
  Download,
  downloadTaskDescription,
  MODEL_IMPORT_ACTION,
  MODEL_IMPORT_TYPE,
} from "../state/packagedModels";
import { wildcardRegex } from "../state/models";
import { ok, RouteContext } from "./context";

/** The node that runs import tasks (the elected master, `es-emulator-0`): an id derived from the build. */
export const taskNodeId = (cluster: Cluster): string => cluster.buildHash.slice(0, 22);

function taskInfo(cluster: Cluster, download: Download, detailed: boolean): Record<string, unknown> {
  const now = Date.now();
  const info: Record<string, unknown> = {
    node: taskNodeId(cluster),
    id: download.taskNumber,
    type: MODEL_IMPORT_TYPE,
    action: MODEL_IMPORT_ACTION,
  };
  if (detailed) {
    info.status = {
      total_parts: download.totalParts,
      downloaded_parts: cluster.downloads.downloadedParts(download, now),
    };
    info.description = downloadTaskDescription(download.model.modelId);
  }
  return {
    ...info,
    start_time_in_millis: download.startTime,
    running_time_in_nanos: Math.max(0, now - download.startTime) * 1_000_000,
    cancellable: true,
    cancelled: false,
    headers: {},
  };
}

function matchesActions(patterns: string[]): (action: string) => boolean {
  if (patterns.length === 0) return () => true;
  const regexes = patterns.map(wildcardRegex);
  return (action) => regexes.some((regex) => regex.test(action));
}

function listTasks(ctx: RouteContext): Execute {
  const q = ctx.query;
  const actions = (q.str("actions") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const detailed = q.bool("detailed") ?? false;
  const groupBy = q.str("group_by") ?? "nodes";
  const waitForCompletion = q.bool("wait_for_completion") ?? false;
  const timeout = q.duration("timeout");
  q.str("nodes");
  q.str("parent_task_id");
  if (!["nodes", "parents", "none"].includes(groupBy)) {
    throw illegalArgument(`group_by must be one of [nodes, parents, none] but was [${groupBy}]`);
  }
  return async () => {
    const cluster = ctx.services.cluster;
    const matches = matchesActions(actions);
    const selected = () => cluster.downloads.tasks().filter(() => matches(MODEL_IMPORT_ACTION));
    if (waitForCompletion && selected().length > 0) {
      await cluster.scheduler.waitFor(
        () => (selected().length === 0 ? true : undefined),
        timeout?.ms ?? 30_000,
      );
    }
    const infos = selected().map((download) => taskInfo(cluster, download, detailed));
    const key = (info: Record<string, unknown>) => `${String(info.node)}:${String(info.id)}`;
    if (groupBy === "none") return ok({ tasks: infos });
    if (groupBy === "parents")
      return ok({ tasks: Object.fromEntries(infos.map((info) => [key(info), info])) });
    if (infos.length === 0) return ok({ nodes: {} });
    const nodeId = taskNodeId(cluster);
    return ok({
      nodes: {
        [nodeId]: {
          name: cluster.nodeName,
          transport_address: "127.0.0.1:9300",
          host: "127.0.0.1",
          ip: "127.0.0.1:9300",
          roles: ["data", "ingest", "master", "ml", "remote_cluster_client", "transform"],
          attributes: {},
          tasks: Object.fromEntries(infos.map((info) => [key(info), info])),
        },
      },
    });
  };
}

function getTask(ctx: RouteContext): Execute {
  ctx.query.bool("wait_for_completion");
  ctx.query.duration("timeout");
  const taskId = ctx.params.task_id;
  return () => {
    const cluster = ctx.services.cluster;
    const download = cluster.downloads
      .tasks()
      .find((d) => `${taskNodeId(cluster)}:${d.taskNumber}` === taskId);
    // Import tasks do not store results: once ended they are gone (`TaskResultsService`).
    if (!download) throw resourceNotFound(`task [${taskId}] isn't running and hasn't stored its results`);
    return ok({ completed: false, task: taskInfo(cluster, download, true) });
  };
}

export const taskRoutes: RouteDef[] = [
  { method: "GET", path: "/_tasks", action: "cluster:monitor/tasks/lists", handler: listTasks },
  { method: "GET", path: "/_tasks/{task_id}", action: "cluster:monitor/task/get", handler: getTask },
];
