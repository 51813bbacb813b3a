/**
 * Shapes of the Elasticsearch responses the client returns, as Elasticsearch sends them (snake_case).
 * Only the fields the product relies on are typed; everything else rides along untyped.
 */

/** `GET /` */
export interface ClusterInfo {
  name: string;
  cluster_name: string;
  cluster_uuid: string;
  version: {
    number: string;
    build_flavor?: string;
    [extra: string]: unknown;
  };
  tagline?: string;
  [extra: string]: unknown;
}

export type AssignmentState = "starting" | "started" | "stopping" | "failed";
export type AllocationState = "starting" | "started" | "fully_allocated";
export type RoutingState = "starting" | "started" | "stopping" | "stopped" | "failed";
export type DeploymentPriority = "normal" | "low";
export type WaitFor = "starting" | "started" | "fully_allocated";

/** Adaptive allocations as Elasticsearch writes them. */
export interface AdaptiveAllocationsSettings {
  enabled: boolean;
  min_number_of_allocations?: number;
  max_number_of_allocations?: number;
}

export interface TaskParameters {
  model_id: string;
  deployment_id: string;
  model_bytes?: number;
  threads_per_allocation: number;
  number_of_allocations: number;
  queue_capacity: number;
  cache_size?: string;
  priority?: DeploymentPriority;
  [extra: string]: unknown;
}

export interface RoutingTableEntry {
  current_allocations: number;
  target_allocations: number;
  routing_state: RoutingState;
  reason?: string;
}

/** The `assignment` object returned by start and update. */
export interface TrainedModelAssignment {
  task_parameters: TaskParameters;
  routing_table: Record<string, RoutingTableEntry>;
  assignment_state: AssignmentState;
  reason?: string;
  start_time: string;
  max_assigned_allocations?: number;
  adaptive_allocations?: AdaptiveAllocationsSettings | null;
  [extra: string]: unknown;
}

/** `trained_model_stats[i].deployment_stats` */
export interface DeploymentStats {
  deployment_id: string;
  model_id: string;
  state?: AssignmentState;
  reason?: string;
  allocation_status?: {
    allocation_count: number;
    target_allocation_count: number;
    state: AllocationState;
  };
  number_of_allocations?: number;
  threads_per_allocation?: number;
  queue_capacity?: number;
  cache_size?: string | number;
  priority?: DeploymentPriority;
  adaptive_allocations?: AdaptiveAllocationsSettings;
  start_time?: number;
  nodes?: Array<Record<string, unknown>>;
  [extra: string]: unknown;
}

export interface TrainedModelStats {
  model_id: string;
  pipeline_count: number;
  model_size_stats?: { model_size_bytes: number; required_native_memory_bytes: number };
  deployment_stats?: DeploymentStats;
  [extra: string]: unknown;
}

/** `GET /_ml/trained_models/<ids>/_stats` */
export interface TrainedModelStatsResponse {
  count: number;
  trained_model_stats: TrainedModelStats[];
}

export interface TrainedModelConfig {
  model_id: string;
  model_type?: string;
  created_time?: number;
  fully_defined?: boolean;
  inference_config?: Record<string, unknown>;
  metadata?: { model_aliases?: string[]; [extra: string]: unknown };
  [extra: string]: unknown;
}

/** `GET /_ml/trained_models/<ids>` */
export interface TrainedModelsResponse {
  count: number;
  trained_model_configs: TrainedModelConfig[];
}

/** One ingest processor: `{ "<type>": { ...config } }`. */
export type IngestProcessor = Record<string, Record<string, unknown> | undefined>;

export interface IngestPipeline {
  description?: string;
  processors?: IngestProcessor[];
  on_failure?: IngestProcessor[];
  [extra: string]: unknown;
}

/** `GET /_ingest/pipeline` */
export type IngestPipelines = Record<string, IngestPipeline>;
