import type { ConnectionArgument } from "../connectionInput";

/**
 * The shapes of an `InferenceEndpoint`'s inputs and outputs as the provider sees them (plain JSON, after
 * the engine resolved every `Input`), and the facts about services and task types this version knows
 * (emulator README, "Inference endpoints", each row citing Elasticsearch's source).
 */

/** The services that run on the cluster's ML nodes: typed settings, a deployment created or used. */
export const ML_SERVICES = ["elasticsearch", "elser"] as const;
export type MlService = (typeof ML_SERVICES)[number];

/** The task types each ML service supports (`ElasticsearchInternalService.supportedTaskTypes`; `elser`: sparse only). */
export const ML_SERVICE_TASK_TYPES: Readonly<Record<MlService, readonly string[]>> = {
  elasticsearch: ["sparse_embedding", "text_embedding", "rerank"],
  elser: ["sparse_embedding"],
};

/** Every task type of the inference API (`TaskType`); other services are checked by Elasticsearch. */
export const TASK_TYPES: readonly string[] = [
  "sparse_embedding",
  "text_embedding",
  "rerank",
  "completion",
  "chat_completion",
];

/** `chunking_settings` apply to the embedding tasks only (8.16+). */
export const CHUNKING_TASK_TYPES: readonly string[] = ["sparse_embedding", "text_embedding"];

/**
 * Elastic's preconfigured endpoints (8.16+; `.rerank-v1-elasticsearch` from 8.18): reserved ids that are
 * never created or deleted by this package (`ElasticsearchInternalService.defaultConfigs`).
 */
export const PRECONFIGURED_ENDPOINTS: readonly string[] = [
  ".elser-2-elasticsearch",
  ".multilingual-e5-small-elasticsearch",
  ".rerank-v1-elasticsearch",
];

/** `adaptive_allocations` of the endpoint's deployment (8.15+). */
export interface EndpointAdaptiveAllocations {
  enabled: boolean;
  minNumberOfAllocations?: number;
  maxNumberOfAllocations?: number;
}

/** `serviceSettings` of the `elasticsearch` and `elser` services. */
export interface MlServiceSettings {
  /** The trained model (`.elser_model_2`, `.multilingual-e5-small_linux-x86_64`, an uploaded model, …). */
  modelId?: string;
  /** A fixed allocation count (`num_allocations`). */
  numAllocations?: number;
  /** Threads per allocation (`num_threads`); required unless `deploymentId` is given. */
  numThreads?: number;
  adaptiveAllocations?: EndpointAdaptiveAllocations;
  /** Use this existing deployment instead of creating one (8.16+): allocations and threads are the deployment's. */
  deploymentId?: string;
}

/** The declared inputs after `check` (defaults filled). */
export interface EndpointInputs {
  taskType: string;
  inferenceId: string;
  service: string;
  /** Typed for the ML services; another service's settings as a JSON object (sent as written). */
  serviceSettings?: MlServiceSettings | Record<string, unknown>;
  taskSettings?: Record<string, unknown>;
  chunkingSettings?: Record<string, unknown>;
  /** The provider's deadline for the create (download, start) and the allocation wait, in seconds. */
  waitTimeoutSeconds: number;
  /** Delete even while pipelines or `semantic_text` fields reference the endpoint (see forceDelete.ts). */
  forceDelete?: boolean;
  connection?: ConnectionArgument;
}

/** What the cluster's answers say about the endpoint's deployment. */
export interface EndpointAllocation {
  /** `started`, `starting`, `failed`, … (deployment `state`), `absent` when there is no deployment. */
  state: string;
  allocationCount?: number;
  targetAllocationCount?: number;
  /** `allocation_status.state`: `fully_allocated`, `started`, `starting`. */
  allocationState?: string;
}

/** The outputs: the inputs plus what Elasticsearch reports. */
export interface EndpointOutputs extends EndpointInputs {
  clusterUuid?: string;
  /** The cluster's version when last seen: decides, without a request, whether a scale is in place. */
  esVersion?: string;
  /** The endpoint as `GET _inference` reports it (never a secret: Elasticsearch does not return them). */
  endpoint?: Record<string, unknown>;
  /** The deployment the endpoint owns (its own id) or uses (`serviceSettings.deploymentId`). */
  deploymentId?: string;
  /** Whether the endpoint created that deployment (deleting the endpoint stops it). */
  ownsDeployment?: boolean;
  allocation?: EndpointAllocation;
  /** Whether the deployment reached its allocations (false: a timed-out create the next `up` waits for). */
  ready?: boolean;
  /** What references the endpoint, as recorded at the last create or refresh. */
  references?: { pipelines: string[]; indexes: string[] };
}

export const ENDPOINT_INPUT_PROPERTIES: readonly (keyof EndpointInputs)[] = [
  "taskType",
  "inferenceId",
  "service",
  "serviceSettings",
  "taskSettings",
  "chunkingSettings",
  "waitTimeoutSeconds",
  "forceDelete",
  "connection",
];

export function isMlService(service: unknown): service is MlService {
  return (ML_SERVICES as readonly unknown[]).includes(service);
}

/** The deployment an ML-service endpoint runs on: the one it names, or its own (same id as the endpoint). */
export function endpointDeploymentId(
  inputs: Pick<EndpointInputs, "inferenceId" | "serviceSettings">,
): string {
  const used = (inputs.serviceSettings as MlServiceSettings | undefined)?.deploymentId;
  return typeof used === "string" ? used : inputs.inferenceId;
}
