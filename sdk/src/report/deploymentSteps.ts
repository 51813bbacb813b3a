/**
 * One deployment's change in words, for an update or a replacement step: what the step changes (from the
 * resource's own `diffInputs`), the stop it implies and the flags that stop will send, and the ML capacity
 * before and after. Used by `changes.ts`, which walks the preview's steps. Pure.
 */
import { type DeploymentPlan, type Difference, RECORD_ONLY, SCALING, START_ONLY } from "../provider/diff";
import {
  type DeploymentInputs,
  type DeploymentOutputs,
  type EffectiveSettings,
  INPUT_PROPERTIES,
  containsUnknown,
  isPlainObject,
  isUnknown,
} from "../provider/inputs";
import type { StopCause } from "../provider/plannedStop";
import type { ResolvedStopFlags } from "../provider/stopFlags";
import {
  type CapacityEstimate,
  capacityFrom,
  DEFAULT_THREADS,
  isUnknownCapacity,
  notRunning,
} from "./capacity";
import { type PreviewResourceState, type PreviewStep, SECRET_PLACEHOLDER } from "./previewDocument";
import type { DeploymentChange, Operation, PropertyChange, StopIntent } from "./changes";
import { changeList, label, scalingPhrase, shape, stopManner } from "./wording";

/** Settings a stop leaves for the next start to apply. */
const DEFERRED_BY_STOP: readonly string[] = [...START_ONLY, ...SCALING];

type Base = Pick<DeploymentChange, "urn" | "name" | "stepOp" | "old" | "new" | "recorded">;
type Resolve = (cause: StopCause) => ResolvedStopFlags;

export function describeUpdate(
  base: Base,
  oldState: PreviewResourceState | undefined,
  plan: DeploymentPlan,
  olds: Partial<DeploymentOutputs>,
  news: DeploymentInputs,
  before: CapacityEstimate,
  resolve: Resolve,
): DeploymentChange {
  const changes = toChanges(plan);
  const notes: string[] = [];
  let operation: Operation;
  let headline: string;
  let after: CapacityEstimate = before;
  let stop: StopIntent | undefined;
  switch (plan.kind) {
    case "stop": {
      operation = "stop";
      after = notRunning(isUnknownCapacity(before) ? DEFAULT_THREADS : before.threadsPerAllocation);
      stop = {
        reason: "update",
        deploymentId: olds.deploymentId,
        resolved: resolve("stop"),
        restart: false,
      };
      headline = `stops${stopManner(stop.resolved.flags)}`;
      if (plan.differences.some((d) => DEFERRED_BY_STOP.includes(d.property))) {
        notes.push("The other changed settings take effect at the next start.");
      }
      break;
    }
    case "repair":
      operation = "repair";
      after = capacityDeclared(news);
      stop = {
        reason: "update",
        deploymentId: olds.deploymentId,
        resolved: resolve("repair"),
        restart: true,
      };
      headline =
        `repairs: stops the failed deployment${stopManner(stop.resolved.flags)}, then starts ` +
        (isUnknownCapacity(after) ? `it again (${after.reason})` : shape(after));
      notes.push(
        "Elasticsearch reported the deployment failed at the last refresh: it serves nothing until it is started again.",
      );
      break;
    case "start":
      operation = "start";
      after = capacityDeclared(news);
      headline = isUnknownCapacity(after) ? `starts (${after.reason})` : `starts: ${shape(after)}`;
      break;
    case "update-in-place":
      operation = "update";
      after = capacityInPlace(olds, news, plan, before);
      headline = isUnknown(news.state)
        ? "updates in place; may stop (state known after apply)"
        : scalingPhrase(plan.scaling, plan.differences, before, after);
      break;
    case "record-only":
      operation = "update";
      headline = `records settings only, no call to Elasticsearch: ${plan.differences.map((d) => label(d.property)).join(", ")}`;
      break;
    case "reconnect":
      operation = "update";
      headline = `changes the connection (${connectionParts(plan)}): sends only GET / to check it, then records it`;
      break;
    case "none":
      operation = "update";
      headline =
        Array.isArray(oldState?.initErrors) && oldState.initErrors.length > 0
          ? "resumes the last operation, which did not finish"
          : holdsMaskedSecret(news.connection)
            ? // The preview JSON shows every secret as [secret]: a rotated key looks unchanged here.
              "changes the connection's secret settings (masked in the preview): sends only GET / to check them, then records them"
            : "updates, with no declared setting changed";
      break;
    default:
      // diffInputs plans "replace" only for replacements, which the engine then shows as one.
      operation = "update";
      headline = `updates (${plan.kind})`;
  }
  if (plan.connection?.endpoint || plan.connection?.source) {
    notes.push(
      "The connection may now reach another endpoint: the update fails (wrong cluster) unless it answers as the " +
        `recorded cluster${typeof olds.clusterUuid === "string" ? ` [${olds.clusterUuid}]` : ""}; a preview sends no request, so it cannot tell yet.`,
    );
  }
  if (plan.unknowns.length > 0) {
    notes.push(`Known only after apply: ${plan.unknowns.map(label).join(", ")}.`);
  }
  return {
    ...base,
    operation,
    plan: plan.kind,
    headline,
    changes,
    replaceReasons: [],
    capacity: { before, after },
    ...(stop ? { stop } : {}),
    notes,
  };
}

export function describeReplace(
  base: Base,
  step: PreviewStep,
  plan: DeploymentPlan,
  olds: Partial<DeploymentOutputs>,
  news: DeploymentInputs,
  before: CapacityEstimate,
  resolve: Resolve,
): DeploymentChange {
  const reasons = plan.replaceReasons.length > 0 ? plan.replaceReasons : [];
  const replaceReasons = reasons.length > 0 ? reasons.map((d) => d.property) : (step.replaceReasons ?? []);
  const oldRunning = recordedRunning(olds);
  const newRunning = declaredRunning(news);
  const sameId = olds.deploymentId !== undefined && olds.deploymentId === news.deploymentId;
  const after = newRunning === false ? notRunning() : capacityDeclared(news);
  const stop: StopIntent | undefined = oldRunning
    ? {
        reason: "delete",
        deploymentId: olds.deploymentId,
        resolved: resolve("replace"),
        restart: sameId && newRunning !== false,
      }
    : undefined;
  const identityChange = reasons.some((d) => d.property === "deploymentId");
  let headline: string;
  if (reasons.length === 0) {
    headline = `replaces (requested by the engine: ${replaceReasons.length > 0 ? replaceReasons.map(label).join(", ") : "--replace, replaceOnChanges or a replaced dependency"})`;
  } else if (identityChange || !oldRunning) {
    headline = `replaces: ${changeList(reasons)}`;
  } else {
    headline = `restarts: ${changeList(reasons)}`;
  }
  if (stop) headline += stopManner(stop.resolved.flags) ? ` (stops${stopManner(stop.resolved.flags)})` : "";
  const notes: string[] = [];
  if (plan.unknowns.length > 0) notes.push(`Known only after apply: ${plan.unknowns.map(label).join(", ")}.`);
  if (stop?.restart)
    notes.push(
      "The deployment is deleted before the new one starts (same deployment id): inference is unavailable in between.",
    );
  return {
    ...base,
    operation: "replace",
    plan: plan.kind,
    headline,
    changes: toChanges(plan),
    replaceReasons,
    capacity: { before, after },
    ...(stop ? { stop } : {}),
    notes,
  };
}

/** Whether a connection object holds a value the preview JSON masked. */
function holdsMaskedSecret(connection: unknown): boolean {
  return isPlainObject(connection) && Object.values(connection).some((v) => v === SECRET_PLACEHOLDER);
}

/** Which parts of the connection change, in words. */
function connectionParts(plan: DeploymentPlan): string {
  const c = plan.connection;
  if (c === undefined) return "unchanged";
  const parts = [
    c.source ? "source" : undefined,
    c.endpoint ? "endpoint" : undefined,
    c.credentials ? "credentials" : undefined,
    c.settings ? "settings" : undefined,
  ].filter((p) => p !== undefined);
  return parts.join(", ");
}

function toChanges(plan: DeploymentPlan): PropertyChange[] {
  return plan.differences.map((d: Difference) => ({
    property: d.property,
    from: d.from,
    to: d.to,
    recordOnly: plan.recordOnly.includes(d.property),
  }));
}

/** The settings a create declares (provider-only settings left out: they change nothing in Elasticsearch). */
export function declaredSettings(news: DeploymentInputs): PropertyChange[] {
  const keys = INPUT_PROPERTIES.filter((k) => !RECORD_ONLY.includes(k));
  return keys
    .filter((k) => news[k] !== undefined)
    .map((k) => ({ property: k, from: undefined, to: news[k], recordOnly: false }));
}

export function recordedFacts(olds: Partial<DeploymentOutputs>): NonNullable<DeploymentChange["recorded"]> {
  const facts: NonNullable<DeploymentChange["recorded"]> = {};
  if (typeof olds.clusterUuid === "string") facts.clusterUuid = olds.clusterUuid;
  if (isPlainObject(olds.effective)) facts.effective = olds.effective;
  if (Array.isArray(olds.referencingPipelines)) facts.referencingPipelines = olds.referencingPipelines;
  return facts;
}

/** A value in force: what the server reported, else what was declared (as `diffInputs` reads it). */
function inForce(olds: Partial<DeploymentOutputs>, key: keyof EffectiveSettings): unknown {
  const effective = isPlainObject(olds.effective) ? (olds.effective as EffectiveSettings) : {};
  return effective[key] !== undefined ? effective[key] : olds[key];
}

/** Whether the deployment runs according to state (recorded facts first). */
export function recordedRunning(olds: Partial<DeploymentOutputs>): boolean {
  return inForce(olds, "state") !== "stopped";
}

/** Whether the new inputs declare a running deployment (`undefined` while `state` is unknown). */
export function declaredRunning(news: Partial<DeploymentInputs>): boolean | undefined {
  if (isUnknown(news.state)) return undefined;
  return news.state !== "stopped";
}

/** Capacity as recorded in state. */
export function capacityBefore(olds: Partial<DeploymentOutputs>): CapacityEstimate {
  if (!recordedRunning(olds)) return notRunning();
  return capacityFrom(
    inForce(olds, "adaptiveAllocations"),
    inForce(olds, "numberOfAllocations"),
    inForce(olds, "threadsPerAllocation"),
  );
}

/** Capacity of a deployment started with exactly the declared inputs (a create, start or replacement). */
export function capacityDeclared(news: Partial<DeploymentInputs>): CapacityEstimate {
  const running = declaredRunning(news);
  if (running === undefined) return { unknown: true, reason: "state known after apply" };
  if (!running) return notRunning();
  return capacityFrom(news.adaptiveAllocations, news.numberOfAllocations, news.threadsPerAllocation);
}

/** Capacity after an in-place update: scaling changes apply, start parameters stay. */
function capacityInPlace(
  olds: Partial<DeploymentOutputs>,
  news: DeploymentInputs,
  plan: DeploymentPlan,
  before: CapacityEstimate,
): CapacityEstimate {
  if (isUnknown(news.state)) return { unknown: true, reason: "state known after apply" };
  const threads = news.threadsPerAllocation ?? inForce(olds, "threadsPerAllocation");
  if (plan.scaling?.leavesAdaptive) return capacityFrom(undefined, plan.scaling.numberOfAllocations, threads);
  const declared = news.adaptiveAllocations;
  if (containsUnknown(declared)) return { unknown: true, reason: "adaptive allocations known after apply" };
  if (isPlainObject(declared) && declared.enabled === true) {
    // A bound the user does not declare is not compared by diff, so the one in force stays.
    const current = inForce(olds, "adaptiveAllocations");
    const cur = isPlainObject(current) ? current : {};
    return capacityFrom(
      {
        enabled: true,
        minNumberOfAllocations: declared.minNumberOfAllocations ?? cur.minNumberOfAllocations,
        maxNumberOfAllocations: declared.maxNumberOfAllocations ?? cur.maxNumberOfAllocations,
      },
      undefined,
      threads,
    );
  }
  if (news.numberOfAllocations !== undefined)
    return capacityFrom(undefined, news.numberOfAllocations, threads);
  return before;
}
