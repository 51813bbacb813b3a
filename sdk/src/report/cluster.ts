/**
 * What the report reads from a cluster, through the package's client: the cluster's identity, every
 * deployment that runs, the aliases of the models involved, the ingest pipelines and the inference
 * endpoints. Read-only calls, each one failing on its own: a refused pipeline lookup (403) still leaves the
 * drift checks, and the snapshot says what could not be read and why.
 *
 * Privileges: `monitor_ml` (stats, models), `read_pipeline` (pipelines), `monitor_inference` or `monitor`
 * (inference endpoints); `GET /` needs none beyond authentication.
 */
import type { DeploymentStats, ElasticsearchClient, InferenceEndpoint, IngestPipelines } from "../client";
import { ResponseError } from "../client";

/** What one cluster looked like when the report ran. */
export interface ClusterSnapshot {
  /** `default`, or the name of a connection from `elasticsearch-ml:connections`. */
  connection: string;
  /** Endpoints as configured (no credentials). */
  endpoints: string[];
  /** Set when the cluster could not be read at all; every other field is then absent. */
  error?: string;
  clusterUuid?: string;
  clusterName?: string;
  version?: string;
  /** Deployment id → its stats. Absent when the stats could not be read (see `deploymentsError`). */
  deployments?: Map<string, DeploymentStats>;
  deploymentsError?: string;
  /** Declared model id (or alias) → the model it names and that model's aliases. */
  models: Map<string, { modelId: string; aliases: string[] } | undefined>;
  modelsError?: string;
  pipelines?: IngestPipelines;
  pipelinesError?: string;
  /** Absent with `inferenceEndpointsError` set, or when the version has no inference API. */
  inferenceEndpoints?: InferenceEndpoint[];
  inferenceEndpointsError?: string;
}

/** The largest page `_stats` returns (Elasticsearch's `from + size` limit). */
const STATS_PAGE = 10_000;

/**
 * Reads a cluster.
 *
 * @param modelIds The declared model ids (or aliases) of the deployments the preview stops or creates.
 */
export async function readCluster(
  client: ElasticsearchClient,
  connection: string,
  modelIds: readonly string[],
): Promise<ClusterSnapshot> {
  const snapshot: ClusterSnapshot = {
    connection,
    endpoints: client.settings.endpoints.map((e) => e.url),
    models: new Map(),
  };
  try {
    const info = await client.info();
    snapshot.clusterUuid = info.cluster_uuid;
    snapshot.clusterName = info.cluster_name;
    // Serverless reports a fixed number while running the newest code (as the provider records it).
    snapshot.version =
      info.version?.build_flavor === "serverless"
        ? `${info.version.number} (serverless)`
        : info.version?.number;
    await client.version();
  } catch (err) {
    snapshot.error = describeFailure(err, "read the cluster (GET /)");
    return snapshot;
  }

  try {
    const stats = await client.getTrainedModelStats(undefined, { size: STATS_PAGE });
    const deployments = new Map<string, DeploymentStats>();
    for (const entry of stats.trained_model_stats) {
      const d = entry.deployment_stats;
      if (d?.deployment_id) deployments.set(d.deployment_id, d);
    }
    snapshot.deployments = deployments;
  } catch (err) {
    snapshot.deploymentsError = describeFailure(err, "read the deployments (GET /_ml/trained_models/_stats)");
  }

  for (const id of [...new Set(modelIds)].sort()) {
    try {
      const config = await client.getTrainedModel(id);
      snapshot.models.set(
        id,
        config === undefined
          ? undefined
          : { modelId: config.model_id, aliases: [...(config.metadata?.model_aliases ?? [])].sort() },
      );
    } catch (err) {
      snapshot.modelsError = describeFailure(err, "read the models (GET /_ml/trained_models/<id>)");
      break;
    }
  }

  try {
    snapshot.pipelines = await client.getIngestPipelines();
  } catch (err) {
    snapshot.pipelinesError = describeFailure(err, "read the ingest pipelines (GET /_ingest/pipeline)");
  }

  try {
    const endpoints = await client.getInferenceEndpoints();
    if (endpoints !== undefined) snapshot.inferenceEndpoints = endpoints;
  } catch (err) {
    // A cluster without the route (or a stand-in) is not an error worth a warning: nothing can use it.
    if (!(err instanceof ResponseError && [400, 404, 405].includes(err.statusCode))) {
      snapshot.inferenceEndpointsError = describeFailure(
        err,
        "read the inference endpoints (GET /_inference/_all)",
      );
    }
  }
  return snapshot;
}

/**
 * A failure in words: what could not be done and why. The client's own messages already name the
 * privilege a 403 lacks; a 401 is called what it is, so the caller can add where credentials come from.
 */
function describeFailure(err: unknown, what: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ResponseError && err.statusCode === 401) {
    return `could not ${what}: authentication failed (401). ${message}`;
  }
  return `could not ${what}: ${message}`;
}
