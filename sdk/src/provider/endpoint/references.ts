/**
 * What references an inference endpoint (ingest pipelines, `semantic_text` fields), and the messages that
 * name them: the delete's refusal, the preview's notice of a replacement.
 */
import { type ElasticsearchClient, isAtLeast } from "../../client";
import type { EndpointReferences } from "../errors";
import { FORCE_DELETE_ENDPOINTS_ENV_VAR, FORCE_DELETE_ENDPOINTS_KEY } from "./forceDelete";

/**
 * What references the endpoint: Elasticsearch's delete dry run (8.15+; `semantic_text` indices from 8.16);
 * before 8.15 there is no dry run and no check, so the pipelines are found by scanning them.
 */
export async function lookUpReferences(
  client: ElasticsearchClient,
  taskType: string,
  inferenceId: string,
): Promise<EndpointReferences> {
  const version = await client.version();
  if (!isAtLeast(version, "8.15.0")) {
    const refs = await client.findPipelinesReferencing([inferenceId]);
    return { pipelines: [...new Set(refs.map((r) => r.pipelineId))], indexes: [] };
  }
  const answer = await client.deleteInferenceEndpoint(taskType, inferenceId, { dryRun: true });
  return { pipelines: answer.pipelines, indexes: answer.indexes };
}

export function describeReferences(refs: EndpointReferences): string {
  const parts = [
    refs.pipelines.length > 0 ? `ingest pipelines [${refs.pipelines.join(", ")}]` : undefined,
    refs.indexes.length > 0 ? `semantic_text fields of indices [${refs.indexes.join(", ")}]` : undefined,
  ].filter((p) => p !== undefined);
  return parts.join(" and ");
}

export function inUseMessage(inferenceId: string, refs: EndpointReferences, elasticsearch?: string): string {
  return (
    `Refusing to delete inference endpoint [${inferenceId}]: ${describeReferences(refs) || "something"} ` +
    `reference${refs.pipelines.length + refs.indexes.length === 1 ? "s" : ""} it` +
    `${elasticsearch ? ` (${elasticsearch})` : ""}. Remove those references first, or force the delete with ` +
    `the endpoint's forceDelete: true, ${FORCE_DELETE_ENDPOINTS_ENV_VAR}=true for this run, or stack config ` +
    `${FORCE_DELETE_ENDPOINTS_KEY}=true (not the stop flag force); forced, those pipelines and indices fail ` +
    "until an endpoint with this id is back."
  );
}
