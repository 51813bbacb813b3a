/**
 * Start, stop and update trained model deployments.
 *
 * Wire rules (reference §2–§4):
 * - start: every parameter in the query string, only `adaptive_allocations` in the body;
 * - stop: `allow_no_match`, `force`, `finish_pending_work` in the query string and **no body** (a body
 *   makes Elasticsearch ignore the query parameters);
 * - update: `number_of_allocations` and `adaptive_allocations` in the body.
 * Only parameters that are set go on the wire. A parameter the connected version does not know is
 * refused locally when set to anything but its default, and left out otherwise.
 *
 * `_start` is never blindly re-sent: Elasticsearch keeps starting a deployment after its own 408, and
 * a second `_start` fails with "existing deployment with the same id". After an ambiguous failure (any
 * 408, from Elasticsearch or a proxy; a timeout, lost connection or 5xx) the client reads the deployment's
 * stats and reports what actually happened.
 *
 * A capacity refusal (429 "Could not start|update deployment because …") is final and gets one message
 * that compares the request with the cluster's ML processor limits (`capacity.ts`).
 */
import { explainCapacityRefusal } from "./capacity";
import { type OperationContext, segment } from "./context";
import {
  ConnectionError,
  EsClientError,
  InvalidRequestError,
  InvalidResponseError,
  ResponseError,
  TimeoutError,
  isCapacityRefusal,
  isStartTimeout,
} from "./errors";
import { findPipelinesReferencing, getIngestPipelines, pipelineIds } from "./ingest";
import { getDeploymentStats } from "./trainedModels";
import type { DeploymentPriority, DeploymentStats, TrainedModelAssignment, WaitFor } from "./types";
import {
  type EsVersion,
  type VersionedParameter,
  assertParameterSupported,
  deploymentLimits,
  formatDuration,
  parseDurationMs,
  supportsParameter,
} from "./version";

const MANAGE = (what: string) => ({
  description: `${what} a trained model deployment`,
  privileges: ["manage_ml"],
});

/** How long the client waits beyond the server's own start `timeout` before it gives up on the HTTP call (default). */
export const START_TIMEOUT_MARGIN_MS = 10_000;

/** Adaptive allocations, as the client takes them. */
export interface AdaptiveAllocations {
  enabled: boolean;
  minNumberOfAllocations?: number;
  maxNumberOfAllocations?: number;
}

export interface StartDeploymentParams {
  modelId: string;
  /** Defaults to `modelId` on the server; sent only when it differs. */
  deploymentId?: string;
  numberOfAllocations?: number;
  threadsPerAllocation?: number;
  /** 8.6+. */
  priority?: DeploymentPriority;
  queueCapacity?: number;
  /** Byte size ("10kb", "0b") or a number of bytes. 8.4+. */
  cacheSize?: string | number;
  /** Server-side wait condition (default `started`). */
  waitFor?: WaitFor;
  /**
   * Server-side wait, as an Elasticsearch duration or milliseconds (server default 30 s). The HTTP
   * call itself is given this plus {@link START_TIMEOUT_MARGIN_MS}, or the client's request timeout
   * when that is longer, so a client-side timeout means the server did not even answer its own.
   */
  timeout?: string | number;
  /** 8.15+; `minNumberOfAllocations: 0` needs 8.16+. */
  adaptiveAllocations?: AdaptiveAllocations;
}

/** What a start call established. Callers branch on `outcome`. */
export type StartDeploymentResult =
  /** 200: the deployment reached `waitFor`. */
  | { outcome: "started"; deploymentId: string; assignment: TrainedModelAssignment }
  /**
   * 408 `model_deployment_timeout_exception`: Elasticsearch stopped waiting but the deployment keeps
   * starting. Poll its stats; do not start it again.
   */
  | { outcome: "still-starting"; deploymentId: string; cause: ResponseError }
  /**
   * The call failed ambiguously (timeout, lost connection, 5xx), and the stats read afterwards show the
   * deployment exists (`stats.state` is `starting`, `started` or `stopping`). `cause` is the failure.
   */
  | {
      outcome: "started-after-ambiguous-failure";
      deploymentId: string;
      stats: DeploymentStats;
      cause: EsClientError;
    };

export interface StopDeploymentParams {
  deploymentId: string;
  /** Default true on the server: stopping an unknown id succeeds. */
  allowNoMatch?: boolean;
  /** Stop even when ingest pipelines (or inference endpoints) use the deployment. */
  force?: boolean;
  /** Drain queued inference requests first (8.11+). */
  finishPendingWork?: boolean;
  /** Client-side wait for the stop (it is synchronous, and with `finishPendingWork` unbounded). */
  timeoutMs?: number;
}

export interface UpdateDeploymentParams {
  deploymentId: string;
  numberOfAllocations?: number;
  /** `null` removes adaptive settings (8.15+). */
  adaptiveAllocations?: AdaptiveAllocations | null;
}

/** A request as it will go on the wire (pure; unit-tested). */
export interface WireRequest {
  path: string;
  query: Record<string, string | number | boolean | undefined>;
  body?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Request building (pure)

function requireId(value: unknown, parameter: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidRequestError(
      parameter,
      `${parameter} must be a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkPositiveInteger(value: number | undefined, parameter: string, max?: number, min = 1): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new InvalidRequestError(
      parameter,
      `${parameter}: ${JSON.stringify(value)} is not allowed; expected ${range}`,
    );
  }
}

/** Applies the version rule: set to a non-default value → must be supported; default/unset → left out when unsupported. */
function gate<T>(
  version: EsVersion,
  parameter: VersionedParameter,
  option: string,
  value: T | undefined,
  isDefault: boolean,
): T | undefined {
  if (value === undefined || supportsParameter(version, parameter)) return value;
  if (isDefault) return undefined;
  assertParameterSupported(version, parameter, option);
  return value;
}

function adaptiveBody(
  version: EsVersion,
  adaptive: AdaptiveAllocations | null | undefined,
  option: string,
): Record<string, unknown> | null | undefined {
  if (adaptive === undefined) return undefined;
  if (adaptive === null) return supportsParameter(version, "adaptive_allocations") ? null : undefined;
  if (typeof adaptive !== "object" || typeof adaptive.enabled !== "boolean") {
    throw new InvalidRequestError(
      option,
      `${option} must be { enabled: boolean, minNumberOfAllocations?, maxNumberOfAllocations? }`,
    );
  }
  checkPositiveInteger(adaptive.minNumberOfAllocations, `${option}.minNumberOfAllocations`, undefined, 0);
  checkPositiveInteger(adaptive.maxNumberOfAllocations, `${option}.maxNumberOfAllocations`);
  const isDefault =
    !adaptive.enabled &&
    adaptive.minNumberOfAllocations === undefined &&
    adaptive.maxNumberOfAllocations === undefined;
  if (gate(version, "adaptive_allocations", option, adaptive, isDefault) === undefined) return undefined;
  if (adaptive.enabled && adaptive.minNumberOfAllocations === 0) {
    assertParameterSupported(
      version,
      "adaptive_allocations.min_number_of_allocations=0",
      `${option}.minNumberOfAllocations: 0`,
    );
  }
  const body: Record<string, unknown> = { enabled: adaptive.enabled };
  if (adaptive.minNumberOfAllocations !== undefined)
    body.min_number_of_allocations = adaptive.minNumberOfAllocations;
  if (adaptive.maxNumberOfAllocations !== undefined)
    body.max_number_of_allocations = adaptive.maxNumberOfAllocations;
  return body;
}

/** Builds the `_start` request for `version`, and the server-side timeout it implies. */
export function buildStartRequest(
  params: StartDeploymentParams,
  version: EsVersion,
): WireRequest & { serverTimeoutMs: number; deploymentId: string } {
  const modelId = requireId(params.modelId, "modelId");
  const deploymentId =
    params.deploymentId === undefined ? modelId : requireId(params.deploymentId, "deploymentId");
  const limits = deploymentLimits(version);
  checkPositiveInteger(params.numberOfAllocations, "numberOfAllocations");
  checkPositiveInteger(params.threadsPerAllocation, "threadsPerAllocation");
  checkPositiveInteger(params.queueCapacity, "queueCapacity", limits.queueCapacityMax);
  if (params.priority !== undefined && params.priority !== "normal" && params.priority !== "low") {
    throw new InvalidRequestError(
      "priority",
      `priority: ${JSON.stringify(params.priority)} is not allowed; expected "normal" or "low"`,
    );
  }
  const waitFor = params.waitFor;
  if (waitFor !== undefined && !["starting", "started", "fully_allocated"].includes(waitFor)) {
    throw new InvalidRequestError(
      "waitFor",
      `waitFor: ${JSON.stringify(waitFor)} is not allowed; expected "starting", "started" or "fully_allocated"`,
    );
  }
  if (params.cacheSize !== undefined && typeof params.cacheSize === "number")
    checkPositiveInteger(params.cacheSize, "cacheSize", undefined, 0);
  const cacheSize = typeof params.cacheSize === "number" ? `${params.cacheSize}b` : params.cacheSize;
  const serverTimeoutMs =
    params.timeout === undefined ? limits.startTimeoutDefaultMs : parseDurationMs(params.timeout, "timeout");
  const query: WireRequest["query"] = {
    // The server defaults the deployment id to the path's model id; serverless does not take the parameter.
    deployment_id: gate(
      version,
      "deployment_id",
      "deploymentId",
      deploymentId === modelId ? undefined : deploymentId,
      false,
    ),
    number_of_allocations: params.numberOfAllocations,
    threads_per_allocation: params.threadsPerAllocation,
    priority: gate(version, "priority", "priority", params.priority, params.priority === "normal"),
    queue_capacity: params.queueCapacity,
    cache_size: gate(version, "cache_size", "cacheSize", cacheSize, false),
    wait_for: waitFor,
    timeout:
      params.timeout === undefined
        ? undefined
        : typeof params.timeout === "number"
          ? formatDuration(params.timeout)
          : params.timeout,
  };
  const adaptive = adaptiveBody(version, params.adaptiveAllocations, "adaptiveAllocations");
  if (adaptive?.enabled === true && params.numberOfAllocations !== undefined) {
    throw new InvalidRequestError(
      "numberOfAllocations",
      "numberOfAllocations cannot be set when adaptiveAllocations is enabled (Elasticsearch refuses the combination)",
    );
  }
  return {
    path: `/_ml/trained_models/${segment(modelId)}/deployment/_start`,
    query,
    body: adaptive ? { adaptive_allocations: adaptive } : undefined,
    serverTimeoutMs,
    deploymentId,
  };
}

/** Builds the `_stop` request for `version` (query parameters only, never a body). */
export function buildStopRequest(params: StopDeploymentParams, version: EsVersion): WireRequest {
  const deploymentId = requireId(params.deploymentId, "deploymentId");
  return {
    path: `/_ml/trained_models/${segment(deploymentId)}/deployment/_stop`,
    query: {
      allow_no_match: params.allowNoMatch,
      force: params.force,
      finish_pending_work: gate(
        version,
        "finish_pending_work",
        "finishPendingWork",
        params.finishPendingWork,
        params.finishPendingWork === false,
      ),
    },
  };
}

/** Builds the `_update` request for `version` (body only). */
export function buildUpdateRequest(params: UpdateDeploymentParams, version: EsVersion): WireRequest {
  const deploymentId = requireId(params.deploymentId, "deploymentId");
  checkPositiveInteger(params.numberOfAllocations, "numberOfAllocations");
  const body: Record<string, unknown> = {};
  if (params.numberOfAllocations !== undefined) body.number_of_allocations = params.numberOfAllocations;
  const adaptive = adaptiveBody(version, params.adaptiveAllocations, "adaptiveAllocations");
  if (adaptive !== undefined) body.adaptive_allocations = adaptive;
  if (Object.keys(body).length === 0) {
    throw new InvalidRequestError(
      "numberOfAllocations",
      `Nothing to update for deployment [${deploymentId}]: set numberOfAllocations or adaptiveAllocations` +
        (params.adaptiveAllocations !== undefined
          ? ` (adaptive allocations need Elasticsearch 8.15+, connected: ${version.raw})`
          : ""),
    );
  }
  return { path: `/_ml/trained_models/${segment(deploymentId)}/deployment/_update`, query: {}, body };
}

// ---------------------------------------------------------------------------------------------
// Operations

/**
 * True when a failure leaves open whether Elasticsearch acted on the request: a timeout, a connection lost
 * after sending, a 5xx, and any 408 (Elasticsearch's own start timeout keeps the deployment starting; a
 * proxy's 408 says nothing about what happened behind it).
 */
export function isAmbiguousFailure(err: unknown): err is EsClientError {
  if (err instanceof TimeoutError) return true;
  if (err instanceof ConnectionError) return err.requestSent;
  if (err instanceof ResponseError) return err.statusCode >= 500 || err.statusCode === 408;
  return false;
}

/**
 * `POST /_ml/trained_models/<model_id>/deployment/_start`, sent once (only connect failures, where
 * nothing reached the server, are retried). See {@link StartDeploymentResult} for the outcomes.
 *
 * @throws the original error with `applied === false` when a check after an ambiguous failure found no
 *   deployment (safe to retry), or unchanged for definite failures (`applied` as the transport decided);
 *   a capacity refusal with the ML processor limits added to its message.
 */
export async function startDeployment(
  ctx: OperationContext,
  params: StartDeploymentParams,
): Promise<StartDeploymentResult> {
  const version = await ctx.version();
  const req = buildStartRequest(params, version);
  const timeoutMs = Math.max(ctx.transport.requestTimeoutMs, req.serverTimeoutMs + ctx.startTimeoutMarginMs);
  try {
    const res = await ctx.transport.request<{ assignment: TrainedModelAssignment }>({
      method: "POST",
      path: req.path,
      query: req.query,
      body: req.body,
      idempotent: false,
      timeoutMs,
      deadlineMs: timeoutMs,
      operation: MANAGE("start"),
    });
    if (!res.body || typeof res.body.assignment !== "object") {
      // An 8.0–8.2 `allocation` body cannot happen (gated at 8.8); anything else is not Elasticsearch.
      throw new InvalidResponseError("POST", req.path, 'no "assignment" in the start response');
    }
    return { outcome: "started", deploymentId: req.deploymentId, assignment: res.body.assignment };
  } catch (err) {
    if (isCapacityRefusal(err)) {
      const adaptive = params.adaptiveAllocations;
      await explainCapacityRefusal(ctx, err, {
        operation: "start",
        allocations:
          params.numberOfAllocations ??
          (adaptive?.enabled ? Math.max(1, adaptive.minNumberOfAllocations ?? 1) : 1),
        threadsPerAllocation: params.priority === "low" ? 1 : (params.threadsPerAllocation ?? 1),
      });
      throw err;
    }
    if (!isAmbiguousFailure(err)) throw err;
    return await settleAmbiguousStart(ctx, req.deploymentId, err);
  }
}

async function settleAmbiguousStart(
  ctx: OperationContext,
  deploymentId: string,
  err: EsClientError,
): Promise<StartDeploymentResult> {
  let stats: DeploymentStats | undefined;
  try {
    stats = await getDeploymentStats(ctx, deploymentId);
  } catch (checkErr) {
    err.addDetail(
      `Whether deployment [${deploymentId}] started is unknown: reading its stats afterwards failed too ` +
        `(${(checkErr as Error).message}); check before starting it again`,
    );
    throw err;
  }
  if (!stats) {
    err.applied = false;
    err.addDetail(
      `No deployment [${deploymentId}] exists afterwards: the start was not applied and is safe to retry`,
    );
    throw err;
  }
  // Elasticsearch's own start timeout, with the deployment still there (and not failed): it keeps starting.
  if (isStartTimeout(err) && stats.state !== "failed")
    return { outcome: "still-starting", deploymentId, cause: err };
  // The start was applied, whatever came back: the caller owns the deployment, a failed one included (its
  // wait reports the failure and the stack records it, so the next `up` can repair it).
  return { outcome: "started-after-ambiguous-failure", deploymentId, stats, cause: err };
}

/**
 * `POST /_ml/trained_models/<deployment_id>/deployment/_stop`. Retried only when resending is harmless
 * (`allowNoMatch` not false: a repeated stop of a stopped deployment succeeds). A 409 because ingest
 * pipelines use the deployment is enriched with their names (`referencingPipelines`).
 */
export async function stopDeployment(
  ctx: OperationContext,
  params: StopDeploymentParams,
): Promise<{ stopped: boolean }> {
  const version = await ctx.version();
  const req = buildStopRequest(params, version);
  try {
    const res = await ctx.transport.request<{ stopped: boolean }>({
      method: "POST",
      path: req.path,
      query: req.query,
      idempotent: params.allowNoMatch !== false,
      timeoutMs: params.timeoutMs,
      deadlineMs: params.timeoutMs,
      operation: MANAGE("stop"),
    });
    return { stopped: res.body?.stopped === true };
  } catch (err) {
    if (err instanceof ResponseError && err.statusCode === 409)
      await explainStopConflict(ctx, params.deploymentId, err);
    throw err;
  }
}

/** Adds the referencing pipelines to a stop 409 (Elasticsearch's message never names them). */
async function explainStopConflict(
  ctx: OperationContext,
  deploymentId: string,
  err: ResponseError,
): Promise<void> {
  const reason = err.reason ?? "";
  if (!/referenced by ingest processors/.test(reason)) return;
  const alias = /model_alias \[([^\]]+)\]/.exec(reason)?.[1];
  const ids = alias ? [deploymentId, alias] : [deploymentId];
  try {
    const refs = findPipelinesReferencing(await getIngestPipelines(ctx.transport), ids);
    err.referencingPipelines = pipelineIds(refs);
    err.addDetail(
      err.referencingPipelines.length > 0
        ? `Ingest pipelines referencing it: [${err.referencingPipelines.join(", ")}]; remove those references or stop with force`
        : "No ingest pipeline referencing it was found now; it may have been removed meanwhile",
    );
  } catch (lookupErr) {
    err.addDetail(`The referencing ingest pipelines could not be listed (${(lookupErr as Error).message})`);
  }
}

/**
 * `POST /_ml/trained_models/<deployment_id>/deployment/_update` (8.6+); idempotent, so retried, except a
 * capacity refusal, which is final and explained with the ML processor limits.
 */
export async function updateDeployment(
  ctx: OperationContext,
  params: UpdateDeploymentParams,
): Promise<{ assignment: TrainedModelAssignment }> {
  const version = await ctx.version();
  const req = buildUpdateRequest(params, version);
  try {
    const res = await ctx.transport.request<{ assignment: TrainedModelAssignment }>({
      method: "POST",
      path: req.path,
      body: req.body,
      idempotent: true,
      operation: MANAGE("update"),
    });
    return res.body;
  } catch (err) {
    if (isCapacityRefusal(err)) {
      // The threads are the running deployment's (an update cannot change them).
      const stats = await getDeploymentStats(ctx, params.deploymentId).catch(() => undefined);
      await explainCapacityRefusal(ctx, err, {
        operation: "update",
        allocations:
          params.numberOfAllocations ??
          params.adaptiveAllocations?.minNumberOfAllocations ??
          stats?.number_of_allocations ??
          1,
        threadsPerAllocation: stats?.priority === "low" ? 1 : (stats?.threads_per_allocation ?? 1),
      });
    }
    throw err;
  }
}
