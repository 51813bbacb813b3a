/**
 * The lifecycle of an `InferenceEndpoint` (issue #14). One instance lives per provider process (`index.ts`).
 *
 * Invariants:
 * - `check` and `diff` send nothing; `diff` decides in place vs. replacement from the recorded version.
 * - A create is sent once: after a timeout, 408 or 502, `GET _inference/<task>/<id>` settles it (the
 *   client's `putInferenceEndpoint`); then the provider waits, bounded by `waitTimeoutSeconds`, until the
 *   deployment is allocated. An endpoint that exists but did not get there is recorded `ready: false` (a
 *   partial failure) and the next `up` waits again instead of creating it a second time.
 * - A delete is refused while pipelines or `semantic_text` fields reference the endpoint (Elasticsearch's
 *   dry run names them), unless forced by the endpoint's own flag.
 * - Every operation on a recorded endpoint first checks the cluster uuid (the shared wrong-cluster guard).
 */
import { type InferenceEndpoint, isEndpointAlreadyExists, isNotFound, ResponseError } from "../../client";
import { ProviderConfig, ReceivedConfig } from "../config";
import { type ProviderDependencies, withDefaults } from "../dependencies";
import { type ConnectionArgument, connectionChange } from "../connectionInput";
import { Connections } from "../connections";
import {
  ClusterUnreachableError,
  EndpointExistsError,
  EndpointGoneError,
  EndpointInUseError,
} from "../errors";
import { OnceWarnings } from "../progress";
import { isReachabilityFailure } from "../readErrors";
import { connectionFailures, connectSession, type Session } from "../session";
import { DEFAULT_TIMING } from "../wait";
import { checkEndpointInputs } from "./check";
import { diffEndpointInputs } from "./diff";
import {
  FORCE_DELETE_ENDPOINTS_ENV_VAR,
  FORCE_DELETE_ENDPOINTS_KEY,
  resolveEndpointForceDelete,
} from "./forceDelete";
import type { EndpointInputs, EndpointOutputs } from "./inputs";
import { createBody, declaredInputs, updateBody } from "./outputs";
import { describeReferences, inUseMessage, lookUpReferences } from "./references";
import { reportEndpoint, settleEndpoint } from "./settle";

type Props = Record<string, unknown>;

/** What an endpoint provider depends on; every field has a production default. */
export type EndpointProviderDependencies = ProviderDependencies;

/** An `InferenceEndpoint` provider. Methods take and return what the dynamic-provider host does. */
export class EndpointProvider {
  readonly #deps: EndpointProviderDependencies;
  readonly #warnings: OnceWarnings;
  readonly #connections: Connections;
  readonly #config = new ReceivedConfig();

  constructor(deps: Partial<EndpointProviderDependencies> = {}) {
    this.#deps = withDefaults(deps, DEFAULT_TIMING);
    this.#warnings = new OnceWarnings(this.#deps.progress);
    this.#connections = new Connections(this.#deps.clientOptions, this.#warnings);
  }

  /** Take the stack configuration; never throws (a malformed value is thrown by every operation instead). */
  configure(get: (key: string) => unknown): void {
    this.#config.receive(get);
  }

  /** Every rule and the connection's settings; nothing is sent. */
  async check(olds: unknown, news: unknown) {
    const config = this.#configOrThrow();
    const { inputs, failures } = checkEndpointInputs(olds, news);
    failures.push(
      ...connectionFailures(config, this.#connections, inputs.connection, failures, this.#deps.env()),
    );
    return { inputs: inputs as unknown as Props, failures };
  }

  /** In place or replacement, said at preview from what the last create or refresh recorded. */
  async diff(_id: string, olds: Props, news: Props) {
    const old = olds as Partial<EndpointOutputs>;
    const inputs = news as unknown as EndpointInputs;
    const result = diffEndpointInputs(old, inputs);
    const id = String(old.inferenceId ?? inputs.inferenceId);
    if (result.replaces.length > 0) {
      const refs = old.references;
      const used = refs && refs.pipelines.length + refs.indexes.length > 0;
      this.#warnings.warn(
        `replace:${id}:${result.reasons.join(";")}`,
        `inference endpoint ${id}: replaced (deleted, then created with the same id): ${result.reasons.join("; ")}.` +
          (used
            ? ` At the last create or refresh it was referenced by ${describeReferences(refs)}: the delete is ` +
              `refused unless forced (forceDelete, ${FORCE_DELETE_ENDPOINTS_ENV_VAR}=true or ` +
              `${FORCE_DELETE_ENDPOINTS_KEY}); forced, ingest and semantic_text indexing fail until the new ` +
              "endpoint is allocated."
            : ""),
      );
    } else if (result.scaleInPlace) {
      this.#warnings.warn(
        `scale:${id}:${result.reasons.join(";")}`,
        `inference endpoint ${id}: ${result.reasons.join("; ")}`,
      );
    }
    return {
      changes: result.changes,
      replaces: result.replaces,
      deleteBeforeReplace: result.deleteBeforeReplace,
    };
  }

  /** Create the endpoint (settling an ambiguous answer by reading it) and wait until its deployment is allocated. */
  async create(props: Props) {
    const inputs = props as unknown as EndpointInputs;
    const session = await this.#connect(inputs.connection, undefined, "create", inputs.inferenceId);
    const { client } = session;
    const deadline = this.#deps.clock.now() + inputs.waitTimeoutSeconds * 1000;
    this.#deps.progress.info(
      `${inputs.inferenceId}: creating the ${inputs.taskType} endpoint (service ${inputs.service})`,
    );
    let endpoint: InferenceEndpoint;
    try {
      const put = await client.putInferenceEndpoint({
        taskType: inputs.taskType,
        inferenceId: inputs.inferenceId,
        body: createBody(inputs),
        timeoutMs: inputs.waitTimeoutSeconds * 1000,
      });
      endpoint = put.endpoint;
      if (put.outcome === "created-after-ambiguous-failure") {
        this.#deps.progress.info(
          `${inputs.inferenceId}: the create answered ${describeCause(put.cause)}, but GET _inference shows the ` +
            "endpoint stored (Elasticsearch goes on downloading and deploying); not sending it again",
        );
      }
    } catch (err) {
      if (isEndpointAlreadyExists(err)) {
        throw new EndpointExistsError(
          `Inference endpoint [${inputs.inferenceId}] already exists in the cluster and was not created by this ` +
            "resource: delete it (DELETE _inference/<id>) or give this resource another inferenceId",
          { cause: err },
        );
      }
      throw err;
    }
    const outs = await settleEndpoint(this.#deps, session, props, endpoint, deadline);
    return { id: inputs.inferenceId, outs };
  }

  /** Scale in place through `_update`, record provider settings, or finish a create that timed out. */
  async update(_id: string, olds: Props, news: Props) {
    const old = olds as Partial<EndpointOutputs>;
    const inputs = news as unknown as EndpointInputs;
    const result = diffEndpointInputs(old, inputs);
    if (
      !result.scaleInPlace &&
      !result.incomplete &&
      connectionChange(old.connection, inputs.connection) === undefined
    ) {
      return { outs: { ...observed(old), ...news } };
    }
    const session = await this.#connect(inputs.connection, old.clusterUuid, "update", inputs.inferenceId);
    const deadline = this.#deps.clock.now() + inputs.waitTimeoutSeconds * 1000;
    let endpoint: InferenceEndpoint | undefined;
    if (result.scaleInPlace) {
      this.#deps.progress.info(`${inputs.inferenceId}: updating in place (${result.reasons.join("; ")})`);
      endpoint = await session.client.updateInferenceEndpoint(
        inputs.taskType,
        inputs.inferenceId,
        updateBody(inputs),
      );
    }
    endpoint = (await session.client.getInferenceEndpoint(inputs.inferenceId, inputs.taskType)) ?? endpoint;
    if (endpoint === undefined) {
      throw new EndpointGoneError(
        `Inference endpoint [${inputs.inferenceId}] is gone from the cluster (deleted outside Pulumi); run ` +
          "pulumi refresh, which drops it from the stack, then pulumi up creates it again",
      );
    }
    return { outs: await settleEndpoint(this.#deps, session, news, endpoint, deadline) };
  }

  /** Read the endpoint back: allocation drift for fixed counts, an endpoint removed out of band. */
  async read(id: string, props: Props) {
    const old = props as Partial<EndpointOutputs>;
    const inferenceId = old.inferenceId ?? id;
    let session: Session;
    let endpoint: InferenceEndpoint | undefined;
    try {
      session = await this.#connect(old.connection, old.clusterUuid, "refresh", inferenceId);
      endpoint = await session.client.getInferenceEndpoint(inferenceId, old.taskType);
    } catch (err) {
      if (!isReachabilityFailure(err)) throw err;
      throw new ClusterUnreachableError(
        `Refresh could not read inference endpoint [${inferenceId}]: ${(err as Error).message}. The resource ` +
          "stays in the stack unchanged; refresh again once the cluster answers.",
        { cause: err },
      );
    }
    if (endpoint === undefined) {
      this.#deps.progress.warn(
        `${inferenceId}: not in the cluster (deleted outside Pulumi); refresh removes it from the stack and the ` +
          "next pulumi up creates it again",
      );
      return { id: "", props: {}, inputs: {} };
    }
    // The count as seen goes into the outputs too: the next diff compares the declaration with it and
    // sets it back in place.
    const inputs = declaredInputs(props, endpoint);
    const seen = { ...props, serviceSettings: inputs.serviceSettings };
    const outs = await reportEndpoint(session, seen, endpoint, old.ready !== false);
    return { id: inferenceId, props: outs, inputs };
  }

  /** Delete the endpoint, refused while pipelines or semantic_text fields reference it unless forced. */
  async delete(id: string, props: Props): Promise<void> {
    const old = props as Partial<EndpointOutputs>;
    const inferenceId = old.inferenceId ?? id;
    const taskType = old.taskType as string;
    const session = await this.#connect(old.connection, old.clusterUuid, "delete", inferenceId);
    const { client } = session;
    const gone = () =>
      this.#deps.progress.warn(
        `${inferenceId}: already gone from the cluster (someone deleted it); nothing to delete`,
      );
    if ((await client.getInferenceEndpoint(inferenceId, taskType)) === undefined) return gone();
    const forced = resolveEndpointForceDelete(
      this.#deps.env(),
      old.forceDelete,
      this.#configOrThrow().forceDeleteEndpoints,
    );
    const refs = await lookUpReferences(client, taskType, inferenceId);
    if (refs.pipelines.length + refs.indexes.length > 0) {
      if (!forced.force) throw new EndpointInUseError(inUseMessage(inferenceId, refs), refs);
      this.#deps.progress.warn(
        `${inferenceId}: force-deleting (forceDelete from the ${forced.source}) although ${describeReferences(refs)} ` +
          "reference it; they fail until an endpoint with this id is back",
      );
    }
    const owned = old.ownsDeployment === true;
    this.#deps.progress.info(
      `${inferenceId}: deleting${forced.force ? " (forced)" : ""}${owned ? `; Elasticsearch stops its deployment [${inferenceId}]` : ""}`,
    );
    try {
      await client.deleteInferenceEndpoint(taskType, inferenceId, { force: forced.force });
    } catch (err) {
      if (isNotFound(err)) return gone();
      if (err instanceof ResponseError && (err.statusCode === 409 || err.statusCode === 403)) {
        // A reference appeared between the dry run and the delete: Elasticsearch's refusal, with its words.
        throw new EndpointInUseError(
          inUseMessage(inferenceId, refs, `Elasticsearch: ${err.reason ?? err.message}`),
          refs,
          { cause: err },
        );
      }
      throw err;
    }
    this.#deps.progress.info(`${inferenceId}: deleted`);
  }

  /** Close every client (tests). */
  close(): Promise<void> {
    return this.#connections.closeAll();
  }

  // -------------------------------------------------------------------------------------------

  #configOrThrow(): ProviderConfig {
    return this.#config.get();
  }

  #connect(connection: ConnectionArgument, recordedUuid: string | undefined, operation: string, id: string) {
    return connectSession(
      this.#connections,
      this.#configOrThrow(),
      this.#deps.env(),
      connection,
      recordedUuid,
      {
        operation,
        kind: "inference endpoint",
        id,
      },
    );
  }
}

function describeCause(err: Error): string {
  return err instanceof ResponseError ? `${err.statusCode}` : err.name;
}

/** The observed outputs of a recorded endpoint (for updates that make no call). */
function observed(old: Partial<EndpointOutputs>): Props {
  const keys = [
    "clusterUuid",
    "esVersion",
    "endpoint",
    "deploymentId",
    "ownsDeployment",
    "allocation",
    "ready",
    "references",
  ] as const;
  const out: Props = {};
  for (const key of keys) if (old[key] !== undefined) out[key] = old[key];
  return out;
}
