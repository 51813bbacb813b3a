/**
 * The test-control surface: fault injection, the request log, state inspection and reset.
 * Served over HTTP under `/_emulator/` (a prefix no Elasticsearch route uses) and exposed
 * programmatically as `EmulatorHandle.admin`.
 */

/** A fault to inject on matching requests. */
export interface FaultSpec {
  /** HTTP method to match (any when unset). */
  method?: string;
  /** Regular expression (source text) matched against the request path (any when unset). */
  path?: string;
  /**
   * `before`: fires before the request is applied: nothing changed, a retry is safe.
   * `after`: the request is applied, then its response is replaced or lost.
   * Default `before`.
   */
  when?: "before" | "after";
  /** Status of the injected error response. Its body defaults to an Elasticsearch-shaped error for that status. */
  status?: number;
  body?: unknown;
  /** Extra response headers of the injected answer, e.g. `{"Retry-After": "2"}`. Needs `status`. */
  headers?: Record<string, string>;
  /**
   * Whether the injected answer carries `X-Elastic-Product: Elasticsearch`, i.e. stands for Elasticsearch's
   * own answer. Default: true for `before` (the cluster refused), false for `after` (a proxy, or a lost
   * answer: Elasticsearch applied the request). Needs `status`.
   */
  elasticProduct?: boolean;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /** Delay in ms before answering (with `when: "before"`, before the request is applied). */
  delayMs?: number;
  /** Fire for the next N matching requests (default 1 when `probability` is unset, unlimited otherwise). */
  times?: number;
  /** Fire on this fraction (0..1) of matching requests, drawn from the seeded generator. */
  probability?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** How many times it fired so far. */
  fired: number;
}

export interface RequestLogEntry {
  seq: number;
  /** Epoch ms when the request arrived. */
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, or the raw text when it was not JSON; undefined when empty. */
  body?: unknown;
  /** Status sent (0 when the connection was reset). */
  status: number;
  /** Security action name of the route, when it is an Elasticsearch API route. */
  action?: string;
  /** The matched route's path template, e.g. `/_ml/trained_models/{model_id}/deployment/_start`. */
  route?: string;
  /** Authenticated user, with security on. */
  user?: string;
  /** True when the request reached its handler (state may have changed), false when it was refused before. */
  applied: boolean;
  /** The fault that fired on this request, if any. */
  fault?: { id: string; when: "before" | "after"; reset: boolean; status?: number };
  /** Milliseconds from arrival to response. */
  durationMs: number;
}

/** See {@link EmulatorAdmin.requestCounts}. */
export interface RequestCounts {
  total: number;
  byRoute: Record<string, number>;
}

export interface EmulatorAdmin {
  addFault(spec: FaultSpec): Fault;
  /** Removes one fault; false when no fault has that id. */
  removeFault(id: string): boolean;
  clearFaults(): void;
  faults(): Fault[];
  /** The request log (Elasticsearch routes only; admin calls are not logged). */
  log(): RequestLogEntry[];
  clearLog(): void;
  /**
   * Requests counted by method and route template (`"POST /_ml/trained_models/{model_id}/deployment/_start"`;
   * `"(no route)"` for 400/405 answers), since start or the last {@link clearRequestCounts}. Unlike the log,
   * which keeps the last 10,000 entries, the counters never drop a request; `clearLog()` leaves them alone.
   */
  requestCounts(): RequestCounts;
  clearRequestCounts(): void;
  /** Back to a fresh cluster (built-in model only), keeping options; clears faults, log and request counts. */
  reset(): void;
  /** A JSON snapshot of models, deployments (with routes), pipelines, aliases and nodes. */
  state(): EmulatorStateSnapshot;
  /** Adds an ML node now (e.g. to simulate capacity arriving), optionally of another platform. */
  addMlNode(processors?: number, platform?: string): string;
  /** A node restart during a packaged model's download: the task dies, the configuration stays not fully defined. */
  killModelDownload(modelId: string): void;
  /** Makes the model repository reachable or not; unreachable fails running downloads. */
  setModelRepositoryReachable(reachable: boolean): void;
  /** Removes an ML node; its routes fail or move as a node leaving the cluster would make them. */
  removeMlNode(nodeId: string): void;
  /**
   * Fails a deployment's route on one node (`nodeId`), or every route (the whole deployment), with
   * `reason`, as a native process that crashed or could not load would: the stats then show
   * `routing_state: { routing_state: "failed", reason }`, and `state: "failed"` once every route failed.
   */
  failDeployment(deploymentId: string, options: { nodeId?: string; reason: string }): void;
}

export interface EmulatorStateSnapshot {
  clusterUuid: string;
  esVersion: string;
  nodes: { id: string; name: string; processors: number; usedProcessors: number; platform: string }[];
  models: {
    modelId: string;
    modelType: string;
    fullyDefined: boolean;
    aliases: string[];
    /** Packaged models: the import task's state (`running`, `done`, `failed`, `killed`). */
    download?: string;
  }[];
  deployments: {
    deploymentId: string;
    modelId: string;
    assignmentState: string;
    numberOfAllocations: number;
    threadsPerAllocation: number;
    priority: string;
    queueCapacity: number;
    cacheSize?: string;
    adaptiveAllocations?: {
      enabled: boolean;
      min_number_of_allocations?: number;
      max_number_of_allocations?: number;
    } | null;
    routes: Record<string, { current: number; target: number; state: string; reason?: string }>;
    pendingInference: number;
    /** `deployment_stats.state` as the stats API reports it (`failed` once every route failed). */
    reportedState: string;
  }[];
  pipelines: string[];
}
