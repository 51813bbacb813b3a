/**
 * `PUT _ml/trained_models/<.packaged-id>`: Elastic's packaged models, downloaded from the model
 * repository. The checks and their order follow `TransportPutTrainedModelAction.masterOperation`:
 * alias and deployment id clashes, an import task already running (the existing model is
 * returned), the package metadata (`TransportGetTrainedModelPackageConfigAction`), the minimum
 * version and the fields a request may not override (`TrainedModelValidator.validatePackage`,
 * `TrainedModelConfig.Builder.validateNoPackageOverrides`), then the store and the import task
 * (`TransportLoadTrainedModelPackage`). `wait_for_completion=true` holds the request until the
 * import ends. Platform-specific packages whose platform differs from the ML nodes' get a
 * `Warning` header (`MlPlatformArchitecturesUtil.verifyMlNodesAndModelArchitectures`).
 */
import { EsError, validationFailed } from "../errors";
import type { Execute } from "../router";
import type { Cluster } from "../state/cluster";
import type { Model } from "../state/models";
import {
  DEFAULT_MODEL_REPOSITORY,
  Download,
  packagedModel,
  PackagedModelSpec,
  packageSha256,
  REPOSITORY_HOST,
} from "../state/packagedModels";
import { compare, parseEsVersion } from "../versions";
import { ok, RouteContext } from "./context";
import { assertModelIdFree } from "./modelIds";

/** Fields a packaged model's request may not set, in `validateNoPackageOverrides` order. */
const PACKAGE_FIELDS = [
  "description",
  "definition",
  "model_type",
  "metadata",
  "model_size_bytes",
  "inference_config",
  "tags",
];

/** Messages for fields the package defines and the request set anyway. */
export function packageOverrideErrors(values: Record<string, unknown>): string[] {
  const set = (field: string): boolean => {
    const value =
      field === "definition" ? (values.definition ?? values.compressed_definition) : values[field];
    if (value === undefined || value === null) return false;
    if (field === "model_size_bytes") return (value as number) > 0;
    if (field === "tags") return (value as unknown[]).length > 0;
    return true;
  };
  return PACKAGE_FIELDS.filter(set).map(
    (field) => `illegal to set [${field}] at inference model creation for packaged model`,
  );
}

/**
 * The package metadata the repository would return, or the error `resolvePackageConfig` surfaces:
 * an unreachable repository (air-gapped cluster) and an unknown package are 400s wrapping the cause.
 */
export function resolvePackage(cluster: Cluster, modelId: string): PackagedModelSpec {
  const packageId = modelId.slice(1);
  if (!cluster.modelRepositoryReachable) {
    throw new EsError(400, "illegal_argument_exception", "Failed to load package metadata", {
      causedBy: {
        type: "unchecked_i_o_exception",
        reason: `java.net.UnknownHostException: ${REPOSITORY_HOST}`,
        caused_by: { type: "unknown_host_exception", reason: REPOSITORY_HOST },
      },
    });
  }
  const spec = packagedModel(modelId);
  if (!spec) {
    throw new EsError(400, "illegal_argument_exception", "Failed to find package", {
      causedBy: {
        type: "resource_not_found_exception",
        reason: `${DEFAULT_MODEL_REPOSITORY}/${packageId}.metadata.json not found`,
      },
    });
  }
  if (compare(cluster.profile.version, parseEsVersion(spec.minimumVersion)) < 0) {
    throw validationFailed([
      `The model [${packageId}] requires that all nodes are at least version [${spec.minimumVersion}]`,
    ]);
  }
  return spec;
}

/** The stored configuration: the package's fields, the request's `input` (and other free fields). */
export function packagedConfig(
  spec: PackagedModelSpec,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const config: Record<string, unknown> = { ...values };
  delete config.model_id;
  config.description = spec.description;
  config.inference_config = structuredClone(spec.inferenceConfig);
  config.tags = [];
  if (spec.platformArchitecture) config.platform_architecture = spec.platformArchitecture;
  if (spec.prefixStrings) config.prefix_strings = { ...spec.prefixStrings };
  config.model_package = {
    packaged_model_id: spec.id.slice(1),
    model_repository: DEFAULT_MODEL_REPOSITORY,
    minimum_version: spec.minimumVersion,
    size: spec.sizeBytes,
    sha256: packageSha256(spec.id),
    vocabulary_file: spec.vocabularyFile,
  };
  return config;
}

/**
 * Stores a packaged model's configuration, not yet fully defined, and starts its import task: what a PUT
 * of a packaged id does, and what an inference endpoint does for a model it needs (`putBuiltInModel`).
 */
export function beginPackagedDownload(
  cluster: Cluster,
  id: string,
  spec: PackagedModelSpec,
  values: Record<string, unknown>,
): { model: Model; download: Download } {
  const model: Model = {
    modelId: id,
    modelType: "pytorch",
    config: packagedConfig(spec, values),
    createTime: Date.now(),
    createdBy: "api_user",
    parts: new Map(),
    hasVocabulary: false,
    inlineSizeBytes: 0,
    builtIn: false,
  };
  cluster.models.models.set(id, model);
  return { model, download: cluster.downloads.start(model, spec, cluster.options.modelDownloadMs) };
}

/**
 * The `Warning` a platform-specific package gets when the ML nodes cannot run it: several
 * platforms, or one that differs from the package's.
 */
export function platformWarning(
  cluster: Cluster,
  modelId: string,
  platform: string | undefined,
): string | undefined {
  if (platform === undefined) return undefined;
  const platforms = [...new Set(cluster.nodes.map((node) => node.platform))];
  if (platforms.length > 1) {
    return `ML nodes in this cluster have multiple platform architectures, but can only have one for this model ([${modelId}]); expected [${platform}]; but was [${platforms.join(", ")}]`;
  }
  if (platforms.length === 1 && platforms[0] !== platform) {
    return `The model being deployed ([${modelId}]) is platform specific and incompatible with ML nodes in the cluster; expected [${platform}]; but was [${platforms[0]}]`;
  }
  return undefined;
}

/** Waits for a download to end; a failed one answers with its failure. */
async function awaitDownload(cluster: Cluster, download: Download): Promise<void> {
  await cluster.scheduler.waitFor(() => (download.state === "running" ? undefined : true));
  if (download.failure) {
    const { status, type, reason } = download.failure;
    throw new EsError(status, type, reason);
  }
}

/**
 * The PUT of a packaged model, after the body was parsed and the request-level validation passed.
 * `render` prints a configuration as GET does.
 */
export function putPackagedModel(
  ctx: RouteContext,
  values: Record<string, unknown>,
  waitForCompletion: boolean,
  render: (model: Model) => Record<string, unknown>,
): Execute {
  const id = ctx.params.model_id;
  return async () => {
    const cluster = ctx.services.cluster;
    assertModelIdFree(cluster, id);
    // An import already running: the existing model is the answer (`checkForExistingTask`).
    const running = cluster.downloads.running(id);
    if (running) {
      if (waitForCompletion) await awaitDownload(cluster, running);
      return ok(render(running.model));
    }
    const spec = resolvePackage(cluster, id);
    const overrides = packageOverrideErrors(values);
    if (overrides.length > 0) throw validationFailed(overrides);
    if (cluster.models.get(id)) {
      throw new EsError(
        400,
        "resource_already_exists_exception",
        `Trained machine learning model [${id}] already exists`,
      );
    }
    const { model, download } = beginPackagedDownload(cluster, id, spec, values);
    if (waitForCompletion) await awaitDownload(cluster, download);
    const warning = platformWarning(cluster, id, spec.platformArchitecture);
    if (warning) ctx.warnings.push(warning);
    return ok(render(model));
  };
}
