/**
 * Stop flags: how a deployment is stopped when it is torn down (destroy, replacement, `state: "stopped"`).
 *
 * Each flag is resolved on its own, first set wins:
 * 1. the environment of the running command (`ELASTICSEARCH_ML_FORCE`, `ELASTICSEARCH_ML_FINISH_PENDING_WORK`,
 *    `ELASTICSEARCH_ML_ALLOW_NO_MATCH`): the override for one command, e.g. one `pulumi destroy`;
 * 2. the resource's `stop` argument (below, on `ingest`);
 * 3. stack config (`elasticsearch-ml:force`, `elasticsearch-ml:finishPendingWork`, `elasticsearch-ml:allowNoMatch`);
 * 4. unset: not sent, Elasticsearch's default applies.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** What this example lets you choose. */
export interface TeardownSettings {
  /**
   * The model both deployments serve. An Elastic packaged model (leading ".") is declared and downloaded
   * first (and deleted after both deployments stopped); any other id must already be in the cluster.
   */
  modelId: string;
  /** Id of the deployment that follows the stack config's stop flags. Default `teardown-search`. */
  searchDeploymentId?: string;
  /** Id of the deployment that carries its own stop flags. Default `teardown-ingest`. */
  ingestDeploymentId?: string;
}

/** Declares the two deployments. What it returns becomes the stack outputs. */
export async function program(settings: TeardownSettings) {
  const modelId = settings.modelId.startsWith(".")
    ? new TrainedModel("model", { modelId: settings.modelId, platform: "auto" }).resolvedModelId
    : settings.modelId;
  // No `stop` argument: stack config decides (e.g. `pulumi config set elasticsearch-ml:finishPendingWork true`).
  const search = new TrainedModelDeployment("search", {
    modelId,
    deploymentId: settings.searchDeploymentId ?? "teardown-search",
  });
  // An ingest pipeline managed elsewhere uses this deployment. Elasticsearch refuses to stop a deployment a
  // pipeline references unless forced; this one is always forced, and lets queued documents finish first.
  // (Forcing breaks the pipeline until the deployment runs again: a choice to make per deployment.)
  const ingest = new TrainedModelDeployment("ingest", {
    modelId,
    deploymentId: settings.ingestDeploymentId ?? "teardown-ingest",
    stop: { force: true, finishPendingWork: true },
  });
  return {
    search: { deploymentId: search.deploymentId, referencingPipelines: search.referencingPipelines },
    ingest: { deploymentId: ingest.deploymentId, referencingPipelines: ingest.referencingPipelines },
  };
}

/**
 * The settings from the project's stack config: `pulumi config set modelId <id>` (required),
 * `pulumi config set searchDeploymentId <id>`, `pulumi config set ingestDeploymentId <id>`.
 */
export function settingsFromStackConfig(): TeardownSettings {
  const config = new pulumi.Config();
  return {
    modelId: config.require("modelId"),
    searchDeploymentId: config.get("searchDeploymentId"),
    ingestDeploymentId: config.get("ingestDeploymentId"),
  };
}
