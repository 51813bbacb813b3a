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
import {
  type ClientOptions,
  type DeploymentStats,
  isDeploymentAlreadyExists,
  isEsClientError,
  isNotFound,
  ResponseError,
} from "../client";
import {
  ADOPT_EXISTING_ENV_VAR,
  type AdoptionOrigin,
  adoptionWaysOut,
  grantAdoption,
  notOursMessage,
} from "./adoption";
import { type CheckFailure, checkInputs } from "./check";
import { EMPTY_PROVIDER_CONFIG, parseProviderConfig, ProviderConfig } from "./config";
import { Connections } from "./connections";
import { type ConnectionArgument, connectionChangeNotice } from "./connectionInput";
import { diffInputs, ScalingPlan, START_ONLY } from "./diff";
import {
  ClusterUnreachableError,
  DeploymentExistsError,
  DeploymentFailedError,
  ExistingDifference,
  OwnedByInferenceEndpointError,
  PartialFailureError,
  StopRefusedError,
  WaitTimeoutError,
} from "./errors";
import { DEFAULT_WAIT_TIMEOUT_SECONDS, DeploymentInputs, DeploymentOutputs, isPlainObject } from "./inputs";
import { lookUpReferences } from "./lookups";
import { isReachabilityFailure } from "./readErrors";
import { decideStartRetry } from "./startRetry";
import {
  ABSENT,
  compact,
  declaredInputs,
  failedRoutesWarning,
  inputsWithDrift,
  Observation,
  OBSERVED_KEYS,
  observe,
  recordedReady,
  WaitTarget,
} from "./observe";
import { consoleProgress, OnceWarnings, Progress } from "./progress";
import { plannedStopFlags, type StopCause } from "./plannedStop";
import { connectionFailures, connectSession, Session } from "./session";
import {
  describeFlags,
  forceLevers,
  isInferenceEndpointConflict,
  ownedByEndpointMessage,
  stopRefusedMessage,
} from "./stopMessages";
import { ProviderConfigError, stopFlagsFromEnv } from "./stopFlags";
import { Clock, DEFAULT_TIMING, realClock, Timing, waitForDeployment, waitUntilGone } from "./wait";

/** What a provider instance depends on; every field has a production default. */
export interface ProviderDependencies {
  /** The environment, read when each operation runs (never captured at load). Default `process.env`. */
  env: () => Readonly<Record<string, string | undefined>>;
  progress: Progress;
  timing: Timing;
  clock: Clock;
  /** Transport tuning for the clients (tests shrink backoffs and keep-alive). */
  clientOptions: ClientOptions;
}

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
  #config: ProviderConfig | ProviderConfigError = EMPTY_PROVIDER_CONFIG;

  constructor(deps: Partial<ProviderDependencies> = {}) {
    this.#deps = {
      env: deps.env ?? (() => process.env),
      progress: deps.progress ?? consoleProgress,
      timing: deps.timing ?? DEFAULT_TIMING,
      clock: deps.clock ?? realClock,
      clientOptions: deps.clientOptions ?? {},
    };
    this.#warnings = new OnceWarnings(this.#deps.progress);
    this.#connections = new Connections(this.#deps.clientOptions, this.#warnings);
  }

  /**
   * Take the stack configuration. Never throws: the host caches the provider before calling this, so a
   * throw would leave later calls running unconfigured. A malformed value is kept and thrown by every
   * operation instead, naming the key.
   */
  configure(get: (key: string) => unknown): void {
    try {
      this.#config = parseProviderConfig(get);
    } catch (err) {
      if (!(err instanceof ProviderConfigError)) throw err;
      this.#config = err;
    }
  }

  /** Defaults and every Elasticsearch rule, before anything is sent (pure, plus the connection name). */
  check(olds: unknown, news: unknown): CheckResult {
    const config = this.#configOrThrow();
    const { inputs, failures } = checkInputs(olds, news);
    const connection = (inputs as Partial<DeploymentInputs>).connection;
    failures.push(...connectionFailures(config, this.#connections, connection, failures, this.#deps.env()));
    return { inputs: inputs as unknown as Props, failures };
  }

  /** The engine's diff, plus a preview warning when a planned stop will meet referencing pipelines or endpoints. */
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
      const users = [
        ...(old.referencingPipelines ?? []).map((p) => `ingest pipeline [${p}]`),
        ...(old.inferenceEndpoints ?? []).map((e) => `inference endpoint [${e}]`),
      ];
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
    let stats = await session.client.getDeploymentStats(id);
    if (stats?.state === "stopping") {
      await waitUntilGone(this.#waitOptions(session, inputs, deadline));
      stats = undefined;
    }
    const outs = stats
      ? await this.#adopt(session, props, stats, deadline, "found")
      : await this.#start(session, props, deadline);
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
      await this.#stop(session, deploymentId, "stop", old.stop, inputs.stop, inputs.waitTimeoutSeconds);
      const lookups = await this.#lookups(session, inputs);
      return { outs: compact({ ...news, clusterUuid: session.clusterUuid, ...ABSENT, ...lookups }) };
    }

    if ((plan.kind === "record-only" || plan.kind === "reconnect") && recordedReady(old)) {
      // A new connection: `GET /` checks the credentials and the cluster; nothing else is sent.
      if (plan.connection) await this.#connect(inputs.connection, old.clusterUuid, "update", deploymentId);
      return { outs: compact({ ...news, ...recordedObservation(old) }) };
    }
    const session = await this.#connect(inputs.connection, old.clusterUuid, "update", deploymentId);
    const deadline = this.#deadline(inputs);
    let stats = await session.client.getDeploymentStats(deploymentId);
    if (stats?.state === "stopping") {
      await waitUntilGone(this.#waitOptions(session, inputs, deadline));
      stats = undefined;
    }
    if (plan.kind === "repair") {
      if (stats?.state === "failed") {
        // It serves nothing: stop it (usual flags, usual 409 if pipelines use it), then start it as declared.
        this.#deps.progress.info(
          `${deploymentId}: Elasticsearch reports it failed (${failureReason(stats)}); stopping it to start it again`,
        );
        await this.#stop(session, deploymentId, "repair", old.stop, inputs.stop, inputs.waitTimeoutSeconds);
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
      outs = await this.#start(session, news, deadline);
    } else if (plan.kind === "start") {
      // Recorded as stopped, but a deployment with the id runs: the same rules as at create.
      outs = await this.#adopt(session, news, stats, deadline, "found");
    } else if (plan.scaling) {
      outs = await this.#scale(session, news, plan.scaling, deadline);
    } else {
      outs = await this.#waitAndReport(session, news, { waitFor: inputs.waitFor }, deadline);
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
    await this.#stop(session, deploymentId, "delete", old.stop, undefined, old.waitTimeoutSeconds);
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
      stats = await session.client.getDeploymentStats(deploymentId);
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
    const lookups = await this.#lookups(session, declared);
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
  // Steps

  /** `_start` with a short server-side wait, then poll to `waitFor`. */
  async #start(session: Session, props: Props, deadline: number): Promise<Props> {
    const inputs = props as unknown as DeploymentInputs;
    const { client } = session;
    const id = inputs.deploymentId;
    const serverWaitMs = Math.max(
      1,
      Math.min(this.#deps.timing.serverWaitMs, deadline - this.#deps.clock.now()),
    );
    this.#deps.progress.info(`${id}: starting model [${inputs.modelId}]`);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await client.startDeployment({
          modelId: inputs.modelId,
          deploymentId: id,
          numberOfAllocations: inputs.numberOfAllocations,
          threadsPerAllocation: inputs.threadsPerAllocation,
          priority: inputs.priority,
          queueCapacity: inputs.queueCapacity,
          cacheSize: inputs.cacheSize,
          adaptiveAllocations: inputs.adaptiveAllocations,
          waitFor: inputs.waitFor,
          timeout: serverWaitMs,
        });
        if (result.outcome === "started-after-ambiguous-failure") {
          this.#deps.progress.info(
            `${id}: the start call failed (${result.cause.message}) but the deployment exists; waiting`,
          );
        }
        break;
      } catch (err) {
        if (isDeploymentAlreadyExists(err)) {
          // Someone started it between our read and our start: not ours, so the usual rules of a create.
          const stats = await client.getDeploymentStats(id);
          if (stats) return this.#adopt(session, props, stats, deadline, "found");
          throw err;
        }
        const decision = decideStartRetry(err, {
          attempt,
          maxRetries: client.settings.maxRetries,
          now: this.#deps.clock.now(),
          deadline,
          timing: this.#deps.timing,
        });
        if (!decision.retry) {
          if (decision.detail && isEsClientError(err)) err.addDetail(decision.detail);
          throw err;
        }
        const { delayMs } = decision;
        // "Try later" (408/429/502/503/504) or a lost connection. The client sends `_start` once per call; it
        // is sent again only after the stats show that this attempt left nothing behind, so a start that
        // was applied despite the error (a proxy's 429 or 503 after the fact) is never doubled.
        let stats: DeploymentStats | undefined;
        try {
          stats = await client.getDeploymentStats(id);
        } catch {
          throw err;
        }
        // This attempt's own start was applied despite the error: settle it as ours.
        if (stats) return this.#adopt(session, props, stats, deadline, "own-start");
        this.#deps.progress.info(
          `${id}: the start was not applied (${(err as Error).message.split(". ")[0]}); ` +
            `starting again in ${delayMs} ms${decision.retryAfter ? " (as Retry-After asked)" : ""} ` +
            `(retry ${attempt} of ${client.settings.maxRetries})`,
        );
        await this.#deps.clock.sleep(delayMs);
      }
    }
    return this.#waitAndReport(session, props, { waitFor: inputs.waitFor }, deadline);
  }

  /**
   * A deployment with the id exists. One this operation started is settled as ours; one it found is adopted
   * only with `adoptExisting` (which also scales a differing one) or, when it matches the declaration, with
   * `ELASTICSEARCH_ML_ADOPT_EXISTING=true`; anything else fails naming the ways out (see `adoption.ts`).
   */
  async #adopt(
    session: Session,
    props: Props,
    stats: DeploymentStats,
    deadline: number,
    origin: AdoptionOrigin,
  ): Promise<Props> {
    const inputs = props as unknown as DeploymentInputs;
    const id = inputs.deploymentId;
    if (stats.state === "failed" && origin === "found")
      return this.#adoptFailed(session, props, stats, deadline);
    const sameModel =
      stats.model_id === inputs.modelId || (await this.#isAliasOf(session, inputs.modelId, stats.model_id));
    const running: Partial<DeploymentOutputs> = {
      ...declaredInputs(props),
      modelId: sameModel ? inputs.modelId : stats.model_id,
      effective: observe(stats).effective,
    };
    const { plan } = diffInputs(running, inputs);
    const differences: ExistingDifference[] = plan.differences.map((d) => ({
      property: d.property,
      running: d.from,
      declared: d.to,
    }));
    if (differences.length === 0) {
      const grant = grantAdoption(origin, inputs.adoptExisting, this.#deps.env());
      if (grant === undefined) {
        throw new DeploymentExistsError(notOursMessage(id, session.clusterUuid), []);
      }
      this.#deps.progress.info(
        grant === "own-start"
          ? `${id}: the start was applied despite the error; waiting for it`
          : `${id}: already runs with the declared model and parameters; adopting it (${
              grant === "adoptExisting" ? "adoptExisting: true" : `${ADOPT_EXISTING_ENV_VAR}=true`
            })`,
      );
      return this.#waitAndReport(session, props, { waitFor: inputs.waitFor }, deadline);
    }
    const startOnly = differences.filter((d) => START_ONLY.includes(d.property));
    if (!inputs.adoptExisting) {
      throw new DeploymentExistsError(
        `Deployment [${id}] already exists on cluster [${session.clusterUuid}] and differs from the declaration: ` +
          `${listDifferences(differences)}. Nothing was changed. To take it over, set adoptExisting: true (scaling ` +
          "differences are then applied in place; start-only ones — modelId, threadsPerAllocation, priority, " +
          "queueCapacity, cacheSize — are never changed on a running deployment), declare the running values, " +
          `or choose another deploymentId (a per-stack one such as \`\${pulumi.getStack()}-<name>\`). ` +
          `${ADOPT_EXISTING_ENV_VAR}=true adopts matching deployments only.`,
        differences,
      );
    }
    if (startOnly.length > 0) {
      throw new DeploymentExistsError(
        `Deployment [${id}] already exists on cluster [${session.clusterUuid}] with start-only parameters that ` +
          `differ from the declaration: ${listDifferences(startOnly)}. adoptExisting scales a running deployment ` +
          "in place but never restarts it (that would interrupt whoever uses it). Declare the running values, or " +
          "stop the deployment yourself and run pulumi up again. Nothing was changed.",
        startOnly,
      );
    }
    this.#deps.progress.info(
      `${id}: adopting the existing deployment and scaling it in place (${listDifferences(differences)})`,
    );
    return this.#scale(session, props, plan.scaling ?? { leavesAdaptive: false }, deadline);
  }

  /**
   * A failed deployment with the id exists and this operation did not start it. It serves nothing, so with
   * `adoptExisting` it is stopped and started as declared; otherwise the create fails naming the ways out.
   */
  async #adoptFailed(
    session: Session,
    props: Props,
    stats: DeploymentStats,
    deadline: number,
  ): Promise<Props> {
    const inputs = props as unknown as DeploymentInputs;
    const id = inputs.deploymentId;
    if (inputs.adoptExisting !== true) {
      throw new DeploymentExistsError(
        `Deployment [${id}] already exists on cluster [${session.clusterUuid}] and has failed ` +
          `(${failureReason(stats)}). Nothing was changed. ${adoptionWaysOut()} With adoptExisting: true it is ` +
          "stopped and started with the declared parameters.",
        [{ property: "state", running: "failed", declared: "started" }],
      );
    }
    this.#deps.progress.info(
      `${id}: adopting the existing deployment, which failed (${failureReason(stats)}); stopping it to start it again`,
    );
    await this.#stop(session, id, "repair", undefined, inputs.stop, inputs.waitTimeoutSeconds);
    return this.#start(session, props, deadline);
  }

  /** `_update` with the scaling plan, then wait (for the new target count with `fully_allocated`). */
  async #scale(session: Session, props: Props, scaling: ScalingPlan, deadline: number): Promise<Props> {
    const inputs = props as unknown as DeploymentInputs;
    const id = inputs.deploymentId;
    if (scaling.numberOfAllocations !== undefined || scaling.adaptiveAllocations !== undefined) {
      const what = scaling.leavesAdaptive
        ? `leaving adaptive allocations for ${scaling.numberOfAllocations} allocations`
        : scaling.adaptiveAllocations !== undefined
          ? `adaptive allocations ${JSON.stringify(scaling.adaptiveAllocations)}`
          : `${scaling.numberOfAllocations} allocations`;
      this.#deps.progress.info(`${id}: scaling to ${what}`);
      try {
        await session.client.updateDeployment({
          deploymentId: id,
          numberOfAllocations: scaling.numberOfAllocations,
          adaptiveAllocations: scaling.adaptiveAllocations,
        });
      } catch (err) {
        if (err instanceof ResponseError && isInferenceEndpointConflict(err)) {
          throw new OwnedByInferenceEndpointError(ownedByEndpointMessage(id, err), { cause: err });
        }
        throw err;
      }
    }
    const target: WaitTarget = { waitFor: inputs.waitFor };
    const fixedCount =
      scaling.adaptiveAllocations?.enabled !== true ? scaling.numberOfAllocations : undefined;
    if (inputs.waitFor === "fully_allocated" && fixedCount !== undefined)
      target.expectedAllocations = fixedCount;
    return this.#waitAndReport(session, props, target, deadline);
  }

  /** Wait for the target and build the outputs; any failure from here on is a partial failure. */
  async #waitAndReport(session: Session, props: Props, target: WaitTarget, deadline: number): Promise<Props> {
    const inputs = props as unknown as DeploymentInputs;
    let last: { stats: DeploymentStats | undefined } | undefined;
    let stats: DeploymentStats;
    try {
      stats = await waitForDeployment({
        ...this.#waitOptions(session, inputs, deadline),
        target,
        onStats: (s) => (last = { stats: s }),
      });
    } catch (err) {
      // Unknown (the first read failed) is recorded as "started": the start was applied.
      const observation =
        last === undefined ? { effective: { state: "started" as const } } : observe(last.stats);
      throw this.#partialFailure(session, props, observation, err);
    }
    const lookups = await this.#lookups(session, inputs);
    return compact({ ...props, clusterUuid: session.clusterUuid, ...observe(stats), ...lookups });
  }

  #partialFailure(
    session: Session,
    props: Props,
    observation: Observation,
    err: unknown,
  ): PartialFailureError {
    const inputs = props as unknown as DeploymentInputs;
    const id = inputs.deploymentId;
    const next =
      err instanceof WaitTimeoutError
        ? "It keeps starting in Elasticsearch and is recorded in the stack: run pulumi up again to keep waiting " +
          "(no second start is sent), or raise waitTimeoutSeconds."
        : err instanceof DeploymentFailedError
          ? observation.effective?.state === "failed"
            ? "It is recorded in the stack as failed: fix the cause, then run pulumi up again (it stops the failed " +
              "deployment and starts it again)."
            : "It is recorded in the stack: fix the cause, then run pulumi up again (it starts the deployment again " +
              "if Elasticsearch removed it)."
          : "Whether it became ready is unknown; it is recorded in the stack, and the next pulumi up checks and keeps waiting.";
    const message = `${(err as Error).message}. ${next}`;
    // `properties` spreads the inputs so `__provider` rides along: without it the state could not be deleted.
    const properties = compact({ ...props, clusterUuid: session.clusterUuid, ...observation });
    return new PartialFailureError(id, properties, message, { cause: err });
  }

  /**
   * Stop with env > resource > config flags, the resource's `stop` taken from the side `cause` names (see
   * `plannedStop.ts`); gone is success with a warning.
   */
  async #stop(
    session: Session,
    deploymentId: string,
    cause: StopCause,
    oldStop: unknown,
    newStop: unknown,
    waitTimeoutSeconds: number | undefined,
  ): Promise<void> {
    const config = this.#configOrThrow();
    // The same decision the preview warning and the preview report make (plannedStop.ts).
    const { operation, resolved } = plannedStopFlags(
      cause,
      oldStop,
      newStop,
      stopFlagsFromEnv(this.#deps.env()),
      config.stopFlags,
    );
    const { client } = session;
    const gone = (): void =>
      this.#deps.progress.warn(
        `${deploymentId}: already gone from the cluster (someone stopped it); nothing to stop`,
      );
    if ((await client.getDeploymentStats(deploymentId)) === undefined) return gone();
    this.#deps.progress.info(`${deploymentId}: stopping with ${describeFlags(resolved.flags)}`);
    const seconds = waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS;
    const deadline = this.#deps.clock.now() + seconds * 1000;
    let answer: { stopped: boolean };
    try {
      answer = await client.stopDeployment({ deploymentId, ...resolved.flags, timeoutMs: seconds * 1000 });
    } catch (err) {
      if (isNotFound(err)) return gone();
      if (err instanceof ResponseError && err.statusCode === 409) {
        throw new StopRefusedError(
          stopRefusedMessage(operation, deploymentId, err, resolved),
          err.referencingPipelines,
          {
            cause: err,
          },
        );
      }
      if (isEsClientError(err)) {
        // Any other failure leaves the deployment recorded (the engine keeps a resource whose delete or
        // update failed): say so, and that running again is safe.
        const again =
          operation === "delete" ? "pulumi destroy (or the pulumi up that replaces it)" : "pulumi up";
        err.addDetail(
          `Deployment [${deploymentId}] was not confirmed stopped, so it stays in the stack. Once the cause is ` +
            `fixed, run ${again} again (a deployment that is gone by then counts as stopped)`,
        );
      }
      throw err;
    }
    if (!answer.stopped) {
      // Elasticsearch did not confirm the stop: it counts only once the deployment is gone.
      try {
        await waitUntilGone({
          client,
          deploymentId,
          deadline,
          waitTimeoutSeconds: seconds,
          timing: this.#deps.timing,
          clock: this.#deps.clock,
          progress: this.#deps.progress,
          why: "after-stop",
        });
      } catch (err) {
        if (err instanceof WaitTimeoutError) {
          const again =
            operation === "delete" ? "pulumi destroy (or the pulumi up that replaces it)" : "pulumi up";
          throw new WaitTimeoutError(
            `${err.message}. It stays in the stack; check the deployment in Elasticsearch, then run ${again} ` +
              "again (a deployment that is gone by then counts as stopped)",
            { cause: err },
          );
        }
        throw err;
      }
    }
    this.#deps.progress.info(`${deploymentId}: stopped`);
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  #configOrThrow(): ProviderConfig {
    if (this.#config instanceof ProviderConfigError) throw this.#config;
    return this.#config;
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

  #waitOptions(session: Session, inputs: DeploymentInputs, deadline: number) {
    return {
      client: session.client,
      deploymentId: inputs.deploymentId,
      deadline,
      waitTimeoutSeconds: inputs.waitTimeoutSeconds,
      timing: this.#deps.timing,
      clock: this.#deps.clock,
      progress: this.#deps.progress,
    };
  }

  #lookups(session: Session, inputs: DeploymentInputs) {
    return lookUpReferences(
      session.client,
      session.label,
      inputs.deploymentId,
      inputs.modelId,
      this.#warnings,
      this.#deps.progress,
    );
  }

  /** Whether `declared` is a model alias of `served` (so the declaration names the running model). */
  async #isAliasOf(session: Session, declared: string, served: string): Promise<boolean> {
    try {
      const model = await session.client.getTrainedModel(declared);
      return model?.model_id === served;
    } catch (err) {
      // Without monitor_ml on models the alias cannot be resolved: treat the names as different models.
      if (err instanceof ResponseError && err.statusCode === 403) return false;
      throw err;
    }
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

/** Elasticsearch's reason for a failed deployment: its own, else its failed routes'. */
function failureReason(stats: DeploymentStats): string {
  if (typeof stats.reason === "string" && stats.reason !== "") return stats.reason;
  const routes = (observe(stats).nodes ?? []).filter((n) => n.routingState === "failed");
  const reasons = routes.map((n) => `[${n.nodeName ?? n.nodeId}] ${n.reason ?? "no reason given"}`);
  return reasons.length > 0 ? `failed routes: ${reasons.join("; ")}` : "Elasticsearch gave no reason";
}

function listDifferences(differences: readonly ExistingDifference[]): string {
  return differences
    .map((d) => `${d.property} ${show(d.running)} running, ${show(d.declared)} declared`)
    .join("; ");
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : JSON.stringify(value);
}
