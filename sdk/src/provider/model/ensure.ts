/**
 * Bringing a `TrainedModel` to fully defined: an Elastic packaged model downloaded (the build chosen, a
 * running download picked up, a dead one restarted), or your own uploaded (an incomplete one deleted
 * first). A failure once the model exists is a partial failure that records it as not fully defined.
 */
import { ResponseError, type TrainedModelConfig } from "../../client";
import { ModelExistsError, WaitTimeoutError } from "../errors";
import type { Progress } from "../progress";
import type { Session } from "../session";
import type { Clock, Timing } from "../wait";
import { beginDownload, waitForDownload } from "./download";
import { PLATFORM_SUFFIX, type ModelInputs, type UploadInputs } from "./inputs";
import { partialFailure, reportModel } from "./outputs";
import { choosePackagedBuild, nodesUnfitFor } from "./platform";
import { uploadModel } from "./upload";

type Props = Record<string, unknown>;

/** What the steps need from the provider. */
export interface Steps {
  progress: Progress;
  timing: Timing;
  clock: Clock;
  /** Definition part size in bytes. */
  chunkBytes: number;
}

/** Choose the build, start or pick up the download, wait for it; a failure after the start is partial. */
export async function ensurePackaged(
  steps: Steps,
  session: Session,
  props: Props,
  recordedId: string | undefined,
): Promise<Props> {
  const inputs = props as unknown as ModelInputs;
  let modelId = recordedId;
  if (modelId === undefined) {
    const nodes = inputs.platform === "auto" ? await session.client.getMlNodeOs() : undefined;
    const decision = choosePackagedBuild(inputs.modelId, inputs.platform, nodes);
    if (inputs.platform !== undefined) {
      steps.progress.info(
        `${inputs.modelId}: downloading [${decision.resolvedModelId}] (${decision.reason})`,
      );
    }
    modelId = decision.resolvedModelId;
    if (inputs.platform !== "auto") await warnUnfitNodes(steps, session, modelId);
  }
  const deadline = steps.clock.now() + inputs.waitTimeoutSeconds * 1000;
  const options = {
    client: session.client,
    modelId,
    inputFieldNames: inputs.inputFieldNames,
    deadline,
    waitTimeoutSeconds: inputs.waitTimeoutSeconds,
    timing: steps.timing,
    clock: steps.clock,
    progress: steps.progress,
  };
  await beginDownload(options);
  let model: TrainedModelConfig;
  try {
    model = await waitForDownload(options);
  } catch (err) {
    const next =
      err instanceof WaitTimeoutError
        ? "The download keeps running in Elasticsearch and the model is recorded in the stack: run pulumi up again " +
          "to keep waiting (the running download is picked up, not restarted), or raise waitTimeoutSeconds."
        : "The model is recorded in the stack as not fully defined: run pulumi up again; if no download is running " +
          "then, the incomplete model is deleted and downloaded again.";
    throw partialFailure(session, props, modelId, "packaged", err, next);
  }
  return reportModel(session, props, modelId, model);
}

/** A `_linux-x86_64` build chosen explicitly: say which ML nodes could never run it. */
async function warnUnfitNodes(steps: Steps, session: Session, modelId: string): Promise<void> {
  if (!modelId.endsWith(PLATFORM_SUFFIX)) return;
  let unfit: string[];
  try {
    unfit = nodesUnfitFor(modelId, await session.client.getMlNodeOs());
  } catch (err) {
    // Informative only: without `monitor` the nodes cannot be read, and the download goes on.
    if (err instanceof ResponseError) return;
    throw err;
  }
  if (unfit.length > 0) {
    steps.progress.warn(
      `${modelId}: ML nodes ${unfit.join(", ")} cannot run this linux-x86_64 build; Elasticsearch downloads it ` +
        'but fails every deployment of it on those nodes. Declare the portable id, or platform: "auto".',
    );
  }
}

/** Upload the files (after deleting an incomplete model); a failure after the model exists is partial. */
export async function ensureUploaded(
  steps: Steps,
  session: Session,
  props: Props,
  recordedIncomplete: boolean,
): Promise<Props> {
  const inputs = props as unknown as ModelInputs;
  const modelId = inputs.modelId;
  const upload = inputs.upload as UploadInputs;
  const { client } = session;
  const existing = await client.getTrainedModel(modelId, { includeDefinitionStatus: true });
  if (existing !== undefined) {
    if (existing.fully_defined === true && !recordedIncomplete) {
      throw new ModelExistsError(
        `Model [${modelId}] already exists on cluster [${session.clusterUuid}]. Nothing was changed. An uploaded ` +
          "model is never taken over: Elasticsearch keeps no hash of its definition, so it cannot be compared with " +
          "upload.definitionPath. Delete it (DELETE _ml/trained_models/" +
          `${modelId}) or choose another modelId.`,
      );
    }
    steps.progress.info(
      `${modelId}: ${existing.fully_defined === true ? "recorded as incompletely uploaded" : "found incomplete (an interrupted upload)"}; ` +
        "Elasticsearch cannot tell which parts arrived, so it is deleted and uploaded again",
    );
    // Forced: a model that is not fully defined serves nothing, and a pipeline naming it must not block this.
    await client.deleteTrainedModel(modelId, { force: true });
  }
  let files;
  try {
    files = await uploadModel({
      client,
      modelId,
      upload,
      chunkBytes: steps.chunkBytes,
      progress: steps.progress,
    });
  } catch (err) {
    // Nothing to record when the model was not even created (the configuration was refused, a file is unreadable).
    let created = true;
    try {
      created = (await client.getTrainedModel(modelId)) !== undefined;
    } catch {
      // Unknown: record it, so the next `up` checks.
    }
    if (!created) throw err;
    throw partialFailure(
      session,
      props,
      modelId,
      "upload",
      err,
      "The model is half-defined in the cluster and recorded in the stack as not fully defined: run pulumi up " +
        "again to delete it and upload it again (Elasticsearch cannot tell which parts arrived).",
    );
  }
  const model = await client.getTrainedModel(modelId, { includeDefinitionStatus: true });
  if (model?.fully_defined !== true) {
    throw partialFailure(
      session,
      props,
      modelId,
      "upload",
      new Error(`Model [${modelId}] was uploaded but Elasticsearch does not report it fully defined`),
      "It is recorded as not fully defined: run pulumi up again to delete it and upload it again.",
    );
  }
  steps.progress.info(`${modelId}: uploaded (fully defined, definition SHA-256 ${files.definition.sha256})`);
  return reportModel(session, { ...props, uploadedFiles: files }, modelId, model);
}
