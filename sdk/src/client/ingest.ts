/**
 * Ingest pipelines: fetch them, and find the ones whose inference processors reference a deployment
 * (the reason Elasticsearch refuses a stop with 409, which never names the pipelines).
 */
import { isNotFound } from "./errors";
import type { Transport } from "./transport";
import type { IngestPipelines, IngestProcessor } from "./types";

/** One inference processor that references one of the ids. */
export interface PipelineReference {
  pipelineId: string;
  /** The `model_id` the processor names (a deployment id, model id or alias). */
  modelId: string;
  /** Where in the pipeline, e.g. `processors[1].foreach.processor.inference`. */
  location: string;
}

/**
 * Walks every pipeline's `processors` and `on_failure` lists, descending into each processor's own
 * `on_failure` and into `foreach.processor`, and returns the inference processors whose literal
 * `model_id` is one of `ids`. Elasticsearch stops looking 10 levels down; we don't, so the list is
 * complete. Templated ids are compared literally, as Elasticsearch does. Sorted by pipeline id.
 */
export function findPipelinesReferencing(
  pipelines: IngestPipelines,
  ids: readonly string[],
): PipelineReference[] {
  const wanted = new Set(ids);
  const found: PipelineReference[] = [];
  const visitList = (pipelineId: string, list: unknown, location: string): void => {
    if (!Array.isArray(list)) return;
    list.forEach((processor, i) => visitProcessor(pipelineId, processor, `${location}[${i}]`));
  };
  const visitProcessor = (pipelineId: string, processor: unknown, location: string): void => {
    if (typeof processor !== "object" || processor === null) return;
    for (const [type, config] of Object.entries(processor as IngestProcessor)) {
      if (typeof config !== "object" || config === null) continue;
      const here = `${location}.${type}`;
      if (type === "inference" && typeof config.model_id === "string" && wanted.has(config.model_id)) {
        found.push({ pipelineId, modelId: config.model_id, location: here });
      }
      if (type === "foreach") visitProcessor(pipelineId, config.processor, `${here}.processor`);
      visitList(pipelineId, config.on_failure, `${here}.on_failure`);
    }
  };
  for (const [pipelineId, pipeline] of Object.entries(pipelines)) {
    if (typeof pipeline !== "object" || pipeline === null) continue;
    visitList(pipelineId, pipeline.processors, "processors");
    visitList(pipelineId, pipeline.on_failure, "on_failure");
  }
  return found.sort((a, b) => (a.pipelineId < b.pipelineId ? -1 : a.pipelineId > b.pipelineId ? 1 : 0));
}

/** Distinct pipeline ids of `refs`, in order. */
export function pipelineIds(refs: readonly PipelineReference[]): string[] {
  return [...new Set(refs.map((r) => r.pipelineId))];
}

/**
 * `GET /_ingest/pipeline[/<ids>]`. Elasticsearch answers 404 with `{}` when there is no pipeline at
 * all; that is an empty result here, not an error (needs `read_pipeline` or `manage_pipeline`).
 */
export async function getIngestPipelines(
  transport: Transport,
  ids?: string | readonly string[],
): Promise<IngestPipelines> {
  const list = ids === undefined ? [] : typeof ids === "string" ? [ids] : [...ids];
  const path =
    list.length === 0 ? "/_ingest/pipeline" : `/_ingest/pipeline/${list.map(encodeURIComponent).join(",")}`;
  try {
    const res = await transport.request<IngestPipelines>({
      method: "GET",
      path,
      operation: { description: "read ingest pipelines", privileges: ["read_pipeline", "manage_pipeline"] },
    });
    return res.body ?? {};
  } catch (err) {
    if (isNotFound(err) && (err.type === undefined || list.length === 0)) return {};
    throw err;
  }
}
