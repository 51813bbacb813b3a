/**
 * The inline programs the scenarios run. Where an example fits, it is the example's exported `program`
 * (what users copy): the quickstart's two deployments of one model for create, scale, drift and secrets,
 * the teardown example for the stop flags. Scenarios that need a setting no example exposes (threads,
 * `state`, `waitTimeoutSeconds`, `adoptExisting`, twenty deployments) declare their program here.
 *
 * Programs are functions of their options, so a scenario changes a declared value by handing the stack
 * a new program (`stack.setProgram`).
 */
import type { OutputMap, PulumiFn } from "@pulumi/pulumi/automation";
import * as quickstart from "example-quickstart";
import * as teardown from "example-teardown";
import { TrainedModelDeployment, type TrainedModelDeploymentArgs } from "pulumi-elasticsearch-ml";

/** The one model every scenario deploys (uploaded to the emulator by `freshCluster`). */
export const MODEL = quickstart.MODEL_ID;

/** Ids of the quickstart's two deployments (and of {@link twoDeployments}). */
export const SEARCH_ID = quickstart.SEARCH_DEPLOYMENT_ID;
export const INGEST_ID = quickstart.INGEST_DEPLOYMENT_ID;

/** The shape of the quickstart's stack outputs (also {@link twoDeployments}'). */
export interface PairOutputs {
  search: { deploymentId: string; allocations?: number; allocationState?: string };
  ingest: { deploymentId: string; allocationState?: string; referencingPipelines?: string[] };
}

/** The quickstart's outputs, read from an operation's result. */
export function pairOutputs(outputs: OutputMap): PairOutputs {
  return { search: outputs.search?.value ?? {}, ingest: outputs.ingest?.value ?? {} } as PairOutputs;
}

/**
 * The quickstart example: `search` (normal priority, `searchAllocations` allocations) and `ingest` (low
 * priority) deployments of one model.
 */
export function quickstartProgram(searchAllocations?: number): PulumiFn {
  return () => quickstart.program({ modelId: MODEL, searchAllocations });
}

/** What a scenario varies on the `search` deployment of {@link twoDeployments}. */
export interface TwoDeploymentsOptions {
  searchThreads?: number;
  searchState?: "started" | "stopped";
}

/**
 * The quickstart's two deployments (same names, ids, priorities and outputs) with the two settings the
 * quickstart does not expose: `threadsPerAllocation` (declared, 1 by default, so a change prints
 * `1 => 2`) and `state` of `search`.
 */
export function twoDeployments(options: TwoDeploymentsOptions = {}): PulumiFn {
  return async () => {
    const searchArgs: TrainedModelDeploymentArgs = {
      modelId: MODEL,
      deploymentId: SEARCH_ID,
      numberOfAllocations: 1,
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
      search: {
        deploymentId: search.deploymentId,
        allocations: search.allocationCount,
        allocationState: search.allocationState,
      },
      ingest: { deploymentId: ingest.deploymentId, allocationState: ingest.allocationState },
    };
  };
}

/** Ids of the teardown example's deployments. */
export const TEARDOWN_SEARCH_ID = "teardown-search";
export const TEARDOWN_INGEST_ID = "teardown-ingest";

/**
 * The teardown example: `search` follows the stack config's stop flags, `ingest` carries its own
 * (`force` and `finishPendingWork`).
 */
export function teardownProgram(): PulumiFn {
  return () =>
    teardown.program({
      modelId: MODEL,
      searchDeploymentId: TEARDOWN_SEARCH_ID,
      ingestDeploymentId: TEARDOWN_INGEST_ID,
    });
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
