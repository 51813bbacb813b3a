/**
 * The smallest useful program: one deployment of a model that is already in the cluster, with a fixed
 * number of allocations.
 *
 * This module only declares; `main.ts` is what `pulumi up` runs (settings from stack config), and tests or
 * Automation API programs call {@link program} with their own settings.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** What this example lets you choose. */
export interface MinimalSettings {
  /** The model to deploy (id or alias); it must already be in the cluster, fully uploaded. */
  modelId: string;
  /** The deployment id; defaults to the model id. */
  deploymentId?: string;
  /** Allocations: copies of the model serving requests in parallel. Default 1. */
  allocations?: number;
}

/** Declares the deployment. What it returns becomes the stack outputs. */
export async function program(settings: MinimalSettings) {
  const deployment = new TrainedModelDeployment("minimal", {
    modelId: settings.modelId,
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
