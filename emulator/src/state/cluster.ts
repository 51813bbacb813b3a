/**
 * The emulated cluster: ML nodes, models, deployments and pipelines, plus the clock, the
 * seeded generator and the version profile every handler reads. One instance per emulator;
 * `reset()` returns it to a fresh cluster holding only the built-in model.
 */
import { randomBytes } from "node:crypto";
import { LOG_CAPACITY } from "../admin/log";
import type { EmulatorOptions } from "../options";
import { SeededRandom } from "../random";
import { Scheduler } from "../scheduler";
import { VersionProfile } from "../versions";
import type { Deployment } from "./deployments";
import { IndexStore } from "./indices";
import { InferenceEndpoint, preconfiguredEndpoints } from "./inferenceEndpoints";
import { LANG_IDENT_MODEL_ID, ModelStore } from "./models";
import { DEFAULT_PLATFORM, DownloadStore, PLATFORMS } from "./packagedModels";
import { PipelineStore } from "./pipelines";

export interface MlNode {
  id: string;
  name: string;
  ephemeralId: string;
  processors: number;
  transportPort: number;
  /** `Platforms.platformName(os.name, os.arch)`, e.g. `linux-x86_64`. */
  platform: string;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<EmulatorOptions, "tlsCert" | "tlsKey" | "clusterUuid">> &
  Pick<EmulatorOptions, "tlsCert" | "tlsKey" | "clusterUuid">;

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    esVersion: options.esVersion ?? "9.2.0",
    mlNodes: options.mlNodes ?? 1,
    processorsPerNode: options.processorsPerNode ?? 8,
    autoscale: options.autoscale ?? false,
    autoscaleDelayMs: options.autoscaleDelayMs ?? 1000,
    autoscaleMaxNodes: options.autoscaleMaxNodes ?? 4,
    startDelayMs: options.startDelayMs ?? 50,
    stopDelayMs: options.stopDelayMs ?? 10,
    inferLatencyMs: options.inferLatencyMs ?? 10,
    adaptiveIntervalMs: options.adaptiveIntervalMs ?? 1000,
    scaleToZeroIdleMs: options.scaleToZeroIdleMs ?? 900_000,
    security: options.security ?? false,
    elasticPassword: options.elasticPassword ?? "changeme",
    seed: options.seed ?? 1,
    tlsCert: options.tlsCert,
    tlsKey: options.tlsKey,
    clusterUuid: options.clusterUuid ?? (options.seed === undefined ? randomClusterUuid() : undefined),
    mlNodePlatform: options.mlNodePlatform ?? DEFAULT_PLATFORM,
    modelDownloadMs: options.modelDownloadMs ?? 300,
    modelRepositoryUnreachable: options.modelRepositoryUnreachable ?? false,
    proxyTimeoutMs: options.proxyTimeoutMs ?? 0,
    logCapacity: options.logCapacity ?? LOG_CAPACITY,
  };
  const nonNegativeInts: (keyof ResolvedOptions)[] = [
    "port",
    "mlNodes",
    "autoscaleDelayMs",
    "autoscaleMaxNodes",
    "startDelayMs",
    "stopDelayMs",
    "inferLatencyMs",
    "adaptiveIntervalMs",
    "scaleToZeroIdleMs",
    "seed",
    "modelDownloadMs",
    "proxyTimeoutMs",
  ];
  for (const key of nonNegativeInts) {
    const value = resolved[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new Error(`${key}: ${String(value)} is not allowed; expected a non-negative integer`);
    }
  }
  if (resolved.port > 65535) throw new Error(`port: ${resolved.port} is not allowed; expected 0 to 65535`);
  if (!Number.isInteger(resolved.processorsPerNode) || resolved.processorsPerNode < 1) {
    throw new Error(
      `processorsPerNode: ${resolved.processorsPerNode} is not allowed; expected a positive integer`,
    );
  }
  if (!Number.isInteger(resolved.logCapacity) || resolved.logCapacity < 1) {
    throw new Error(`logCapacity: ${resolved.logCapacity} is not allowed; expected a positive integer`);
  }
  if (resolved.adaptiveIntervalMs < 1)
    throw new Error("adaptiveIntervalMs: 0 is not allowed; expected at least 1");
  if (!PLATFORMS.includes(resolved.mlNodePlatform)) {
    throw new Error(
      `mlNodePlatform: "${resolved.mlNodePlatform}" is not allowed; expected one of ${PLATFORMS.join(", ")}`,
    );
  }
  if (Boolean(resolved.tlsCert) !== Boolean(resolved.tlsKey)) {
    throw new Error("tlsCert and tlsKey must be given together");
  }
  return resolved;
}

/**
 * A fresh cluster uuid, drawn as Elasticsearch draws it (`Metadata.Builder#generateClusterUuidIfNeeded` calls
 * `UUIDs.randomBase64UUID()`; `org.elasticsearch.common.RandomBasedUUIDGenerator`: 16 random bytes with the
 * version-4 and variant bits set, URL-safe base64 without padding, 22 characters). Random per emulator so
 * that two emulators started without a seed are two different clusters to the wrong-cluster guard; with a
 * seed the uuid comes from it instead (see {@link Cluster}).
 */
export function randomClusterUuid(): string {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return bytes.toString("base64url");
}

export class Cluster {
  readonly profile: VersionProfile;
  readonly scheduler = new Scheduler();
  random: SeededRandom;
  readonly clusterUuid: string;
  readonly nodeName = "es-emulator-0";
  readonly buildHash: string;
  nodes: MlNode[] = [];
  readonly models = new ModelStore();
  readonly deployments = new Map<string, Deployment>();
  readonly pipelines = new PipelineStore();
  /** Inference endpoints by id (preconfigured ones included). */
  readonly endpoints = new Map<string, InferenceEndpoint>();
  /** Indices, for the `semantic_text` fields that reference endpoints. */
  readonly indices = new IndexStore();
  /** Packaged model downloads (running, and what a failed or killed one left behind). */
  readonly downloads: DownloadStore;
  /** Whether the model repository answers; an admin call may change it at run time. */
  modelRepositoryReachable: boolean;
  private nodeCounter = 0;

  constructor(readonly options: ResolvedOptions) {
    this.profile = new VersionProfile(options.esVersion);
    this.random = new SeededRandom(options.seed);
    // Drawn even when unused, so the build hash (and everything after it) stays the seed's.
    const seededUuid = this.random.id(22);
    this.clusterUuid = options.clusterUuid ?? seededUuid;
    this.buildHash = this.random.hex(40);
    this.downloads = new DownloadStore(this.scheduler);
    this.modelRepositoryReachable = !options.modelRepositoryUnreachable;
    this.populate();
  }

  /** Fresh state: the configured ML nodes and the built-in language identification model. */
  populate(): void {
    // A stream apart from the one that made the cluster uuid, so node ids never repeat it.
    this.random = new SeededRandom(this.options.seed + 0x9e3779b9);
    this.nodes = [];
    this.nodeCounter = 0;
    this.models.models.clear();
    this.models.aliases.clear();
    this.deployments.clear();
    this.pipelines.pipelines.clear();
    this.downloads.clear();
    this.modelRepositoryReachable = !this.options.modelRepositoryUnreachable;
    for (let i = 0; i < this.options.mlNodes; i++) this.addNode(this.options.processorsPerNode);
    this.endpoints.clear();
    this.indices.indices.clear();
    for (const endpoint of preconfiguredEndpoints(this.profile, this.linuxOptimized()))
      this.endpoints.set(endpoint.inferenceId, endpoint);
    this.models.models.set(LANG_IDENT_MODEL_ID, {
      modelId: LANG_IDENT_MODEL_ID,
      modelType: "lang_ident",
      createTime: 1575548914594,
      createdBy: "_xpack",
      config: {
        version: "7.6.0",
        tags: ["lang_ident", "prepackaged"],
        description: "Model used for identifying language from arbitrary input text.",
        input: { field_names: ["text"] },
        inference_config: {
          classification: {
            num_top_classes: 0,
            top_classes_results_field: "top_classes",
            results_field: "predicted_value",
            num_top_feature_importance_values: 0,
          },
        },
        license_level: "basic",
        estimated_operations: 39629,
      },
      parts: new Map(),
      hasVocabulary: false,
      inlineSizeBytes: 1053992,
      builtIn: true,
    });
  }

  addNode(processors: number, platform: string = this.options.mlNodePlatform): MlNode {
    this.nodeCounter++;
    const node: MlNode = {
      id: this.random.id(22),
      name: `ml-node-${this.nodeCounter}`,
      ephemeralId: this.random.id(22),
      processors,
      transportPort: 9300 + this.nodeCounter,
      platform,
    };
    this.nodes.push(node);
    return node;
  }

  /**
   * Whether the `_linux-x86_64` model variants are preferred (`BaseElasticsearchInternalService.
   * preferredVariantFromPlatformArchitecture`): every ML node is `linux-x86_64`, or there is none and
   * ML nodes can be added (Elastic Cloud, here `--autoscale`).
   */
  linuxOptimized(): boolean {
    const platforms = new Set(this.nodes.map((node) => node.platform));
    if (platforms.size === 0) return this.options.autoscale;
    return platforms.size === 1 && platforms.has("linux-x86_64");
  }

  node(id: string): MlNode | undefined {
    return this.nodes.find((node) => node.id === id);
  }

  /** Deployments as id pairs, for expansions that accept deployment ids. */
  deploymentRefs(): { deploymentId: string; modelId: string }[] {
    return [...this.deployments.values()].map((d) => ({ deploymentId: d.deploymentId, modelId: d.modelId }));
  }
}
