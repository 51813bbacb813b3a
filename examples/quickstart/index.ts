/**
 * The quickstart: one text-embedding model deployed twice, one deployment for search traffic and one, at low
 * priority, for an ingest pipeline (the pipeline is created outside Pulumi, as teams often do; see
 * `setup.ts`). Given the model's TorchScript file (`modelDefinition`), the program declares the model too
 * (a `TrainedModel` uploaded as eland does), so it starts from a cluster without it. `scripts/quickstart.sh`
 * runs it against the emulator; with your own `pulumi`, the repository's root `Pulumi.yaml` runs it against
 * your cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** The model the quickstart deploys: the one `setup.ts` and `scripts/real-cluster/make-tiny-model.py` upload. */
export const MODEL_ID = "tiny-text-embedding";
export const SEARCH_DEPLOYMENT_ID = "quickstart-search";
export const INGEST_DEPLOYMENT_ID = "quickstart-ingest";

/** The model's configuration, as eland writes it for a BERT text-embedding model with 8 dimensions. */
export const MODEL_CONFIG = {
  description: "A tiny text-embedding model for the pulumi-elasticsearch-ml quickstart",
  model_type: "pytorch",
  input: { field_names: ["text_field"] },
  inference_config: {
    text_embedding: {
      embedding_size: 8,
      tokenization: {
        bert: { do_lower_case: true, with_special_tokens: true, max_sequence_length: 128, truncate: "first" },
      },
    },
  },
};

const LETTERS = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));
/** The WordPiece vocabulary `scripts/real-cluster/make-tiny-model.py` builds its model for. */
export const MODEL_VOCABULARY = [
  ...["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
  ...["elastic", "search", "model", "deploy", "pulumi", "cluster", "node", "text", "the", "a"],
  ...LETTERS,
  ...LETTERS.map((letter) => `##${letter}`),
];

/** What this example lets you choose. */
export interface QuickstartSettings {
  /** The model to deploy (id or alias). Default {@link MODEL_ID}. */
  modelId?: string;
  /**
   * The model's TorchScript file (`make-tiny-model.py --out FILE`; any bytes against the emulator). When set,
   * the model is declared and uploaded (with {@link MODEL_CONFIG} and {@link MODEL_VOCABULARY}) before the
   * deployments start, and deleted after they stop. Unset: `modelId` must already be in the cluster.
   */
  modelDefinition?: string;
  /** Allocations of the search deployment. Default 1. */
  searchAllocations?: number;
}

/** Declares the two deployments. What it returns becomes the stack outputs. */
export async function program(settings: QuickstartSettings = {}) {
  const declared = settings.modelDefinition
    ? new TrainedModel("model", {
        modelId: settings.modelId ?? MODEL_ID,
        upload: {
          definitionPath: settings.modelDefinition,
          vocabulary: { vocabulary: MODEL_VOCABULARY },
          config: MODEL_CONFIG,
        },
      })
    : undefined;
  // The deployments take the model's output: Pulumi uploads first, and on destroy stops first.
  const modelId = declared?.resolvedModelId ?? settings.modelId ?? MODEL_ID;
  const search = new TrainedModelDeployment("search", {
    modelId,
    deploymentId: SEARCH_DEPLOYMENT_ID,
    numberOfAllocations: settings.searchAllocations ?? 1,
  });
  // Low priority: one allocation with one thread, best effort, using no reserved processors. Enough for a
  // trickle of documents, and it fits next to `search` on a small ML node.
  const ingest = new TrainedModelDeployment("ingest", {
    modelId,
    deploymentId: INGEST_DEPLOYMENT_ID,
    priority: "low",
  });
  return {
    search: {
      deploymentId: search.deploymentId,
      allocations: search.allocationCount,
      allocationState: search.allocationState,
    },
    ingest: {
      deploymentId: ingest.deploymentId,
      allocationState: ingest.allocationState,
      // Pipelines whose inference processors use it: they make a plain stop fail (see the README).
      referencingPipelines: ingest.referencingPipelines,
    },
  };
}

/**
 * The settings from the project's stack config: `pulumi config set modelId <id>`,
 * `pulumi config set modelDefinition <TorchScript file>`, `pulumi config set searchAllocations 2`.
 */
export function settingsFromStackConfig(): QuickstartSettings {
  const config = new pulumi.Config();
  return {
    modelId: config.get("modelId"),
    modelDefinition: config.get("modelDefinition"),
    searchAllocations: config.getNumber("searchAllocations"),
  };
}
