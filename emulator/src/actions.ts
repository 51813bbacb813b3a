/**
 * Security action names per route (the reference's §1.1 table; names for routes outside that
 * table follow Elasticsearch's naming scheme and are marked "plausible"). The security realm
 * authorizes requests by these names: `cluster:monitor/...` is read-only, `cluster:admin/...`
 * changes state.
 */
export const ACTIONS = {
  clusterMain: "cluster:monitor/main",
  startDeployment: "cluster:admin/xpack/ml/trained_models/deployment/start",
  stopDeployment: "cluster:admin/xpack/ml/trained_models/deployment/stop",
  updateDeployment: "cluster:admin/xpack/ml/trained_models/deployment/update",
  getModelStats: "cluster:monitor/xpack/ml/inference/stats/get",
  /** Reference: "unconfirmed exact name". */
  getModels: "cluster:monitor/xpack/ml/inference/get",
  // Plausible names (not in the reference's table):
  putModel: "cluster:admin/xpack/ml/inference/put",
  deleteModel: "cluster:admin/xpack/ml/inference/delete",
  putDefinitionPart: "cluster:admin/xpack/ml/trained_models/part/put",
  putVocabulary: "cluster:admin/xpack/ml/trained_models/vocabulary/put",
  putModelAlias: "cluster:admin/xpack/ml/inference/model_aliases/put",
  deleteModelAlias: "cluster:admin/xpack/ml/inference/model_aliases/delete",
  inferDeployment: "cluster:monitor/xpack/ml/inference/infer",
  putPipeline: "cluster:admin/ingest/pipeline/put",
  getPipeline: "cluster:admin/ingest/pipeline/get",
  deletePipeline: "cluster:admin/ingest/pipeline/delete",
  // Security routes (handled by the realm):
  authenticate: "cluster:admin/xpack/security/user/authenticate",
  createApiKey: "cluster:admin/xpack/security/api_key/create",
  getApiKey: "cluster:admin/xpack/security/api_key/get",
  invalidateApiKey: "cluster:admin/xpack/security/api_key/invalidate",
  putRole: "cluster:admin/xpack/security/role/put",
  getRole: "cluster:admin/xpack/security/role/get",
  deleteRole: "cluster:admin/xpack/security/role/delete",
  putUser: "cluster:admin/xpack/security/user/put",
  getUser: "cluster:admin/xpack/security/user/get",
  deleteUser: "cluster:admin/xpack/security/user/delete",
} as const;

export type ActionKey = keyof typeof ACTIONS;
