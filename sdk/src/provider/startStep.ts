/**
 * The steps that bring a deployment to its declared running state: `_start` (sent once, settled through
 * the stats when its answer is ambiguous), taking over one that exists (only when this stack started it or
 * the user allows it, see `adoption.ts`), scaling in place, and waiting until the declared `waitFor`.
 * Module functions over the provider's {@link StepContext}, so the provider class keeps the lifecycle
 * (what each engine call does) and this file the steps.
 */
import {
  type DeploymentStats,
  isDeploymentAlreadyExists,
  isEsClientError,
  ResponseError,
  type TrainedModelAssignment,
} from "../client";
import {
  ADOPT_EXISTING_ENV_VAR,
  type AdoptionOrigin,
  adoptionWaysOut,
  grantAdoption,
  notOursMessage,
} from "./adoption";
import { diffInputs, ScalingPlan, START_ONLY } from "./diff";
import { DeploymentExistsError, ExistingDifference, OwnedByInferenceEndpointError } from "./errors";
import type { DeploymentInputs, DeploymentOutputs } from "./inputs";
import { lookUpReferences } from "./lookups";
import { assessReadiness, compact, declaredInputs, observe, WaitTarget } from "./observe";
import { partialFailure } from "./partialFailure";
import type { ProviderDependencies } from "./provider";
import type { Session } from "./session";
import type { StepContext } from "./stepContext";
import { stopDeploymentStep } from "./stopStep";
import { decideStartRetry } from "./startRetry";
import { isInferenceEndpointConflict, ownedByEndpointMessage } from "./stopMessages";
import { waitForDeployment } from "./wait";

type Props = Record<string, unknown>;

/** `_start` with a short server-side wait, then poll to `waitFor`. */
export async function startDeployment(
  ctx: StepContext,
  session: Session,
  props: Props,
  deadline: number,
): Promise<Props> {
  const inputs = props as unknown as DeploymentInputs;
  const { client } = session;
  const id = inputs.deploymentId;
  const serverWaitMs = Math.max(1, Math.min(ctx.deps.timing.serverWaitMs, deadline - ctx.deps.clock.now()));
  ctx.deps.progress.info(`${id}: starting model [${inputs.modelId}]`);
  let started: TrainedModelAssignment | undefined;
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
      if (result.outcome === "started") started = result.assignment;
      if (result.outcome === "started-after-ambiguous-failure") {
        ctx.deps.progress.info(
          `${id}: the start call failed (${result.cause.message}) but the deployment exists; waiting`,
        );
      }
      break;
    } catch (err) {
      if (isDeploymentAlreadyExists(err)) {
        // Someone started it between our read and our start: not ours, so the usual rules of a create.
        const stats = await client.getDeploymentStats(id);
        if (stats) return adopt(ctx, session, props, stats, deadline, "found");
        throw err;
      }
      const decision = decideStartRetry(err, {
        attempt,
        maxRetries: client.settings.maxRetries,
        now: ctx.deps.clock.now(),
        deadline,
        timing: ctx.deps.timing,
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
      if (stats) return adopt(ctx, session, props, stats, deadline, "own-start");
      ctx.deps.progress.info(
        `${id}: the start was not applied (${(err as Error).message.split(". ")[0]}); ` +
          `starting again in ${delayMs} ms${decision.retryAfter ? " (as Retry-After asked)" : ""} ` +
          `(retry ${attempt} of ${client.settings.maxRetries})`,
      );
      await ctx.deps.clock.sleep(delayMs);
    }
  }
  const target: WaitTarget = { waitFor: inputs.waitFor };
  // `_start` answered with the assignment `_stats` is computed from: when it already shows the target
  // reached, it gives the outputs without a read of their own (issue 16; assignmentStats.ts).
  const known = started && (await client.statsFromAssignment(started));
  const readiness = known && assessReadiness(known, target);
  if (known && readiness && readiness.status === "reached") {
    ctx.deps.progress.info(`${id}: ${readiness.summary} — ${target.waitFor} reached`);
    return report(ctx, session, props, known);
  }
  return waitAndReport(ctx, session, props, target, deadline);
}

/**
 * A deployment with the id exists. One this operation started is settled as ours; one it found is adopted
 * only with `adoptExisting` (which also scales a differing one) or, when it matches the declaration, with
 * `ELASTICSEARCH_ML_ADOPT_EXISTING=true`; anything else fails naming the ways out (see `adoption.ts`).
 */
export async function adopt(
  ctx: StepContext,
  session: Session,
  props: Props,
  stats: DeploymentStats,
  deadline: number,
  origin: AdoptionOrigin,
): Promise<Props> {
  const inputs = props as unknown as DeploymentInputs;
  const id = inputs.deploymentId;
  if (stats.state === "failed" && origin === "found")
    return adoptFailed(ctx, session, props, stats, deadline);
  const sameModel =
    stats.model_id === inputs.modelId || (await isAliasOf(session, inputs.modelId, stats.model_id));
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
    const grant = grantAdoption(origin, inputs.adoptExisting, ctx.deps.env());
    if (grant === undefined) {
      throw new DeploymentExistsError(notOursMessage(id, session.clusterUuid), []);
    }
    ctx.deps.progress.info(
      grant === "own-start"
        ? `${id}: the start was applied despite the error; waiting for it`
        : `${id}: already runs with the declared model and parameters; adopting it (${
            grant === "adoptExisting" ? "adoptExisting: true" : `${ADOPT_EXISTING_ENV_VAR}=true`
          })`,
    );
    return waitAndReport(ctx, session, props, { waitFor: inputs.waitFor }, deadline);
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
  ctx.deps.progress.info(
    `${id}: adopting the existing deployment and scaling it in place (${listDifferences(differences)})`,
  );
  return scale(ctx, session, props, plan.scaling ?? { leavesAdaptive: false }, deadline);
}

/**
 * A failed deployment with the id exists and this operation did not start it. It serves nothing, so with
 * `adoptExisting` it is stopped and started as declared; otherwise the create fails naming the ways out.
 */
async function adoptFailed(
  ctx: StepContext,
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
  ctx.deps.progress.info(
    `${id}: adopting the existing deployment, which failed (${failureReason(stats)}); stopping it to start it again`,
  );
  await stopDeploymentStep(ctx, session, id, "repair", {}, inputs.stop, inputs.waitTimeoutSeconds);
  return startDeployment(ctx, session, props, deadline);
}

/** `_update` with the scaling plan, then wait (for the new target count with `fully_allocated`). */
export async function scale(
  ctx: StepContext,
  session: Session,
  props: Props,
  scaling: ScalingPlan,
  deadline: number,
): Promise<Props> {
  const inputs = props as unknown as DeploymentInputs;
  const id = inputs.deploymentId;
  if (scaling.numberOfAllocations !== undefined || scaling.adaptiveAllocations !== undefined) {
    const what = scaling.leavesAdaptive
      ? `leaving adaptive allocations for ${scaling.numberOfAllocations} allocations`
      : scaling.adaptiveAllocations !== undefined
        ? `adaptive allocations ${JSON.stringify(scaling.adaptiveAllocations)}`
        : `${scaling.numberOfAllocations} allocations`;
    ctx.deps.progress.info(`${id}: scaling to ${what}`);
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
  const fixedCount = scaling.adaptiveAllocations?.enabled !== true ? scaling.numberOfAllocations : undefined;
  if (inputs.waitFor === "fully_allocated" && fixedCount !== undefined)
    target.expectedAllocations = fixedCount;
  return waitAndReport(ctx, session, props, target, deadline);
}

/** Wait for the target and build the outputs; any failure from here on is a partial failure. */
export async function waitAndReport(
  ctx: StepContext,
  session: Session,
  props: Props,
  target: WaitTarget,
  deadline: number,
): Promise<Props> {
  const inputs = props as unknown as DeploymentInputs;
  let last: { stats: DeploymentStats | undefined } | undefined;
  let stats: DeploymentStats;
  try {
    stats = await waitForDeployment({
      ...waitOptions(ctx.deps, session, inputs, deadline),
      target,
      onStats: (s) => (last = { stats: s }),
    });
  } catch (err) {
    // Unknown (the first read failed) is recorded as "started": the start was applied.
    const observation =
      last === undefined ? { effective: { state: "started" as const } } : observe(last.stats);
    throw partialFailure(session, props, observation, err);
  }
  return report(ctx, session, props, stats);
}

/** The outputs: the declaration, what Elasticsearch reports, and the lookups. */
async function report(
  ctx: StepContext,
  session: Session,
  props: Props,
  stats: DeploymentStats,
): Promise<Props> {
  const lookups = await recordedReferences(ctx, session, props as unknown as DeploymentInputs);
  return compact({ ...props, clusterUuid: session.clusterUuid, ...observe(stats), ...lookups });
}

export function waitOptions(
  deps: ProviderDependencies,
  session: Session,
  inputs: DeploymentInputs,
  deadline: number,
) {
  return {
    client: session.client,
    deploymentId: inputs.deploymentId,
    deadline,
    waitTimeoutSeconds: inputs.waitTimeoutSeconds,
    timing: deps.timing,
    clock: deps.clock,
    progress: deps.progress,
  };
}

/** The references, and the version they were seen on (a preview judges endpoint-owned stops by it). */
export async function recordedReferences(
  ctx: StepContext,
  session: Session,
  inputs: DeploymentInputs,
): Promise<Props> {
  const references = await lookUpReferences(
    session.client,
    session.label,
    inputs.deploymentId,
    inputs.modelId,
    ctx.warnings,
    ctx.deps.progress,
    ctx.deps.timing.listingReuseMs,
  );
  return { esVersion: session.esVersion, ...references };
}

/** Whether `declared` is a model alias of `served` (so the declaration names the running model). */
async function isAliasOf(session: Session, declared: string, served: string): Promise<boolean> {
  try {
    const model = await session.client.getTrainedModel(declared);
    return model?.model_id === served;
  } catch (err) {
    // Without monitor_ml on models the alias cannot be resolved: treat the names as different models.
    if (err instanceof ResponseError && err.statusCode === 403) return false;
    throw err;
  }
}

/** Elasticsearch's reason for a failed deployment: its own, else its failed routes'. */
export function failureReason(stats: DeploymentStats): string {
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
