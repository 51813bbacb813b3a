/**
 * `check` for an `InferenceEndpoint`: fill defaults and validate every rule before anything is sent, naming
 * the property, the value and what is allowed. Pure: no I/O, no Pulumi runtime. Values equal to Pulumi's
 * unknown sentinel (preview) are skipped. The rules are Elasticsearch's for the ML services (emulator
 * README, "Inference endpoints": `ElasticsearchInternalServiceSettings.fromMap`, `parseRequestConfig`).
 */
import { type CheckFailure, ID_PATTERN, show, WAIT_TIMEOUT_RULE } from "../check";
import { checkConnectionArgument } from "../connectionInput";
import {
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  isPlainObject,
  isUnknown,
  MAX_ID_LENGTH,
  MAX_THREADS_PER_ALLOCATION,
  MAX_WAIT_TIMEOUT_SECONDS,
  PROVIDER_KEY,
} from "../inputs";
import {
  CHUNKING_TASK_TYPES,
  ENDPOINT_INPUT_PROPERTIES,
  type EndpointInputs,
  isMlService,
  ML_SERVICE_TASK_TYPES,
  ML_SERVICES,
  PRECONFIGURED_ENDPOINTS,
  TASK_TYPES,
} from "./inputs";

export interface EndpointCheckOutcome {
  inputs: EndpointInputs;
  failures: CheckFailure[];
}

type Fail = (property: string, reason: string) => void;

const INFERENCE_ID_RULE =
  'must be a string of 1 to 64 characters: lowercase letters (a-z), digits (0-9), "-", "_" and ".", ' +
  "starting and ending with a letter or digit";
const THREADS_RULE = `must be a power of 2 from 1 to ${MAX_THREADS_PER_ALLOCATION} (1, 2, 4, 8, 16, 32)`;
const SETTINGS_KEYS = ["modelId", "numAllocations", "numThreads", "adaptiveAllocations", "deploymentId"];
const ADAPTIVE_KEYS = ["enabled", "minNumberOfAllocations", "maxNumberOfAllocations"];

/** Validate and normalize an `InferenceEndpoint`'s inputs. */
export function checkEndpointInputs(_olds: unknown, news: unknown): EndpointCheckOutcome {
  const failures: CheckFailure[] = [];
  const fail: Fail = (property, reason) => failures.push({ property, reason });
  const raw = isPlainObject(news) ? news : {};
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    if (key === PROVIDER_KEY || (ENDPOINT_INPUT_PROPERTIES as readonly string[]).includes(key))
      inputs[key] = value;
    else
      fail(
        key,
        `${key} is not an input of InferenceEndpoint; inputs are: ${ENDPOINT_INPUT_PROPERTIES.join(", ")}`,
      );
  }
  inputs.waitTimeoutSeconds ??= DEFAULT_WAIT_TIMEOUT_SECONDS;

  checkInferenceId(inputs.inferenceId, fail);
  const service = inputs.service;
  if (service === undefined) {
    fail("service", `service is required: ${ML_SERVICES.map(show).join(" or ")}, or another service's name`);
  } else if (!isUnknown(service) && (typeof service !== "string" || service.trim() === "")) {
    fail(
      "service",
      `service: ${show(service)} is not allowed; must be ${ML_SERVICES.map(show).join(" or ")}, or another service's name`,
    );
  }
  const taskType = inputs.taskType;
  if (taskType === undefined) fail("taskType", `taskType is required: one of ${TASK_TYPES.join(", ")}`);
  else if (!isUnknown(taskType)) {
    const allowed = isMlService(service) ? ML_SERVICE_TASK_TYPES[service] : TASK_TYPES;
    if (typeof taskType !== "string" || !allowed.includes(taskType)) {
      fail(
        "taskType",
        `taskType: ${show(taskType)} is not allowed${isMlService(service) ? ` for service "${service}"` : ""}; ` +
          `must be one of ${allowed.join(", ")}`,
      );
    }
  }

  const settings = inputs.serviceSettings;
  if (isMlService(service)) checkMlSettings(service, settings, fail);
  else if (settings !== undefined && !isUnknown(settings) && !isPlainObject(settings)) {
    fail(
      "serviceSettings",
      `serviceSettings must be an object (the service's settings); got ${show(settings)}`,
    );
  }
  for (const key of ["taskSettings", "chunkingSettings"] as const) {
    const v = inputs[key];
    if (v !== undefined && !isUnknown(v) && !isPlainObject(v)) {
      fail(key, `${key} must be an object; got ${show(v)}`);
    }
  }
  if (
    inputs.chunkingSettings !== undefined &&
    typeof taskType === "string" &&
    !isUnknown(taskType) &&
    !CHUNKING_TASK_TYPES.includes(taskType)
  ) {
    fail(
      "chunkingSettings",
      `chunkingSettings is not allowed for taskType "${taskType}"; chunking applies to ${CHUNKING_TASK_TYPES.join(" and ")}`,
    );
  }

  const timeout = inputs.waitTimeoutSeconds;
  if (
    !isUnknown(timeout) &&
    (typeof timeout !== "number" || !(timeout > 0) || timeout > MAX_WAIT_TIMEOUT_SECONDS)
  ) {
    fail("waitTimeoutSeconds", `waitTimeoutSeconds: ${show(timeout)} is not allowed; ${WAIT_TIMEOUT_RULE}`);
  }
  const force = inputs.forceDelete;
  if (force !== undefined && !isUnknown(force) && typeof force !== "boolean") {
    fail("forceDelete", `forceDelete: ${show(force)} is not allowed; must be true or false`);
  }
  if (inputs.connection !== undefined) failures.push(...checkConnectionArgument(inputs.connection));
  return { inputs: inputs as unknown as EndpointInputs, failures };
}

function checkInferenceId(id: unknown, fail: Fail): void {
  if (id === undefined) return fail("inferenceId", "inferenceId is required");
  if (isUnknown(id)) return;
  if (typeof id === "string" && PRECONFIGURED_ENDPOINTS.includes(id)) {
    return fail(
      "inferenceId",
      `inferenceId: ${show(id)} is one of Elastic's preconfigured endpoints (${PRECONFIGURED_ENDPOINTS.join(", ")}), ` +
        "which the cluster provides and this package never creates or deletes; reference it by id where you " +
        "use it (a pipeline's inference processor, a semantic_text field) instead of declaring it, or give " +
        "your own endpoint another id",
    );
  }
  if (typeof id === "string" && id.startsWith(".")) {
    return fail(
      "inferenceId",
      `inferenceId: ${show(id)} is not allowed; a leading "." is reserved for Elastic's preconfigured endpoints; ${INFERENCE_ID_RULE}`,
    );
  }
  if (typeof id !== "string" || !ID_PATTERN.test(id) || id.length > MAX_ID_LENGTH) {
    fail("inferenceId", `inferenceId: ${show(id)} is not allowed; ${INFERENCE_ID_RULE}`);
  }
}

/** The typed settings of the `elasticsearch` / `elser` services. */
function checkMlSettings(service: string, settings: unknown, fail: Fail): void {
  if (isUnknown(settings)) return;
  if (settings === undefined) {
    if (service === "elser") return fail("serviceSettings", ELSER_HINT);
    return fail(
      "serviceSettings",
      'serviceSettings is required for service "elasticsearch": { modelId, numThreads, numAllocations or ' +
        "adaptiveAllocations }, or { deploymentId } to use an existing deployment",
    );
  }
  if (!isPlainObject(settings)) {
    return fail("serviceSettings", `serviceSettings must be an object; got ${show(settings)}`);
  }
  for (const key of Object.keys(settings)) {
    if (!SETTINGS_KEYS.includes(key) && settings[key] !== undefined && settings[key] !== null) {
      fail(
        `serviceSettings.${key}`,
        `serviceSettings.${key} is not a setting of service "${service}"; settings are: ${SETTINGS_KEYS.join(", ")}`,
      );
    }
  }
  const given = (key: string) => settings[key] !== undefined && settings[key] !== null;
  const known = (key: string) => given(key) && !isUnknown(settings[key]);
  for (const key of ["modelId", "deploymentId"]) {
    if (known(key) && (typeof settings[key] !== "string" || !ID_PATTERN.test(settings[key] as string))) {
      fail(
        `serviceSettings.${key}`,
        `serviceSettings.${key}: ${show(settings[key])} is not allowed; must be a model or deployment id ` +
          '(lowercase letters, digits, "-", "_", "."; a leading "." for Elastic\'s packaged models)',
      );
    }
  }
  if (given("deploymentId")) {
    // The endpoint takes allocations, threads and the model from the deployment (CreateFromDeploymentIT).
    for (const key of ["numAllocations", "numThreads", "adaptiveAllocations"]) {
      if (given(key)) {
        fail(
          `serviceSettings.${key}`,
          `serviceSettings.${key} is not allowed with serviceSettings.deploymentId: an endpoint on an existing ` +
            "deployment takes its allocations and threads from it; scale that deployment instead",
        );
      }
    }
    return;
  }
  if (!given("modelId") && service === "elasticsearch") {
    fail(
      "serviceSettings.modelId",
      'serviceSettings.modelId is required for service "elasticsearch" (e.g. ".elser_model_2_linux-x86_64", ' +
        '".multilingual-e5-small", or a TrainedModel\'s resolvedModelId), unless deploymentId names an existing deployment',
    );
  }
  if (!given("numThreads")) {
    fail("serviceSettings.numThreads", `serviceSettings.numThreads is required; ${THREADS_RULE}`);
  } else if (known("numThreads")) {
    const t = settings.numThreads;
    if (
      typeof t !== "number" ||
      !Number.isInteger(t) ||
      t < 1 ||
      t > MAX_THREADS_PER_ALLOCATION ||
      (t & (t - 1)) !== 0
    )
      fail(
        "serviceSettings.numThreads",
        `serviceSettings.numThreads: ${show(t)} is not allowed; ${THREADS_RULE}`,
      );
  }
  const adaptive = settings.adaptiveAllocations;
  if (!given("numAllocations") && !given("adaptiveAllocations")) {
    fail(
      "serviceSettings.numAllocations",
      "serviceSettings needs numAllocations (a fixed count) or adaptiveAllocations ({ enabled: true, " +
        "minNumberOfAllocations, maxNumberOfAllocations })",
    );
  }
  if (
    given("numAllocations") &&
    given("adaptiveAllocations") &&
    isPlainObject(adaptive) &&
    adaptive.enabled === true
  ) {
    fail(
      "serviceSettings.numAllocations",
      "serviceSettings.numAllocations is not allowed with adaptiveAllocations enabled: Elasticsearch sets the " +
        "count between minNumberOfAllocations and maxNumberOfAllocations",
    );
  }
  if (known("numAllocations")) {
    const n = settings.numAllocations;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
      fail(
        "serviceSettings.numAllocations",
        `serviceSettings.numAllocations: ${show(n)} is not allowed; must be a positive integer`,
      );
  }
  if (known("adaptiveAllocations")) checkAdaptive(adaptive, fail);
}

const ELSER_HINT =
  'serviceSettings is required for service "elser": { numThreads, numAllocations or adaptiveAllocations }';

function checkAdaptive(adaptive: unknown, fail: Fail): void {
  const path = "serviceSettings.adaptiveAllocations";
  if (!isPlainObject(adaptive)) {
    return fail(
      path,
      `${path} must be an object { enabled, minNumberOfAllocations?, maxNumberOfAllocations? }; got ${show(adaptive)}`,
    );
  }
  for (const key of Object.keys(adaptive)) {
    if (!ADAPTIVE_KEYS.includes(key))
      fail(`${path}.${key}`, `${path}.${key} is not a setting; settings are: ${ADAPTIVE_KEYS.join(", ")}`);
  }
  if (!isUnknown(adaptive.enabled) && typeof adaptive.enabled !== "boolean") {
    fail(
      `${path}.enabled`,
      `${path}.enabled: ${show(adaptive.enabled)} is not allowed; must be true or false`,
    );
  }
  const min = adaptive.minNumberOfAllocations;
  const max = adaptive.maxNumberOfAllocations;
  const count = (v: unknown) => typeof v === "number" && Number.isInteger(v);
  if (min !== undefined && !isUnknown(min) && !(count(min) && (min as number) >= 0)) {
    fail(
      `${path}.minNumberOfAllocations`,
      `${path}.minNumberOfAllocations: ${show(min)} is not allowed; must be an integer of 0 or more`,
    );
  }
  if (max !== undefined && !isUnknown(max) && !(count(max) && (max as number) >= 1)) {
    fail(
      `${path}.maxNumberOfAllocations`,
      `${path}.maxNumberOfAllocations: ${show(max)} is not allowed; must be a positive integer`,
    );
  }
  if (count(min) && count(max) && (min as number) > (max as number)) {
    fail(
      `${path}.minNumberOfAllocations`,
      `${path}.minNumberOfAllocations (${show(min)}) must not exceed maxNumberOfAllocations (${show(max)})`,
    );
  }
}
