/**
 * The smallest useful program: one deployment with a fixed number of allocations. An Elastic packaged model
 * (an id with a leading ".", such as ".multilingual-e5-small") is declared too, so a fresh cluster downloads
 * it before the deployment starts, and `destroy` stops the deployment before deleting it; any other id must
 * already be in the cluster (uploaded with eland, or declared as a `TrainedModel` with `upload`).
 *
 * This module only declares; `main.ts` is what `pulumi up` runs (settings from stack config), and tests or
 * Automation API programs call {@link program} with their own settings.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** What this example lets you choose. */
export interface MinimalSettings {
  /**
   * The model to deploy. An Elastic packaged model (leading ".") is downloaded first (the build for the ML
   * nodes' platform, as Kibana chooses); any other id or alias must already be in the cluster, fully uploaded.
   */
  modelId: string;
  /** The deployment id; defaults to the model id. */
  deploymentId?: string;
  /** Allocations: copies of the model serving requests in parallel. Default 1. */
  allocations?: number;
}

/** Declares the deployment. What it returns becomes the stack outputs. */
export async function program(settings: MinimalSettings) {
  // The deployment takes the model's output: Pulumi downloads first, and on destroy stops first.
  const modelId = settings.modelId.startsWith(".")
    ? new TrainedModel("model", { modelId: settings.modelId, platform: "auto" }).resolvedModelId
    : settings.modelId;
  const deployment = new TrainedModelDeployment("minimal", {
    modelId,
    deploymentId: settings.deploymentId,
    numberOfAllocations: settings.allocations ?? 1,
  });
  return {
    deploymentId: deployment.deploymentId,
    deploymentState: deployment.deploymentState,
    allocationState: deployment.allocationState,
    allocations: deployment.allocationCount,
  };
}

/**
 * The settings from the project's stack config:
 * `pulumi config set modelId <id>` (required), `pulumi config set allocations 2`, `pulumi config set deploymentId <id>`.
 */
export function settingsFromStackConfig(): MinimalSettings {
  const config = new pulumi.Config();
  return {
    modelId: config.require("modelId"),
    deploymentId: config.get("deploymentId"),
    allocations: config.getNumber("allocations"),
  };
}
