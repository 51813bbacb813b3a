/**
 * Auxiliary lookups for the outputs: the ingest pipelines and inference endpoints that use a deployment.
 * They need privileges beyond the ML ones (`read_pipeline`, `monitor_inference`/`monitor`); when a lookup
 * is refused or unavailable the provider warns once and leaves that output out (absent means "unknown",
 * never "none") instead of failing the operation. Both listings are shared by the deployments that ask
 * within `Timing.listingReuseMs` of each other (one pair of requests for a wave of creates, issue 16).
 */
import { type ElasticsearchClient, inferenceEndpointsUsing, isEsClientError, ResponseError } from "../client";
import type { DeploymentOutputs } from "./inputs";
import type { OnceWarnings, Progress } from "./progress";

export type Lookups = Pick<DeploymentOutputs, "referencingPipelines" | "inferenceEndpoints">;

/**
 * Look both up. Never throws: each failure becomes a warning (once per connection and kind for refusals
 * and a missing API, every time for other failures, which may be transient).
 */
export async function lookUpReferences(
  client: ElasticsearchClient,
  connectionLabel: string,
  deploymentId: string,
  modelId: string,
  warnings: OnceWarnings,
  progress: Progress,
  reuseWithinMs: number,
): Promise<Lookups> {
  const result: Lookups = {};
  try {
    const refs = await client.findPipelinesReferencing([...new Set([deploymentId, modelId])], {
      reuseWithinMs,
    });
    result.referencingPipelines = [...new Set(refs.map((r) => r.pipelineId))];
  } catch (err) {
    if (isRefused(err)) {
      warnings.warn(
        `pipelines-refused:${connectionLabel}`,
        `${connectionLabel}: listing ingest pipelines was refused (${err.statusCode}); referencingPipelines is left ` +
          "out of the outputs. Grant the read_pipeline cluster privilege to see which pipelines use a deployment.",
      );
    } else {
      progress.warn(
        `${deploymentId}: the ingest pipelines could not be listed, so referencingPipelines is left out: ${message(err)}`,
      );
    }
  }
  try {
    const endpoints = await client.getInferenceEndpoints({ reuseWithinMs });
    if (endpoints === undefined) {
      warnings.warn(
        `inference-missing:${connectionLabel}`,
        `${connectionLabel}: this Elasticsearch version has no inference API (8.11+), so inferenceEndpoints is left out of the outputs`,
      );
    } else {
      result.inferenceEndpoints = inferenceEndpointsUsing(endpoints, deploymentId);
    }
  } catch (err) {
    if (isRefused(err)) {
      warnings.warn(
        `inference-refused:${connectionLabel}`,
        `${connectionLabel}: listing inference endpoints was refused (${err.statusCode}); inferenceEndpoints is left ` +
          "out of the outputs. Grant monitor_inference (or monitor) to see which endpoints use a deployment.",
      );
    } else if (isMissingRoute(err)) {
      warnings.warn(
        `inference-missing:${connectionLabel}`,
        `${connectionLabel}: the cluster does not serve the inference API (GET /_inference/_all answered ` +
          `${err.statusCode}), so inferenceEndpoints is left out of the outputs`,
      );
    } else {
      progress.warn(
        `${deploymentId}: the inference endpoints could not be listed, so inferenceEndpoints is left out: ${message(err)}`,
      );
    }
  }
  return result;
}

function isRefused(err: unknown): err is ResponseError {
  return err instanceof ResponseError && (err.statusCode === 403 || err.statusCode === 401);
}

// A cluster (or stand-in) without the route answers 400 "no handler found", 404 or 405.
function isMissingRoute(err: unknown): err is ResponseError {
  return (
    err instanceof ResponseError &&
    (err.statusCode === 404 ||
      err.statusCode === 405 ||
      (err.statusCode === 400 && /no handler found/.test(err.reason ?? "")))
  );
}

function message(err: unknown): string {
  return isEsClientError(err) || err instanceof Error ? err.message : String(err);
}
