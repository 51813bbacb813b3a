/**
 * The client: one object per set of connection settings, holding the transport (pools) and the
 * cluster version read on first use. Each method delegates to its endpoint-group module.
 */
import { inspect } from "node:util";
import { type MlInfo, getMlInfo } from "./capacity";
import { parseBooleanSetting } from "./booleans";
import { clusterVersion, getClusterInfo } from "./cluster";
import { ConfigurationError } from "./errors";
import { type ConnectionOptions, ConnectionSettings, resolveConnectionSettings } from "./config";
import { type OperationContext, idList } from "./context";
import { type InferenceEndpoint, getInferenceEndpoints } from "./inference";
import {
  type InferenceDeleteAnswer,
  type PutInferenceEndpointParams,
  type PutInferenceEndpointResult,
  deleteInferenceEndpoint,
  getInferenceEndpoint,
  putInferenceEndpoint,
  updateInferenceEndpoint,
} from "./inferenceEndpoints";
import { type PipelineReference, findPipelinesReferencing, getIngestPipelines } from "./ingest";
import {
  type DefinitionPart,
  type MlNodeOs,
  type ModelImportTask,
  type Vocabulary,
  deleteTrainedModel,
  getMlNodeOs,
  getModelImportTasks,
  putDefinitionPart,
  putTrainedModel,
  putVocabulary,
} from "./modelStore";
import {
  type StartDeploymentParams,
  type StartDeploymentResult,
  type StopDeploymentParams,
  type UpdateDeploymentParams,
  START_TIMEOUT_MARGIN_MS,
  startDeployment,
  stopDeployment,
  updateDeployment,
} from "./trainedModelDeployments";
import {
  type GetTrainedModelsOptions,
  type ListOptions,
  getDeploymentStats,
  getTrainedModel,
  getTrainedModelStats,
  getTrainedModels,
} from "./trainedModels";
import { nodeNamesIn, statsFromAssignment } from "./assignmentStats";
import { DeploymentStatsPoll } from "./statsPoll";
import { Transport, type TransportOptions } from "./transport";
import type {
  ClusterInfo,
  DeploymentStats,
  IngestPipelines,
  TrainedModelAssignment,
  TrainedModelConfig,
  TrainedModelStatsResponse,
  TrainedModelsResponse,
} from "./types";
import { type EsVersion, assertSupportedVersion } from "./version";

/** Environment variable that turns the request trace on (`true` or `1`, see `booleans.ts`; lines go to stderr). */
export const TRACE_ENV_VAR = "ELASTICSEARCH_ML_TRACE";

/** How old a shared listing may be for a caller that accepts one it did not ask for (`#shared`). */
export interface ListingReuse {
  /** Reuse a successful listing that started less than this many ms ago. Default 0: only one in flight. */
  reuseWithinMs?: number;
}

/** Client options that are not connection settings. */
export interface ClientOptions extends Omit<TransportOptions, "trace"> {
  /**
   * Request trace: one line per attempt and outcome (method, URL without credentials, status, timing).
   * `true` writes to stderr; a function receives the lines. Default: on when `ELASTICSEARCH_ML_TRACE`
   * is `1` or `true`.
   */
  trace?: boolean | ((line: string) => void);
  /**
   * How long the client waits for a `_start` beyond the server's own `timeout` (default 10000 ms), so
   * that a client-side timeout means the server did not even answer by its own deadline.
   */
  startTimeoutMarginMs?: number;
}

/**
 * Creates a client from connection options and the environment (explicit options win).
 *
 * @throws {ConfigurationError} for missing, malformed or contradictory settings, before any request.
 */
export function createClient(
  options: ConnectionOptions & ClientOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ElasticsearchClient {
  const {
    trace,
    initialBackoffMs,
    maxBackoffMs,
    endpointHealth,
    maxConnectionsPerEndpoint,
    keepAliveTimeoutMs,
    connectTimeoutMs,
    random,
    startTimeoutMarginMs,
    ...connection
  } = options;
  const settings = resolveConnectionSettings(connection, env);
  const traceOn =
    trace ??
    parseBooleanSetting(
      env[TRACE_ENV_VAR],
      TRACE_ENV_VAR,
      (setting, message) => new ConfigurationError(setting, message),
    ) ??
    false;
  return new ElasticsearchClient(
    settings,
    {
      trace:
        typeof traceOn === "function"
          ? traceOn
          : traceOn
            ? (line) => process.stderr.write(`${line}\n`)
            : undefined,
      initialBackoffMs,
      maxBackoffMs,
      endpointHealth,
      maxConnectionsPerEndpoint,
      keepAliveTimeoutMs,
      connectTimeoutMs,
      random,
    },
    { startTimeoutMarginMs },
  );
}

/**
 * Elasticsearch client for the ML trained-model deployment APIs.
 *
 * The cluster version is read with `GET /` on the first operation and cached; clusters older than
 * 8.8 are refused then (`ES_VERSION_UNSUPPORTED`). Printing or serialising the client shows its
 * endpoints and who it authenticates as, never a secret. Call {@link close} when done.
 */
export class ElasticsearchClient {
  readonly #settings: ConnectionSettings;
  readonly #transport: Transport;
  readonly #context: OperationContext;
  #info: Promise<ClusterInfo> | undefined;
  // Whole-cluster listings that many deployments ask for (e.g. 500 creates in one `pulumi up`): see #shared.
  readonly #listings = new Map<string, { answer: Promise<unknown>; startedAt: number; settled: boolean }>();
  readonly #statsPoll: DeploymentStatsPoll;
  // Node id → name from every `_stats` answer, for stats derived from a `_start` answer (assignmentStats.ts).
  readonly #nodeNames = new Map<string, string>();

  constructor(
    settings: ConnectionSettings,
    options: TransportOptions = {},
    operations: { startTimeoutMarginMs?: number } = {},
  ) {
    if (!(settings instanceof ConnectionSettings)) {
      throw new TypeError("ElasticsearchClient needs ConnectionSettings; use createClient(options) instead");
    }
    this.#settings = settings;
    this.#transport = new Transport(settings, options);
    this.#context = {
      transport: this.#transport,
      version: () => this.version(),
      startTimeoutMarginMs: operations.startTimeoutMarginMs ?? START_TIMEOUT_MARGIN_MS,
    };
    this.#statsPoll = new DeploymentStatsPoll({
      statsOf: (ids) => getTrainedModelStats(this.#context, ids).then((r) => this.#remember(r)),
      one: (id) => getDeploymentStats(this.#context, id).then((s) => this.#rememberOne(s)),
      encodedLength: (id) => idList(id).length + 1,
    });
  }

  /** The resolved (redacting) settings. */
  get settings(): ConnectionSettings {
    return this.#settings;
  }

  /** `GET /`, read once per client (a failed read is not cached). */
  info(): Promise<ClusterInfo> {
    if (!this.#info) {
      const pending = getClusterInfo(this.#transport);
      this.#info = pending;
      pending.catch(() => {
        if (this.#info === pending) this.#info = undefined;
      });
    }
    return this.#info;
  }

  /**
   * The cluster's version, checked against the supported minimum.
   * @throws {UnsupportedVersionError} `ES_VERSION_UNSUPPORTED` for clusters older than 8.8.
   */
  async version(): Promise<EsVersion> {
    const version = clusterVersion(await this.info());
    assertSupportedVersion(version, this.#transport.endpoints.join(", "));
    return version;
  }

  /** Starts a deployment; see {@link StartDeploymentResult} for what the outcome means. */
  startDeployment(params: StartDeploymentParams): Promise<StartDeploymentResult> {
    return startDeployment(this.#context, params);
  }

  /** Stops a deployment (synchronous on the server: resolves once it is gone). */
  stopDeployment(params: StopDeploymentParams): Promise<{ stopped: boolean }> {
    return stopDeployment(this.#context, params);
  }

  /** Changes a started deployment's allocations or adaptive settings. */
  updateDeployment(params: UpdateDeploymentParams): Promise<{ assignment: TrainedModelAssignment }> {
    return updateDeployment(this.#context, params);
  }

  /** Trained model stats for ids (model ids, aliases, deployment ids, wildcards) or all. */
  getTrainedModelStats(
    ids?: string | readonly string[],
    options?: ListOptions,
  ): Promise<TrainedModelStatsResponse> {
    return getTrainedModelStats(this.#context, ids, options).then((r) => this.#remember(r));
  }

  /** One deployment's stats, or undefined when it does not exist. */
  getDeploymentStats(deploymentId: string): Promise<DeploymentStats | undefined> {
    return getDeploymentStats(this.#context, deploymentId).then((s) => this.#rememberOne(s));
  }

  /**
   * Like {@link getDeploymentStats}, for a deployment expected to exist (polling after `_start`): reads
   * asked at the same time share one `_stats` request (`statsPoll.ts`).
   */
  pollDeploymentStats(deploymentId: string): Promise<DeploymentStats | undefined> {
    return this.#statsPoll.read(deploymentId);
  }

  /**
   * The stats `_stats` would report, derived from the assignment a `_start` answered with, so a create
   * needs no read of its own; undefined when they could differ (see `assignmentStats.ts`).
   */
  async statsFromAssignment(assignment: TrainedModelAssignment): Promise<DeploymentStats | undefined> {
    return statsFromAssignment(assignment, (id) => this.#nodeNames.get(id), await this.version());
  }

  /** Trained model configurations. */
  getTrainedModels(
    ids?: string | readonly string[],
    options?: GetTrainedModelsOptions,
  ): Promise<TrainedModelsResponse> {
    return getTrainedModels(this.#context, ids, options);
  }

  /** One model's configuration, or undefined when it does not exist. */
  getTrainedModel(
    modelId: string,
    options?: { includeDefinitionStatus?: boolean },
  ): Promise<TrainedModelConfig | undefined> {
    return getTrainedModel(this.#context, modelId, options);
  }

  /** Creates a model configuration (for a packaged model: starts its download). */
  putTrainedModel(modelId: string, body: Record<string, unknown>): Promise<TrainedModelConfig> {
    return putTrainedModel(this.#context, modelId, body);
  }

  /** Uploads one part of a model's definition. */
  putDefinitionPart(modelId: string, part: DefinitionPart): Promise<void> {
    return putDefinitionPart(this.#context, modelId, part);
  }

  /** Uploads a model's tokenizer vocabulary. */
  putVocabulary(modelId: string, vocabulary: Vocabulary): Promise<void> {
    return putVocabulary(this.#context, modelId, vocabulary);
  }

  /** Deletes a model (`force` also stops its deployments and ignores referencing pipelines). */
  deleteTrainedModel(modelId: string, options?: { force?: boolean }): Promise<void> {
    return deleteTrainedModel(this.#context, modelId, options);
  }

  /** The running packaged-model import tasks. */
  getModelImportTasks(): Promise<ModelImportTask[]> {
    return getModelImportTasks(this.#context);
  }

  /** The ML nodes' operating systems (for choosing a platform-specific packaged model). */
  getMlNodeOs(): Promise<MlNodeOs[]> {
    return getMlNodeOs(this.#context);
  }

  /** `GET _ml/info`: ML defaults and limits (processor limits from 8.12). */
  getMlInfo(): Promise<MlInfo> {
    return getMlInfo(this.#context);
  }

  /** Ingest pipelines (all, or the given ids); `{}` when there are none. */
  async getIngestPipelines(ids?: string | readonly string[]): Promise<IngestPipelines> {
    await this.version();
    return getIngestPipelines(this.#transport, ids);
  }

  /**
   * The inference processors, across all pipelines, that reference any of `ids`. With `reuseWithinMs`, a
   * listing that started at most that long ago answers too (see #shared).
   */
  async findPipelinesReferencing(
    ids: readonly string[],
    options: ListingReuse = {},
  ): Promise<PipelineReference[]> {
    const all = await this.#shared("pipelines", () => this.getIngestPipelines(), options);
    return findPipelinesReferencing(all, ids);
  }

  /**
   * Every inference endpoint, or undefined when the cluster's version has no inference API (< 8.11). With
   * `reuseWithinMs`, a listing that started at most that long ago answers too (see #shared).
   */
  getInferenceEndpoints(options: ListingReuse = {}): Promise<InferenceEndpoint[] | undefined> {
    return this.#shared("inference-endpoints", () => getInferenceEndpoints(this.#context), options);
  }

  /** Creates an inference endpoint; an ambiguous failure is settled by reading it, never by a second PUT. */
  putInferenceEndpoint(params: PutInferenceEndpointParams): Promise<PutInferenceEndpointResult> {
    return putInferenceEndpoint(this.#context, params);
  }

  /** One inference endpoint, or undefined when it does not exist. */
  getInferenceEndpoint(inferenceId: string, taskType?: string): Promise<InferenceEndpoint | undefined> {
    return getInferenceEndpoint(this.#context, inferenceId, taskType);
  }

  /** `PUT _inference/<task>/<id>/_update` (8.17+). */
  updateInferenceEndpoint(
    taskType: string,
    inferenceId: string,
    body: Record<string, unknown>,
  ): Promise<InferenceEndpoint> {
    return updateInferenceEndpoint(this.#context, taskType, inferenceId, body);
  }

  /** Deletes an inference endpoint, or with `dryRun` lists what references it. */
  deleteInferenceEndpoint(
    taskType: string,
    inferenceId: string,
    options?: { dryRun?: boolean; force?: boolean },
  ): Promise<InferenceDeleteAnswer> {
    return deleteInferenceEndpoint(this.#context, taskType, inferenceId, options);
  }

  /**
   * Runs `fetch` unless the same listing is in flight (its answer is shared) or, with `reuseWithinMs`, one
   * that succeeded started at most that long ago. Callers without `reuseWithinMs` (an error's explanation)
   * always get a listing at least as fresh as a request of their own. A failed listing is never reused.
   */
  #shared<T>(key: string, fetch: () => Promise<T>, { reuseWithinMs = 0 }: ListingReuse): Promise<T> {
    const known = this.#listings.get(key);
    const now = Date.now();
    if (known && (!known.settled || now - known.startedAt < reuseWithinMs)) return known.answer as Promise<T>;
    const entry = { answer: fetch(), startedAt: now, settled: false };
    this.#listings.set(key, entry);
    entry.answer.then(
      () => (entry.settled = true),
      () => {
        if (this.#listings.get(key) === entry) this.#listings.delete(key);
      },
    );
    return entry.answer as Promise<T>;
  }

  #remember(response: TrainedModelStatsResponse): TrainedModelStatsResponse {
    for (const entry of response.trained_model_stats ?? []) this.#rememberOne(entry.deployment_stats);
    return response;
  }

  #rememberOne(stats: DeploymentStats | undefined): DeploymentStats | undefined {
    for (const [id, name] of nodeNamesIn(stats)) this.#nodeNames.set(id, name);
    return stats;
  }

  /** Closes every connection. Further calls fail with `ES_CLIENT_CLOSED`. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  toJSON(): Record<string, unknown> {
    return { type: "ElasticsearchClient", settings: this.#settings.toJSON() };
  }

  [inspect.custom](): string {
    return `ElasticsearchClient ${inspect(this.#settings.toJSON(), { depth: 4 })}`;
  }
}
