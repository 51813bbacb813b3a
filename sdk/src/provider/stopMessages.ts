/**
 * What the user reads when Elasticsearch refuses to stop, scale or start a deployment: the cause in plain
 * words and the exact lever that gets past it. Pure.
 */
import type { ResponseError } from "../client";
import { endpointWayThrough, nameEndpoints } from "./endpointUse";
import type { StopFlags } from "./inputs";
import { ResolvedStopFlags, STOP_FLAG_CONFIG_KEYS, STOP_FLAG_ENV_VARS } from "./stopFlags";

/** Why the stop is happening: a teardown/replacement (`delete`) or a declared `state: "stopped"` (`update`). */
export type StopOperation = "delete" | "update";

/** True for the 409s Elasticsearch 9.x gives for deployments an inference endpoint owns or uses. */
export function isInferenceEndpointConflict(err: ResponseError): boolean {
  return (
    err.statusCode === 409 &&
    /inference endpoint|through the inference API/i.test(`${err.reason ?? ""} ${err.rootCause?.reason ?? ""}`)
  );
}

/** The inference endpoint an ownership 409 names (`... inference endpoint [<e>]`), if any. */
export function endpointNamed(err: ResponseError): string | undefined {
  return /inference endpoint \[([^\]]+)\]/.exec(err.reason ?? "")?.[1];
}

/** How to force the stop, given why it happens and where the current `force` value comes from. */
export function forceLevers(operation: StopOperation, resolved: ResolvedStopFlags): string {
  const env = STOP_FLAG_ENV_VARS.force;
  const key = STOP_FLAG_CONFIG_KEYS.force;
  const resourceSaysNo = resolved.sources.force === "resource" && resolved.flags.force === false;
  if (operation === "delete") {
    const levers = resourceSaysNo
      ? `${env}=true pulumi destroy (the resource's stop.force: false wins over stack config, so ${key} would not help)`
      : `${env}=true pulumi destroy, or pulumi config set ${key} true && pulumi destroy --run-program`;
    return (
      `To stop it anyway: ${levers}. ` +
      `When the stop is part of a replacement during pulumi up, use ${env}=true pulumi up.`
    );
  }
  return (
    "To stop it anyway: set stop: { force: true } on the resource" +
    (resourceSaysNo
      ? " (it sets stop.force: false now, which wins over stack config)"
      : `, or pulumi config set ${key} true`) +
    `, or run with ${env}=true; then pulumi up again.`
  );
}

/**
 * The message for a stop Elasticsearch refused with 409.
 *
 * @param recordedEndpoints The endpoints the last create or refresh saw using the deployment: Elasticsearch
 *   names only one (`Cannot stop deployment [d] as it was created by|is used by inference endpoint [e]`).
 */
export function stopRefusedMessage(
  operation: StopOperation,
  deploymentId: string,
  err: ResponseError,
  resolved: ResolvedStopFlags,
  recordedEndpoints: readonly string[] = [],
): string {
  const es = `(Elasticsearch: ${err.reason ?? err.message})`;
  if (isInferenceEndpointConflict(err)) {
    const named = endpointNamed(err);
    const endpoints = [...new Set([...(named === undefined ? [] : [named]), ...recordedEndpoints])];
    const who = endpoints.length === 0 ? "an inference endpoint" : `the ${nameEndpoints(endpoints)}`;
    return (
      `Elasticsearch refused to stop deployment [${deploymentId}] (409): ${who} ` +
      `${endpoints.length > 1 ? "use or own" : "uses or owns"} it, and a forced stop breaks ` +
      `${endpoints.length > 1 ? "those endpoints" : "that endpoint"} until the deployment runs again. ` +
      `${endpointWayThrough(endpoints.length === 0 ? ["<id>"] : endpoints)} ` +
      `(DELETE _inference/${endpoints[0] ?? "<id>"}); or force the stop. ${forceLevers(operation, resolved)} ${es}`
    );
  }
  const pipelines = err.referencingPipelines;
  const which =
    pipelines === undefined
      ? "ingest pipelines (they could not be listed)"
      : pipelines.length === 0
        ? "ingest pipelines (none reference it any more; run the operation again)"
        : `ingest pipelines [${pipelines.join(", ")}]`;
  return (
    `Cannot stop deployment [${deploymentId}]: it is referenced by ${which}. ` +
    `${forceLevers(operation, resolved)} Or remove the pipelines' references to it first. ${es}`
  );
}

/** The message for `_update` refused because an inference endpoint created the deployment. */
export function ownedByEndpointMessage(deploymentId: string, err: ResponseError): string {
  const endpoint = endpointNamed(err);
  return (
    `Deployment [${deploymentId}] was created by the inference endpoint ${endpoint ? `[${endpoint}]` : ""} and ` +
    "belongs to it: Elasticsearch refuses to scale it through the trained-model APIs (409). Scale it through the " +
    `inference API (PUT _inference/<task>/${endpoint ?? "<id>"}/_update with num_allocations or adaptive_allocations), ` +
    "or manage a deployment of your own with another deploymentId and point the endpoint at it " +
    `(service_settings.deployment_id). (Elasticsearch: ${err.reason ?? err.message})`
  );
}

/** `force=true, finish_pending_work=true` — for progress lines. */
export function describeFlags(flags: StopFlags): string {
  const parts = Object.entries(flags).map(([name, value]) => `${name}=${value}`);
  return parts.length === 0 ? "no flags (the Elasticsearch defaults)" : parts.join(", ");
}
