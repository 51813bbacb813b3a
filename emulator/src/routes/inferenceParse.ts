/**
 * Reading a `PUT _inference` request for the `elasticsearch` and `elser` services into an endpoint, with
 * Elasticsearch's messages: `TransportPutInferenceModelAction` (task type, service), then
 * `ElasticsearchInternalService.parseRequestConfig` (reserved ids, unknown settings, `deployment_id`,
 * the ELSER / E5 / rerank / custom model cases) and `ElasticsearchInternalServiceSettings.fromMap`
 * (thread and allocation settings, collected into one `ValidationException`).
 */
import { EsError, illegalArgument, resourceNotFound, statusException } from "../errors";
import type { Cluster } from "../state/cluster";
import type { AdaptiveSettings } from "../state/deployments";
import {
  DEFAULT_CHUNKING,
  ELASTICSEARCH_TASK_TYPES,
  InferenceEndpoint,
  TASK_TYPES,
} from "../state/inferenceEndpoints";
import type { Model } from "../state/models";
import { packagedModel } from "../state/packagedModels";
import { taskType as modelTaskType } from "../predictions";
import { adaptiveErrors, normalizeAdaptive } from "./adaptiveParams";

const ELSER_MODELS = [".elser_model_1", ".elser_model_2", ".elser_model_2_linux-x86_64"];
const E5_MODELS = [".multilingual-e5-small", ".multilingual-e5-small_linux-x86_64"];
const RERANK_MODEL = ".rerank-v1";

/** `TaskType.fromStringOrStatusException`. */
export function parseTaskType(value: string): string {
  const lower = value.trim().toLowerCase();
  if ((TASK_TYPES as readonly string[]).includes(lower)) return lower;
  throw statusException(400, `Unknown task_type [${value}]`);
}

/** `ModelRegistry.getModel`'s 404. */
export const endpointNotFound = (id: string): EsError =>
  resourceNotFound(`Inference endpoint not found [${id}]`);

/** The endpoint, checked against the path's task type (`InferenceExceptions.mismatchedTaskTypeException`). */
export function findEndpoint(
  cluster: Cluster,
  id: string,
  pathTaskType: string | undefined,
): InferenceEndpoint {
  const taskType = pathTaskType === undefined ? "any" : parseTaskType(pathTaskType);
  const endpoint = cluster.endpoints.get(id);
  if (!endpoint) throw endpointNotFound(id);
  if (taskType !== "any" && taskType !== endpoint.taskType) {
    throw statusException(
      400,
      `Requested task type [${taskType}] does not match the inference endpoint's task type [${endpoint.taskType}]`,
    );
  }
  return endpoint;
}

/** `ServiceUtils.resolveTaskType`: the path's task type, the body's `task_type`, or both agreeing. */
export function resolveTaskType(pathTaskType: string | undefined, bodyTaskType: unknown): string {
  const fromPath = pathTaskType === undefined ? "any" : parseTaskType(pathTaskType);
  if (typeof bodyTaskType !== "string") {
    if (fromPath === "any") throw statusException(400, "model is missing required setting [task_type]");
    return fromPath;
  }
  const fromBody = parseTaskType(bodyTaskType);
  if (fromBody === "any") throw statusException(400, "task_type [any] is not valid type for inference");
  if (fromPath !== "any" && fromBody !== fromPath) {
    throw statusException(
      400,
      `Cannot resolve conflicting task_type parameter in the request URL [${fromPath}] and the request body [${bodyTaskType}]`,
    );
  }
  return fromBody;
}

/** How Java prints a map (`AbstractMap.toString`), as unknown-settings messages show it. */
export function javaMap(map: Record<string, unknown>): string {
  const value = (v: unknown): string =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? javaMap(v as Record<string, unknown>)
      : Array.isArray(v)
        ? `[${v.map(value).join(", ")}]`
        : String(v);
  return `{${Object.entries(map)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(", ")}}`;
}

const unknownSettings = (map: Record<string, unknown>, service: string): EsError =>
  statusException(
    400,
    `Model configuration contains settings [${javaMap(map)}] unknown to the [${service}] service`,
  );

const validationException = (messages: string[]): EsError =>
  new EsError(
    400,
    "validation_exception",
    `Validation Failed: ${messages.map((m, i) => `${i + 1}: ${m};`).join("")}`,
  );

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

interface ThreadSettings {
  numAllocations?: number;
  numThreads: number;
  adaptive: AdaptiveSettings | null;
}

/** A positive integer setting (`extractOptionalPositiveInteger` / `extractRequiredPositiveInteger`), removed from `settings`. */
function readPositive(
  settings: Record<string, unknown>,
  name: string,
  required: boolean,
  errors: string[],
): number | undefined {
  const value = settings[name];
  delete settings[name];
  if (value === undefined || value === null) {
    if (required) errors.push(`[service_settings] does not contain the required setting [${name}]`);
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    errors.push(
      `field [${name}] is not of the expected type. The value [${String(value)}] cannot be converted to a [Integer]`,
    );
    return undefined;
  }
  if (value < 1) {
    errors.push(`[service_settings] Invalid value [${value}]. [${name}] must be a positive integer`);
    return undefined;
  }
  return value;
}

/** `ServiceUtils.removeAsAdaptiveAllocationsSettings` (8.15+): undefined when absent. */
function readAdaptiveSetting(
  cluster: Cluster,
  settings: Record<string, unknown>,
  errors: string[],
): AdaptiveSettings | undefined {
  if (!cluster.profile.has("inferenceAdaptiveAllocations") || settings.adaptive_allocations === undefined) {
    return undefined;
  }
  const raw = settings.adaptive_allocations;
  delete settings.adaptive_allocations;
  if (!isObject(raw)) return undefined;
  const request = {
    enabled: raw.enabled as boolean | undefined,
    min_number_of_allocations: raw.min_number_of_allocations as number | undefined,
    max_number_of_allocations: raw.max_number_of_allocations as number | undefined,
  };
  errors.push(...adaptiveErrors(request, cluster.profile));
  return normalizeAdaptive(request);
}

/** `ElasticsearchInternalServiceSettings.fromMap`: removes what it reads from `settings`. */
export function readThreadSettings(cluster: Cluster, settings: Record<string, unknown>): ThreadSettings {
  const errors: string[] = [];
  const adaptiveAllowed = cluster.profile.has("inferenceAdaptiveAllocations");
  const numAllocations = readPositive(settings, "num_allocations", !adaptiveAllowed, errors);
  const numThreads = readPositive(settings, "num_threads", true, errors);
  const adaptive = readAdaptiveSetting(cluster, settings, errors) ?? null;
  // As in `fromMap`, an invalid count also counts as absent here.
  if (adaptiveAllowed && numAllocations === undefined && adaptive === null) {
    errors.push(
      "[service_settings] does not contain one of the required settings [num_allocations, adaptive_allocations]",
    );
  }
  if (errors.length > 0) throw validationException(errors);
  return { numAllocations, numThreads: numThreads as number, adaptive };
}

/** What an `_update` request's `service_settings` change (`ElasticsearchInternalServiceSettings.updateServiceSettings`). */
export function readAllocationUpdate(
  cluster: Cluster,
  requested: Record<string, unknown>,
): { numAllocations?: number; adaptive?: AdaptiveSettings } {
  const settings = { ...requested };
  const errors: string[] = [];
  const numAllocations = readPositive(settings, "num_allocations", false, errors);
  const adaptive = readAdaptiveSetting(cluster, settings, errors);
  if (errors.length > 0) throw validationException(errors);
  if (Object.keys(settings).length > 0) throw unknownSettings(settings, "elasticsearch");
  return {
    ...(numAllocations !== undefined ? { numAllocations } : {}),
    ...(adaptive !== undefined ? { adaptive } : {}),
  };
}

/** `throwIfUnsupportedTaskType`: a deployed or custom model's inference config must fit the task type. */
function checkModelTaskType(model: Model, taskType: string): void {
  const configType = modelTaskType(model);
  const mapped = {
    text_expansion: "sparse_embedding",
    text_embedding: "text_embedding",
    text_similarity: "rerank",
  }[configType];
  if (mapped === undefined) {
    throw statusException(
      400,
      `Deployed model [${model.modelId}] has type [${configType}] which does not map to any supported task types`,
    );
  }
  if (mapped !== taskType) {
    throw statusException(
      400,
      `Deployed model [${model.modelId}] with type [${configType}] does not match the requested task type [${taskType}]`,
    );
  }
}

const platformMismatch = (modelId: string, hint: string): EsError =>
  illegalArgument(
    `Error parsing request config, model id does not match any models available on this platform. Was [${modelId}]${hint}`,
  );

/**
 * The ELSER and E5 cases: the variant for the ML nodes' platform (`selectDefaultModelVariantBasedOnClusterArchitecture`).
 * ELSER accepts the preferred variant or the portable `.elser_model_2`; E5 the portable one or the preferred.
 */
function checkVariant(cluster: Cluster, modelId: string): void {
  const linux = cluster.linuxOptimized();
  if (ELSER_MODELS.includes(modelId)) {
    const preferred = linux ? ".elser_model_2_linux-x86_64" : ".elser_model_2";
    if (modelId !== preferred && modelId !== ".elser_model_2") {
      throw platformMismatch(modelId, ". You may need to use a platform agnostic model.");
    }
  } else if (E5_MODELS.includes(modelId)) {
    const preferred = linux ? ".multilingual-e5-small_linux-x86_64" : ".multilingual-e5-small";
    if (modelId !== ".multilingual-e5-small" && modelId !== preferred) throw platformMismatch(modelId, "");
  }
}

export interface ParsedRequest {
  endpoint: InferenceEndpoint;
  /** Deprecation warnings to send as `Warning` headers. */
  warnings: string[];
}

/**
 * The endpoint a request describes (nothing is stored or started here). `service` was checked by the
 * caller; `config` is the request body without `service` and `task_type`.
 */
export function parseEndpointRequest(
  cluster: Cluster,
  inferenceId: string,
  taskType: string,
  service: string,
  body: Record<string, unknown>,
): ParsedRequest {
  const profile = cluster.profile;
  const config = { ...body };
  const warnings: string[] = [];
  const reportedService =
    service === "elser" && profile.has("inferenceDeploymentId") ? "elasticsearch" : service;
  const serviceSettings = config.service_settings;
  delete config.service_settings;
  if (!isObject(serviceSettings)) throw statusException(400, "Missing required field [service_settings]");
  const settings = { ...serviceSettings };
  const taskSettings = isObject(config.task_settings) ? { ...config.task_settings } : {};
  delete config.task_settings;
  let chunkingSettings: Record<string, unknown> | undefined;
  const embedding = taskType === "text_embedding" || taskType === "sparse_embedding";
  if (profile.has("inferenceDeploymentId") && embedding) {
    const raw = config.chunking_settings;
    delete config.chunking_settings;
    chunkingSettings = isObject(raw) && Object.keys(raw).length > 0 ? { ...raw } : { ...DEFAULT_CHUNKING };
  }
  if (Object.keys(config).length > 0) throw unknownSettings(config, reportedService);
  const supported = service === "elser" ? ["sparse_embedding"] : ELASTICSEARCH_TASK_TYPES;
  if (!supported.includes(taskType)) {
    throw statusException(400, `The [${service}] service does not support task type [${taskType}]`);
  }
  const base = {
    inferenceId: inferenceId,
    taskType,
    service: reportedService,
    taskSettings,
    preconfigured: false,
  };

  const deploymentId = profile.has("inferenceDeploymentId") ? settings.deployment_id : undefined;
  if (typeof deploymentId === "string") {
    const dep = cluster.deployments.get(deploymentId);
    if (!dep) throw statusException(404, `Cannot find deployment [${deploymentId}]`);
    const requested = settings.model_id;
    if (typeof requested === "string" && requested !== dep.modelId) {
      throw statusException(
        400,
        `Deployment [${deploymentId}] uses model [${dep.modelId}] which does not match the model [${requested}] in the request.`,
      );
    }
    checkModelTaskType(cluster.models.get(dep.modelId) as Model, taskType);
    const endpoint: InferenceEndpoint = {
      ...base,
      modelId: dep.modelId,
      numAllocations: dep.numberOfAllocations,
      numThreads: dep.threadsPerAllocation,
      adaptive: dep.adaptive ? { ...dep.adaptive } : null,
      deploymentId,
      ...(chunkingSettings ? { chunkingSettings } : {}),
    };
    return { endpoint, warnings };
  }

  let modelId = settings.model_id;
  delete settings.model_id;
  const elserDefault = cluster.linuxOptimized() ? ".elser_model_2_linux-x86_64" : ".elser_model_2";
  if (typeof modelId !== "string") {
    if (service !== "elser")
      throw illegalArgument("Error parsing service settings, model_id must be provided");
    if (profile.has("inferenceDeploymentId")) {
      warnings.push(
        "Putting elasticsearch service inference endpoints (including elser service) without a model_id field is deprecated and will be removed in a future release. Please specify a model_id field.",
      );
    }
    modelId = elserDefault;
  }
  const id = modelId as string;
  const threads = readThreadSettings(cluster, settings);
  if (ELSER_MODELS.includes(id) || E5_MODELS.includes(id)) {
    checkVariant(cluster, id);
  } else if (id !== RERANK_MODEL || !packagedModel(id)) {
    const model = cluster.models.get(id);
    if (!model) {
      throw platformMismatch(id, ". You may need to load it into the cluster using eland.");
    }
    checkModelTaskType(model, taskType);
  }
  if (Object.keys(settings).length > 0) throw unknownSettings(settings, reportedService);
  if (service === "elser" && profile.has("inferenceDeploymentId")) {
    warnings.push(
      `The [elser] service is deprecated and will be removed in a future release. Use the [elasticsearch] service instead, with [model_id] set to [${elserDefault}] in the [service_settings]`,
    );
  }
  const endpoint: InferenceEndpoint = {
    ...base,
    modelId: id,
    ...(threads.numAllocations !== undefined ? { numAllocations: threads.numAllocations } : {}),
    numThreads: threads.numThreads,
    adaptive: threads.adaptive,
    ...(chunkingSettings ? { chunkingSettings } : {}),
  };
  return { endpoint, warnings };
}
