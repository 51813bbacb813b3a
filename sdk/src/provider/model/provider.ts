/**
 * The lifecycle of a `TrainedModel` (issue #13): an Elastic packaged model downloaded by the cluster, or a
 * model of your own uploaded from eland's files. One instance lives per provider process (see `index.ts`).
 *
 * Invariants:
 * - `check` and `diff` send nothing (preview stays request-free); `diff` reads the upload's files only when
 *   their size or time changed (see `files.ts`).
 * - A model that exists but is not fully defined after an operation is recorded as such (a partial
 *   failure), and the next `up` finishes it: a running download is waited for, a dead one restarted, an
 *   interrupted upload deleted and uploaded again. It is never left half-defined without saying so.
 * - Every operation on a recorded model first checks that the endpoint still answers as the cluster the
 *   model was created on (the wrong-cluster guard shared with deployments).
 * - A delete is refused while anything uses the model, unless forced by the model's own flag.
 */
import { isNotFound, ResponseError, type TrainedModelConfig } from "../../client";
import { ProviderConfig, ReceivedConfig } from "../config";
import { type ProviderDependencies, withDefaults } from "../dependencies";
import { Connections } from "../connections";
import { ClusterUnreachableError, ModelInUseError } from "../errors";
import { isPlainObject, isUnknown } from "../inputs";
import { type ConnectionArgument, connectionChange, connectionChangeNotice } from "../connectionInput";
import { OnceWarnings } from "../progress";
import { isReachabilityFailure } from "../readErrors";
import { connectionFailures, connectSession, Session } from "../session";
import { DEFAULT_TIMING, Timing } from "../wait";
import { checkModelInputs } from "./check";
import { CurrentFiles, diffModelInputs } from "./diff";
import { ensurePackaged, ensureUploaded } from "./ensure";
import { currentFileRecord, sameRecord, statFile } from "./files";
import { resolveForceDelete } from "./forceDelete";
import { isPackagedId, KNOWN_PACKAGED_MODELS, ModelInputs, ModelOutputs, UploadInputs } from "./inputs";
import { declaredInputs, observed, reportModel } from "./outputs";
import { DEFAULT_CHUNK_BYTES } from "./upload";
import { describeUsers, hasUsers, inUseMessage, lookUpModelUsers } from "./users";

type Props = Record<string, unknown>;

/** Poll timings for downloads: a download takes minutes, so polls are sparser than a deployment's. */
export const MODEL_TIMING: Timing = Object.freeze({
  ...DEFAULT_TIMING,
  pollInitialMs: 1000,
  pollMaxMs: 3000,
});

/** What a model provider depends on; every field has a production default. */
export interface ModelProviderDependencies extends ProviderDependencies {
  /** Definition part size in bytes (default eland's 4 MiB). */
  chunkBytes: number;
}

/** A `TrainedModel` provider. Methods take and return what the dynamic-provider host does. */
export class ModelProvider {
  readonly #deps: ModelProviderDependencies;
  readonly #warnings: OnceWarnings;
  readonly #connections: Connections;
  readonly #hashes = new Map<string, string>();
  readonly #config = new ReceivedConfig();

  constructor(deps: Partial<ModelProviderDependencies> = {}) {
    this.#deps = { ...withDefaults(deps, MODEL_TIMING), chunkBytes: deps.chunkBytes ?? DEFAULT_CHUNK_BYTES };
    this.#warnings = new OnceWarnings(this.#deps.progress);
    this.#connections = new Connections(this.#deps.clientOptions, this.#warnings);
  }

  /** Take the stack configuration; never throws (a malformed value is thrown by every operation instead). */
  configure(get: (key: string) => unknown): void {
    this.#config.receive(get);
  }

  /** Every rule, the connection, and whether the upload's files exist (a `stat`; nothing is read or sent). */
  async check(olds: unknown, news: unknown) {
    const config = this.#configOrThrow();
    const { inputs, failures } = checkModelInputs(olds, news);
    const id = inputs.modelId;
    if (typeof id === "string" && isPackagedId(id) && !Object.hasOwn(KNOWN_PACKAGED_MODELS, id)) {
      // Not refused: Elasticsearch may offer models newer than this package. A typo shows here, at preview.
      this.#warnings.warn(
        `unknown-package:${id}`,
        `${id}: not one of the packaged models this version knows (${Object.keys(KNOWN_PACKAGED_MODELS).join(", ")}); ` +
          "the cluster decides whether Elastic's repository has it",
      );
    }
    // The connection's settings too (nothing is sent), by the rules every resource shares (`session.ts`).
    failures.push(
      ...connectionFailures(config, this.#connections, inputs.connection, failures, this.#deps.env()),
    );
    const upload = inputs.upload;
    if (isPlainObject(upload)) {
      for (const key of ["definitionPath", "vocabularyPath"] as const) {
        const path = upload[key];
        if (typeof path !== "string" || path === "" || failures.some((f) => f.property === `upload.${key}`))
          continue;
        const facts = await statFile(path);
        if ("problem" in facts) {
          failures.push({
            property: `upload.${key}`,
            reason: `upload.${key}: ${JSON.stringify(path)} ${facts.problem}`,
          });
        }
      }
    }
    return { inputs: inputs as unknown as Props, failures };
  }

  /** Replacement when what the model is changes; the upload's files are hashed only when they changed. */
  async diff(_id: string, olds: Props, news: Props) {
    const old = olds as Partial<ModelOutputs>;
    const inputs = news as unknown as ModelInputs;
    const files = await this.#currentFiles(inputs.upload, old);
    const result = diffModelInputs(old, inputs, files);
    const change = connectionChange(old.connection, inputs.connection);
    if (change !== undefined && result.replaces.length === 0) {
      // A preview sends nothing, so it says what the update will check.
      this.#warnings.warn(
        `reconnect:${String(old.resolvedModelId)}:${JSON.stringify(change)}`,
        connectionChangeNotice(
          `model ${String(old.resolvedModelId ?? inputs.modelId)}`,
          change,
          old.connection,
          inputs.connection,
          old.clusterUuid,
        ),
      );
    }
    return {
      changes: result.changes,
      replaces: result.replaces,
      deleteBeforeReplace: result.deleteBeforeReplace,
    };
  }

  /** Download (packaged) or upload (your own) the model and wait until it is fully defined. */
  async create(props: Props) {
    const inputs = props as unknown as ModelInputs;
    const session = await this.#connect(inputs.connection, undefined, "create", inputs.modelId);
    const outs = isPackagedId(inputs.modelId)
      ? await ensurePackaged(this.#deps, session, props, undefined)
      : await ensureUploaded(this.#deps, session, props, false);
    return { id: outs.resolvedModelId as string, outs };
  }

  /**
   * Record provider settings (and a moved file with the same bytes); finish a model recorded as not fully
   * defined (a timed-out download is waited for, a dead one restarted, an interrupted upload redone).
   */
  async update(_id: string, olds: Props, news: Props) {
    const old = olds as Partial<ModelOutputs>;
    const inputs = news as unknown as ModelInputs;
    if (connectionChange(old.connection, inputs.connection) !== undefined) {
      // The new settings first: GET / checks the credentials and refuses a cluster other than the recorded one.
      await this.#connect(
        inputs.connection,
        old.clusterUuid,
        "update",
        old.resolvedModelId ?? inputs.modelId,
      );
    }
    if (old.fullyDefined === true) {
      const outs: Props = { ...news, ...observed(old) };
      if (inputs.upload !== undefined && old.uploadedFiles !== undefined) {
        outs.uploadedFiles = await this.#fileRecords(inputs.upload, old);
      }
      return { outs };
    }
    const session = await this.#connect(inputs.connection, old.clusterUuid, "update", inputs.modelId);
    const outs = isPackagedId(inputs.modelId)
      ? await ensurePackaged(this.#deps, session, news, old.resolvedModelId)
      : await ensureUploaded(this.#deps, session, news, true);
    return { outs };
  }

  /** Read the model back. A model gone from the cluster is reported not fully defined, so the next `up` restores it. */
  async read(id: string, props: Props) {
    const old = props as Partial<ModelOutputs>;
    const modelId = old.resolvedModelId ?? id;
    const declared = declaredInputs(props);
    let model: TrainedModelConfig | undefined;
    let session: Session;
    try {
      session = await this.#connect(old.connection, old.clusterUuid, "refresh", modelId);
      model = await session.client.getTrainedModel(modelId, { includeDefinitionStatus: true });
    } catch (err) {
      if (!isReachabilityFailure(err)) throw err;
      throw new ClusterUnreachableError(
        `Refresh could not read model [${modelId}]: ${(err as Error).message}. The resource stays in the stack ` +
          "unchanged; refresh again once the cluster answers.",
        { cause: err },
      );
    }
    if (model === undefined) {
      this.#deps.progress.warn(
        `${modelId}: not in the cluster (deleted outside Pulumi); the next pulumi up ` +
          `${isPackagedId(modelId) ? "downloads" : "uploads"} it again`,
      );
      return {
        id: modelId,
        props: { ...props, clusterUuid: session.clusterUuid, fullyDefined: false },
        inputs: declared,
      };
    }
    const outs = await reportModel(session, props, modelId, model);
    return { id: modelId, props: outs, inputs: declared };
  }

  /** Delete the model, refused while anything uses it unless forced (its own flag, never the stop `force`). */
  async delete(id: string, props: Props): Promise<void> {
    const old = props as Partial<ModelOutputs>;
    const modelId = old.resolvedModelId ?? id;
    const session = await this.#connect(old.connection, old.clusterUuid, "delete", modelId);
    const { client } = session;
    const model = await client.getTrainedModel(modelId);
    const gone = () =>
      this.#deps.progress.warn(
        `${modelId}: already gone from the cluster (someone deleted it); nothing to delete`,
      );
    if (model === undefined) return gone();
    const forced = resolveForceDelete(
      this.#deps.env(),
      old.forceDelete,
      this.#configOrThrow().forceDeleteModels,
    );
    const lookup = await lookUpModelUsers(client, modelId, model.metadata?.model_aliases ?? []);
    if (hasUsers(lookup.users)) {
      if (!forced.force) {
        throw new ModelInUseError(inUseMessage(modelId, describeUsers(lookup)), lookup.users);
      }
      this.#deps.progress.warn(
        `${modelId}: force-deleting (forceDelete from the ${forced.source}) although ${describeUsers(lookup)} use it; ` +
          "its deployments are stopped and the pipelines fail until a model with this id is back",
      );
    }
    this.#deps.progress.info(`${modelId}: deleting${forced.force ? " (forced)" : ""}`);
    try {
      await client.deleteTrainedModel(modelId, { force: forced.force });
    } catch (err) {
      if (isNotFound(err)) return gone();
      if (err instanceof ResponseError && err.statusCode === 409) {
        // Someone started using it between the lookup and the delete: Elasticsearch's refusal, with its words.
        throw new ModelInUseError(
          inUseMessage(modelId, `(Elasticsearch: ${err.reason ?? err.message})`),
          lookup.users,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
    this.#deps.progress.info(`${modelId}: deleted`);
  }

  /** Close every client (tests). */
  close(): Promise<void> {
    return this.#connections.closeAll();
  }

  // -------------------------------------------------------------------------------------------

  /** The current hashes of the declared files (known paths only): stat-gated, see `files.ts`. */
  async #currentFiles(upload: unknown, old: Partial<ModelOutputs>): Promise<CurrentFiles> {
    if (!isPlainObject(upload) || old.uploadedFiles === undefined) return {};
    const records = await this.#fileRecords(upload as unknown as UploadInputs, old).catch(() => undefined);
    if (records === undefined) return {};
    const recorded = old.uploadedFiles;
    return {
      definitionSha256: records.definition.sha256,
      vocabularySha256: records.vocabulary?.sha256,
      recordsStale:
        !sameRecord(records.definition, recorded.definition) ||
        !sameRecord(records.vocabulary, recorded.vocabulary),
    };
  }

  async #fileRecords(
    upload: UploadInputs,
    old: Partial<ModelOutputs>,
  ): Promise<ModelOutputs["uploadedFiles"]> {
    const recorded = old.uploadedFiles;
    if (typeof upload.definitionPath !== "string" || isUnknown(upload.definitionPath)) return recorded;
    const definition = await currentFileRecord(upload.definitionPath, recorded?.definition, this.#hashes);
    const vocabulary =
      typeof upload.vocabularyPath === "string" && !isUnknown(upload.vocabularyPath)
        ? await currentFileRecord(upload.vocabularyPath, recorded?.vocabulary, this.#hashes)
        : undefined;
    return { definition, ...(vocabulary ? { vocabulary } : {}) };
  }

  #configOrThrow(): ProviderConfig {
    return this.#config.get();
  }

  #connect(
    connection: ConnectionArgument,
    recordedUuid: string | undefined,
    operation: string,
    modelId: string,
  ) {
    return connectSession(
      this.#connections,
      this.#configOrThrow(),
      this.#deps.env(),
      connection,
      recordedUuid,
      {
        operation,
        kind: "model",
        id: modelId,
      },
    );
  }
}
