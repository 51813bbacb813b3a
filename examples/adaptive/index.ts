/**
 * Adaptive allocations: Elasticsearch scales the deployment between the bounds with its load (8.15+), and
 * `0` as the lower bound lets an idle deployment scale to zero (8.16+).
 *
 * The allocation count Elasticsearch picks is an output only: it never shows as a diff, so `pulumi up`
 * does not fight the autoscaler. Changing the bounds is an in-place update.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** What this example lets you choose. */
export interface AdaptiveSettings {
  /**
   * The model to deploy. An Elastic packaged model (leading ".") is declared and downloaded first; any other
   * id or alias must already be in the cluster, fully uploaded.
   */
  modelId: string;
  /** The deployment id; defaults to the model id. */
  deploymentId?: string;
  /** Lower bound of the allocations (0 allows scaling to zero on 8.16+). Default 1. */
  minAllocations?: number;
  /** Upper bound of the allocations. Default 4. */
  maxAllocations?: number;
}

/** Declares the deployment. What it returns becomes the stack outputs. */
export async function program(settings: AdaptiveSettings) {
  // A packaged model is declared, so a fresh cluster downloads it first (the deployment takes its output).
  const modelId = settings.modelId.startsWith(".")
    ? new TrainedModel("model", { modelId: settings.modelId, platform: "auto" }).resolvedModelId
    : settings.modelId;
  const deployment = new TrainedModelDeployment("adaptive", {
    modelId,
    deploymentId: settings.deploymentId,
    adaptiveAllocations: {
      enabled: true,
      minNumberOfAllocations: settings.minAllocations ?? 1,
      maxNumberOfAllocations: settings.maxAllocations ?? 4,
    },
  });
  return {
    deploymentId: deployment.deploymentId,
    deploymentState: deployment.deploymentState,
    // What Elasticsearch has chosen right now, and the bounds in force.
    allocations: deployment.allocationCount,
    adaptiveAllocations: deployment.effective.adaptiveAllocations,
  };
}

/**
 * The settings from the project's stack config: `pulumi config set modelId <id>` (required),
 * `pulumi config set minAllocations 0`, `pulumi config set maxAllocations 8`.
 */
export function settingsFromStackConfig(): AdaptiveSettings {
  const config = new pulumi.Config();
  return {
    modelId: config.require("modelId"),
    deploymentId: config.get("deploymentId"),
    minAllocations: config.getNumber("minAllocations"),
    maxAllocations: config.getNumber("maxAllocations"),
  };
}
