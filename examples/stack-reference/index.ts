/**
 * Two stacks: a platform stack owns the cluster and exports how to reach it (the endpoint, and an API key
 * as a secret); an ML stack reads both through a `StackReference` and hands them to its resources as the
 * `connection` argument. Nothing about the cluster is copied into the ML stack's config, and rotating the
 * key is a `pulumi up` of each stack.
 *
 * Here the platform stack takes the endpoint and key from its own stack config; a real one creates them
 * (an Elastic Cloud deployment, an `elasticstack` API key resource, …) and exports their outputs the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import { type ConnectionArgs, TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** The platform stack's settings. */
export interface PlatformSettings {
  /** The cluster's URL (or several, comma-separated). */
  endpoint: pulumi.Input<string>;
  /** An encoded API key for the ML stack (least privilege: `manage_ml`, `monitor`, `read_pipeline`). */
  apiKey: pulumi.Input<string>;
}

/** The platform stack: exports `endpoint` and `apiKey`, the key as a secret whatever it was given as. */
export function platformProgram(settings: PlatformSettings) {
  return { endpoint: pulumi.output(settings.endpoint), apiKey: pulumi.secret(settings.apiKey) };
}

/** The ML stack's settings. */
export interface MlSettings {
  /** The platform stack, as `StackReference` names it: `<organization>/<project>/<stack>`. */
  platformStack: string;
  /**
   * The model to deploy. An Elastic packaged model (leading ".") is declared on the platform's cluster and
   * downloaded first; any other id must already be in the cluster.
   */
  modelId: string;
  /** The deployment id; defaults to the model id. */
  deploymentId?: string;
  /** Allocations. Default 1. */
  allocations?: number;
}

/** The ML stack: the model (when packaged) and one deployment of it, on the platform stack's cluster. */
export function mlProgram(settings: MlSettings) {
  const platform = new pulumi.StackReference("platform", { name: settings.platformStack });
  // The platform's outputs, as they are: the key stays a secret (and would be made one if it were not).
  const connection: ConnectionArgs = {
    endpoints: platform.requireOutput("endpoint") as pulumi.Output<string>,
    apiKey: platform.requireOutput("apiKey") as pulumi.Output<string>,
  };
  const modelId = settings.modelId.startsWith(".")
    ? new TrainedModel("model", { modelId: settings.modelId, platform: "auto", connection }).resolvedModelId
    : settings.modelId;
  const search = new TrainedModelDeployment("search", {
    modelId,
    deploymentId: settings.deploymentId,
    numberOfAllocations: settings.allocations ?? 1,
    connection,
  });
  return {
    modelId,
    deploymentId: search.deploymentId,
    clusterUuid: search.clusterUuid,
    allocationState: search.allocationState,
  };
}

/** The platform stack's settings from its stack config: `endpoint`, and `apiKey` set with `--secret`. */
export function platformSettingsFromStackConfig(): PlatformSettings {
  const config = new pulumi.Config();
  return { endpoint: config.require("endpoint"), apiKey: config.requireSecret("apiKey") };
}

/** The ML stack's settings from its stack config: `platformStack`, `modelId`, `deploymentId`, `allocations`. */
export function mlSettingsFromStackConfig(): MlSettings {
  const config = new pulumi.Config();
  return {
    platformStack: config.require("platformStack"),
    modelId: config.require("modelId"),
    deploymentId: config.get("deploymentId"),
    allocations: config.getNumber("allocations"),
  };
}
