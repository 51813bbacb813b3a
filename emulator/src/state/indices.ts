/**
 * Indices, kept only for what the inference API reads from them: the `semantic_text` fields of their
 * mappings and the inference endpoints those fields name (`inference_id`, and `search_inference_id`
 * where given), as `SemanticTextInfoExtractor.extractIndexesReferencingInferenceEndpoints` reads them for
 * `DELETE _inference`. Documents, shards and settings beyond what was sent are not modelled.
 */

export interface Index {
  name: string;
  uuid: string;
  /** The mappings as `GET <index>/_mapping` returns them (defaults filled in). */
  mappings: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export interface SemanticTextField {
  /** Dotted path of the field. */
  path: string;
  inferenceId: string;
  searchInferenceId?: string;
}

/** Every `semantic_text` field of a mapping, following object `properties` (dotted paths). */
export function semanticTextFields(mappings: Record<string, unknown>): SemanticTextField[] {
  const found: SemanticTextField[] = [];
  visit(mappings.properties, "", found);
  return found;
}

function visit(properties: unknown, prefix: string, found: SemanticTextField[]): void {
  if (properties === null || typeof properties !== "object") return;
  for (const [name, field] of Object.entries(properties as Record<string, unknown>)) {
    if (field === null || typeof field !== "object") continue;
    const body = field as Record<string, unknown>;
    const path = `${prefix}${name}`;
    if (body.type === "semantic_text" && typeof body.inference_id === "string") {
      found.push({
        path,
        inferenceId: body.inference_id,
        ...(typeof body.search_inference_id === "string"
          ? { searchInferenceId: body.search_inference_id }
          : {}),
      });
    }
    visit(body.properties, `${path}.`, found);
  }
}

export class IndexStore {
  readonly indices = new Map<string, Index>();

  /** Names of the indices with a `semantic_text` field that uses `endpointId`, sorted. */
  referencing(endpointId: string): string[] {
    return [...this.indices.values()]
      .filter((index) =>
        semanticTextFields(index.mappings).some(
          (field) => field.inferenceId === endpointId || field.searchInferenceId === endpointId,
        ),
      )
      .map((index) => index.name)
      .sort();
  }
}
