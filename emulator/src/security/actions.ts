/**
 * Transport action names Elasticsearch authorizes REST requests against, for every route the
 * emulator serves. The names are what appear in 403 messages (`action [<name>] is unauthorized ...`),
 * so they follow Elasticsearch's action `NAME` constants (reference §1.1; the ones the reference marks
 * unconfirmed are noted).
 */
export const ACTIONS = {
  /** `GET /`. */
  main: "cluster:monitor/main",

  // Trained models (reference §1.1).
  getTrainedModels: "cluster:monitor/xpack/ml/inference/get", // exact name unconfirmed (reference §1.1)
  getTrainedModelsStats: "cluster:monitor/xpack/ml/inference/stats/get",
  putTrainedModel: "cluster:admin/xpack/ml/inference/put",
  deleteTrainedModel: "cluster:admin/xpack/ml/inference/delete",
  putTrainedModelDefinitionPart: "cluster:admin/xpack/ml/trained_models/part/put",
  putTrainedModelVocabulary: "cluster:admin/xpack/ml/trained_models/vocabulary/put",
  putTrainedModelAlias: "cluster:admin/xpack/ml/inference/model_aliases/put",
  deleteTrainedModelAlias: "cluster:admin/xpack/ml/inference/model_aliases/delete",
  startDeployment: "cluster:admin/xpack/ml/trained_models/deployment/start",
  stopDeployment: "cluster:admin/xpack/ml/trained_models/deployment/stop",
  updateDeployment: "cluster:admin/xpack/ml/trained_models/deployment/update",
  /** `POST _ml/trained_models/<id>/_infer`: a monitor action, so `monitor_ml` may run inference. */
  inferTrainedModel: "cluster:monitor/xpack/ml/inference/infer",
  /** `GET _ml/info` (`MlInfoAction.NAME`). */
  mlInfo: "cluster:monitor/xpack/ml/info/get",
  /** `ClearDeploymentCacheAction.NAME`. */
  clearDeploymentCache: "cluster:admin/xpack/ml/trained_models/cache/clear",

  // The inference API (`GetInferenceModelAction.NAME`, `PutInferenceModelAction.NAME`, ...).
  getInferenceEndpoints: "cluster:monitor/xpack/inference/get",
  putInferenceEndpoint: "cluster:admin/xpack/inference/put",
  deleteInferenceEndpoint: "cluster:admin/xpack/inference/delete",
  updateInferenceEndpoint: "cluster:admin/xpack/inference/update",
  /** `InferenceAction.NAME`: a monitor action, so `monitor_inference` may run inference. */
  inferenceEndpointInfer: "cluster:monitor/xpack/inference",

  // Indices (only what holds `semantic_text` references).
  createIndex: "indices:admin/create",
  getMappings: "indices:admin/mappings/get",
  deleteIndex: "indices:admin/delete",

  // Ingest pipelines.
  getPipeline: "cluster:admin/ingest/pipeline/get",
  putPipeline: "cluster:admin/ingest/pipeline/put",
  deletePipeline: "cluster:admin/ingest/pipeline/delete",

  // Security APIs served by the realm itself.
  authenticate: "cluster:admin/xpack/security/user/authenticate",
  createApiKey: "cluster:admin/xpack/security/api_key/create",
  getApiKey: "cluster:admin/xpack/security/api_key/get",
  invalidateApiKey: "cluster:admin/xpack/security/api_key/invalidate",
  putRole: "cluster:admin/xpack/security/role/put",
  getRoles: "cluster:admin/xpack/security/role/get",
  deleteRole: "cluster:admin/xpack/security/role/delete",
  putUser: "cluster:admin/xpack/security/user/put",
  getUsers: "cluster:admin/xpack/security/user/get",
  deleteUser: "cluster:admin/xpack/security/user/delete",
} as const;

/**
 * Actions every authenticated subject may call whatever its privileges, as Elasticsearch's
 * "same user" check allows (`_authenticate` describes the caller itself).
 */
export const ALWAYS_ALLOWED_ACTIONS: ReadonlySet<string> = new Set([ACTIONS.authenticate]);
