/**
 * What a cluster snapshot means for each change: the ingest pipelines a stop would break, whether
 * Elasticsearch will refuse the stop, and drift between the stack's state and the cluster. Pure.
 *
 * Elasticsearch's rules (8.8+, see the deployment API reference §3.4):
 * - without `force`, `_stop` is refused (409) when a pipeline's inference processor names the deployment
 *   id, or names an alias of a model whose id equals the deployment id, or when an inference endpoint
 *   owns or uses the deployment (8.18.4+/9.0.4+; before, that stop goes through and breaks the endpoint);
 * - a pipeline that names the model id or an alias routes to any deployment of that model, so stopping
 *   one deployment breaks it only when no other deployment of the model keeps running — and
 *   Elasticsearch does not refuse that stop, so it is the silent kind of breakage.
 */
import { type DeploymentStats, findPipelinesReferencing, inferenceEndpointsUsing } from "../client";
import { endpointStopVerdict } from "../provider/endpointUse";
import { failedRoutesWarning, observe } from "../provider/observe";
import type { DeploymentChange } from "./changes";
import type { ClusterSnapshot } from "./cluster";

/** How a pipeline names the deployment. */
export type ReferenceKind = "deployment" | "model" | "alias";

/** One ingest pipeline that uses the deployment being stopped. */
export interface PipelineImpact {
  pipelineId: string;
  /** The `model_id` its inference processor names. */
  references: string;
  kind: ReferenceKind;
  /** Elasticsearch refuses a stop without `force` because of it. */
  blocksStop: boolean;
  /** Ingest through it fails once the deployment stops (until it runs again). */
  breaks: boolean;
}

/**
 * The risk a CI gate acts on. `deletes-referenced-endpoint`: an `InferenceEndpoint` is deleted (or replaced)
 * while pipelines or `semantic_text` fields referenced it at the last refresh (from its outputs; offline).
 */
export type Risk = "none" | "stop-refused" | "breaks-pipelines" | "deletes-referenced-endpoint" | "unchecked";

/** What the cluster says about one change. */
export interface DeploymentFindings {
  /** Whether the cluster was read for this deployment; `reason` says why not. */
  checked: boolean;
  reason?: string;
  /** The connection the lookups used. */
  connection: string;
  /** For a stop: the pipelines that use the deployment; absent when they could not be read. */
  pipelines?: PipelineImpact[];
  /** For a stop: inference endpoints that own or use the deployment (they block a stop without force). */
  inferenceEndpoints?: string[];
  /**
   * With endpoints listed: whether this cluster's version refuses the stop because of them (8.18.4+/9.0.4+;
   * before, the stop goes through and they break). Judged like the provider's preview (endpointUse.ts).
   */
  endpointsRefuseStop?: boolean;
  /** For a stop: what Elasticsearch will do. */
  stopOutcome?: "refused" | "breaks-pipelines" | "safe" | "unknown";
  /** Differences between the stack's state and the cluster. */
  drift: string[];
  /** Other facts worth a reviewer's eye. */
  notes: string[];
  risk: Risk;
}

/**
 * Assesses one change against the snapshot of its cluster.
 *
 * @param stopping Deployment ids this preview stops on the same cluster (a model's pipelines survive
 *   only if a deployment outside this set keeps serving it).
 */
export function assessChange(
  change: DeploymentChange,
  snapshot: ClusterSnapshot | undefined,
  stopping: ReadonlySet<string>,
  connection: string,
): DeploymentFindings {
  const findings: DeploymentFindings = { checked: false, connection, drift: [], notes: [], risk: "none" };
  const unchecked = (reason: string): DeploymentFindings => {
    findings.reason = reason;
    if (change.stop) findings.risk = "unchecked";
    if (change.stop) findings.stopOutcome = "unknown";
    return findings;
  };
  if (snapshot === undefined) return unchecked(`no connection for "${connection}"`);
  if (snapshot.error !== undefined) return unchecked(snapshot.error);
  const recordedUuid = change.recorded?.clusterUuid;
  if (
    recordedUuid !== undefined &&
    snapshot.clusterUuid !== undefined &&
    recordedUuid !== snapshot.clusterUuid
  ) {
    findings.drift.push(
      `Wrong cluster: the connection "${connection}" reaches cluster ${snapshot.clusterUuid}, but this deployment ` +
        `was recorded on cluster ${recordedUuid}; the provider refuses every operation on it until the endpoint is fixed.`,
    );
    return unchecked(`the connection reaches another cluster than the one recorded`);
  }
  findings.checked = true;

  checkDrift(change, snapshot, findings);
  if (change.stop) assessStop(change, snapshot, stopping, findings);
  return findings;
}

function checkDrift(change: DeploymentChange, snapshot: ClusterSnapshot, findings: DeploymentFindings): void {
  if (snapshot.deployments === undefined) {
    findings.notes.push("Drift not checked: the deployments could not be read.");
    return;
  }
  const oldId = change.old?.deploymentId;
  if (oldId !== undefined) {
    const live = snapshot.deployments.get(oldId);
    const recordedState =
      change.recorded?.effective?.state ?? (change.old?.running === false ? "stopped" : "started");
    if (recordedState !== "stopped" && live === undefined) {
      const consequence =
        change.operation === "delete" || change.operation === "stop"
          ? "there is nothing left to stop"
          : change.operation === "replace"
            ? "the replacement starts it afresh"
            : "`pulumi up` alone changes nothing, but after `pulumi refresh` the next `up` starts it again";
      findings.drift.push(
        `Not in the cluster: the stack records deployment \`${oldId}\` as running, but the cluster has no such ` +
          `deployment (stopped outside Pulumi); ${consequence}. \`pulumi preview --refresh\` shows the exact plan.`,
      );
    } else if (recordedState === "stopped" && live !== undefined) {
      findings.drift.push(
        `Started outside Pulumi: the stack records deployment \`${oldId}\` as stopped, but it runs in the cluster.`,
      );
    } else if (live !== undefined) {
      const health = healthOf(oldId, live, recordedState, change.operation);
      if (health !== undefined) findings.drift.push(health);
      const effective = change.recorded?.effective ?? {};
      const adaptiveOn = live.adaptive_allocations?.enabled === true;
      if (
        !adaptiveOn &&
        effective.numberOfAllocations !== undefined &&
        live.number_of_allocations !== undefined &&
        live.number_of_allocations !== effective.numberOfAllocations
      ) {
        findings.drift.push(
          `Scaled outside Pulumi: the cluster runs ${live.number_of_allocations} allocations, the stack records ` +
            `${effective.numberOfAllocations}; run \`pulumi refresh\` (or \`pulumi preview --refresh\`) to see the real plan.`,
        );
      }
      if (
        effective.threadsPerAllocation !== undefined &&
        live.threads_per_allocation !== undefined &&
        live.threads_per_allocation !== effective.threadsPerAllocation
      ) {
        findings.drift.push(
          `Restarted outside Pulumi: the cluster runs ${live.threads_per_allocation} threads per allocation, the ` +
            `stack records ${effective.threadsPerAllocation}.`,
        );
      }
    }
  }
  const newId = change.new?.deploymentId;
  if (change.operation === "create" && newId !== undefined && snapshot.deployments.has(newId)) {
    findings.notes.push(
      `A deployment \`${newId}\` already runs in the cluster: the create refuses to take it over (another stack ` +
        "may own it) unless the resource sets `adoptExisting: true` (which also scales a differing one), or, for " +
        "one that matches the declaration, `ELASTICSEARCH_ML_ADOPT_EXISTING=true pulumi up` (the resume after an " +
        "interrupted create). A per-stack `deploymentId` avoids the clash.",
    );
  }
}

/**
 * A failed deployment, or failed routes, that the stack does not know about yet (the provider's own
 * `observe` decides what counts as failed: the whole deployment is repaired, failed routes only warned of).
 */
function healthOf(
  deploymentId: string,
  live: DeploymentStats,
  recordedState: string,
  operation: DeploymentChange["operation"],
): string | undefined {
  const observation = observe(live);
  if (observation.effective?.state === "failed") {
    if (recordedState === "failed" || operation === "repair") return undefined;
    const reason = live.reason ? ` (${live.reason})` : "";
    return (
      `Failed in the cluster: Elasticsearch reports deployment \`${deploymentId}\` failed${reason}, and the stack ` +
      "does not know yet; `pulumi up --refresh` stops it and starts it again."
    );
  }
  const routes = failedRoutesWarning(deploymentId, observation);
  return routes === undefined ? undefined : `Failed routes: ${routes.slice(deploymentId.length + 2)}`;
}

function assessStop(
  change: DeploymentChange,
  snapshot: ClusterSnapshot,
  stopping: ReadonlySet<string>,
  findings: DeploymentFindings,
): void {
  const stop = change.stop!;
  const deploymentId = stop.deploymentId;
  const declaredModel = change.old?.modelId;
  if (deploymentId === undefined) {
    findings.stopOutcome = "unknown";
    findings.risk = "unchecked";
    findings.reason = "the deployment id is not known";
    return;
  }
  const live = snapshot.deployments?.get(deploymentId);
  if (snapshot.deployments !== undefined && live === undefined) {
    // Nothing runs: the stop is a no-op (drift says so); nothing can break or refuse.
    findings.stopOutcome = "safe";
    findings.pipelines = [];
    return;
  }
  const model = declaredModel === undefined ? undefined : snapshot.models.get(declaredModel);
  // The model the deployment really serves: the live stats know it even when the declaration used an alias.
  const modelId = live?.model_id ?? model?.modelId ?? declaredModel;
  const aliases = model?.aliases ?? [];
  const notes: string[] = [];
  if (
    declaredModel !== undefined &&
    snapshot.models.get(declaredModel) === undefined &&
    !snapshot.modelsError
  ) {
    notes.push(`The model \`${declaredModel}\` was not found, so its aliases were not checked.`);
  } else if (snapshot.modelsError) {
    notes.push("Model aliases not checked: the models could not be read.");
  }

  const endpoints =
    snapshot.inferenceEndpoints === undefined
      ? undefined
      : inferenceEndpointsUsing(snapshot.inferenceEndpoints, deploymentId);
  if (endpoints !== undefined) findings.inferenceEndpoints = endpoints;
  const endpointCount = endpoints?.length ?? 0;
  // Unknown version: as the newest (the conservative side: the stop is refused).
  const endpointsRefuse = endpointStopVerdict(snapshot.version) !== "goes-through";
  if (endpointCount > 0) {
    findings.endpointsRefuseStop = endpointsRefuse;
    if (!endpointsRefuse) {
      notes.push(
        `Elasticsearch ${snapshot.version} does not refuse this stop because of inference endpoints (8.18.4+ and ` +
          `9.0.4+ do): it goes through and ${endpoints!.map((e) => `\`${e}\``).join(", ")} fail until the deployment runs again.`,
      );
    }
  }
  if (snapshot.inferenceEndpointsError)
    notes.push("Inference endpoints not checked: they could not be read.");

  const forced = stop.resolved.flags.force === true;
  if (snapshot.pipelines === undefined) {
    findings.notes.push(...notes, "Ingest pipelines not checked: they could not be read.");
    const endpointBlock = !forced && endpointsRefuse && endpointCount > 0;
    findings.stopOutcome = endpointBlock ? "refused" : "unknown";
    findings.risk = endpointBlock ? "stop-refused" : "unchecked";
    return;
  }

  // Other deployments of the same model that keep running serve pipelines naming the model or an alias.
  const otherServers = [...(snapshot.deployments?.values() ?? [])].filter(
    (d) => d.model_id === modelId && d.deployment_id !== deploymentId && !stopping.has(d.deployment_id),
  );
  const ids = [
    deploymentId,
    ...(modelId ? [modelId] : []),
    ...(declaredModel ? [declaredModel] : []),
    ...aliases,
  ];
  const refs = findPipelinesReferencing(snapshot.pipelines, [...new Set(ids)]);
  const impacts = new Map<string, PipelineImpact>();
  for (const ref of refs) {
    const kind: ReferenceKind =
      ref.modelId === deploymentId
        ? "deployment"
        : ref.modelId === modelId || ref.modelId === declaredModel
          ? "model"
          : "alias";
    const blocksStop = kind === "deployment" || (kind === "alias" && modelId === deploymentId);
    const breaks = kind === "deployment" || otherServers.length === 0;
    const previous = impacts.get(ref.pipelineId);
    // A pipeline may reference several ids; keep the strongest relation.
    if (previous === undefined || (!previous.blocksStop && blocksStop) || (!previous.breaks && breaks)) {
      impacts.set(ref.pipelineId, {
        pipelineId: ref.pipelineId,
        references: ref.modelId,
        kind,
        blocksStop: blocksStop || (previous?.blocksStop ?? false),
        breaks: breaks || (previous?.breaks ?? false),
      });
    }
  }
  findings.pipelines = [...impacts.values()].sort((a, b) => (a.pipelineId < b.pipelineId ? -1 : 1));
  if (otherServers.length > 0 && findings.pipelines.some((p) => p.kind !== "deployment")) {
    notes.push(
      `Pipelines that name the model keep working: ${otherServers.map((d) => `\`${d.deployment_id}\``).join(", ")} ` +
        "still serve it.",
    );
  }
  findings.notes.push(...notes);

  const blocked = findings.pipelines.some((p) => p.blocksStop) || (endpointsRefuse && endpointCount > 0);
  const breaking =
    findings.pipelines.some((p) => p.breaks) || ((forced || !endpointsRefuse) && endpointCount > 0);
  if (!forced && blocked) {
    findings.stopOutcome = "refused";
    findings.risk = "stop-refused";
  } else if (breaking) {
    findings.stopOutcome = "breaks-pipelines";
    findings.risk = "breaks-pipelines";
  } else {
    findings.stopOutcome = "safe";
  }
}
