/**
 * Everything that depends on the emulated Elasticsearch version lives here: one table of
 * behaviours with the version that introduced (and, rarely, removed) each, read through a
 * {@link VersionProfile}. Route handlers ask `profile.has("deploymentIds")` instead of comparing
 * version numbers, so the boundaries from the reference's §0 timeline are stated exactly once.
 */

export interface EsVersion {
  major: number;
  minor: number;
  patch: number;
  /** As given, e.g. "8.7.1". */
  text: string;
}

export const DEFAULT_ES_VERSION = "9.2.0";
/** Oldest and newest majors the emulator knows: the deployment APIs appeared in 8.0. */
const MIN_VERSION = "8.0.0";
const MAX_MAJOR = 9;

/** Parses "8.7.1" (also "8.7"). Throws a plain Error naming the value and the accepted range. */
export function parseEsVersion(text: string): EsVersion {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) {
    throw new Error(`esVersion: "${text}" is not a version; expected MAJOR.MINOR[.PATCH] such as "9.2.0"`);
  }
  const version = { major: +match[1], minor: +match[2], patch: +(match[3] ?? 0), text: text.trim() };
  if (version.patch === 0 && match[3] === undefined) version.text = `${version.major}.${version.minor}.0`;
  if (compare(version, parse(MIN_VERSION)) < 0 || version.major > MAX_MAJOR) {
    throw new Error(`esVersion: "${text}" is outside the emulated range ${MIN_VERSION} to ${MAX_MAJOR}.x`);
  }
  return version;
}

function parse(text: string): EsVersion {
  const [major, minor, patch] = text.split(".").map(Number);
  return { major, minor, patch, text };
}

export function compare(a: EsVersion, b: EsVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Behaviours by version. `since` is inclusive, `until` exclusive. Versions marked ≈ in the
 * reference (finish_pending_work 8.11, timeout default 8.7) use the nearest release named there;
 * the 9.0 entries stand for "newest source" changes whose exact release is unconfirmed.
 */
const FEATURES = {
  /** 8.0–8.2 read start parameters from the body or the query string, never both. */
  startQueryAndBodyCombined: { since: "8.3.0" },
  /** allocation → assignment, model_threads → number_of_allocations, inference_threads → threads_per_allocation. */
  assignmentNaming: { since: "8.3.0" },
  /** Only one of inference_threads/model_threads may exceed 1 (8.2 only). */
  singleParallelismKind: { since: "8.2.0", until: "8.3.0" },
  /** `POST _ml/trained_models/<id>/_infer` (before: only `/deployment/_infer`). */
  inferApi: { since: "8.3.0" },
  /** routing_table entries carry current/target allocations; max_assigned_allocations. */
  routeAllocationCounts: { since: "8.4.0" },
  cacheSize: { since: "8.4.0" },
  threadsPowerOfTwo: { since: "8.4.0" },
  queueCapacityMax: { since: "8.4.0" },
  /** Start answers 429 when allocations cannot be satisfied and scaling is impossible. */
  startCapacityCheck: { since: "8.4.0" },
  /** Start timeout is a 408 model_deployment_timeout_exception (was a 500) and must be positive. */
  startTimeout408: { since: "8.4.0" },
  priority: { since: "8.6.0" },
  /** `POST _ml/trained_models/<deployment_id>/deployment/cache/_clear` (`ClearDeploymentCacheAction`). */
  clearDeploymentCache: { since: "8.5.0" },
  /** Packaged models downloaded from the model repository (the ml-package-loader plugin, ELSER v1). */
  packagedModels: { since: "8.8.0" },
  updateApi: { since: "8.6.0" },
  /** Default start timeout 30 s (20 s before). */
  startTimeout30s: { since: "8.7.0" },
  /** deployment_id: several deployments per model, exact-id stop/update/infer. */
  deploymentIds: { since: "8.8.0" },
  finishPendingWork: { since: "8.11.0" },
  /**
   * The inference API: `PUT/GET/DELETE/POST _inference[/<task_type>]/<id>` (elasticsearch-specification
   * `inference.put` `@availability stack since=8.11.0`) with the `elser` service. Its list was named
   * `models` in 8.11 (unconfirmed).
   */
  inferenceApi: { since: "8.11.0" },
  inferenceListNamedEndpoints: { since: "8.12.0" },
  /** The `elasticsearch` service (specification `inference.put_elasticsearch` since 8.13.0). */
  inferenceElasticsearchService: { since: "8.13.0" },
  /**
   * `service_settings.adaptive_allocations`; `num_allocations` becomes optional (transport version
   * `INFERENCE_ADAPTIVE_ALLOCATIONS`, elastic/elasticsearch#111476 documents it for 8.15).
   */
  inferenceAdaptiveAllocations: { since: "8.15.0" },
  /**
   * `DELETE _inference` takes `dry_run` and `force` and refuses while ingest pipelines or
   * `semantic_text` fields reference the endpoint (`DeleteInferenceEndpointAction.Request` reads both
   * flags from `TransportVersions.V_8_15_0`); the `semantic_text` field type (8.15 technical preview).
   */
  inferenceDeleteChecks: { since: "8.15.0" },
  /**
   * The delete checks' second form: `semantic_text` references too (elastic/elasticsearch#110487; "In 8.15,
   * there will be no prevention of deleting inference ids used in semantic_text - that will be added for
   * 8.16", #111626), 409 naming pipelines and indexes, `dry_run` answered before the check.
   */
  inferenceDeleteIndexChecks: { since: "8.16.0" },
  semanticText: { since: "8.15.0" },
  /**
   * `service_settings.deployment_id` (use an existing deployment, transport version
   * `ML_INFERENCE_ATTACH_TO_EXISTSING_DEPLOYMENT`), `chunking_settings`, the preconfigured endpoints
   * `.elser-2-elasticsearch` and `.multilingual-e5-small-elasticsearch` (`ElasticsearchInternalService.
   * defaultConfigIds`), `semantic_text` defaulting to `.elser-2-elasticsearch`, `GET` reporting the
   * deployment's current `num_allocations` (elastic/elasticsearch#115095, "forward ported from 8.16"),
   * and the `elser` service stored as the `elasticsearch` service with a deprecation warning.
   */
  inferenceDeploymentId: { since: "8.16.0" },
  /**
   * Deleting a preconfigured endpoint: refused outright first (`[<id>] is a reserved inference endpoint.
   * Cannot delete a reserved inference endpoint.`), later allowed with `force=true`; the later wording's
   * release is unconfirmed, 9.0 assumed.
   */
  reservedEndpointForceDelete: { since: "9.0.0" },
  /**
   * A failed deployment start (a start timeout, a capacity 429, any status exception but the 409 "already
   * exists") was never answered: `getCreateTrainedModelAssignmentActionListener` returned without calling
   * `onFailure`, so `PUT _inference` (and a preconfigured endpoint's first `POST _inference`) hung until the
   * client gave up. Fixed by elastic/elasticsearch#126930 (merged 2025-04-16, backported to 8.17, 8.18, 9.0:
   * 8.17.6, 8.18.1 and 9.0.1 assumed); the start of the range (the listener's introduction with the
   * preconfigured endpoints) is unconfirmed.
   */
  inferenceStartErrorsUnanswered: [
    { since: "8.16.0", until: "8.17.6" },
    { since: "8.18.0", until: "8.18.1" },
    { since: "9.0.0", until: "9.0.1" },
  ],
  /**
   * `PUT _inference?timeout=` (elastic/elasticsearch#126805, backported to 8.19); before, the parameter is
   * unrecognized and the start waits 30 s.
   */
  inferencePutTimeout: [{ since: "8.19.0", until: "9.0.0" }, { since: "9.1.0" }],
  /** `PUT _inference/<task_type>/<id>/_update` (specification `inference.update` since 8.17.0). */
  inferenceUpdateApi: { since: "8.17.0" },
  /** The preconfigured `.rerank-v1-elasticsearch` endpoint (`DEFAULT_RERANK_ID`; release unconfirmed). */
  inferenceDefaultRerank: { since: "8.18.0" },
  /**
   * `_stop` of a deployment an inference endpoint created or uses is refused unless `force`
   * (elastic/elasticsearch#129325, merged 2025-06-24 and backported to 8.18, 8.19 and 9.0: the first
   * patch releases after the merge, 8.18.4 and 9.0.4, are assumed).
   */
  stopRefusedForEndpoints: [{ since: "8.18.4", until: "9.0.0" }, { since: "9.0.4" }],
  /**
   * ML `_update` of a deployment an endpoint created is refused, and the inference `_update` of an
   * endpoint that uses another deployment is refused (elastic/elasticsearch#130940, merged July 2025;
   * 9.2.0 assumed, backports unconfirmed).
   */
  endpointDeploymentUpdateChecks: { since: "9.2.0" },
  /**
   * `GET _ml/info` reports `limits.total_ml_processors` and `limits.max_single_ml_node_processors`
   * (elastic/elasticsearch#101392, merged for 8.12).
   */
  mlInfoProcessorLimits: { since: "8.12.0" },
  /** task_parameters.per_deployment_memory_bytes / per_allocation_memory_bytes. */
  taskMemoryBytes: { since: "8.11.0" },
  adaptiveAllocations: { since: "8.15.0" },
  /** Update without a body is accepted (adaptive settings may come alone). */
  updateBodyOptional: { since: "8.15.0" },
  /** min_number_of_allocations may be 0; target 0 reads as fully_allocated / started. */
  scaleToZero: { since: "8.16.0" },
  /** deployment_stats.adaptive_allocations. */
  adaptiveInStats: { since: "8.16.0" },
  /** queue_capacity default 10,000 and max 100,000 (newest source; 1024 / 1,000,000 before). */
  newQueueCapacityLimits: { since: "9.0.0" },
  /** `_update?number_of_allocations=` (query parameter; the body is then not parsed). */
  updateQueryAllocations: { since: "9.0.0" },
  /** The deprecated model_threads/inference_threads names need REST compatibility with 8. */
  legacyThreadNamesNeedCompat: { since: "9.0.0" },
} satisfies Record<string, Range | Range[]>;

interface Range {
  since: string;
  until?: string;
}

export type Feature = keyof typeof FEATURES;

/** The resolved view of one version. */
export class VersionProfile {
  readonly version: EsVersion;
  private readonly enabled: ReadonlySet<Feature>;

  constructor(versionText: string = DEFAULT_ES_VERSION) {
    this.version = parseEsVersion(versionText);
    const on = new Set<Feature>();
    for (const [name, ranges] of Object.entries(FEATURES) as [Feature, Range | Range[]][]) {
      // A behaviour backported to patch releases of older lines has one range per line.
      for (const range of Array.isArray(ranges) ? ranges : [ranges]) {
        const afterStart = compare(this.version, parse(range.since)) >= 0;
        const beforeEnd = range.until === undefined || compare(this.version, parse(range.until)) < 0;
        if (afterStart && beforeEnd) on.add(name);
      }
    }
    this.enabled = on;
  }

  has(feature: Feature): boolean {
    return this.enabled.has(feature);
  }

  get startTimeoutDefaultMs(): number {
    return this.has("startTimeout30s") ? 30_000 : 20_000;
  }

  get queueCapacityDefault(): number {
    return this.has("newQueueCapacityLimits") ? 10_000 : 1024;
  }

  /** Exclusive upper bound checked by start validation (`must be less than <max>`). */
  get queueCapacityMax(): number {
    return this.has("newQueueCapacityLimits") ? 100_000 : 1_000_000;
  }

  /** Major versions accepted in `compatible-with=` media types: this major and the previous one. */
  get compatibleMajors(): number[] {
    return [this.version.major - 1, this.version.major];
  }

  /** Names of the two start parallelism parameters in this version (plus deprecated aliases). */
  get allocationsParam(): string {
    return this.has("assignmentNaming") ? "number_of_allocations" : "model_threads";
  }

  get threadsParam(): string {
    return this.has("assignmentNaming") ? "threads_per_allocation" : "inference_threads";
  }
}
