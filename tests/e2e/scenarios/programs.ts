/**
 * The inline programs the scenarios run. They are written here because `examples/` held no exported
 * `program(config)` yet when this suite was written; once an example fits a scenario, the scenario
 * should run the example's program instead (see the suite's report).
 *
 * Programs are plain functions of their options, so a scenario changes one declared value by handing
 * the stack a new program (`stack.setProgram`).
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { TrainedModelDeployment, type TrainedModelDeploymentArgs } from "pulumi-elasticsearch-ml";

/** The one model every scenario deploys (uploaded to the emulator by `freshCluster`). */
export const MODEL = "tiny-e5";

/** Ids of the two deployments of {@link twoDeployments}. */
export const SEARCH_ID = "e5-search";
export const INGEST_ID = "e5-ingest";

/** What a scenario varies on the `search` deployment of {@link twoDeployments}. */
export interface TwoDeploymentsOptions {
  searchAllocations?: number;
  searchThreads?: number;
  searchState?: "started" | "stopped";
}

/**
 * Two deployments of one model: `search` (normal priority, declared allocations and threads) and
 * `ingest` (low priority), the way one model serves search and ingest traffic separately.
 */
export function twoDeployments(options: TwoDeploymentsOptions = {}): PulumiFn {
  return async () => {
    const searchArgs: TrainedModelDeploymentArgs = {
      modelId: MODEL,
      deploymentId: SEARCH_ID,
      priority: "normal",
      numberOfAllocations: options.searchAllocations ?? 1,
      threadsPerAllocation: options.searchThreads ?? 1,
    };
    if (options.searchState !== undefined) searchArgs.state = options.searchState;
    const search = new TrainedModelDeployment("search", searchArgs);
    const ingest = new TrainedModelDeployment("ingest", {
      modelId: MODEL,
      deploymentId: INGEST_ID,
      priority: "low",
    });
    return {
      searchDeploymentId: search.deploymentId,
      searchAllocationState: search.allocationState,
      searchAllocationCount: search.allocationCount,
      ingestDeploymentId: ingest.deploymentId,
      ingestAllocationState: ingest.allocationState,
    };
  };
}

/** One deployment per entry of `deployments` (logical name → arguments), exporting each allocation state. */
export function deploymentsProgram(
  deployments: Readonly<Record<string, TrainedModelDeploymentArgs>>,
): PulumiFn {
  return async () => {
    const outputs: Record<string, unknown> = {};
    for (const [name, args] of Object.entries(deployments)) {
      outputs[name] = new TrainedModelDeployment(name, args).allocationState;
    }
    return outputs;
  };
}
