/**
 * The Elasticsearch client layer of pulumi-elasticsearch-ml: connection settings, a typed error
 * family and the ML trained-model deployment operations. Free of `@pulumi/pulumi`.
 *
 * INTERNAL: this module serves the provider and the preview report; it is not public API (the package
 * exports no `client` entry) and may change in any release. Users program against the resource and
 * `pulumi-elasticsearch-ml/provider`.
 */
export { createClient, ElasticsearchClient, TRACE_ENV_VAR, type ClientOptions } from "./client";
export {
  resolveConnectionSettings,
  decodeCloudId,
  normalizeFingerprint,
  ConnectionSettings,
  ENV_VARS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_RETRY_DEADLINE_MS,
  type ConnectionOptions,
  type DecodedCloudId,
  type Endpoint,
  type TlsSettings,
} from "./config";
export type { Auth } from "./auth";
export { Secret, REDACTED } from "./secret";
export {
  EsClientError,
  ResponseError,
  ConnectionError,
  TlsError,
  TimeoutError,
  ConfigurationError,
  UnsupportedVersionError,
  InvalidRequestError,
  InvalidResponseError,
  ClientClosedError,
  isEsClientError,
  isNotFound,
  isCapacityRefusal,
  isDeploymentAlreadyExists,
  isStartTimeout,
  type EsClientErrorCode,
  type EsErrorCause,
} from "./errors";
export {
  START_TIMEOUT_MARGIN_MS,
  isAmbiguousFailure,
  type AdaptiveAllocations,
  type StartDeploymentParams,
  type StartDeploymentResult,
  type StopDeploymentParams,
  type UpdateDeploymentParams,
} from "./trainedModelDeployments";
export type { ListOptions, GetTrainedModelsOptions } from "./trainedModels";
export {
  MODEL_IMPORT_ACTION,
  type DefinitionPart,
  type MlNodeOs,
  type ModelImportTask,
  type Vocabulary,
} from "./modelStore";
export { findPipelinesReferencing, type PipelineReference } from "./ingest";
export { describeCapacityRefusal, type CapacityRequest, type MlInfo, type ProcessorLimits } from "./capacity";
export { isRefusalBeforeActing } from "./evidence";
export { INFERENCE_API_SINCE, inferenceEndpointsUsing, type InferenceEndpoint } from "./inference";
export {
  MINIMUM_SUPPORTED_VERSION,
  PARAMETER_SINCE,
  deploymentLimits,
  isAtLeast,
  parseEsVersion,
  type DeploymentLimits,
  type EsVersion,
} from "./version";
export type * from "./types";
