/**
 * Inference endpoints of the `elasticsearch` (and `elser`) service: what `PUT _inference` stored, the
 * preconfigured endpoints, and how `GET _inference` reports them (`ModelConfigurations.toXContent`,
 * `ElasticsearchInternalServiceSettings.addInternalSettingsToXContent`).
 *
 * An endpoint either owns the deployment it created (deployment id = inference id, as
 * `ElasticsearchInternalModel.getStartTrainedModelDeploymentActionRequest` starts it) or, from 8.16,
 * uses an existing one named by `service_settings.deployment_id` (`mlNodeDeploymentId()`).
 */
import type { VersionProfile } from "../versions";
import type { AdaptiveSettings, Deployment } from "./deployments";

export interface InferenceEndpoint {
  inferenceId: string;
  taskType: string;
  /** The service the endpoint reports (`elser` endpoints report `elasticsearch` from 8.16). */
  service: string;
  modelId: string;
  /** As configured; GET reports the deployment's current count from 8.16. */
  numAllocations?: number;
  numThreads: number;
  adaptive: AdaptiveSettings | null;
  /** Set when the endpoint uses an existing deployment instead of owning one (8.16+). */
  deploymentId?: string;
  chunkingSettings?: Record<string, unknown>;
  taskSettings: Record<string, unknown>;
  /** One of the endpoints every cluster has (never created or deleted through the API). */
  preconfigured: boolean;
}

/** `TaskType` values (lower case, as the REST layer accepts and prints them). */
export const TASK_TYPES = [
  "text_embedding",
  "sparse_embedding",
  "rerank",
  "completion",
  "chat_completion",
  "any",
] as const;
/** Task types the `elasticsearch` service supports (`ElasticsearchInternalService.supportedTaskTypes`). */
export const ELASTICSEARCH_TASK_TYPES = ["rerank", "text_embedding", "sparse_embedding"];

export const DEFAULT_ELSER_ID = ".elser-2-elasticsearch";
export const DEFAULT_E5_ID = ".multilingual-e5-small-elasticsearch";
export const DEFAULT_RERANK_ID = ".rerank-v1-elasticsearch";

/** `ChunkingSettingsBuilder.DEFAULT_SETTINGS` (sentence chunks), given to embedding endpoints from 8.16. */
export const DEFAULT_CHUNKING = { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 };

/** The deployment the endpoint sends inference to: its own (id = inference id) or the one it uses. */
export const deploymentIdOf = (endpoint: InferenceEndpoint): string =>
  endpoint.deploymentId ?? endpoint.inferenceId;

/** Whether the endpoint created (and so owns) the deployment it uses. */
export const ownsDeployment = (endpoint: InferenceEndpoint): boolean => endpoint.deploymentId === undefined;

/**
 * The preconfigured endpoints of a version (`defaultConfigs`): adaptive allocations from 0 to 32 with one
 * thread, the `_linux-x86_64` model variants when every ML node is `linux-x86_64` (`PreferredModelVariant`),
 * the portable ones otherwise. Their deployments start on first use.
 */
export function preconfiguredEndpoints(
  profile: VersionProfile,
  linuxOptimized: boolean,
): InferenceEndpoint[] {
  if (!profile.has("inferenceDeploymentId")) return [];
  const adaptive: AdaptiveSettings = {
    enabled: true,
    min_number_of_allocations: 0,
    max_number_of_allocations: 32,
  };
  const base = { service: "elasticsearch", numThreads: 1, taskSettings: {}, preconfigured: true };
  const endpoints: InferenceEndpoint[] = [
    {
      ...base,
      inferenceId: DEFAULT_ELSER_ID,
      taskType: "sparse_embedding",
      modelId: linuxOptimized ? ".elser_model_2_linux-x86_64" : ".elser_model_2",
      adaptive: { ...adaptive },
      chunkingSettings: { ...DEFAULT_CHUNKING },
    },
    {
      ...base,
      inferenceId: DEFAULT_E5_ID,
      taskType: "text_embedding",
      modelId: linuxOptimized ? ".multilingual-e5-small_linux-x86_64" : ".multilingual-e5-small",
      adaptive: { ...adaptive },
      chunkingSettings: { ...DEFAULT_CHUNKING },
    },
  ];
  if (profile.has("inferenceDefaultRerank")) {
    endpoints.push({
      ...base,
      inferenceId: DEFAULT_RERANK_ID,
      taskType: "rerank",
      modelId: ".rerank-v1",
      adaptive: { ...adaptive },
      taskSettings: { return_documents: true },
    });
  }
  return endpoints;
}

/**
 * The endpoint as `GET _inference` prints it. From 8.16 `num_allocations` is the deployment's current
 * target (`updateModelsWithDynamicFields` reads deployment stats), so adaptive scaling shows through;
 * without a deployment it is what was configured (absent under adaptive allocations).
 */
export function renderEndpoint(
  endpoint: InferenceEndpoint,
  profile: VersionProfile,
  dep: Deployment | undefined,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const current =
    profile.has("inferenceDeploymentId") && dep ? dep.numberOfAllocations : endpoint.numAllocations;
  if (current !== undefined) settings.num_allocations = current;
  settings.num_threads = endpoint.numThreads;
  settings.model_id = endpoint.modelId;
  if (endpoint.adaptive) settings.adaptive_allocations = { ...endpoint.adaptive };
  if (endpoint.deploymentId !== undefined) settings.deployment_id = endpoint.deploymentId;
  const idKey = profile.has("inferenceListNamedEndpoints") ? "inference_id" : "model_id";
  const out: Record<string, unknown> = {
    [idKey]: endpoint.inferenceId,
    task_type: endpoint.taskType,
    service: endpoint.service,
    service_settings: settings,
  };
  if (endpoint.chunkingSettings) out.chunking_settings = { ...endpoint.chunkingSettings };
  if (Object.keys(endpoint.taskSettings).length > 0) out.task_settings = { ...endpoint.taskSettings };
  return out;
}
