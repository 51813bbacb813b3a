/**
 * pulumi-elasticsearch-ml: Pulumi resources that keep Elasticsearch machine learning (models, trained model
 * deployments, inference endpoints) in the state declared in code.
 *
 * - {@link TrainedModelDeployment} — a deployment of a model.
 * - {@link TrainedModel} — a model in the cluster: an Elastic packaged model downloaded, or yours uploaded.
 * - {@link ConnectionArgs} — the `connection` argument of every resource, as settings (e.g. from a `StackReference`).
 * - {@link InferenceEndpoint} — an inference endpoint that owns or uses a deployment (ELSER, E5 for semantic_text).
 * - `pulumi-elasticsearch-ml/provider` and `pulumi-elasticsearch-ml/provider/trained-model`,
 *   `pulumi-elasticsearch-ml/provider/inference-endpoint` — the providers'
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
  InferenceEndpoint,
  type InferenceEndpointArgs,
  type ElasticsearchServiceSettingsArgs,
  type EndpointAdaptiveAllocationsArgs,
  ENDPOINT_TYPE_TOKEN,
  ENDPOINT_RESOURCE_TYPE,
  secretServiceSettings,
} from "./inferenceEndpoint";
export {
  type ConnectionArgs,
  type ConnectionInput,
  type ConnectionOutput,
  secretConnection,
} from "./connectionArgs";
