/**
 * Ingest pipelines, kept only for what the ML APIs read from them: the literal `model_id` of
 * every `inference` processor, found also inside `foreach` and `on_failure` up to 10 levels
 * (as `InferenceProcessorInfoExtractor` does; templated ids are not resolved).
 */

const MAX_DEPTH = 10;

export class PipelineStore {
  readonly pipelines = new Map<string, Record<string, unknown>>();

  /** Pipeline ids whose inference processors reference any of `ids`, sorted. */
  referencing(ids: Iterable<string>): string[] {
    const wanted = new Set(ids);
    return [...this.pipelines]
      .filter(([, config]) => referencedModelIds(config).some((id) => wanted.has(id)))
      .map(([id]) => id)
      .sort();
  }
}

/** The `model_id` strings of all inference processors of a pipeline configuration. */
export function referencedModelIds(pipeline: Record<string, unknown>): string[] {
  const found: string[] = [];
  visitList(pipeline.processors, 0, found);
  visitList(pipeline.on_failure, 0, found);
  return found;
}

function visitList(list: unknown, depth: number, found: string[]): void {
  if (!Array.isArray(list) || depth > MAX_DEPTH) return;
  for (const processor of list) visitProcessor(processor, depth, found);
}

function visitProcessor(processor: unknown, depth: number, found: string[]): void {
  if (processor === null || typeof processor !== "object" || depth > MAX_DEPTH) return;
  for (const [type, config] of Object.entries(processor as Record<string, unknown>)) {
    if (config === null || typeof config !== "object") continue;
    const body = config as Record<string, unknown>;
    if (type === "inference" && typeof body.model_id === "string") found.push(body.model_id);
    if (type === "foreach") visitProcessor(body.processor, depth + 1, found);
    visitList(body.on_failure, depth + 1, found);
  }
}
