/**
 * `diff` for an `InferenceEndpoint`. Pure: decides from the recorded outputs (the cluster version seen at
 * the last create or refresh) without a request, so a preview says whether a change is in place.
 *
 * - The endpoint's identity (id, task type, service, model, the deployment it uses, threads, task and
 *   chunking settings) cannot change in Elasticsearch: a change replaces the endpoint, deleting first (the
 *   new one has the same id).
 * - The allocations of a deployment the endpoint owns (`numAllocations`, `adaptiveAllocations`) change in
 *   place through `PUT _inference/<task>/<id>/_update` from 8.17 (`TransportUpdateInferenceModelAction`);
 *   on older versions they replace the endpoint.
 * - Provider settings (`waitTimeoutSeconds`, `forceDelete`) and the connection are recorded in place.
 * - An endpoint recorded not ready (a create that timed out while its deployment started) is a change: the
 *   update waits for it.
 */
import { connectionChange } from "../connectionInput";
import { isUnknown, sameJson } from "../inputs";
import { INFERENCE_UPDATE_SINCE, isAtLeast, parseEsVersion } from "../../client";
import { type EndpointInputs, type EndpointOutputs, isMlService, type MlServiceSettings } from "./inputs";

export interface EndpointDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Why it is replaced or changed, for the preview's notice and tests. */
  reasons: string[];
  /** The allocations change in place through the inference `_update`. */
  scaleInPlace: boolean;
  /** The endpoint was recorded not ready: the update waits for its deployment. */
  incomplete: boolean;
}

const IDENTITY_SETTINGS = ["modelId", "deploymentId", "numThreads"] as const;
const ALLOCATION_SETTINGS = ["numAllocations", "adaptiveAllocations"] as const;

/** Compare the recorded endpoint with the declaration. */
export function diffEndpointInputs(olds: Partial<EndpointOutputs>, news: EndpointInputs): EndpointDiff {
  const replaces = new Set<string>();
  const reasons: string[] = [];
  const replace = (property: string, reason: string) => {
    replaces.add(property);
    reasons.push(`${property}: ${reason}`);
  };
  for (const key of ["inferenceId", "taskType", "service", "taskSettings", "chunkingSettings"] as const) {
    if (!sameJson(olds[key], news[key])) replace(key, `${show(olds[key])} → ${show(news[key])}`);
  }
  let scaleInPlace = false;
  const oldSettings = (olds.serviceSettings ?? {}) as Record<string, unknown>;
  const newSettings = news.serviceSettings as Record<string, unknown> | undefined;
  if (isUnknown(newSettings)) {
    replace("serviceSettings", "known after apply");
  } else if (!isMlService(news.service)) {
    // Another service: Elasticsearch never returns its credentials, so any declared change is sent.
    // Values are never shown: they hold credentials.
    if (!sameJson(olds.serviceSettings, newSettings)) {
      if (updateAvailable(olds)) {
        scaleInPlace = true;
        reasons.push(
          `serviceSettings changed (values not shown: they may hold credentials, which Elasticsearch never ` +
            `returns): in place through PUT _inference/${news.taskType}/${news.inferenceId}/_update`,
        );
      } else {
        replace(
          "serviceSettings",
          `changed (values not shown; the inference _update needs Elasticsearch ${INFERENCE_UPDATE_SINCE}+)`,
        );
      }
    }
  } else {
    const next = (newSettings ?? {}) as Record<string, unknown>;
    for (const key of IDENTITY_SETTINGS) {
      if (!sameJson(oldSettings[key], next[key])) {
        replace(`serviceSettings.${key}`, `${show(oldSettings[key])} → ${show(next[key])}`);
      }
    }
    const allocationsChanged = ALLOCATION_SETTINGS.filter((k) => !sameJson(oldSettings[k], next[k]));
    if (allocationsChanged.length > 0) {
      const describe = allocationsChanged
        .map((k) => `serviceSettings.${k} ${show(oldSettings[k])} → ${show(next[k])}`)
        .join(", ");
      if (updateAvailable(olds)) {
        scaleInPlace = true;
        reasons.push(
          `${describe}: in place through PUT _inference/${news.taskType}/${news.inferenceId}/_update`,
        );
      } else {
        for (const k of allocationsChanged)
          replace(
            `serviceSettings.${k}`,
            `${show(oldSettings[k])} → ${show(next[k])} (Elasticsearch ${olds.esVersion ?? "of unknown version"} ` +
              `has no inference _update, which needs ${INFERENCE_UPDATE_SINCE}+: the endpoint is recreated)`,
          );
      }
    }
  }
  const reconnect = connectionChange(olds.connection, news.connection) !== undefined;
  const recordOnly =
    reconnect ||
    (["waitTimeoutSeconds", "forceDelete"] as const).some((key) => !sameJson(olds[key], news[key]));
  const incomplete = olds.ready === false;
  const replaceList = [...replaces];
  const sameId = olds.inferenceId === news.inferenceId || isUnknown(news.inferenceId);
  return {
    changes: replaceList.length > 0 || scaleInPlace || recordOnly || incomplete,
    replaces: replaceList,
    deleteBeforeReplace: replaceList.length > 0 && sameId,
    reasons,
    scaleInPlace: scaleInPlace && replaceList.length === 0,
    incomplete,
  };
}

/** In place only on a recorded 8.17+ cluster, for an endpoint that owns its deployment. */
function updateAvailable(olds: Partial<EndpointOutputs>): boolean {
  if (typeof olds.esVersion !== "string") return false;
  if ((olds.serviceSettings as MlServiceSettings | undefined)?.deploymentId !== undefined) return false;
  const version = parseEsVersion(olds.esVersion);
  return version !== undefined && isAtLeast(version, INFERENCE_UPDATE_SINCE);
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : (JSON.stringify(value) ?? String(value));
}
