/**
 * `GET _cat/ml/trained_models[/<model_id>]` (`RestCatTrainedModelsAction`): one row per model,
 * default columns `id heap_size operations create_time ingest.pipelines data_frame.id`, the rest
 * by `h` (names or aliases). Text by default (`v` adds the header), `format=json` gives an array
 * of objects with string values, as every `_cat` API.
 */
import type { RouteResult } from "../http/types";
import { humanBytes } from "../params";
import type { Execute, RouteDef } from "../router";
import { ACTIONS } from "../security/actions";
import type { Cluster } from "../state/cluster";
import type { Model } from "../state/models";
import { ok, RouteContext } from "./context";

interface Column {
  name: string;
  aliases: string[];
  visible: boolean;
  value: (cluster: Cluster, model: Model, bytes: string | undefined) => string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const COLUMNS: Column[] = [
  { name: "id", aliases: [], visible: true, value: (_c, m) => m.modelId },
  { name: "created_by", aliases: ["c", "createdBy"], visible: false, value: (_c, m) => m.createdBy },
  {
    name: "heap_size",
    aliases: ["hs", "modelHeapSize"],
    visible: true,
    value: (c, m, bytes) => {
      const size = (m.config.model_size_bytes as number | undefined) ?? c.models.modelBytes(m);
      return bytes === "b" ? String(size) : humanBytes(size);
    },
  },
  {
    name: "operations",
    aliases: ["o", "modelOperations"],
    visible: true,
    value: (_c, m) => String((m.config.estimated_operations as number | undefined) ?? 0),
  },
  {
    name: "license",
    aliases: ["l"],
    visible: false,
    value: (_c, m) => String(m.config.license_level ?? "platinum").toUpperCase(),
  },
  { name: "create_time", aliases: ["ct"], visible: true, value: (_c, m) => iso(m.createTime) },
  {
    name: "version",
    aliases: ["v"],
    visible: false,
    value: (c, m) => String(m.config.version ?? c.profile.version.text),
  },
  {
    name: "description",
    aliases: ["d"],
    visible: false,
    value: (_c, m) => String(m.config.description ?? ""),
  },
  {
    name: "ingest.pipelines",
    aliases: ["ip", "ingestPipelines"],
    visible: true,
    value: (c, m) => String(c.pipelines.referencing([m.modelId, ...c.models.aliasesOf(m.modelId)]).length),
  },
  { name: "ingest.count", aliases: ["ic", "ingestCount"], visible: false, value: () => "0" },
  { name: "ingest.time", aliases: ["it", "ingestTime"], visible: false, value: () => "0s" },
  { name: "ingest.current", aliases: ["icurr", "ingestCurrent"], visible: false, value: () => "0" },
  { name: "ingest.failed", aliases: ["if", "ingestFailed"], visible: false, value: () => "0" },
  { name: "data_frame.id", aliases: ["dfid", "dataFrameAnalytics"], visible: true, value: () => "__none__" },
  { name: "type", aliases: ["t"], visible: false, value: (_c, m) => m.modelType },
];

function selectColumns(h: string | undefined): Column[] {
  if (h === undefined) return COLUMNS.filter((column) => column.visible);
  return h
    .split(",")
    .map((name) => name.trim())
    .flatMap((name) => COLUMNS.filter((c) => c.name === name || c.aliases.includes(name)));
}

/** `RestTable`'s text layout: columns padded to their widest cell, one space apart. */
function textTable(header: string[] | undefined, rows: string[][]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = (all[0] ?? []).map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => `${row.map((cell, i) => cell.padEnd(widths[i])).join(" ")}\n`).join("");
}

function catTrainedModels(ctx: RouteContext): Execute {
  const q = ctx.query;
  const h = q.str("h");
  const verbose = q.bool("v") ?? false;
  const bytes = q.str("bytes");
  const format = q.str("format") ?? "text";
  const allowNoMatch = q.bool("allow_no_match") ?? true;
  const from = q.int("from") ?? 0;
  const size = q.int("size") ?? 100;
  q.str("s");
  q.str("time");
  q.bool("help");
  const ids = ctx.params.model_id;
  return (): RouteResult => {
    const cluster = ctx.services.cluster;
    const expansion = cluster.models.expand(ids, { allowNoMatch });
    const models = expansion.modelIds.slice(from, from + size).map((id) => cluster.models.get(id) as Model);
    const columns = selectColumns(h);
    const rows = models.map((model) => columns.map((column) => column.value(cluster, model, bytes)));
    if (format === "json") {
      return ok(rows.map((row) => Object.fromEntries(columns.map((column, i) => [column.name, row[i]]))));
    }
    return {
      status: 200,
      body: undefined,
      text: textTable(verbose ? columns.map((c) => c.name) : undefined, rows),
    };
  };
}

export const catRoutes: RouteDef[] = [
  {
    method: "GET",
    path: "/_cat/ml/trained_models",
    action: ACTIONS.getTrainedModels,
    handler: catTrainedModels,
  },
  {
    method: "GET",
    path: "/_cat/ml/trained_models/{model_id}",
    action: ACTIONS.getTrainedModels,
    handler: catTrainedModels,
  },
];
