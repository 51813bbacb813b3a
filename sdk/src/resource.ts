/**
 * The public resource: `TrainedModelDeployment`, a Pulumi dynamic resource that keeps an Elasticsearch
 * machine-learning trained model deployment in the state declared in code.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerForState } from "./serializedProvider";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { type ConnectionInput, type ConnectionOutput, secretConnection } from "./connectionArgs";
import { CONFIG_NAMESPACE, CREDENTIAL_CONFIG_KEYS } from "./provider/config";

/**
 * The provider serialized into every resource's state (`__provider`). It is deliberately tiny: each
 * method loads the package's stable entry point **when it runs** and delegates to it. Nothing stateful
 * (clients, configuration, credentials, environment) is captured, the serialized text stays around 1 KB,
 * and state written by this version is handled by whichever version is installed later (the entry point
 * `pulumi-elasticsearch-ml/provider` keeps its shape across versions).
 *
 * Do not reference anything from this module's scope inside these methods: it would be serialized too.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy requires inside the serialized bodies are the point */
const provider: pulumi.dynamic.ResourceProvider = {
  // Arrow functions with rest parameters serialize smallest (~2 KB for all seven, measured in tests).
  configure: (...args) => require("pulumi-elasticsearch-ml/provider").configure(...args),
  check: (...args) => require("pulumi-elasticsearch-ml/provider").check(...args),
  diff: (...args) => require("pulumi-elasticsearch-ml/provider").diff(...args),
  create: (...args) => require("pulumi-elasticsearch-ml/provider").create(...args),
  read: (...args) => require("pulumi-elasticsearch-ml/provider").read(...args),
  update: (...args) => require("pulumi-elasticsearch-ml/provider").update(...args),
  delete: (...args) => require("pulumi-elasticsearch-ml/provider").delete(...args),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The provider object as serialized into state (exported for the serialization tests). */
export const deploymentProvider: pulumi.dynamic.ResourceProvider = provider;

/** The module and type of the resource: its type token is `pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment`. */
export const RESOURCE_MODULE = "elasticsearch-ml";
export const RESOURCE_TYPE = "TrainedModelDeployment";
export const TYPE_TOKEN = `pulumi-nodejs:dynamic/${RESOURCE_MODULE}:${RESOURCE_TYPE}`;

/** Adaptive allocations: Elasticsearch chooses the allocation count between the bounds (ES 8.15+). */
export interface AdaptiveAllocationsArgs {
  /** Whether adaptive allocations are on. `false` together with `numberOfAllocations` means a fixed count. */
  enabled: pulumi.Input<boolean>;
  /** Lower bound; `0` lets an idle deployment scale to zero (ES 8.16+). */
  minNumberOfAllocations?: pulumi.Input<number>;
  /** Upper bound (at most 1 with `priority: "low"`). */
  maxNumberOfAllocations?: pulumi.Input<number>;
}

/**
 * Flags for `_stop`, used whenever this resource's deployment is stopped (`state: "stopped"`, replacement,
 * destroy). Precedence, per flag: the environment of the running operation (`ELASTICSEARCH_ML_FORCE`,
 * `ELASTICSEARCH_ML_FINISH_PENDING_WORK`, `ELASTICSEARCH_ML_ALLOW_NO_MATCH`) > this `stop` value > stack
 * config (`elasticsearch-ml:force`, `…:finishPendingWork`, `…:allowNoMatch`) > unset (not sent; the
 * Elasticsearch default applies).
 */
export interface StopFlagsArgs {
  /** Stop even when ingest pipelines or inference endpoints use the deployment. */
  force?: pulumi.Input<boolean>;
  /** Finish the queued inference requests before stopping (ES 8.11+); otherwise they fail with 429. */
  finishPendingWork?: pulumi.Input<boolean>;
  /** Whether stopping an id that matches nothing succeeds (Elasticsearch default `true`). */
  allowNoMatch?: pulumi.Input<boolean>;
}

/** The arguments of a {@link TrainedModelDeployment}. Every rule is checked at preview, before anything is sent. */
export interface TrainedModelDeploymentArgs {
  /**
   * The trained model to deploy (a model id or alias, e.g. `".elser_model_2"`). The model must exist and
   * be fully uploaded. Changing it replaces a running deployment.
   */
  modelId: pulumi.Input<string>;
  /**
   * The deployment's id, unique in the cluster; defaults to `modelId`. Deploy one model several times
   * (e.g. one for search, one for ingest) with different ids. Changing it replaces the deployment.
   */
  deploymentId?: pulumi.Input<string>;
  /**
   * The declared running state: `"started"` (default) or `"stopped"`. `"stopped"` stops a running
   * deployment (with the stop flags) and creates nothing when the resource is new.
   */
  state?: pulumi.Input<"started" | "stopped">;
  /**
   * A fixed number of allocations (≥ 1). Scaled in place with `_update`. Not together with adaptive
   * allocations enabled; while those are on, the count is an output only.
   */
  numberOfAllocations?: pulumi.Input<number>;
  /** Let Elasticsearch scale between bounds (ES 8.15+). Removing it, or `enabled: false`, returns to a fixed count. */
  adaptiveAllocations?: pulumi.Input<AdaptiveAllocationsArgs>;
  /** Threads per allocation: a power of 2 up to 32 (default 1). Changing it replaces a running deployment. */
  threadsPerAllocation?: pulumi.Input<number>;
  /** `"normal"` (default) or `"low"` (1 allocation × 1 thread, best effort). Changing it replaces a running deployment. */
  priority?: pulumi.Input<"normal" | "low">;
  /** Inference queue size, 1 to 100,000 (ES 9.x; 8.x allowed 1,000,000). Changing it replaces a running deployment. */
  queueCapacity?: pulumi.Input<number>;
  /** Inference cache size, e.g. `"512mb"`; `"0"` disables it (default: the model size). Changing it replaces a running deployment. */
  cacheSize?: pulumi.Input<string>;
  /**
   * How far a start or scale must get before the operation succeeds: `"starting"`, `"started"` or
   * `"fully_allocated"` (default: every target allocation running).
   */
  waitFor?: pulumi.Input<"starting" | "started" | "fully_allocated">;
  /**
   * The provider's own deadline for `waitFor` (and for a stop), in seconds: default 1200, any number
   * greater than 0 up to 2147483 (about 24.8 days, the longest delay a Node.js timer holds). At the
   * deadline the operation fails but the deployment is recorded in the stack, and the next `pulumi up`
   * keeps waiting instead of starting it twice.
   */
  waitTimeoutSeconds?: pulumi.Input<number>;
  /** Per-resource stop flags; see {@link StopFlagsArgs} for the precedence. */
  stop?: pulumi.Input<StopFlagsArgs>;
  /**
   * Take over a deployment that already runs with this id and that this stack did not start (it may be
   * another stack's): without it a create refuses, even when the deployment matches the declaration. With
   * it, a deployment whose scaling differs is scaled in place; start-only differences (model, threads,
   * priority, queue capacity, cache size) always fail, since that would need a restart. To resume an
   * interrupted create once, run `ELASTICSEARCH_ML_ADOPT_EXISTING=true pulumi up` instead (matching
   * deployments only).
   */
  adoptExisting?: pulumi.Input<boolean>;
  /**
   * Where the deployment's cluster is and how to authenticate: the name of a connection defined in stack
   * config `elasticsearch-ml:connections`, or the settings themselves ({@link ConnectionArgs}, e.g. from
   * another stack's outputs; credentials are stored as secrets whatever you pass); the default connection
   * (stack config, then the `ELASTICSEARCH_*` environment) when omitted. Changing it is an in-place update
   * that checks the new credentials and that the endpoint still answers as the recorded cluster (`GET /`),
   * then records the new settings, which a later `pulumi destroy` uses.
   */
  connection?: ConnectionInput;
}

/** A node the deployment is routed to. */
export interface DeploymentNodeOutput {
  nodeId: string;
  nodeName?: string;
  /** `starting`, `started`, `stopping`, `stopped` or `failed`. */
  routingState: string;
  reason?: string;
  currentAllocations?: number;
}

/** What Elasticsearch reports as in force, under the input names. */
export interface EffectiveSettingsOutput {
  /** `"started"` while a deployment with the id exists, `"stopped"` when none does. */
  state?: "started" | "stopped";
  numberOfAllocations?: number;
  adaptiveAllocations?: {
    enabled: boolean;
    minNumberOfAllocations?: number;
    maxNumberOfAllocations?: number;
  };
  threadsPerAllocation?: number;
  priority?: "normal" | "low";
  queueCapacity?: number;
  cacheSize?: string;
}

/**
 * An Elasticsearch trained model deployment kept in its declared state.
 *
 * ```ts
 * import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
 *
 * const search = new TrainedModelDeployment("e5-search", {
 *   modelId: ".multilingual-e5-small",
 *   deploymentId: "e5-search",
 *   numberOfAllocations: 2,
 *   threadsPerAllocation: 4,
 * });
 * export const allocations = search.allocationCount;
 * ```
 *
 * Connection and credentials come from stack config (`elasticsearch-ml:endpoints`, `elasticsearch-ml:apiKey`
 * set with `--secret`, …) or the `ELASTICSEARCH_*` environment, or from the `connection` argument (e.g. a
 * `StackReference`'s outputs), whose credentials are stored as secrets whatever is passed.
 */
export class TrainedModelDeployment extends pulumi.dynamic.Resource {
  /** The declared model id or alias. */
  declare readonly modelId: pulumi.Output<string>;
  /** The deployment id (defaults to the model id). */
  declare readonly deploymentId: pulumi.Output<string>;
  /** The declared running state. */
  declare readonly state: pulumi.Output<"started" | "stopped">;
  /** The declared allocation count, if declared (the running count is `effective.numberOfAllocations`). */
  declare readonly numberOfAllocations: pulumi.Output<number | undefined>;
  declare readonly adaptiveAllocations: pulumi.Output<
    EffectiveSettingsOutput["adaptiveAllocations"] | undefined
  >;
  declare readonly threadsPerAllocation: pulumi.Output<number | undefined>;
  declare readonly priority: pulumi.Output<"normal" | "low" | undefined>;
  declare readonly queueCapacity: pulumi.Output<number | undefined>;
  declare readonly cacheSize: pulumi.Output<string | undefined>;
  declare readonly waitFor: pulumi.Output<"starting" | "started" | "fully_allocated">;
  declare readonly waitTimeoutSeconds: pulumi.Output<number>;
  declare readonly stop: pulumi.Output<
    { force?: boolean; finishPendingWork?: boolean; allowNoMatch?: boolean } | undefined
  >;
  declare readonly adoptExisting: pulumi.Output<boolean | undefined>;
  /** The recorded connection: a name, or the settings with their credentials as secrets. */
  declare readonly connection: pulumi.Output<ConnectionOutput | undefined>;

  /** The uuid of the cluster the deployment runs on; every later operation refuses another cluster. */
  declare readonly clusterUuid: pulumi.Output<string | undefined>;
  /** What Elasticsearch reports as in force (the start and scaling parameters, and whether it runs). */
  declare readonly effective: pulumi.Output<EffectiveSettingsOutput>;
  /** `deployment_stats.state`: `starting`, `started`, `stopping` or `failed`; absent when nothing runs. */
  declare readonly deploymentState: pulumi.Output<string | undefined>;
  /** Why the deployment is not (fully) allocated or failed, when Elasticsearch says. */
  declare readonly reason: pulumi.Output<string | undefined>;
  /** `allocation_status.state`: `starting`, `started` or `fully_allocated`. */
  declare readonly allocationState: pulumi.Output<string | undefined>;
  /** Allocations running now. */
  declare readonly allocationCount: pulumi.Output<number | undefined>;
  /** Allocations targeted. */
  declare readonly targetAllocationCount: pulumi.Output<number | undefined>;
  /** The nodes the deployment is routed to, with their routing states. */
  declare readonly nodes: pulumi.Output<DeploymentNodeOutput[] | undefined>;
  /** When the deployment started (ISO 8601). */
  declare readonly startTime: pulumi.Output<string | undefined>;
  /** Ingest pipelines that reference the deployment id or model id; absent when they could not be listed. */
  declare readonly referencingPipelines: pulumi.Output<string[] | undefined>;
  /** Inference endpoints that use or own the deployment; absent when unknown (no inference API, or refused). */
  declare readonly inferenceEndpoints: pulumi.Output<string[] | undefined>;
  /** The Elasticsearch version seen at the last create, update or refresh (the preview's notices use it). */
  declare readonly esVersion: pulumi.Output<string | undefined>;

  /**
   * @param name The unique name of the resource in the stack.
   * @param args The deployment's declaration.
   * @param opts Resource options. `customTimeouts` are ignored by dynamic resources: use `waitTimeoutSeconds`.
   */
  constructor(name: string, args: TrainedModelDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
    warnAboutPlaintextCredentials();
    super(
      providerForState("pulumi-elasticsearch-ml/provider", provider),
      name,
      {
        clusterUuid: undefined,
        effective: undefined,
        deploymentState: undefined,
        reason: undefined,
        allocationState: undefined,
        allocationCount: undefined,
        targetAllocationCount: undefined,
        nodes: undefined,
        startTime: undefined,
        referencingPipelines: undefined,
        inferenceEndpoints: undefined,
        esVersion: undefined,
        deploymentId: undefined,
        state: undefined,
        waitFor: undefined,
        waitTimeoutSeconds: undefined,
        ...args,
        connection: secretConnection(args.connection),
      },
      opts,
      RESOURCE_MODULE,
      RESOURCE_TYPE,
    );
  }
}

/** Stack config keys that carry credentials and should be set with `pulumi config set --secret`. */
const CREDENTIAL_KEYS = [...CREDENTIAL_CONFIG_KEYS, "connections"].map((key) => `${CONFIG_NAMESPACE}:${key}`);

/**
 * The program runs already checked, by their root stack resource. One process can run many programs
 * (the Automation API's inline programs), so "once" means once per run, not once per process.
 */
const checkedRuns = new WeakSet<object>();
/** Stands for "no run" (unit tests under mocks may have no root stack resource). */
const OUTSIDE_A_RUN = {};

/**
 * The credential keys set in the stack configuration without `--secret`. The provider cannot tell a
 * secret from plain config (the engine unwraps secrets before `configure`), but the program can.
 * `isConfigSecret` is internal to `@pulumi/pulumi`; when it is missing, nothing is reported.
 */
export function plaintextCredentialKeys(): string[] {
  const isConfigSecret = (runtimeConfig as unknown as { isConfigSecret?: (key: string) => boolean })
    .isConfigSecret;
  if (typeof isConfigSecret !== "function") return [];
  return CREDENTIAL_KEYS.filter((key) => {
    const value = runtimeConfig.getConfig(key);
    if (value === undefined || isConfigSecret(key)) return false;
    return key !== CONNECTIONS_CONFIG_KEY || connectionsHoldCredentials(value);
  });
}

const CONNECTIONS_CONFIG_KEY = "elasticsearch-ml:connections";

// Named connections may hold only endpoints; warn only when one carries a credential.
function connectionsHoldCredentials(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return false;
    return Object.values(parsed).some(
      (settings) =>
        typeof settings === "object" &&
        settings !== null &&
        CREDENTIAL_KEYS.some((key) => key.slice("elasticsearch-ml:".length) in settings),
    );
  } catch {
    // Malformed JSON is reported by the provider, naming the key; here it might hold anything.
    return true;
  }
}

/** Warn once per program run about each credential stored in plaintext. */
export function warnAboutPlaintextCredentials(): void {
  const run: object = pulumi.runtime.getStackResource() ?? OUTSIDE_A_RUN;
  if (checkedRuns.has(run)) return;
  checkedRuns.add(run);
  for (const key of plaintextCredentialKeys()) {
    // Not awaited (a constructor cannot): the runtime keeps the program running until the message is
    // delivered, and prints it to stderr itself when delivery fails.
    void pulumi.log.warn(
      `${key} is stored in plaintext in the stack configuration and state; set it with ` +
        `\`pulumi config set --secret ${key} <value>\` (or use the ELASTICSEARCH_* environment variables, ` +
        "or pass the settings as a resource's connection argument, whose credentials are always stored as secrets)",
    );
  }
}
