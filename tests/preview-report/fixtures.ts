/**
 * Hand-made preview documents in the exact `pulumi preview --json` shape the real engine prints for a
 * `TrainedModelDeployment` (compare `golden/engine/*.preview.json`): `oldState.outputs` hold the inputs
 * plus `effective` and the server facts, `newState.inputs` hold the inputs as `check` returned them, and
 * both carry `__provider`. For unit tests of cases the engine cannot easily be driven into (unknowns,
 * secrets, partial failures, `--show-replacement-steps`).
 */
export const TYPE = "pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER = "exports.handler = __f0;\n/* serialized provider */";

export function urn(name: string, type = TYPE, stack = "dev", project = "app"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

export const STACK_URN = `urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev`;

/** Inputs as `check` returns them: defaults filled. */
export function inputs(values: Record<string, unknown>): Record<string, unknown> {
  const modelId = values.modelId ?? "m";
  return {
    __provider: PROVIDER,
    modelId,
    deploymentId: modelId,
    state: "started",
    waitFor: "fully_allocated",
    waitTimeoutSeconds: 1200,
    ...values,
  };
}

/** Outputs after a create/update: the inputs, `effective`, and server facts. */
export function outputs(
  declared: Record<string, unknown>,
  effective: Record<string, unknown> = {},
  facts: Record<string, unknown> = {},
): Record<string, unknown> {
  const ins = inputs(declared);
  const running = (effective.state ?? ins.state) !== "stopped";
  return {
    ...ins,
    clusterUuid: "cluster-1",
    effective: running
      ? {
          state: "started",
          adaptiveAllocations: { enabled: false },
          numberOfAllocations: declared.numberOfAllocations ?? 1,
          threadsPerAllocation: declared.threadsPerAllocation ?? 1,
          priority: "normal",
          queueCapacity: 10000,
          cacheSize: "1630b",
          ...effective,
        }
      : { state: "stopped" },
    ...facts,
  };
}

function state(name: string, props: Record<string, unknown>, withOutputs: boolean): Record<string, unknown> {
  return {
    urn: urn(name),
    custom: true,
    ...(withOutputs ? { id: String(props.deploymentId ?? name) } : {}),
    type: TYPE,
    inputs: withOutputs ? { ...props, effective: undefined } : props,
    ...(withOutputs ? { outputs: props } : {}),
    parent: STACK_URN,
    provider: "urn:pulumi:dev::app::pulumi:providers:pulumi-nodejs::default::1",
  };
}

export interface StepSpec {
  op: string;
  name: string;
  /** Old outputs (see {@link outputs}). */
  old?: Record<string, unknown>;
  /** New inputs (see {@link inputs}). */
  new?: Record<string, unknown>;
  replaceReasons?: string[];
  initErrors?: string[];
  type?: string;
}

export function step(spec: StepSpec): Record<string, unknown> {
  const s: Record<string, unknown> = {
    op: spec.op,
    urn: urn(spec.name, spec.type),
    provider: "urn:pulumi:dev::app::pulumi:providers:pulumi-nodejs::default::1",
  };
  if (spec.old) {
    const old = state(spec.name, spec.old, true);
    if (spec.type) old.type = spec.type;
    if (spec.initErrors) old.initErrors = spec.initErrors;
    s.oldState = old;
  }
  if (spec.new) {
    const next = state(spec.name, spec.new, false);
    if (spec.type) next.type = spec.type;
    s.newState = next;
  }
  if (spec.replaceReasons) s.replaceReasons = spec.replaceReasons;
  s.detailedDiff = null;
  return s;
}

const STACK_STEP = {
  op: "same",
  urn: STACK_URN,
  oldState: { urn: STACK_URN, custom: false, type: "pulumi:pulumi:Stack" },
  newState: { urn: STACK_URN, custom: false, type: "pulumi:pulumi:Stack" },
  detailedDiff: null,
};

/** A whole document; `changeSummary` is computed from the steps unless given. */
export function previewDoc(
  steps: Record<string, unknown>[],
  extra: {
    config?: Record<string, unknown>;
    changeSummary?: Record<string, number>;
    diagnostics?: unknown[];
  } = {},
): string {
  const all = [STACK_STEP, ...steps];
  const summary: Record<string, number> = {};
  for (const s of all) summary[s.op as string] = (summary[s.op as string] ?? 0) + 1;
  return JSON.stringify(
    {
      config: extra.config ?? { "elasticsearch-ml:endpoints": "http://127.0.0.1:9" },
      steps: all,
      ...(extra.diagnostics ? { diagnostics: extra.diagnostics } : {}),
      duration: 1000,
      changeSummary: extra.changeSummary ?? summary,
    },
    null,
    4,
  );
}

export const ENDPOINT_TYPE = "pulumi-nodejs:dynamic/elasticsearch-ml:InferenceEndpoint";

/** An `InferenceEndpoint`'s inputs as `check` returns them (an `elasticsearch` endpoint that creates its deployment). */
export function endpointInputs(values: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    __provider: PROVIDER,
    taskType: "sparse_embedding",
    inferenceId: "my-elser",
    service: "elasticsearch",
    serviceSettings: { modelId: ".elser_model_2_linux-x86_64", numAllocations: 1, numThreads: 1 },
    waitTimeoutSeconds: 1200,
    ...values,
  };
}

/** Its outputs after a create or refresh: the inputs plus the recorded facts (`references`, `ownsDeployment`, …). */
export function endpointOutputs(
  declared: Record<string, unknown> = {},
  facts: Record<string, unknown> = {},
): Record<string, unknown> {
  const ins = endpointInputs(declared);
  return {
    ...ins,
    clusterUuid: "cluster-1",
    esVersion: "9.2.0",
    deploymentId: ins.inferenceId,
    ownsDeployment: true,
    ready: true,
    references: { pipelines: [], indexes: [] },
    ...facts,
  };
}
