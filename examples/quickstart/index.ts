/**
 * The quickstart: one text-embedding model deployed twice, one deployment for search traffic and one, at low
 * priority, for an ingest pipeline (the pipeline is created outside Pulumi, as teams often do; see
 * `setup.ts`). `scripts/quickstart.sh` runs it against the emulator; with your own `pulumi`, the repository's
 * root `Pulumi.yaml` runs it against your cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";

/** The model the quickstart deploys: the one `setup.ts` and `scripts/real-cluster/make-tiny-model.py` upload. */
export const MODEL_ID = "tiny-text-embedding";
export const SEARCH_DEPLOYMENT_ID = "quickstart-search";
export const INGEST_DEPLOYMENT_ID = "quickstart-ingest";

/** What this example lets you choose. */
export interface QuickstartSettings {
  /** The model to deploy (id or alias). Default {@link MODEL_ID}. */
  modelId?: string;
  /** Allocations of the search deployment. Default 1. */
  searchAllocations?: number;
}

/** Declares the two deployments. What it returns becomes the stack outputs. */
export async function program(settings: QuickstartSettings = {}) {
  const modelId = settings.modelId ?? MODEL_ID;
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
 * `pulumi config set searchAllocations 2`.
 */
export function settingsFromStackConfig(): QuickstartSettings {
  const config = new pulumi.Config();
  return { modelId: config.get("modelId"), searchAllocations: config.getNumber("searchAllocations") };
}
