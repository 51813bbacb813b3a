/**
 * `POST _ml/trained_models/<model_id>/deployment/_start` (reference §2): parameters from the body
 * overridden by the query string, request validation with every message concatenated, the
 * server-side checks in their order (§2.3), then the `wait_for` / `timeout` wait.
 */
import { ACTIONS } from "../security/actions";
import { FieldSpec, locate, readObject } from "../body";
import { EsError, illegalArgument, resourceNotFound, statusException, validationFailed } from "../errors";
import type { ByteSize, Duration } from "../params";
import { formatDuration } from "../params";
import { assignmentResponse } from "../render";
import type { Execute, RouteDef } from "../router";
import { TIMED_OUT } from "../scheduler";
import type { Cluster } from "../state/cluster";
import { allocationRank, allocationState, AllocationState, Deployment, Priority } from "../state/deployments";
import { Model } from "../state/models";
import type { VersionProfile } from "../versions";
import { jsonBody, ok, RouteContext, Services } from "./context";
import { platformWarning } from "./packagedModels";
import { AdaptiveRequest, adaptiveErrors, normalizeAdaptive, readAdaptive } from "./adaptiveParams";

/**
 * At most 100 trained model deployments per cluster, a 429 beyond (`MachineLearning.MAX_TRAINED_MODEL_DEPLOYMENTS`,
 * checked in `TransportStartTrainedModelDeploymentAction`, every version since 8.0): a stack with more
 * deployments spans several clusters.
 */
export const MAX_DEPLOYMENTS = 100;

export const inconsistentModelId = (body: string, path: string): string =>
  `Inconsistent model_id; '${body}' specified in the body differs from '${path}' specified as a URL argument`;

const WAIT_FOR_ENUM = "org.elasticsearch.xpack.core.ml.inference.assignment.AllocationStatus.State";
const PRIORITY_ENUM = "org.elasticsearch.xpack.core.ml.inference.assignment.Priority";

/** Parses an enum the way `Enum.valueOf(value.toUpperCase())` does. */
export function parseEnum<T extends string>(value: string, allowed: readonly T[], javaEnum: string): T {
  const lower = value.toLowerCase() as T;
  if (allowed.includes(lower)) return lower;
  throw illegalArgument(`No enum constant ${javaEnum}.${value.toUpperCase()}`);
}

export interface StartParams {
  modelId?: string;
  deploymentId?: string;
  numberOfAllocations?: number;
  threadsPerAllocation?: number;
  queueCapacity?: number;
  cacheSize?: ByteSize;
  priority?: Priority;
  timeout?: Duration;
  waitFor?: AllocationState;
  adaptive?: AdaptiveRequest | null;
}

const WAIT_FOR_STATES = ["starting", "started", "fully_allocated"] as const;
const PRIORITIES = ["normal", "low"] as const;

/** Parameter names this version accepts for the two parallelism settings. */
function parallelismNames(profile: VersionProfile, compatMajor: number | undefined) {
  const legacyAllowed =
    !profile.has("assignmentNaming") ||
    !profile.has("legacyThreadNamesNeedCompat") ||
    compatMajor === profile.version.major - 1;
  const allocations = profile.has("assignmentNaming") ? ["number_of_allocations"] : [];
  const threads = profile.has("assignmentNaming") ? ["threads_per_allocation"] : [];
  if (legacyAllowed) {
    allocations.push("model_threads");
    threads.push("inference_threads");
  }
  return { allocations, threads };
}

function bodyFields(profile: VersionProfile, names: { allocations: string[]; threads: string[] }) {
  const fields: Record<string, FieldSpec> = {
    model_id: { kind: "string" },
    queue_capacity: { kind: "int" },
    timeout: { kind: "duration" },
    wait_for: { kind: "string" },
  };
  for (const name of [...names.allocations, ...names.threads]) fields[name] = { kind: "int" };
  if (profile.has("deploymentIds")) fields.deployment_id = { kind: "string" };
  if (profile.has("cacheSize")) fields.cache_size = { kind: "byteSize" };
  if (profile.has("priority")) fields.priority = { kind: "string" };
  if (profile.has("adaptiveAllocations")) fields.adaptive_allocations = { kind: "object", nullable: true };
  return fields;
}

/** Reads the body, then the query string (which overrides the body, 8.3+). */
export function readStartParams(ctx: RouteContext): StartParams {
  const profile = ctx.services.cluster.profile;
  const names = parallelismNames(profile, ctx.compatMajor);
  const params: StartParams = {};
  const body = jsonBody(ctx);
  const parser = ACTIONS.startDeployment;
  if (body) {
    const values = readObject(body, parser, bodyFields(profile, names));
    const wrapEnum = <T extends string>(field: string, allowed: readonly T[], javaEnum: string): T => {
      try {
        return parseEnum(values[field] as string, allowed, javaEnum);
      } catch (error) {
        throw new EsError(
          400,
          "x_content_parse_exception",
          `${locate(body.raw, field)} [${parser}] failed to parse field [${field}]`,
          {
            causedBy: { type: "illegal_argument_exception", reason: (error as EsError).reason },
          },
        );
      }
    };
    if (values.model_id !== undefined) params.modelId = values.model_id as string;
    for (const name of names.allocations)
      if (values[name] !== undefined) params.numberOfAllocations = values[name] as number;
    for (const name of names.threads)
      if (values[name] !== undefined) params.threadsPerAllocation = values[name] as number;
    if (values.queue_capacity !== undefined) params.queueCapacity = values.queue_capacity as number;
    if (values.cache_size !== undefined) params.cacheSize = values.cache_size as ByteSize;
    if (values.timeout !== undefined) params.timeout = values.timeout as Duration;
    if (values.priority !== undefined) params.priority = wrapEnum("priority", PRIORITIES, PRIORITY_ENUM);
    if (values.wait_for !== undefined) params.waitFor = wrapEnum("wait_for", WAIT_FOR_STATES, WAIT_FOR_ENUM);
    if (values.adaptive_allocations !== undefined) {
      params.adaptive = readAdaptive(body, values.adaptive_allocations as Record<string, unknown> | null);
    }
  }
  // 8.0–8.2 read either the body or the query string; unread query parameters are then rejected.
  if (body && !profile.has("startQueryAndBodyCombined")) return params;
  const q = ctx.query;
  if (profile.has("deploymentIds")) params.deploymentId = q.str("deployment_id") ?? params.deploymentId;
  for (const name of names.allocations)
    params.numberOfAllocations = q.int(name) ?? params.numberOfAllocations;
  for (const name of names.threads) params.threadsPerAllocation = q.int(name) ?? params.threadsPerAllocation;
  params.queueCapacity = q.int("queue_capacity") ?? params.queueCapacity;
  if (profile.has("cacheSize")) params.cacheSize = q.byteSize("cache_size") ?? params.cacheSize;
  if (profile.has("priority")) {
    const priority = q.str("priority");
    if (priority !== undefined) params.priority = parseEnum(priority, PRIORITIES, PRIORITY_ENUM);
  }
  params.timeout = q.duration("timeout") ?? params.timeout;
  const waitFor = q.str("wait_for");
  if (waitFor !== undefined) params.waitFor = parseEnum(waitFor, WAIT_FOR_STATES, WAIT_FOR_ENUM);
  return params;
}

/** The request `validate()` messages (§2.2), in Elasticsearch's order. */
export function startValidationErrors(params: StartParams, profile: VersionProfile): string[] {
  const errors: string[] = [];
  const allocations = profile.allocationsParam;
  const threadsName = profile.threadsParam;
  const adaptiveOn = params.adaptive?.enabled === true;
  if (params.numberOfAllocations !== undefined && params.numberOfAllocations < 1) {
    errors.push(`[${allocations}] must be a positive integer`);
  }
  if (adaptiveOn && params.numberOfAllocations !== undefined) {
    errors.push(`[${allocations}] cannot be set if adaptive allocations is enabled`);
  }
  const threads = params.threadsPerAllocation ?? 1;
  if (threads < 1) errors.push(`[${threadsName}] must be a positive integer`);
  if (profile.has("threadsPowerOfTwo") && (threads < 1 || threads > 32 || (threads & (threads - 1)) !== 0)) {
    errors.push(`[${threadsName}] must be a power of 2 less than or equal to 32`);
  }
  if (profile.has("singleParallelismKind") && threads > 1 && (params.numberOfAllocations ?? 1) > 1) {
    // Wording unconfirmed (8.2 rule from elastic/elasticsearch#84794).
    errors.push(`only one of [${threadsName}] and [${allocations}] may be greater than 1`);
  }
  const queue = params.queueCapacity ?? profile.queueCapacityDefault;
  if (queue < 1) errors.push("[queue_capacity] must be a positive integer");
  if (profile.has("queueCapacityMax") && queue > profile.queueCapacityMax) {
    errors.push(`[queue_capacity] must be less than ${profile.queueCapacityMax}`);
  }
  if (profile.has("startTimeout408") && params.timeout !== undefined && params.timeout.ms <= 0) {
    errors.push("[timeout] must be positive");
  }
  if (params.priority === "low") {
    if ((params.numberOfAllocations ?? 1) !== 1)
      errors.push(`[${allocations}] must be 1 when [priority] is low`);
    if (threads !== 1) errors.push(`[${threadsName}] must be 1 when [priority] is low`);
  }
  if (params.adaptive) errors.push(...adaptiveErrors(params.adaptive, profile));
  return errors;
}

/** Resolves the path id to exactly one model (GET-trained-models semantics, §2.3-6). */
function resolveModel(cluster: Cluster, expression: string): Model {
  const expansion = cluster.models.expand(expression, { allowNoMatch: false });
  if (expansion.modelIds.length > 1) {
    throw statusException(
      400,
      `cannot deploy more than one model at the same time; [${expression}] matches models [${expansion.modelIds.join(", ")}]`,
    );
  }
  const model = cluster.models.get(expansion.modelIds[0]) as Model;
  if (model.modelType !== "pytorch") {
    throw statusException(
      400,
      `model [${model.modelId}] of type [${model.modelType}] cannot be deployed. Only PyTorch models can be deployed`,
    );
  }
  return model;
}

function checkDefinition(cluster: Cluster, model: Model): void {
  switch (cluster.models.definitionStatus(model)) {
    case "missing":
      throw resourceNotFound(`Could not find trained model definition [${model.modelId}]`);
    case "truncated":
      throw statusException(
        400,
        `Model definition truncated. Unable to deserialize trained model definition [${model.modelId}]`,
      );
    case "inconsistent":
      // Exact constant unconfirmed (§2.3-8).
      throw statusException(
        400,
        `Model definition parts of [${model.modelId}] disagree on [total_definition_length] or [total_parts]; unable to deploy model, bad parts`,
      );
    default:
  }
}

/**
 * A packaged model still downloading: start waits for the import task up to its timeout, then
 * fails with 408 (`TransportStartTrainedModelDeploymentAction.step1CheckForDownloadTask`,
 * `Messages.MODEL_DOWNLOAD_IN_PROGRESS`).
 */
async function awaitModelDownload(cluster: Cluster, model: Model, timeoutMs: number): Promise<void> {
  const download = cluster.downloads.running(model.modelId);
  if (!download) return;
  const outcome = await cluster.scheduler.waitFor(
    () => (download.state === "running" ? undefined : true),
    timeoutMs < 0 ? undefined : timeoutMs,
  );
  if (outcome === TIMED_OUT) {
    throw statusException(
      408,
      `Model download task is currently running. Wait for trained model [${model.modelId}] download task to complete then try again`,
    );
  }
}

/**
 * A platform-specific model on ML nodes of another platform fails to load on every node
 * (`MlPlatformArchitecturesUtil.verifyMlNodesAndModelArchitectures` in `DeploymentManager`); the
 * start request reports the failed routes (`DeploymentStartedPredicate`) and removes the assignment.
 */
function checkPlatform(cluster: Cluster, model: Model): void {
  const platform = model.config.platform_architecture as string | undefined;
  const warning = platformWarning(cluster, model.modelId, platform);
  if (warning === undefined) return;
  const failures = cluster.nodes.map((node) => `${node.id}=${warning}`).join(", ");
  throw statusException(
    500,
    `Could not start trained model deployment, the following nodes failed with errors [{${failures}}]`,
  );
}

function startDeployment(ctx: RouteContext): Execute {
  const params = readStartParams(ctx);
  const pathId = ctx.params.model_id;
  if (params.modelId !== undefined && params.modelId !== pathId) {
    throw statusException(400, inconsistentModelId(params.modelId, pathId));
  }
  return async () => {
    // A deployment may not take an inference endpoint's id (`ModelIdUniquenessIT`); the endpoint's own
    // deployment is started through `runStart` directly.
    const wanted = params.deploymentId ?? pathId;
    if (ctx.services.cluster.endpoints.has(wanted)) {
      throw statusException(
        400,
        `Model IDs must be unique. Requested model ID [${wanted}] matches existing model IDs but must not.`,
      );
    }
    const dep = await runStart(ctx.services, params, pathId);
    return ok(assignmentResponse(dep, ctx.services.cluster));
  };
}

/**
 * The server side of a start (§2.3 checks, creation, the `wait_for` wait), shared by the `_start` route
 * and inference endpoints, which start their deployment the same way (`StartTrainedModelDeploymentAction`).
 */
export async function runStart(services: Services, params: StartParams, pathId: string): Promise<Deployment> {
  const { cluster, lifecycle } = services;
  const profile = cluster.profile;
  const errors = startValidationErrors(params, profile);
  if (errors.length > 0) throw validationFailed(errors);

  if (cluster.deployments.size >= MAX_DEPLOYMENTS) {
    throw statusException(
      429,
      `Could not start model deployment because existing deployments reached the limit of [${MAX_DEPLOYMENTS}]`,
    );
  }
  const duplicate = (id: string): EsError =>
    statusException(
      400,
      `Could not start model deployment because an existing deployment with the same id [${id}] exist`,
    );
  // 8.8+: the deployment id defaults to the raw path value; before, deployments are keyed by model id.
  let deploymentId = params.deploymentId ?? pathId;
  if (profile.has("deploymentIds") && cluster.deployments.has(deploymentId)) throw duplicate(deploymentId);
  const model = resolveModel(cluster, pathId);
  if (!profile.has("deploymentIds")) {
    deploymentId = model.modelId;
    if (cluster.deployments.has(deploymentId)) throw duplicate(deploymentId);
  }
  if (deploymentId !== model.modelId && cluster.models.get(deploymentId)) {
    throw statusException(
      400,
      `Deployment id [${deploymentId}] is the same as an another model which is not the model being deployed. Deployment id can be the same as the model being deployed but cannot match a different model`,
    );
  }
  const timeoutMs = params.timeout?.ms ?? profile.startTimeoutDefaultMs;
  const deadline = Date.now() + timeoutMs;
  await awaitModelDownload(cluster, model, timeoutMs);
  checkDefinition(cluster, model);
  checkPlatform(cluster, model);

  const adaptive = params.adaptive ? normalizeAdaptive(params.adaptive) : null;
  const min = adaptive?.enabled ? adaptive.min_number_of_allocations : undefined;
  const modelBytes = cluster.models.modelBytes(model);
  const dep = lifecycle.create({
    deploymentId,
    modelId: model.modelId,
    modelBytes,
    threadsPerAllocation: params.threadsPerAllocation ?? 1,
    numberOfAllocations: params.numberOfAllocations ?? (min !== undefined && min > 0 ? min : 1),
    queueCapacity: params.queueCapacity ?? profile.queueCapacityDefault,
    cacheSize: params.cacheSize ?? { bytes: modelBytes, text: `${modelBytes}b` },
    priority: params.priority ?? "normal",
    adaptive,
  });
  services.scaler.ensureRunning();

  const waitFor = params.waitFor ?? "started";
  const scaleToZero = profile.has("scaleToZero");
  const outcome = await cluster.scheduler.waitFor(
    () => {
      if (cluster.deployments.get(deploymentId) !== dep) {
        throw statusException(
          400,
          "Error waiting for the model deployment to start. The trained model assignment was removed while waiting",
        );
      }
      // A stop in progress removes the assignment soon: keep waiting for that.
      if (dep.state === "stopping") return undefined;
      // Failed routes end the wait first (TransportStartTrainedModelDeploymentAction's
      // DeploymentStartedPredicate), and the failed assignment is deleted before the 500 (§2.3-10).
      const failures = [...dep.routes.values()].filter((route) => route.state === "failed");
      if (failures.length > 0) {
        cluster.deployments.delete(deploymentId);
        // Freed processors go to others once this wait has ended (a rebalance now would re-run it).
        cluster.scheduler.after(0, () => lifecycle.rebalance());
        const errors = failures.map((route) => `${route.nodeId}=${route.reason ?? "null"}`).join(", ");
        throw statusException(
          500,
          `Could not start trained model deployment, the following nodes failed with errors [{${errors}}]`,
        );
      }
      if (allocationRank(allocationState(dep, scaleToZero)) >= allocationRank(waitFor)) return true;
      const anyStarting = [...dep.routes.values()].some((route) => route.state === "starting");
      return anyStarting ? undefined : true;
    },
    timeoutMs < 0 ? undefined : Math.max(0, deadline - Date.now()),
  );
  if (outcome === TIMED_OUT) {
    const text = params.timeout?.text ?? formatDuration(timeoutMs);
    const reason = `Timed out after [${text}] waiting for trained model deployment [${deploymentId}] to start. Use the trained model stats API to track the state of the deployment and try again once it has started.`;
    // The deployment is not rolled back: it keeps starting (elastic/elasticsearch#109407).
    if (profile.has("startTimeout408")) throw new EsError(408, "model_deployment_timeout_exception", reason);
    throw statusException(500, reason);
  }
  return dep;
}

export const startRoutes: RouteDef[] = [
  {
    method: "POST",
    path: "/_ml/trained_models/{model_id}/deployment/_start",
    action: ACTIONS.startDeployment,
    handler: startDeployment,
  },
];
