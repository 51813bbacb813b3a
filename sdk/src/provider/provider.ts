/**
 * The lifecycle of a `TrainedModelDeployment` (issue #4): what each dynamic-provider method does against
 * Elasticsearch. One instance lives per provider process (see `index.ts`); tests make their own with
 * shrunken timings and a collecting progress sink.
 *
 * Invariants:
 * - Once a `_start` or `_update` was applied, any later failure of the same call is a partial failure
 *   ({@link PartialFailureError}): the engine records the deployment, and the next `up` resumes (the engine
 *   then calls `update` with unchanged inputs, which waits for a starting deployment and starts an absent
 *   one). `_start` is never re-sent blindly (the client settles ambiguous outcomes by reading stats).
 * - A deployment that already runs with the id and that this operation did not start is refused, even when
 *   it matches the declaration (another stack may own it), unless `adoptExisting` (which may also scale it
 *   in place) or a one-time `ELASTICSEARCH_ML_ADOPT_EXISTING=true` (matching ones only) allows it; it is
 *   never silently restarted.
 * - Every operation on a recorded deployment first checks that the endpoint still answers as the cluster
 *   recorded at create (wrong-cluster guard).
 * - Credentials never enter messages or the serialized provider. Stack-config credentials live in this
 *   process's connection settings only; a `connection` argument's are recorded in the outputs (so a
 *   plain destroy can use them), where the resource made them secrets (`connectionArgs.ts`).
 */
import { type DeploymentStats } from "../client";
import { type CheckFailure, checkInputs } from "./check";
import { ProviderConfig, ReceivedConfig } from "./config";
import { type ProviderDependencies, withDefaults } from "./dependencies";
import { Connections } from "./connections";
import { type ConnectionArgument, connectionChangeNotice } from "./connectionInput";
import { diffInputs } from "./diff";
import { ClusterUnreachableError } from "./errors";
import { DEFAULT_WAIT_TIMEOUT_SECONDS, DeploymentInputs, DeploymentOutputs, isPlainObject } from "./inputs";
import { endpointStopNotice, endpointStopVerdict } from "./endpointUse";
import { isReachabilityFailure } from "./readErrors";
import {
  ABSENT,
  compact,
  declaredInputs,
  failedRoutesWarning,
  inputsWithDrift,
  OBSERVED_KEYS,
  observe,
  recordedReady,
} from "./observe";
import { OnceWarnings } from "./progress";
import { plannedStopFlags } from "./plannedStop";
import { connectionFailures, connectSession, Session } from "./session";
import {
  adopt,
  failureReason,
  recordedReferences,
  scale,
  startDeployment,
  waitAndReport,
  waitOptions,
} from "./startStep";
import type { StepContext } from "./stepContext";
import { stopDeploymentStep } from "./stopStep";
import { forceLevers } from "./stopMessages";
import { stopFlagsFromEnv } from "./stopFlags";
import { DEFAULT_TIMING, waitUntilGone } from "./wait";

export type { ProviderDependencies } from "./dependencies";

/** Inputs or outputs as the engine passes them: the plain shape plus `__provider` and anything else. */
type Props = Record<string, unknown>;

/** The engine's result shapes (kept structural so this module needs no `@pulumi/pulumi`). */
export interface CheckResult {
  inputs: Props;
  failures: CheckFailure[];
}
export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}
export interface CreateResult {
  id: string;
  outs: Props;
}
export interface ReadResult {
  id: string;
  props: Props;
  inputs: Props;
}
export interface UpdateResult {
  outs: Props;
}

/** A `TrainedModelDeployment` provider. Methods take and return what the dynamic-provider host does. */
export class DeploymentProvider {
  readonly #deps: ProviderDependencies;
  readonly #warnings: OnceWarnings;
  readonly #connections: Connections;
  readonly #config = new ReceivedConfig();

  constructor(deps: Partial<ProviderDependencies> = {}) {
    this.#deps = withDefaults(deps, DEFAULT_TIMING);
    this.#warnings = new OnceWarnings(this.#deps.progress);
    this.#connections = new Connections(this.#deps.clientOptions, this.#warnings);
  }

  /**
   * Take the stack configuration. Never throws: the host caches the provider before calling this, so a
   * throw would leave later calls running unconfigured. A malformed value is kept and thrown by every
   * operation instead, naming the key.
   */
  configure(get: (key: string) => unknown): void {
    this.#config.receive(get);
  }

  /** Defaults and every Elasticsearch rule, before anything is sent (pure, plus the connection name). */
  check(olds: unknown, news: unknown): CheckResult {
    const config = this.#configOrThrow();
    const { inputs, failures } = checkInputs(olds, news);
    const connection = (inputs as Partial<DeploymentInputs>).connection;
    failures.push(...connectionFailures(config, this.#connections, connection, failures, this.#deps.env()));
    return { inputs: inputs as unknown as Props, failures };
  }

  /**
   * The engine's diff, plus preview warnings when a planned stop will meet referencing pipelines, or inference
   * endpoints that own or use the deployment (refused or let through per the recorded version: endpointUse.ts).
   */
  diff(_id: string, olds: Props, news: Props): DiffResult {
    const result = diffInputs(olds as Partial<DeploymentOutputs>, news as unknown as DeploymentInputs);
    const old = olds as Partial<DeploymentOutputs>;
    const kind = result.plan.kind;
    if (result.plan.connection !== undefined) {
      const id = String(news.deploymentId ?? old.deploymentId);
      this.#deps.progress.warn(
        connectionChangeNotice(id, result.plan.connection, old.connection, news.connection, old.clusterUuid),
      );
    }
    if (result.plan.stopsRunning && (kind === "replace" || kind === "stop" || kind === "repair")) {
      const users = (old.referencingPipelines ?? []).map((p) => `ingest pipeline [${p}]`);
      // The flags the stop will really send: a replacement's stop runs in delete with the OLD outputs'.
      const planned = plannedStopFlags(
        kind,
        old.stop,
        news.stop,
        stopFlagsFromEnv(this.#deps.env()),
        this.#configOrThrow().stopFlags,
      );
      if (users.length > 0 && planned.resolved.flags.force !== true) {
        this.#warnings.warn(
          `stop-users:${String(old.deploymentId)}`,
          `${String(old.deploymentId)}: this change stops the deployment, which ${users.join(", ")} used at the last ` +
            "refresh; Elasticsearch refuses to stop a deployment in use unless forced (stop.force, " +
            "elasticsearch-ml:force or ELASTICSEARCH_ML_FORCE=true)" +
            (planned.from === "old"
              ? ". The replacement stops the old deployment with the stop flags recorded for it, so a stop.force " +
                `in the new declaration does not apply to this stop. ${forceLevers(planned.operation, planned.resolved)}`
              : ""),
        );
      }
      const forced = planned.resolved.flags.force === true;
      const notice = endpointStopNotice(
        String(old.deploymentId),
        old.inferenceEndpoints ?? [],
        old.esVersion,
        forced,
      );
      if (notice !== undefined) {
        const levers =
          forced || endpointStopVerdict(old.esVersion) === "goes-through"
            ? ""
            : ` ${forceLevers(planned.operation, planned.resolved)}`;
        this.#warnings.warn(`stop-endpoints:${String(old.deploymentId)}`, notice + levers);
      }
    }
    return {
      changes: result.changes,
      replaces: result.replaces,
      deleteBeforeReplace: result.deleteBeforeReplace,
    };
  }

  /**
   * Start the deployment (or adopt an existing one, see `adoption.ts`) and wait for `waitFor`. A declared `stopped` deployment
   * creates nothing. At the deadline, or on a failure after the start, throws a {@link PartialFailureError}.
   */
  async create(props: Props): Promise<CreateResult> {
    const inputs = props as unknown as DeploymentInputs;
    const id = inputs.deploymentId;
    if (inputs.state === "stopped") {
      this.#deps.progress.info(`${id}: declared stopped; nothing is started`);
      return { id, outs: compact({ ...props, ...ABSENT }) };
    }
    const session = await this.#connect(inputs.connection, undefined, "create", id);
    const deadline = this.#deadline(inputs);
    // Expected absent, so not batched: an explicit id that matches nothing fails a whole `_stats` request.
    let stats = await session.client.getDeploymentStats(id);
    if (stats?.state === "stopping") {
      await waitUntilGone(waitOptions(this.#deps, session, inputs, deadline));
      stats = undefined;
    }
    const outs = stats
      ? await adopt(this.#stepContext(), session, props, stats, deadline, "found")
      : await startDeployment(this.#stepContext(), session, props, deadline);
    return { id, outs };
  }

  /**
   * Bring the deployment to the new declaration: `_update` for scaling, stop for `started → stopped`, start
   * for `stopped → started`; with nothing to change (the engine calls `update` after a partial failure),
   * wait for a deployment that is still starting and start one that is absent.
   */
  async update(id: string, olds: Props, news: Props): Promise<UpdateResult> {
    const old = olds as Partial<DeploymentOutputs>;
    const inputs = news as unknown as DeploymentInputs;
    const deploymentId = inputs.deploymentId ?? id;
    let plan = diffInputs(old, inputs).plan;

    if (inputs.state === "stopped") {
      if (plan.kind !== "stop") {
        // Stays stopped: the new values are recorded and applied by the next start (a new connection
        // is verified first, so what gets recorded works).
        if (plan.connection) await this.#connect(inputs.connection, old.clusterUuid, "update", deploymentId);
        return { outs: compact({ ...news, ...recordedObservation(old) }) };
      }
      const session = await this.#connect(inputs.connection, old.clusterUuid, "stop", deploymentId);
      await stopDeploymentStep(
        this.#stepContext(),
        session,
        deploymentId,
        "stop",
        old,
        inputs.stop,
        inputs.waitTimeoutSeconds,
      );
      const lookups = await recordedReferences(this.#stepContext(), session, inputs);
      return { outs: compact({ ...news, clusterUuid: session.clusterUuid, ...ABSENT, ...lookups }) };
    }

    if ((plan.kind === "record-only" || plan.kind === "reconnect") && recordedReady(old)) {
      // A new connection: `GET /` checks the credentials and the cluster; nothing else is sent.
      if (plan.connection) await this.#connect(inputs.connection, old.clusterUuid, "update", deploymentId);
      return { outs: compact({ ...news, ...recordedObservation(old) }) };
    }
    const session = await this.#connect(inputs.connection, old.clusterUuid, "update", deploymentId);
    const deadline = this.#deadline(inputs);
    // Recorded, so expected to exist: the read joins the other updates' (statsPoll.ts).
    let stats = await session.client.pollDeploymentStats(deploymentId);
    if (stats?.state === "stopping") {
      await waitUntilGone(waitOptions(this.#deps, session, inputs, deadline));
      stats = undefined;
    }
    if (plan.kind === "repair") {
      if (stats?.state === "failed") {
        // It serves nothing: stop it (usual flags, usual 409 if pipelines use it), then start it as declared.
        this.#deps.progress.info(
          `${deploymentId}: Elasticsearch reports it failed (${failureReason(stats)}); stopping it to start it again`,
        );
        await stopDeploymentStep(
          this.#stepContext(),
          session,
          deploymentId,
          "repair",
          old,
          inputs.stop,
          inputs.waitTimeoutSeconds,
        );
        stats = undefined;
      } else if (stats !== undefined) {
        // It recovered since the refresh: plan against what runs now.
        plan = diffInputs({ ...old, effective: observe(stats).effective }, inputs).plan;
      }
    }
    let outs: Props;
    if (stats === undefined) {
      if (plan.kind !== "start" && plan.kind !== "repair") {
        this.#deps.progress.info(`${deploymentId}: not running in Elasticsearch; starting it`);
      }
      outs = await startDeployment(this.#stepContext(), session, news, deadline);
    } else if (plan.kind === "start") {
      // Recorded as stopped, but a deployment with the id runs: the same rules as at create.
      outs = await adopt(this.#stepContext(), session, news, stats, deadline, "found");
    } else if (plan.scaling) {
      outs = await scale(this.#stepContext(), session, news, plan.scaling, deadline);
    } else {
      outs = await waitAndReport(this.#stepContext(), session, news, { waitFor: inputs.waitFor }, deadline);
    }
    return { outs };
  }

  /**
   * Stop the deployment with the effective stop flags. Already gone is success (with a warning); a 409
   * names the referencing pipelines and how to force the stop. A resource declared and seen stopped owns
   * nothing in Elasticsearch, so its delete sends nothing.
   */
  async delete(id: string, props: Props): Promise<void> {
    const old = props as Partial<DeploymentOutputs>;
    const deploymentId = old.deploymentId ?? id;
    if (old.state === "stopped" && (old.effective?.state ?? "stopped") === "stopped") return;
    const session = await this.#connect(old.connection, old.clusterUuid, "delete", deploymentId);
    await stopDeploymentStep(
      this.#stepContext(),
      session,
      deploymentId,
      "delete",
      old,
      undefined,
      old.waitTimeoutSeconds,
    );
  }

  /**
   * Read back everything Elasticsearch reports. An absent deployment is reported `stopped` (never gone),
   * so the next `up` starts it again; an unreachable cluster fails the refresh (the resource stays in
   * state). Returns `inputs` with drifted declared values swapped in, so the next preview shows the drift.
   */
  async read(id: string, props: Props): Promise<ReadResult> {
    const old = props as Partial<DeploymentOutputs>;
    const declared = declaredInputs(props);
    const deploymentId = declared.deploymentId ?? id;
    let stats: DeploymentStats | undefined;
    let session: Session;
    try {
      session = await this.#connect(declared.connection, old.clusterUuid, "refresh", deploymentId);
      // Recorded, so expected to exist: a refresh of many deployments shares its `_stats` requests.
      stats = await session.client.pollDeploymentStats(deploymentId);
    } catch (err) {
      // Only "no answer" (connect errors, timeouts, 5xx after the client's retries, any 408) is an outage:
      // say that the state is kept. Anything else (TLS trust, version, an unexpected response, a closed
      // client, a refusal such as 401/403) says what to fix and is rethrown as is.
      if (!isReachabilityFailure(err)) throw err;
      throw new ClusterUnreachableError(
        `Refresh could not read deployment [${deploymentId}]: ${(err as Error).message}. The resource stays in ` +
          "the stack unchanged; refresh again once the cluster answers.",
        { cause: err },
      );
    }
    const observation = observe(stats);
    const routesWarning = failedRoutesWarning(deploymentId, observation);
    if (routesWarning !== undefined) this.#deps.progress.warn(routesWarning);
    const lookups = await recordedReferences(this.#stepContext(), session, declared);
    return {
      id: deploymentId,
      props: compact({ ...declared, clusterUuid: session.clusterUuid, ...observation, ...lookups }),
      inputs: compact(inputsWithDrift(declared, observation.effective ?? {})) as unknown as Props,
    };
  }

  /** Close every client (tests). */
  close(): Promise<void> {
    return this.#connections.closeAll();
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  /** What the steps in their own modules need of this provider: its dependencies and configuration. */
  #stepContext(): StepContext {
    return { deps: this.#deps, config: this.#configOrThrow(), warnings: this.#warnings };
  }

  #configOrThrow(): ProviderConfig {
    return this.#config.get();
  }

  /** Connect, read the cluster's identity, and refuse a cluster other than the recorded one. */
  #connect(
    connection: ConnectionArgument,
    recordedUuid: string | undefined,
    operation: string,
    deploymentId: string,
  ): Promise<Session> {
    return connectSession(
      this.#connections,
      this.#configOrThrow(),
      this.#deps.env(),
      connection,
      recordedUuid,
      {
        operation,
        kind: "deployment",
        id: deploymentId,
      },
    );
  }

  #deadline(inputs: DeploymentInputs): number {
    const seconds =
      typeof inputs.waitTimeoutSeconds === "number"
        ? inputs.waitTimeoutSeconds
        : DEFAULT_WAIT_TIMEOUT_SECONDS;
    return this.#deps.clock.now() + seconds * 1000;
  }
}

/** The observed part of recorded outputs (for updates that make no call). */
function recordedObservation(old: Partial<DeploymentOutputs>): Props {
  const out: Props = {};
  for (const key of OBSERVED_KEYS) {
    if (old[key] !== undefined) out[key] = old[key];
  }
  if (!isPlainObject(out.effective)) out.effective = { state: "stopped" };
  return out;
}
