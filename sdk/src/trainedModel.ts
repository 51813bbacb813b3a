/**
 * The public resource `TrainedModel`: a trained model present in the cluster, either one of Elastic's
 * packaged models (downloaded by the cluster, as Kibana's "Download" button does) or your own model uploaded
 * from the files eland exports.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerForState } from "./serializedProvider";
import { type ConnectionInput, type ConnectionOutput, secretConnection } from "./connectionArgs";
import { RESOURCE_MODULE, warnAboutPlaintextCredentials } from "./resource";

/**
 * The provider serialized into every `TrainedModel`'s state: each method loads the stable entry
 * `pulumi-elasticsearch-ml/provider/trained-model` when it runs and delegates to it, so the serialized text
 * stays tiny, captures nothing, and state written by this version is handled by a later one.
 *
 * Do not reference anything from this module's scope inside these methods: it would be serialized too.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy requires inside the serialized bodies are the point */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (...args) => require("pulumi-elasticsearch-ml/provider/trained-model").configure(...args),
  check: (...args) => require("pulumi-elasticsearch-ml/provider/trained-model").check(...args),
  diff: (...args) => require("pulumi-elasticsearch-ml/provider/trained-model").diff(...args),
  create: (...args) => require("pulumi-elasticsearch-ml/provider/trained-model").create(...args),
  read: (...args) => require("pulumi-elasticsearch-ml/provider/trained-model").read(...args),
  update: (...args) => require("pulumi-elasticsearch-ml/provider/trained-model").update(...args),
  delete: (...args) => require("pulumi-elasticsearch-ml/provider/trained-model").delete(...args),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The provider object as serialized into state (exported for the serialization tests). */
export const modelProvider: pulumi.dynamic.ResourceProvider = provider;

/** Its type token is `pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModel`. */
export const MODEL_RESOURCE_TYPE = "TrainedModel";
export const MODEL_TYPE_TOKEN = `pulumi-nodejs:dynamic/${RESOURCE_MODULE}:${MODEL_RESOURCE_TYPE}`;

/** A tokenizer vocabulary inline (the content of eland's `vocabulary.json`). */
export interface VocabularyArgs {
  vocabulary: pulumi.Input<pulumi.Input<string>[]>;
  /** For BPE tokenizers (e.g. RoBERTa). */
  merges?: pulumi.Input<pulumi.Input<string>[]>;
  /** For unigram tokenizers (e.g. XLM-RoBERTa, DeBERTa-v2): one score per token. */
  scores?: pulumi.Input<pulumi.Input<number>[]>;
}

/** Your own model, from the files eland exports (`eland_import_hub_model --export` or `PyTorchModel` save). */
export interface TrainedModelUploadArgs {
  /**
   * The TorchScript definition (eland's `traced_pytorch_model.pt`). Uploaded in 4 MiB parts, streamed from
   * disk. The state keeps its SHA-256, never its bytes; another file (different bytes) replaces the model.
   */
  definitionPath: pulumi.Input<string>;
  /** The model configuration: eland's `config.json`, parsed (`JSON.parse(readFileSync(...))`). */
  config: pulumi.Input<Record<string, unknown>>;
  /** eland's `vocabulary.json` (`vocabulary`, plus `merges` or `scores` where the tokenizer needs them). */
  vocabularyPath?: pulumi.Input<string>;
  /** The vocabulary inline, instead of `vocabularyPath`. */
  vocabulary?: pulumi.Input<VocabularyArgs>;
}

/** The arguments of a {@link TrainedModel}. Every rule is checked at preview, before anything is sent. */
export interface TrainedModelArgs {
  /**
   * The model id. With a leading "." one of Elastic's packaged models (`.elser_model_2`,
   * `.multilingual-e5-small`, their `_linux-x86_64` builds, `.rerank-v1`, …), downloaded by the cluster;
   * otherwise your own model, which needs `upload`. Changing it replaces the model.
   */
  modelId: pulumi.Input<string>;
  /**
   * Packaged models: `"auto"` downloads the `_linux-x86_64` build (`.elser_model_2`,
   * `.multilingual-e5-small`) when every ML node runs Linux x86_64, as Kibana recommends, else the portable
   * one (a model without a platform build keeps its only one); `"portable"` or `"linux-x86_64"` choose.
   * Unset: `modelId` as written. The choice is made at create and recorded
   * (`resolvedModelId`); a preview shows the recorded choice, or an unknown value before the first create.
   */
  platform?: pulumi.Input<"auto" | "portable" | "linux-x86_64">;
  /** Packaged models: the document fields the model reads (`input.field_names`; default `["text_field"]`). */
  inputFieldNames?: pulumi.Input<pulumi.Input<string>[]>;
  /** Your own model's files; required for an id without a leading ".". */
  upload?: pulumi.Input<TrainedModelUploadArgs>;
  /**
   * The provider's deadline for the download or upload, in seconds (default 1200). At the deadline the
   * operation fails but the model is recorded, and the next `pulumi up` keeps waiting for the running
   * download instead of starting it again.
   */
  waitTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Delete the model even while deployments, ingest pipelines or inference endpoints use it (their
   * deployments are stopped; the pipelines then fail until the model is back). Not implied by the stop flag
   * `force`. Precedence: `ELASTICSEARCH_ML_FORCE_DELETE_MODELS` > this > stack config
   * `elasticsearch-ml:forceDeleteModels` > not forced.
   */
  forceDelete?: pulumi.Input<boolean>;
  /**
   * The cluster: a connection name from stack config `elasticsearch-ml:connections`, or the settings
   * themselves (e.g. from a `StackReference`; credentials are stored as secrets); the default connection
   * when omitted. A change is an update checked against the recorded cluster, never a replacement.
   */
  connection?: ConnectionInput;
}

/**
 * A trained model present in the cluster: downloaded (Elastic's packaged models) or uploaded (yours).
 *
 * ```ts
 * import { TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";
 *
 * const e5 = new TrainedModel("e5", { modelId: ".multilingual-e5-small", platform: "auto" });
 * const search = new TrainedModelDeployment("e5-search", {
 *   modelId: e5.resolvedModelId, // deploys once downloaded; destroy stops it before deleting the model
 *   deploymentId: "e5-search",
 *   numberOfAllocations: 1,
 * });
 * ```
 *
 * Keep a large download when the stack is destroyed with Pulumi's own option: `{ retainOnDelete: true }`.
 */
export class TrainedModel extends pulumi.dynamic.Resource {
  declare readonly modelId: pulumi.Output<string>;
  declare readonly platform: pulumi.Output<"auto" | "portable" | "linux-x86_64" | undefined>;
  declare readonly inputFieldNames: pulumi.Output<string[] | undefined>;
  declare readonly waitTimeoutSeconds: pulumi.Output<number>;
  declare readonly forceDelete: pulumi.Output<boolean | undefined>;
  declare readonly connection: pulumi.Output<ConnectionOutput | undefined>;

  /** The model's id in the cluster (the `_linux-x86_64` build when `platform` chose it): give it to deployments. */
  declare readonly resolvedModelId: pulumi.Output<string>;
  /** `packaged` or `upload`. */
  declare readonly source: pulumi.Output<"packaged" | "upload">;
  /** The uuid of the cluster the model is in; every later operation refuses another cluster. */
  declare readonly clusterUuid: pulumi.Output<string | undefined>;
  /** `model_type`: `pytorch` for NLP models. */
  declare readonly modelType: pulumi.Output<string | undefined>;
  /** `input.field_names`: the document fields the model reads. */
  declare readonly inputFields: pulumi.Output<string[] | undefined>;
  /** The inference task (`text_embedding`, `text_expansion`, `text_similarity`, …). */
  declare readonly inferenceTask: pulumi.Output<string | undefined>;
  /** `platform_architecture` (`linux-x86_64`), absent for a portable model. */
  declare readonly platformArchitecture: pulumi.Output<string | undefined>;
  /** The model's size in bytes, as Elasticsearch reports it. */
  declare readonly modelSizeBytes: pulumi.Output<number | undefined>;
  /** Whether the whole definition is in the cluster. */
  declare readonly fullyDefined: pulumi.Output<boolean>;
  /** When the model was created (ISO 8601). */
  declare readonly createTime: pulumi.Output<string | undefined>;
  /** For an upload: the SHA-256, size and time of the definition (and vocabulary) file as uploaded. */
  declare readonly uploadedFiles: pulumi.Output<
    | {
        definition: { sha256: string; sizeBytes: number; modifiedMs: number };
        vocabulary?: { sha256: string; sizeBytes: number; modifiedMs: number };
      }
    | undefined
  >;

  constructor(name: string, args: TrainedModelArgs, opts?: pulumi.CustomResourceOptions) {
    warnAboutPlaintextCredentials();
    super(
      providerForState("pulumi-elasticsearch-ml/provider/trained-model", provider),
      name,
      {
        resolvedModelId: undefined,
        source: undefined,
        clusterUuid: undefined,
        modelType: undefined,
        inputFields: undefined,
        inferenceTask: undefined,
        platformArchitecture: undefined,
        modelSizeBytes: undefined,
        fullyDefined: undefined,
        createTime: undefined,
        uploadedFiles: undefined,
        waitTimeoutSeconds: undefined,
        ...args,
        connection: secretConnection(args.connection),
      },
      opts,
      RESOURCE_MODULE,
      MODEL_RESOURCE_TYPE,
    );
  }
}
