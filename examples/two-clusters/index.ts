/**
 * One stack, two clusters: the same model deployed on the default connection (`elasticsearch-ml:endpoints`
 * and its credentials) and on a named connection from `elasticsearch-ml:connections`.
 *
 * Each deployment records the uuid of the cluster it was created on (`clusterUuid`); every later operation
 * refuses to act on another cluster, so repointing a connection cannot stop the wrong deployment.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** What this example lets you choose. */
export interface TwoClusterSettings {
  /**
   * The model to deploy on both clusters. An Elastic packaged model (leading ".") is declared on each
   * cluster and downloaded there first; any other id must already be in each of them.
   */
  modelId: string;
  /** The deployment id on both clusters; defaults to the model id. */
  deploymentId?: string;
  /** The named connection (a key of `elasticsearch-ml:connections`) of the second cluster. Default `eu`. */
  connection?: string;
  /** Allocations on each cluster. Default 1. */
  allocations?: number;
}

/** Declares one deployment per cluster. What it returns becomes the stack outputs. */
export async function program(settings: TwoClusterSettings) {
  const connection = settings.connection ?? "eu";
  // A packaged model is declared on each cluster (each downloads its own copy, the build for its nodes).
  const modelOn = (name: string, where?: string) =>
    settings.modelId.startsWith(".")
      ? new TrainedModel(name, { modelId: settings.modelId, platform: "auto", connection: where })
          .resolvedModelId
      : settings.modelId;
  const common = {
    deploymentId: settings.deploymentId,
    numberOfAllocations: settings.allocations ?? 1,
  };
  const home = new TrainedModelDeployment("search", { ...common, modelId: modelOn("model") });
  // `connection` names the cluster; changing it later (on the model and the deployment) is an in-place
  // update checked against the recorded cluster uuid (new credentials or another URL of the same cluster
  // are fine; another cluster is refused). To move to another cluster, declare new resources.
  const remote = new TrainedModelDeployment(`search-${connection}`, {
    ...common,
    modelId: modelOn(`model-${connection}`, connection),
    connection,
  });
  return {
    home: { clusterUuid: home.clusterUuid, deploymentState: home.deploymentState },
    [connection]: { clusterUuid: remote.clusterUuid, deploymentState: remote.deploymentState },
  };
}

/**
 * The settings from the project's stack config: `pulumi config set modelId <id>` (required),
 * `pulumi config set connection eu`, `pulumi config set allocations 2`.
 */
export function settingsFromStackConfig(): TwoClusterSettings {
  const config = new pulumi.Config();
  return {
    modelId: config.require("modelId"),
    deploymentId: config.get("deploymentId"),
    connection: config.get("connection"),
    allocations: config.getNumber("allocations"),
  };
}
