/**
 * pulumi-elasticsearch-ml: a Pulumi resource that keeps Elasticsearch machine-learning trained model
 * deployments in the state declared in code.
 *
 * - {@link TrainedModelDeployment} — a deployment of a model.
 * - {@link TrainedModel} — a model in the cluster: an Elastic packaged model downloaded, or yours uploaded.
 * - {@link ConnectionArgs} — the `connection` argument of every resource, as settings (e.g. from a `StackReference`).
 * - `pulumi-elasticsearch-ml/provider` and `pulumi-elasticsearch-ml/provider/trained-model` — the providers'
 *   stable entry points (used by state; not for programs).
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
  TrainedModel,
  type TrainedModelArgs,
  type TrainedModelUploadArgs,
  type VocabularyArgs,
  MODEL_TYPE_TOKEN,
  MODEL_RESOURCE_TYPE,
} from "./trainedModel";
export {
  type ConnectionArgs,
  type ConnectionInput,
  type ConnectionOutput,
  secretConnection,
} from "./connectionArgs";
