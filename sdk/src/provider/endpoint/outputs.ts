/**
 * An `InferenceEndpoint`'s wire forms and outputs: the request body built from the inputs, the endpoint
 * as Elasticsearch reports it (credentials left out whatever the answer holds), the deployment's
 * allocation, and the declared inputs of recorded props (with the drift a refresh saw). Pure.
 */
import type { DeploymentStats, InferenceEndpoint } from "../../client";
import { isPlainObject, PROVIDER_KEY } from "../inputs";
import {
  ENDPOINT_INPUT_PROPERTIES,
  type EndpointAllocation,
  type EndpointInputs,
  isMlService,
  type MlServiceSettings,
} from "./inputs";

type Props = Record<string, unknown>;

/** `service_settings` keys that hold credentials for third-party services: never recorded from an answer. */
const CREDENTIAL_KEYS =
  /^(api_key|secret|secret_key|access_key|access_key_id|password|token|.*_api_key|.*_secret)$/i;

/** The `service_settings` of an ML service, in Elasticsearch's names. */
export function mlServiceSettingsBody(settings: MlServiceSettings | undefined): Props {
  const s = settings ?? {};
  const a = s.adaptiveAllocations;
  return compact({
    model_id: s.modelId,
    deployment_id: s.deploymentId,
    num_allocations: s.numAllocations,
    num_threads: s.numThreads,
    adaptive_allocations:
      a === undefined
        ? undefined
        : compact({
            enabled: a.enabled,
            min_number_of_allocations: a.minNumberOfAllocations,
            max_number_of_allocations: a.maxNumberOfAllocations,
          }),
  });
}

/** The body of `PUT _inference/<task>/<id>`. */
export function createBody(inputs: EndpointInputs): Props {
  return compact({
    service: inputs.service,
    service_settings: isMlService(inputs.service)
      ? mlServiceSettingsBody(inputs.serviceSettings as MlServiceSettings | undefined)
      : inputs.serviceSettings,
    task_settings: inputs.taskSettings,
    chunking_settings: inputs.chunkingSettings,
  });
}

/** The body of `_update` for an allocation change (or another service's changed settings). */
export function updateBody(inputs: EndpointInputs): Props {
  if (!isMlService(inputs.service)) return { service_settings: inputs.serviceSettings ?? {} };
  const body = mlServiceSettingsBody(inputs.serviceSettings as MlServiceSettings | undefined);
  return {
    service_settings: compact({
      num_allocations: body.num_allocations,
      adaptive_allocations: body.adaptive_allocations,
    }),
  };
}

/** The endpoint as reported, without any credential-like setting (Elasticsearch does not return them). */
export function reportedEndpoint(endpoint: InferenceEndpoint): Props {
  const out: Props = { ...endpoint };
  if (isPlainObject(endpoint.service_settings)) {
    out.service_settings = Object.fromEntries(
      Object.entries(endpoint.service_settings).filter(([key]) => !CREDENTIAL_KEYS.test(key)),
    );
  }
  return out;
}

/** The allocation facts of the endpoint's deployment. */
export function allocationOf(stats: DeploymentStats | undefined): EndpointAllocation {
  if (stats === undefined) return { state: "absent" };
  return compact({
    state: stats.state ?? "unknown",
    allocationCount: stats.allocation_status?.allocation_count,
    targetAllocationCount: stats.allocation_status?.target_allocation_count,
    allocationState: stats.allocation_status?.state,
  }) as unknown as EndpointAllocation;
}

/**
 * The declared inputs of recorded props, with the allocation count Elasticsearch reports for a fixed count
 * (not under adaptive allocations, where the count moves by design): a refresh that saw another count
 * shows it as drift, and the next `up` sets it back in place.
 */
export function declaredInputs(props: Props, endpoint?: InferenceEndpoint): Props {
  const out: Props = {};
  for (const key of [...ENDPOINT_INPUT_PROPERTIES, PROVIDER_KEY])
    if (props[key] !== undefined) out[key] = props[key];
  const settings = out.serviceSettings as MlServiceSettings | undefined;
  const reported = endpoint?.service_settings?.num_allocations;
  if (
    isMlService(out.service) &&
    isPlainObject(settings) &&
    typeof settings.numAllocations === "number" &&
    (settings.adaptiveAllocations as { enabled?: unknown } | undefined)?.enabled !== true &&
    settings.deploymentId === undefined &&
    typeof reported === "number" &&
    reported !== settings.numAllocations
  ) {
    out.serviceSettings = { ...settings, numAllocations: reported };
  }
  return out;
}

/** Without undefined members (the engine keeps no `undefined`). */
export function compact(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}
