/**
 * A `TrainedModelDeployment` that inference endpoints own or use, when a change stops it: whether
 * Elasticsearch will refuse the stop (8.18.4+/9.0.4+, see `refusesStopOfEndpointDeployment`) or let it
 * through and break the endpoints, judged from what the last create or refresh recorded (a preview sends
 * nothing). Pure.
 */
import { parseEsVersion, refusesStopOfEndpointDeployment } from "../client";

/** What the stop will meet: refused unless forced, let through (the endpoints break), or not known yet. */
export type EndpointStopVerdict = "refused" | "goes-through" | "decided-at-apply";

/** The verdict for the recorded version; old state without one (or an unparsable one) is decided at apply. */
export function endpointStopVerdict(recordedVersion: string | undefined): EndpointStopVerdict {
  const version =
    typeof recordedVersion === "string"
      ? parseEsVersion(recordedVersion, recordedVersion.endsWith("(serverless)") ? "serverless" : undefined)
      : undefined;
  if (version === undefined) return "decided-at-apply";
  return refusesStopOfEndpointDeployment(version) ? "refused" : "goes-through";
}

/** `inference endpoint [a]`, `inference endpoints [a, b]`. */
export function nameEndpoints(endpoints: readonly string[]): string {
  return `inference endpoint${endpoints.length === 1 ? "" : "s"} [${endpoints.join(", ")}]`;
}

/** The way through, the same in the preview and in the `up` error. */
export function endpointWayThrough(endpoints: readonly string[]): string {
  const them = endpoints.length === 1 ? "it" : "them";
  return (
    `Delete the endpoint${endpoints.length === 1 ? "" : "s"} first, or point ${them} at another deployment ` +
    "(service_settings.deployment_id); an InferenceEndpoint declared on this deployment's deploymentId output " +
    "is deleted before it by the engine"
  );
}

/**
 * The preview's notice for a planned stop of a deployment `endpoints` own or use, or undefined when the
 * stop will be refused and is not forced (the stop warning about users in general covers that case).
 *
 * @param forced Whether the stop will send `force=true`.
 */
export function endpointStopNotice(
  deploymentId: string,
  endpoints: readonly string[],
  recordedVersion: string | undefined,
  forced: boolean,
): string | undefined {
  if (endpoints.length === 0) return undefined;
  const who = `${deploymentId}: this change stops the deployment, which ${nameEndpoints(endpoints)} owned or used at the last refresh`;
  const breaks = `${endpoints.length === 1 ? "that endpoint fails" : "those endpoints fail"} (inference and semantic_text indexing through ${endpoints.length === 1 ? "it" : "them"}) until the deployment runs again`;
  const way = `${endpointWayThrough(endpoints)}.`;
  switch (endpointStopVerdict(recordedVersion)) {
    case "refused":
      return forced
        ? `${who}. Elasticsearch ${recordedVersion} refuses such a stop unless forced, and this one is forced: ${breaks}. ${way}`
        : `${who}. Elasticsearch ${recordedVersion} will refuse the stop (409) unless forced; forcing it means ${breaks}. ${way}`;
    case "goes-through":
      return `${who}. Elasticsearch ${recordedVersion} does not refuse it (only 8.18.4+ and 9.0.4+ do): the stop goes through and ${breaks}. ${way}`;
    case "decided-at-apply":
      return (
        `${who}. Whether Elasticsearch refuses the stop is decided at apply (no version was recorded; pulumi refresh ` +
        `records it): 8.18.4+ and 9.0.4+ refuse it unless forced, older versions stop it and ${breaks}. ${way}`
      );
  }
}
