/**
 * pulumi-elasticsearch-ml: a Pulumi resource that keeps Elasticsearch machine-learning trained model
 * deployments in the state declared in code.
 *
 * - {@link TrainedModelDeployment} — the resource.
 * - {@link ConnectionArgs} — the `connection` argument of every resource, as settings (e.g. from a `StackReference`).
 * - `pulumi-elasticsearch-ml/provider` — the provider's stable entry point (used by state; not for programs).
 */
export {
  TrainedModelDeployment,
  type TrainedModelDeploymentArgs,
  type AdaptiveAllocationsArgs,
  type StopFlagsArgs,
  type DeploymentNodeOutput,
  type EffectiveSettingsOutput,
  TYPE_TOKEN,
  RESOURCE_MODULE,
  RESOURCE_TYPE,
} from "./resource";
export {
  type ConnectionArgs,
  type ConnectionInput,
  type ConnectionOutput,
  secretConnection,
} from "./connectionArgs";
