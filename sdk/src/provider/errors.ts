/**
 * The provider's own errors. Each has a stable `code`; match on it, not on the message.
 *
 * The engine shows a thrown error's `message` to the user, except for {@link PartialFailureError}, whose
 * `reasons` are shown instead (docs/pulumi-engine-findings.md §c): its message and reasons say the same.
 */
import type { DeploymentInputs } from "./inputs";

/** Codes of the provider's errors. */
export type ProviderErrorCode =
  | "ERR_PARTIAL_FAILURE"
  | "ERR_WRONG_CLUSTER"
  | "ERR_DEPLOYMENT_EXISTS"
  | "ERR_DEPLOYMENT_FAILED"
  | "ERR_WAIT_TIMEOUT"
  | "ERR_STOP_REFUSED"
  | "ERR_OWNED_BY_INFERENCE_ENDPOINT"
  | "ERR_CLUSTER_UNREACHABLE"
  | "ERR_MODEL_IN_USE"
  | "ERR_MODEL_EXISTS"
  | "ERR_MODEL_DOWNLOAD_FAILED"
  | "ERR_MODEL_REPOSITORY_UNREACHABLE"
  | "ERR_MODEL_UPLOAD_FAILED";

/** Base class: a message for the user, a stable code, and the underlying error as `cause`. */
export class ProviderError extends Error {
  override name = "ProviderError";
  readonly code: ProviderErrorCode;

  constructor(code: ProviderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * The deployment exists in Elasticsearch but the operation could not finish (it did not reach `waitFor`
 * before the deadline, or failed after it was started or scaled). Thrown from `create`/`update`, the
 * dynamic-provider host turns it into a partial failure: the engine records the resource with `id` and
 * `properties` (which carry `__provider`, so the state stays deletable) and fails the step with `reasons`.
 * The next `pulumi up` resumes instead of colliding with an "already exists".
 */
export class PartialFailureError extends ProviderError {
  override name = "PartialFailureError";
  /** The deployment id: the resource's id. */
  readonly id: string;
  /** The outputs to record: the inputs (with `__provider`) and what Elasticsearch reported last. */
  readonly properties: Record<string, unknown>;
  /** What the user sees. */
  readonly reasons: string[];

  constructor(
    id: string,
    properties: Record<string, unknown>,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super("ERR_PARTIAL_FAILURE", reason, options);
    this.id = id;
    this.properties = properties;
    this.reasons = [reason];
  }
}

/** The endpoint now answers as another cluster than the one the deployment was created on. */
export class WrongClusterError extends ProviderError {
  override name = "WrongClusterError";

  constructor(
    message: string,
    readonly recordedUuid: string,
    readonly actualUuid: string,
  ) {
    super("ERR_WRONG_CLUSTER", message);
  }
}

/** One way an existing deployment differs from the declaration. */
export interface ExistingDifference {
  property: keyof DeploymentInputs;
  /** What runs. */
  running: unknown;
  /** What is declared. */
  declared: unknown;
}

/** A deployment with the id already exists with other parameters, and adoption cannot or may not proceed. */
export class DeploymentExistsError extends ProviderError {
  override name = "DeploymentExistsError";

  constructor(
    message: string,
    readonly differences: ExistingDifference[],
  ) {
    super("ERR_DEPLOYMENT_EXISTS", message);
  }
}

/** Elasticsearch reports the deployment (or one of its routes) failed, or it vanished while starting. */
export class DeploymentFailedError extends ProviderError {
  override name = "DeploymentFailedError";

  constructor(message: string) {
    super("ERR_DEPLOYMENT_FAILED", message);
  }
}

/** The deployment did not reach the state waited for before the deadline. */
export class WaitTimeoutError extends ProviderError {
  override name = "WaitTimeoutError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_WAIT_TIMEOUT", message, options);
  }
}

/** Elasticsearch refused a stop (409): ingest pipelines or inference endpoints use the deployment. */
export class StopRefusedError extends ProviderError {
  override name = "StopRefusedError";

  constructor(
    message: string,
    readonly referencingPipelines: string[] | undefined,
    options?: { cause?: unknown },
  ) {
    super("ERR_STOP_REFUSED", message, options);
  }
}

/** Elasticsearch refused to scale or stop a deployment an inference endpoint owns (409). */
export class OwnedByInferenceEndpointError extends ProviderError {
  override name = "OwnedByInferenceEndpointError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_OWNED_BY_INFERENCE_ENDPOINT", message, options);
  }
}

/** The cluster could not be reached (or did not answer) while reading the deployment. */
export class ClusterUnreachableError extends ProviderError {
  override name = "ClusterUnreachableError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_CLUSTER_UNREACHABLE", message, options);
  }
}

/** What uses a model, as a refused delete names it. */
export interface ModelUsers {
  deployments: string[];
  /** Pipeline ids (each with the location of its inference processor in the message). */
  pipelines: string[];
  inferenceEndpoints: string[];
}

/** A model's delete was refused: deployments, ingest pipelines or inference endpoints use it. */
export class ModelInUseError extends ProviderError {
  override name = "ModelInUseError";

  constructor(
    message: string,
    readonly users: ModelUsers,
    options?: { cause?: unknown },
  ) {
    super("ERR_MODEL_IN_USE", message, options);
  }
}

/** A model with the id already exists and cannot be taken over (an uploaded model's bytes cannot be compared). */
export class ModelExistsError extends ProviderError {
  override name = "ModelExistsError";

  constructor(message: string) {
    super("ERR_MODEL_EXISTS", message);
  }
}

/** A packaged model's download ended (or vanished) before the model was fully defined. */
export class ModelDownloadError extends ProviderError {
  override name = "ModelDownloadError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_MODEL_DOWNLOAD_FAILED", message, options);
  }
}

/** The cluster cannot reach Elastic's model repository (air-gapped, proxy, `xpack.ml.model_repository`). */
export class ModelRepositoryUnreachableError extends ProviderError {
  override name = "ModelRepositoryUnreachableError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_MODEL_REPOSITORY_UNREACHABLE", message, options);
  }
}

/** An upload could not be finished (a file changed while it was read, or the cluster refused a part). */
export class ModelUploadError extends ProviderError {
  override name = "ModelUploadError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_MODEL_UPLOAD_FAILED", message, options);
  }
}
