/**
 * `POST _ml/trained_models/<deployment_id>/deployment/_update` (8.6+, reference §4): validation,
 * 404, the no-op short-circuit before the state check, 409 when not started, 429 when an
 * increase cannot fit, adaptive settings merged (null removes them).
 */
import { ACTIONS } from "../security/actions";
import { bodyRequired, FieldSpec, readObject } from "../body";
import { EsError, resourceNotFound, statusException, validationFailed } from "../errors";
import { assignmentResponse } from "../render";
import type { Execute, RouteDef } from "../router";
import type { AdaptiveSettings, Deployment } from "../state/deployments";
import { AdaptiveRequest, adaptiveErrors, mergeAdaptive, readAdaptive } from "./adaptiveParams";
import { jsonBody, ok, RouteContext, Services } from "./context";
import { inconsistentModelId } from "./start";

interface UpdateParams {
  numberOfAllocations?: number;
  /** undefined: not sent; null: remove adaptive settings. */
  adaptive?: AdaptiveRequest | null;
}

function readUpdateParams(ctx: RouteContext): UpdateParams {
  const profile = ctx.services.cluster.profile;
  const q = ctx.query;
  q.duration("timeout");
  q.duration("master_timeout");
  if (profile.has("updateQueryAllocations")) {
    const fromQuery = q.int("number_of_allocations");
    // With the query parameter present the body is not parsed at all.
    if (fromQuery !== undefined) return { numberOfAllocations: fromQuery };
  }
  const body = jsonBody(ctx);
  if (!body) {
    if (!profile.has("updateBodyOptional")) throw bodyRequired();
    return {};
  }
  const fields: Record<string, FieldSpec> = {
    number_of_allocations: { kind: "int" },
    model_id: { kind: "string" },
    timeout: { kind: "duration" },
  };
  if (profile.has("adaptiveAllocations")) fields.adaptive_allocations = { kind: "object", nullable: true };
  const values = readObject(body, ACTIONS.updateDeployment, fields);
  if (values.model_id !== undefined && values.model_id !== ctx.params.model_id) {
    throw statusException(400, inconsistentModelId(values.model_id as string, ctx.params.model_id));
  }
  const params: UpdateParams = {};
  if (values.number_of_allocations !== undefined)
    params.numberOfAllocations = values.number_of_allocations as number;
  if (values.adaptive_allocations !== undefined) {
    params.adaptive = readAdaptive(body, values.adaptive_allocations as Record<string, unknown> | null);
  }
  return params;
}

function sameAdaptive(a: AdaptiveSettings | null, b: AdaptiveSettings | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clamp(value: number, settings: AdaptiveSettings): number {
  const min = settings.min_number_of_allocations ?? 1;
  const max = settings.max_number_of_allocations ?? Number.MAX_SAFE_INTEGER;
  return Math.min(Math.max(value, min), max);
}

function updateDeployment(ctx: RouteContext): Execute {
  const params = readUpdateParams(ctx);
  const id = ctx.params.model_id;
  return () => {
    const { cluster } = ctx.services;
    const profile = cluster.profile;
    const errors: string[] = [];
    if (params.numberOfAllocations === undefined && params.adaptive === undefined) {
      // Wording unconfirmed; before 8.15 the number was required (its absence reads as 0).
      errors.push(
        profile.has("adaptiveAllocations")
          ? "[number_of_allocations] or [adaptive_allocations] is required"
          : "[number_of_allocations] must be a positive integer",
      );
    }
    if (params.numberOfAllocations !== undefined && params.numberOfAllocations < 1) {
      errors.push("[number_of_allocations] must be a positive integer");
    }
    if (params.numberOfAllocations !== undefined && params.adaptive?.enabled === true) {
      errors.push("[number_of_allocations] cannot be set if adaptive allocations is enabled");
    }
    if (params.adaptive) errors.push(...adaptiveErrors(params.adaptive, profile));
    if (errors.length > 0) throw validationFailed(errors);

    const dep = cluster.deployments.get(id);
    if (!dep) throw resourceNotFound(`No known model deployment with id [${id}]`);
    // A deployment an endpoint created is scaled through the inference API (elastic/elasticsearch#130940).
    const owner = cluster.endpoints.get(id);
    if (owner && profile.has("endpointDeploymentUpdateChecks") && owner.deploymentId === undefined) {
      throw statusException(
        409,
        `Cannot update deployment [${id}] as it was created by inference endpoint [${id}]. This model deployment must be updated through the inference API.`,
      );
    }
    const adaptive =
      params.adaptive === undefined
        ? dep.adaptive
        : params.adaptive === null
          ? null
          : mergeAdaptive(dep.adaptive, params.adaptive);
    if (params.numberOfAllocations !== undefined && adaptive?.enabled) {
      throw new EsError(
        400,
        "validation_exception",
        "Validation Failed: 1: [number_of_allocations] cannot be set if adaptive allocations is enabled;",
      );
    }
    if (adaptive) {
      const merged = adaptiveErrors(adaptive, profile);
      if (merged.length > 0) {
        throw new EsError(
          400,
          "validation_exception",
          `Validation Failed: ${merged.map((m, i) => `${i + 1}: ${m};`).join("")}`,
        );
      }
    }
    const target =
      params.numberOfAllocations ??
      (adaptive?.enabled ? clamp(dep.numberOfAllocations, adaptive) : dep.numberOfAllocations);
    applyUpdate(ctx.services, dep, target, adaptive);
    return ok(assignmentResponse(dep, cluster));
  };
}

/**
 * The update itself, once validated: nothing when nothing changes (before the state check), 409 when the
 * deployment is not started, 429 when an increase cannot fit. Shared with the inference API's `_update`.
 */
export function applyUpdate(
  services: Services,
  dep: Deployment,
  target: number,
  adaptive: AdaptiveSettings | null,
): void {
  const { cluster, lifecycle, scaler } = services;
  if (target === dep.numberOfAllocations && sameAdaptive(adaptive, dep.adaptive)) return;
  if (dep.state !== "started")
    throw statusException(409, "cannot update deployment that is not in [started] state");
  if (target !== dep.numberOfAllocations) lifecycle.setAllocations(dep, target, true);
  dep.adaptive = adaptive;
  scaler.ensureRunning();
  cluster.scheduler.notify();
}

export const updateRoutes: RouteDef[] = [
  {
    method: "POST",
    path: "/_ml/trained_models/{model_id}/deployment/_update",
    action: ACTIONS.updateDeployment,
    handler: updateDeployment,
    available: (profile) => profile.has("updateApi"),
  },
];
