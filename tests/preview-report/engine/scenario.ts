/**
 * The stack the golden previews are made from: real `TrainedModelDeployment`s on the emulator, a first
 * program that `up` applies, and a second whose preview holds every operation the report describes.
 *
 * | resource | before (applied) | after (previewed) | expected |
 * |---|---|---|---|
 * | `scale` | 2 allocations | 4 allocations | in-place scale, +2 vCPUs |
 * | `restart` | 1 thread | 2 threads | replace (restart), +1 vCPU |
 * | `halt` | started | `state: "stopped"` | stop; `halt-ingest` names it, so refused without force |
 * | `doomed` | started, `stop: { force: true }` | removed | delete with force; `doomed-ingest` uses its alias: breaks |
 * | `auto` | 1 allocation | adaptive 1–4 | switches to adaptive, +0 to +3 vCPUs |
 * | `steady` | started | unchanged | no change; stopped out of band, so drift |
 * | `fresh` | — | 1 allocation | create, +1 vCPU |
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { esCall, putInferencePipeline, putTinyPytorchModel, type SetupTarget } from "../../client/fixtures";

export const CLUSTER_UUID = "preview-report-cluster";
export const MODELS = [
  "tiny-scale",
  "tiny-restart",
  "tiny-halt",
  "tiny-doomed",
  "tiny-auto",
  "tiny-steady",
  "tiny-fresh",
];
export const DOOMED_ALIAS = "doomed-alias";

/** Emulator options for the scenario (fast starts; room for every deployment). */
export const EMULATOR_OPTIONS = {
  clusterUuid: CLUSTER_UUID,
  startDelayMs: 5,
  stopDelayMs: 1,
  mlNodes: 2,
  processorsPerNode: 8,
} as const;

/** Models, an alias and the ingest pipelines the report must find. */
export async function seedCluster(es: SetupTarget): Promise<void> {
  for (const model of MODELS) await putTinyPytorchModel(es, model);
  // Reassigning an alias needs a deployed target, a fresh one does not.
  await esCall(es, "PUT", `/_ml/trained_models/tiny-doomed/model_aliases/${DOOMED_ALIAS}`);
  await putInferencePipeline(es, "halt-ingest", "tiny-halt");
  await putInferencePipeline(es, "doomed-ingest", DOOMED_ALIAS, true);
  await putInferencePipeline(es, "scale-ingest", "tiny-scale");
}

/** The program `up` applies. */
export const programBefore: PulumiFn = async () => {
  new TrainedModelDeployment("scale", { modelId: "tiny-scale", numberOfAllocations: 2 });
  new TrainedModelDeployment("restart", {
    modelId: "tiny-restart",
    numberOfAllocations: 1,
    threadsPerAllocation: 1,
  });
  new TrainedModelDeployment("halt", { modelId: "tiny-halt" });
  new TrainedModelDeployment("doomed", { modelId: "tiny-doomed", stop: { force: true } });
  new TrainedModelDeployment("auto", { modelId: "tiny-auto", numberOfAllocations: 1 });
  new TrainedModelDeployment("steady", { modelId: "tiny-steady" });
};

/** The program previewed: every operation at once. */
export const programAfter: PulumiFn = async () => {
  new TrainedModelDeployment("scale", { modelId: "tiny-scale", numberOfAllocations: 4 });
  new TrainedModelDeployment("restart", {
    modelId: "tiny-restart",
    numberOfAllocations: 1,
    threadsPerAllocation: 2,
  });
  new TrainedModelDeployment("halt", { modelId: "tiny-halt", state: "stopped" });
  new TrainedModelDeployment("auto", {
    modelId: "tiny-auto",
    adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
  });
  new TrainedModelDeployment("steady", { modelId: "tiny-steady" });
  new TrainedModelDeployment("fresh", { modelId: "tiny-fresh" });
};
