/**
 * One inference endpoint's lifecycle (`PUT/GET/DELETE _inference/<task_type>/<inference_id>`, `…/_update`),
 * beside the listing in `inference.ts`. Facts per version are the emulator README's "Inference endpoints"
 * table (each row cites Elasticsearch's source):
 *
 * - `PUT` with the `elasticsearch`/`elser` services downloads the model and starts the deployment within
 *   the request; it can answer 408 (the start's own timeout) or a proxy's 502 while the work goes on, and
 *   the endpoint is stored first, so a second PUT answers `resource_already_exists_exception`. An ambiguous
 *   failure is therefore settled by `GET _inference/<task>/<id>`, never by a second PUT
 *   (`ModelRegistry.storeModel`, specification `inference.put_elasticsearch`).
 * - `?timeout=` on PUT exists from 8.19 and 9.1 (elastic/elasticsearch#126805); an unrecognized parameter before.
 * - `_update` exists from 8.17 (`TransportUpdateInferenceModelAction`).
 * - `DELETE`'s `dry_run`/`force` exist from 8.15; from 8.16 the dry run lists pipelines and `semantic_text`
 *   indices; 8.15 checks pipelines only and refuses a dry run of a referenced endpoint unless `force` is
 *   also given (`TransportDeleteInferenceEndpointAction`, elastic/elasticsearch#110487, #111626).
 */
import { type OperationContext, segment } from "./context";
import { type EsClientError, InvalidResponseError, isNotFound, ResponseError } from "./errors";
import type { InferenceEndpoint } from "./inference";
import { isAmbiguousFailure } from "./trainedModelDeployments";
import { isAtLeast, type EsVersion } from "./version";

export const INFERENCE_UPDATE_SINCE = "8.17.0";
export const INFERENCE_DELETE_FLAGS_SINCE = "8.15.0";
export const INFERENCE_DELETE_CHECKS_INDICES_SINCE = "8.16.0";

const MANAGE = (what: string) =>
  ({ description: `${what} an inference endpoint`, privileges: ["manage_inference"] }) as const;
const MONITOR = { description: "read an inference endpoint", privileges: ["monitor_inference"] } as const;

/** Whether the version takes `PUT _inference?timeout=` (8.19.x, and 9.1+; 9.0 does not). */
export function putTimeoutSupported(version: EsVersion): boolean {
  if (version.serverless) return true;
  return version.major === 8 ? isAtLeast(version, "8.19.0") : isAtLeast(version, "9.1.0");
}

/** Whether the version has `PUT _inference/<task>/<id>/_update`. */
export function inferenceUpdateSupported(version: EsVersion): boolean {
  return isAtLeast(version, INFERENCE_UPDATE_SINCE);
}

function endpointPath(taskType: string, inferenceId: string): string {
  return `/_inference/${segment(taskType)}/${segment(inferenceId)}`;
}

export interface PutInferenceEndpointParams {
  taskType: string;
  inferenceId: string;
  /** `service`, `service_settings`, `task_settings`, `chunking_settings`. */
  body: Record<string, unknown>;
  /** The client's wait for the answer (download and start happen within the request). */
  timeoutMs: number;
}

export type PutInferenceEndpointResult =
  | { outcome: "created"; endpoint: InferenceEndpoint }
  /** The PUT failed ambiguously (timeout, 408, 5xx) but `GET` found the endpoint: it was stored. */
  | { outcome: "created-after-ambiguous-failure"; endpoint: InferenceEndpoint; cause: EsClientError };

/**
 * `PUT _inference/<task>/<id>`, sent once (never retried: a resend would answer "already exists").
 *
 * @throws the PUT's error with `applied === false` when `GET` after an ambiguous failure found no endpoint
 *   (safe to create again); unchanged for definite failures.
 */
export async function putInferenceEndpoint(
  ctx: OperationContext,
  params: PutInferenceEndpointParams,
): Promise<PutInferenceEndpointResult> {
  const version = await ctx.version();
  const path = endpointPath(params.taskType, params.inferenceId);
  try {
    const res = await ctx.transport.request<InferenceEndpoint>({
      method: "PUT",
      path,
      query: {
        timeout: putTimeoutSupported(version) ? `${Math.ceil(params.timeoutMs / 1000)}s` : undefined,
      },
      body: params.body,
      idempotent: false,
      timeoutMs: params.timeoutMs,
      deadlineMs: params.timeoutMs,
      operation: MANAGE("create"),
    });
    if (!res.body || typeof res.body.inference_id !== "string") {
      throw new InvalidResponseError("PUT", path, 'no "inference_id" in the answer');
    }
    return { outcome: "created", endpoint: res.body };
  } catch (err) {
    if (!isAmbiguousFailure(err)) throw err;
    let found: InferenceEndpoint | undefined;
    try {
      found = await getInferenceEndpoint(ctx, params.inferenceId, params.taskType);
    } catch (checkErr) {
      err.addDetail(
        `Whether inference endpoint [${params.inferenceId}] was created is unknown: reading it afterwards ` +
          `failed too (${(checkErr as Error).message}); check with GET _inference/${params.inferenceId} ` +
          "before creating it again",
      );
      throw err;
    }
    if (found === undefined) {
      err.applied = false;
      err.addDetail(
        `No inference endpoint [${params.inferenceId}] exists afterwards: the create was not applied and ` +
          "is safe to retry",
      );
      throw err;
    }
    return { outcome: "created-after-ambiguous-failure", endpoint: found, cause: err };
  }
}

/** `GET _inference/<task>/<id>` (or `GET _inference/<id>`); `undefined` for a 404. */
export async function getInferenceEndpoint(
  ctx: OperationContext,
  inferenceId: string,
  taskType?: string,
): Promise<InferenceEndpoint | undefined> {
  await ctx.version();
  const path =
    taskType === undefined ? `/_inference/${segment(inferenceId)}` : endpointPath(taskType, inferenceId);
  try {
    const res = await ctx.transport.request<{ endpoints?: unknown; models?: unknown }>({
      method: "GET",
      path,
      operation: MONITOR,
    });
    const list = res.body?.endpoints ?? res.body?.models;
    if (!Array.isArray(list)) throw new InvalidResponseError("GET", path, '"endpoints" is not a list');
    return (list as InferenceEndpoint[]).find((e) => e?.inference_id === inferenceId);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** `PUT _inference/<task>/<id>/_update` (8.17+): the answer is the stored configuration. */
export async function updateInferenceEndpoint(
  ctx: OperationContext,
  taskType: string,
  inferenceId: string,
  body: Record<string, unknown>,
): Promise<InferenceEndpoint> {
  await ctx.version();
  const res = await ctx.transport.request<InferenceEndpoint>({
    method: "PUT",
    path: `${endpointPath(taskType, inferenceId)}/_update`,
    body,
    idempotent: true,
    operation: MANAGE("update"),
  });
  return res.body;
}

/** What `DELETE _inference` answers, and what a dry run lists. */
export interface InferenceDeleteAnswer {
  acknowledged: boolean;
  /** Ingest pipelines whose `inference` processors name the endpoint. */
  pipelines: string[];
  /** Indices whose `semantic_text` fields name it (8.16+; empty before). */
  indexes: string[];
}

/**
 * `DELETE _inference/<task>/<id>` with `dry_run`/`force` where the version has them (8.15+; before, the
 * flags are unrecognized parameters and there is no check). A dry run on 8.15 is sent with `force` too,
 * since 8.15 refuses a referenced endpoint before it looks at `dry_run`.
 */
export async function deleteInferenceEndpoint(
  ctx: OperationContext,
  taskType: string,
  inferenceId: string,
  options: { dryRun?: boolean; force?: boolean } = {},
): Promise<InferenceDeleteAnswer> {
  const version = await ctx.version();
  const flags = isAtLeast(version, INFERENCE_DELETE_FLAGS_SINCE);
  const oldDryRun = options.dryRun === true && !isAtLeast(version, INFERENCE_DELETE_CHECKS_INDICES_SINCE);
  const res = await ctx.transport.request<Partial<InferenceDeleteAnswer>>({
    method: "DELETE",
    path: endpointPath(taskType, inferenceId),
    query: flags
      ? {
          dry_run: options.dryRun === true ? true : undefined,
          force: options.force === true || oldDryRun ? true : undefined,
        }
      : {},
    // A repeated delete of a deleted endpoint answers 404, which the caller takes as done.
    idempotent: true,
    operation: MANAGE("delete"),
  });
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").sort() : [];
  return {
    acknowledged: res.body?.acknowledged === true,
    pipelines: strings(res.body?.pipelines),
    indexes: strings(res.body?.indexes),
  };
}

/** A `400 resource_already_exists_exception` answer to a PUT. */
export function isEndpointAlreadyExists(err: unknown): err is ResponseError {
  return err instanceof ResponseError && err.type === "resource_already_exists_exception";
}
