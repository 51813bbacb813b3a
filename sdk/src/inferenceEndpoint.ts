/**
 * The public resource `InferenceEndpoint`: an Elasticsearch inference endpoint (`PUT _inference/<task>/<id>`),
 * the way 8.15+ and 9.x clusters run ELSER and E5 for `semantic_text` fields and ingest pipelines. With the
 * `elasticsearch` service it creates and owns a trained model deployment, or uses an existing one.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerForState } from "./serializedProvider";
import { type ConnectionInput, type ConnectionOutput, secretConnection } from "./connectionArgs";
import { RESOURCE_MODULE, warnAboutPlaintextCredentials } from "./resource";

/**
 * The provider serialized into every `InferenceEndpoint`'s state: each method loads the stable entry
 * `pulumi-elasticsearch-ml/provider/inference-endpoint` when it runs and delegates to it.
 *
 * Do not reference anything from this module's scope inside these methods: it would be serialized too.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy requires inside the serialized bodies are the point */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (...args) => require("pulumi-elasticsearch-ml/provider/inference-endpoint").configure(...args),
  check: (...args) => require("pulumi-elasticsearch-ml/provider/inference-endpoint").check(...args),
  diff: (...args) => require("pulumi-elasticsearch-ml/provider/inference-endpoint").diff(...args),
  create: (...args) => require("pulumi-elasticsearch-ml/provider/inference-endpoint").create(...args),
  read: (...args) => require("pulumi-elasticsearch-ml/provider/inference-endpoint").read(...args),
  update: (...args) => require("pulumi-elasticsearch-ml/provider/inference-endpoint").update(...args),
  delete: (...args) => require("pulumi-elasticsearch-ml/provider/inference-endpoint").delete(...args),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The provider object as serialized into state (exported for the serialization tests). */
export const endpointProvider: pulumi.dynamic.ResourceProvider = provider;

/** Its type token is `pulumi-nodejs:dynamic/elasticsearch-ml:InferenceEndpoint`. */
export const ENDPOINT_RESOURCE_TYPE = "InferenceEndpoint";
export const ENDPOINT_TYPE_TOKEN = `pulumi-nodejs:dynamic/${RESOURCE_MODULE}:${ENDPOINT_RESOURCE_TYPE}`;

/** Adaptive allocations of the endpoint's own deployment (Elasticsearch 8.15+). */
export interface EndpointAdaptiveAllocationsArgs {
  enabled: pulumi.Input<boolean>;
  minNumberOfAllocations?: pulumi.Input<number>;
  maxNumberOfAllocations?: pulumi.Input<number>;
}

/** `serviceSettings` of the `elasticsearch` (and deprecated `elser`) service. */
export interface ElasticsearchServiceSettingsArgs {
  /** The trained model, e.g. a `TrainedModel`'s `resolvedModelId`. Changing it replaces the endpoint. */
  modelId?: pulumi.Input<string>;
  /** A fixed allocation count; changed in place on 8.17+ (the inference `_update`), else a replacement. */
  numAllocations?: pulumi.Input<number>;
  /** Threads per allocation: a power of 2 up to 32. Changing it replaces the endpoint. */
  numThreads?: pulumi.Input<number>;
  /** Instead of `numAllocations`: Elasticsearch scales between the bounds (a moving count is not drift). */
  adaptiveAllocations?: pulumi.Input<EndpointAdaptiveAllocationsArgs>;
  /**
   * Use this existing deployment (8.16+; e.g. a `TrainedModelDeployment`'s `deploymentId` output, which
   * orders the endpoint after it and its delete before it). Allocations and threads are the deployment's.
   */
  deploymentId?: pulumi.Input<string>;
}

/** The arguments of an {@link InferenceEndpoint}. Every rule is checked at preview, before anything is sent. */
export interface InferenceEndpointArgs {
  /** `sparse_embedding` (ELSER), `text_embedding` (E5), `rerank`, … Changing it replaces the endpoint. */
  taskType: pulumi.Input<string>;
  /** The endpoint id; Elastic's preconfigured ids (`.elser-2-elasticsearch`, …) are refused. */
  inferenceId: pulumi.Input<string>;
  /**
   * `elasticsearch` (or the deprecated `elser`): typed `serviceSettings`, a deployment owned or used. Any
   * other service (`openai`, `cohere`, …): `serviceSettings` is that service's JSON object, sent as written;
   * its credential fields (`api_key`, …) are secrets in state, and since Elasticsearch never returns them a
   * changed declaration is sent through the inference `_update` (8.17+).
   */
  service: pulumi.Input<"elasticsearch" | "elser" | (string & {})>;
  serviceSettings?: pulumi.Input<ElasticsearchServiceSettingsArgs | Record<string, pulumi.Input<unknown>>>;
  /** `task_settings`, as Elasticsearch takes them. Changing them replaces the endpoint. */
  taskSettings?: pulumi.Input<Record<string, unknown>>;
  /** `chunking_settings` (8.16+, embedding tasks). Changing them replaces the endpoint. */
  chunkingSettings?: pulumi.Input<Record<string, unknown>>;
  /** The provider's deadline for the create (download, start) and the allocation wait, in seconds (default 1200). */
  waitTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Delete the endpoint even while ingest pipelines or `semantic_text` fields reference it (they fail until
   * an endpoint with the id is back). Not implied by the stop flag `force`. Precedence:
   * `ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS` > this > stack config `elasticsearch-ml:forceDeleteEndpoints` > not forced.
   */
  forceDelete?: pulumi.Input<boolean>;
  /** The cluster: a connection name from stack config, or the settings (credentials stored as secrets). */
  connection?: ConnectionInput;
}

/**
 * An inference endpoint on the cluster's ML nodes.
 *
 * ```ts
 * const elser = new TrainedModel("elser", { modelId: ".elser_model_2", platform: "auto" });
 * const endpoint = new InferenceEndpoint("elser", {
 *   taskType: "sparse_embedding",
 *   inferenceId: "my-elser",
 *   service: "elasticsearch",
 *   serviceSettings: { modelId: elser.resolvedModelId, numAllocations: 1, numThreads: 1 },
 * });
 * ```
 */
export class InferenceEndpoint extends pulumi.dynamic.Resource {
  declare readonly taskType: pulumi.Output<string>;
  declare readonly inferenceId: pulumi.Output<string>;
  declare readonly service: pulumi.Output<string>;
  declare readonly serviceSettings: pulumi.Output<Record<string, unknown> | undefined>;
  declare readonly waitTimeoutSeconds: pulumi.Output<number>;
  declare readonly forceDelete: pulumi.Output<boolean | undefined>;
  declare readonly connection: pulumi.Output<ConnectionOutput | undefined>;

  /** The uuid of the cluster the endpoint is in; every later operation refuses another cluster. */
  declare readonly clusterUuid: pulumi.Output<string | undefined>;
  /** The cluster's version at the last create or refresh (decides whether a scale is in place). */
  declare readonly esVersion: pulumi.Output<string | undefined>;
  /** The endpoint as `GET _inference` reports it (never a secret). */
  declare readonly endpoint: pulumi.Output<Record<string, unknown> | undefined>;
  /** The deployment the endpoint owns (its own id) or uses. */
  declare readonly deploymentId: pulumi.Output<string | undefined>;
  /** Whether the endpoint created that deployment (its delete stops it). */
  declare readonly ownsDeployment: pulumi.Output<boolean | undefined>;
  /** The deployment's allocation: `state`, `allocationCount`, `targetAllocationCount`, `allocationState`. */
  declare readonly allocation: pulumi.Output<
    | { state: string; allocationCount?: number; targetAllocationCount?: number; allocationState?: string }
    | undefined
  >;
  /** Whether the deployment reached its allocations (false after a create that timed out). */
  declare readonly ready: pulumi.Output<boolean | undefined>;
  /** Pipelines and `semantic_text` indices referencing the endpoint, at the last create or refresh. */
  declare readonly references: pulumi.Output<{ pipelines: string[]; indexes: string[] } | undefined>;

  constructor(name: string, args: InferenceEndpointArgs, opts?: pulumi.CustomResourceOptions) {
    warnAboutPlaintextCredentials();
    super(
      providerForState("pulumi-elasticsearch-ml/provider/inference-endpoint", provider),
      name,
      {
        clusterUuid: undefined,
        esVersion: undefined,
        endpoint: undefined,
        deploymentId: undefined,
        ownsDeployment: undefined,
        allocation: undefined,
        ready: undefined,
        references: undefined,
        waitTimeoutSeconds: undefined,
        ...args,
        serviceSettings: secretServiceSettings(args.service, args.serviceSettings),
        connection: secretConnection(args.connection),
      },
      opts,
      RESOURCE_MODULE,
      ENDPOINT_RESOURCE_TYPE,
    );
  }
}

/** The services whose settings are typed and hold no credential. */
const ML_SERVICES: readonly unknown[] = ["elasticsearch", "elser"];

/** `service_settings` keys that hold another service's credentials (never returned by Elasticsearch). */
export const SERVICE_CREDENTIAL_KEYS =
  /^(api_key|secret|secret_key|access_key|access_key_id|password|token|.*_api_key|.*_secret)$/i;

/**
 * Another service's settings with every credential field wrapped in `pulumi.secret`, so the engine
 * encrypts it in state and masks it in diffs whatever the caller passed. An `Output` of settings (or an
 * `Output` service name) becomes a secret as a whole, since its members cannot be told apart before it
 * resolves. The ML services' typed settings pass unchanged.
 */
export function secretServiceSettings(
  service: pulumi.Input<string>,
  settings: InferenceEndpointArgs["serviceSettings"],
): InferenceEndpointArgs["serviceSettings"] {
  if (settings === undefined || settings === null) return settings;
  if (typeof service === "string") {
    if (ML_SERVICES.includes(service)) return settings;
    if (pulumi.Output.isInstance(settings) || settings instanceof Promise) return pulumi.secret(settings);
    const out: Record<string, pulumi.Input<unknown>> = {};
    for (const [key, value] of Object.entries(settings as Record<string, pulumi.Input<unknown>>)) {
      out[key] = SERVICE_CREDENTIAL_KEYS.test(key) ? pulumi.secret(value) : value;
    }
    return out;
  }
  return pulumi
    .all([service, settings as pulumi.Input<Record<string, unknown>>])
    .apply(([name, value]) =>
      ML_SERVICES.includes(name) ? pulumi.output(value) : pulumi.secret(value),
    ) as unknown as pulumi.Output<Record<string, unknown>>;
}
