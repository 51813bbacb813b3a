/**
 * Inference endpoints (`GET /_inference/_all`): which endpoints use or own a trained model deployment.
 * Elasticsearch 9.x refuses to `_update` a deployment an endpoint created, and to `_stop` one an endpoint
 * uses, unless forced; the provider reports these endpoints so the user sees the ownership up front.
 *
 * Response shape (8.12+): `{ "endpoints": [ { inference_id, task_type, service, service_settings } ] }`;
 * 8.11 named the list `models` (unconfirmed; both are read).
 */
import type { OperationContext } from "./context";
import { InvalidResponseError } from "./errors";
import { isAtLeast } from "./version";

/** The first version with the inference API. */
export const INFERENCE_API_SINCE = "8.11.0";

/** One inference endpoint, as Elasticsearch reports it (only the fields used here are typed). */
export interface InferenceEndpoint {
  inference_id: string;
  task_type?: string;
  service?: string;
  service_settings?: { model_id?: string; deployment_id?: string; [extra: string]: unknown };
  [extra: string]: unknown;
}

/**
 * Every inference endpoint, or `undefined` when the connected version has no inference API (older than
 * {@link INFERENCE_API_SINCE}). Needs `monitor_inference` (or `monitor`).
 */
export async function getInferenceEndpoints(ctx: OperationContext): Promise<InferenceEndpoint[] | undefined> {
  const version = await ctx.version();
  if (!isAtLeast(version, INFERENCE_API_SINCE)) return undefined;
  const path = "/_inference/_all";
  const res = await ctx.transport.request<{ endpoints?: unknown; models?: unknown }>({
    method: "GET",
    path,
    operation: { description: "read inference endpoints", privileges: ["monitor_inference", "monitor"] },
  });
  const list = res.body?.endpoints ?? res.body?.models ?? [];
  if (!Array.isArray(list)) throw new InvalidResponseError("GET", path, '"endpoints" is not a list');
  return list.flatMap((e) => {
    const endpoint = normalizeEndpoint(e);
    return endpoint ? [endpoint] : [];
  });
}

/**
 * One listed endpoint with its id under `inference_id`: the first releases of the API (8.11) named it
 * `model_id`, as they named the list `models` (the emulator's model of those versions, unconfirmed).
 */
function normalizeEndpoint(e: unknown): InferenceEndpoint | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const entry = e as Record<string, unknown>;
  if (typeof entry.inference_id === "string") return entry as InferenceEndpoint;
  if (typeof entry.model_id === "string") return { ...entry, inference_id: entry.model_id };
  return undefined;
}

/**
 * The ids of the endpoints that use or own `deploymentId`: an endpoint created on top of the deployment
 * names it in `service_settings.deployment_id`; an endpoint that created its own deployment gave it the
 * endpoint's id. Sorted.
 */
export function inferenceEndpointsUsing(
  endpoints: readonly InferenceEndpoint[],
  deploymentId: string,
): string[] {
  const ids = endpoints
    .filter(
      (e) =>
        e.service_settings?.deployment_id === deploymentId ||
        (e.inference_id === deploymentId && (e.service === "elasticsearch" || e.service === "elser")),
    )
    .map((e) => e.inference_id);
  return [...new Set(ids)].sort();
}
