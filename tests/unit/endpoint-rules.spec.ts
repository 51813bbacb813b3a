/**
 * The `InferenceEndpoint`'s pure rules as tables: check (inputs and their messages, preconfigured ids
 * refused), diff (replacement, in place through the inference `_update` on a recorded 8.17+ cluster, record
 * only), refresh's drift rule for fixed counts, and the force-delete precedence (its own flag).
 */
import * as assert from "node:assert/strict";
import { checkEndpointInputs } from "#sdk/provider/endpoint/check";
import { diffEndpointInputs } from "#sdk/provider/endpoint/diff";
import { resolveEndpointForceDelete } from "#sdk/provider/endpoint/forceDelete";
import { declaredInputs } from "#sdk/provider/endpoint/outputs";
import { PULUMI_UNKNOWN } from "#sdk/provider/inputs";
import type { EndpointInputs, EndpointOutputs } from "#sdk/provider/endpoint/inputs";

const ELSER = {
  taskType: "sparse_embedding",
  inferenceId: "my-elser",
  service: "elasticsearch",
  serviceSettings: { modelId: ".elser_model_2", numAllocations: 1, numThreads: 1 },
};

describe("InferenceEndpoint check", function () {
  const cases: [string, Record<string, unknown>, [string, RegExp][]][] = [
    ["an ELSER endpoint with a fixed count", ELSER, []],
    [
      "adaptive allocations",
      {
        ...ELSER,
        serviceSettings: {
          modelId: ".elser_model_2",
          numThreads: 1,
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0, maxNumberOfAllocations: 4 },
        },
      },
      [],
    ],
    ["an existing deployment", { ...ELSER, serviceSettings: { deploymentId: "elser-search" } }, []],
    [
      "unknown values at preview",
      {
        ...ELSER,
        inferenceId: PULUMI_UNKNOWN,
        serviceSettings: { modelId: PULUMI_UNKNOWN, numAllocations: 1, numThreads: 1 },
      },
      [],
    ],
    [
      "a preconfigured endpoint id",
      { ...ELSER, inferenceId: ".elser-2-elasticsearch" },
      [
        [
          "inferenceId",
          /"\.elser-2-elasticsearch" is one of Elastic's preconfigured endpoints.*never creates or deletes/,
        ],
      ],
    ],
    [
      "another leading dot",
      { ...ELSER, inferenceId: ".mine" },
      [["inferenceId", /"\.mine" is not allowed; a leading "\." is reserved/]],
    ],
    [
      "an uppercase id",
      { ...ELSER, inferenceId: "My-Elser" },
      [["inferenceId", /"My-Elser" is not allowed; must be a string of 1 to 64/]],
    ],
    [
      "a task type the service lacks",
      { ...ELSER, taskType: "completion" },
      [
        [
          "taskType",
          /"completion" is not allowed for service "elasticsearch"; must be one of sparse_embedding, text_embedding, rerank/,
        ],
      ],
    ],
    [
      "elser is sparse only",
      { ...ELSER, service: "elser", taskType: "text_embedding" },
      [["taskType", /for service "elser"; must be one of sparse_embedding$/]],
    ],
    [
      "no model",
      { ...ELSER, serviceSettings: { numAllocations: 1, numThreads: 1 } },
      [["serviceSettings.modelId", /modelId is required for service "elasticsearch"/]],
    ],
    [
      "threads not a power of 2",
      { ...ELSER, serviceSettings: { modelId: ".elser_model_2", numAllocations: 1, numThreads: 3 } },
      [["serviceSettings.numThreads", /numThreads: 3 is not allowed; must be a power of 2/]],
    ],
    [
      "neither count nor adaptive",
      { ...ELSER, serviceSettings: { modelId: ".elser_model_2", numThreads: 1 } },
      [["serviceSettings.numAllocations", /needs numAllocations .* or adaptiveAllocations/]],
    ],
    [
      "a count with adaptive enabled",
      {
        ...ELSER,
        serviceSettings: {
          modelId: ".elser_model_2",
          numThreads: 1,
          numAllocations: 2,
          adaptiveAllocations: { enabled: true },
        },
      },
      [["serviceSettings.numAllocations", /not allowed with adaptiveAllocations enabled/]],
    ],
    [
      "min above max",
      {
        ...ELSER,
        serviceSettings: {
          modelId: ".elser_model_2",
          numThreads: 1,
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 4, maxNumberOfAllocations: 2 },
        },
      },
      [
        [
          "serviceSettings.adaptiveAllocations.minNumberOfAllocations",
          /\(4\) must not exceed maxNumberOfAllocations \(2\)/,
        ],
      ],
    ],
    [
      "allocations with an existing deployment",
      { ...ELSER, serviceSettings: { deploymentId: "d", numAllocations: 2 } },
      [
        [
          "serviceSettings.numAllocations",
          /not allowed with serviceSettings.deploymentId.*scale that deployment instead/,
        ],
      ],
    ],
    [
      "an unknown setting",
      { ...ELSER, serviceSettings: { ...ELSER.serviceSettings, model_id: "x" } },
      [["serviceSettings.model_id", /is not a setting of service "elasticsearch"; settings are: modelId/]],
    ],
    [
      "chunking on rerank",
      { ...ELSER, taskType: "rerank", chunkingSettings: { strategy: "word" } },
      [["chunkingSettings", /not allowed for taskType "rerank"/]],
    ],
    [
      "an unknown input",
      { ...ELSER, numAllocations: 2 },
      [["numAllocations", /is not an input of InferenceEndpoint/]],
    ],
    ["a bad timeout", { ...ELSER, waitTimeoutSeconds: 0 }, [["waitTimeoutSeconds", /0 is not allowed/]]],
    [
      "forceDelete not a boolean",
      { ...ELSER, forceDelete: "yes" },
      [["forceDelete", /"yes" is not allowed; must be true or false/]],
    ],
  ];
  for (const [name, inputs, expected] of cases) {
    it(name, () => {
      const { failures } = checkEndpointInputs({}, inputs);
      assert.deepEqual(
        failures.map((f) => f.property),
        expected.map(([p]) => p),
        JSON.stringify(failures),
      );
      expected.forEach(([, re], i) => assert.match(failures[i].reason, re));
    });
  }

  it("another service: its settings object is passed as written", () => {
    const { failures } = checkEndpointInputs(
      {},
      {
        taskType: "completion",
        inferenceId: "openai-chat",
        service: "openai",
        serviceSettings: { api_key: "k", model_id: "gpt-4o" },
      },
    );
    assert.deepEqual(failures, []);
  });

  it("fills the default wait", () => {
    assert.equal(checkEndpointInputs({}, ELSER).inputs.waitTimeoutSeconds, 1200);
  });
});

describe("InferenceEndpoint diff", function () {
  const recorded = (esVersion: string, extra: Partial<EndpointOutputs> = {}): Partial<EndpointOutputs> => ({
    ...(ELSER as EndpointInputs),
    waitTimeoutSeconds: 1200,
    esVersion,
    ready: true,
    ...extra,
  });
  const declared = (settings: Record<string, unknown>, extra: Record<string, unknown> = {}): EndpointInputs =>
    ({
      ...ELSER,
      waitTimeoutSeconds: 1200,
      serviceSettings: { ...ELSER.serviceSettings, ...settings },
      ...extra,
    }) as EndpointInputs;

  const cases: [
    string,
    Partial<EndpointOutputs>,
    EndpointInputs,
    { replaces: string[]; scaleInPlace: boolean; changes: boolean },
  ][] = [
    [
      "nothing changed",
      recorded("9.2.0"),
      declared({}),
      { replaces: [], scaleInPlace: false, changes: false },
    ],
    [
      "a count on 8.17+: in place",
      recorded("8.17.0"),
      declared({ numAllocations: 2 }),
      { replaces: [], scaleInPlace: true, changes: true },
    ],
    [
      "adaptive on 9.x: in place",
      recorded("9.2.0"),
      declared({
        numAllocations: undefined,
        adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 },
      }),
      { replaces: [], scaleInPlace: true, changes: true },
    ],
    [
      "a count on 8.16: replaced",
      recorded("8.16.0"),
      declared({ numAllocations: 2 }),
      { replaces: ["serviceSettings.numAllocations"], scaleInPlace: false, changes: true },
    ],
    [
      "threads: replaced",
      recorded("9.2.0"),
      declared({ numThreads: 2 }),
      { replaces: ["serviceSettings.numThreads"], scaleInPlace: false, changes: true },
    ],
    [
      "the model: replaced",
      recorded("9.2.0"),
      declared({ modelId: ".elser_model_2_linux-x86_64" }),
      { replaces: ["serviceSettings.modelId"], scaleInPlace: false, changes: true },
    ],
    [
      "the task type: replaced",
      recorded("9.2.0"),
      declared({}, { taskType: "text_embedding" }),
      { replaces: ["taskType"], scaleInPlace: false, changes: true },
    ],
    [
      "forceDelete: recorded only",
      recorded("9.2.0"),
      declared({}, { forceDelete: true }),
      { replaces: [], scaleInPlace: false, changes: true },
    ],
    [
      "a create that timed out: the update waits",
      recorded("9.2.0", { ready: false }),
      declared({}),
      { replaces: [], scaleInPlace: false, changes: true },
    ],
    [
      "an endpoint on another deployment is never scaled through the inference API",
      recorded("9.2.0", { serviceSettings: { deploymentId: "d" } }),
      { ...ELSER, waitTimeoutSeconds: 1200, serviceSettings: { deploymentId: "e" } } as EndpointInputs,
      { replaces: ["serviceSettings.deploymentId"], scaleInPlace: false, changes: true },
    ],
  ];
  for (const [name, olds, news, expected] of cases) {
    it(name, () => {
      const d = diffEndpointInputs(olds, news);
      assert.deepEqual(
        { replaces: d.replaces, scaleInPlace: d.scaleInPlace, changes: d.changes },
        expected,
        d.reasons.join("; "),
      );
      if (d.replaces.length > 0) assert.equal(d.deleteBeforeReplace, true);
    });
  }

  const OPENAI = {
    taskType: "text_embedding",
    inferenceId: "openai-embed",
    service: "openai",
    waitTimeoutSeconds: 1200,
    serviceSettings: { api_key: "sk-old-canary", model_id: "text-embedding-3-small" },
  };
  it("another service's changed settings (a rotated key) go in place on 8.17+, never quoting them", () => {
    const d = diffEndpointInputs(
      { ...OPENAI, esVersion: "8.18.0" } as Partial<EndpointOutputs>,
      {
        ...OPENAI,
        serviceSettings: { ...OPENAI.serviceSettings, api_key: "sk-new-canary" },
      } as EndpointInputs,
    );
    assert.deepEqual([d.replaces, d.scaleInPlace, d.changes], [[], true, true]);
    assert.doesNotMatch(d.reasons.join(" "), /canary/);
    assert.match(
      d.reasons.join(" "),
      /values not shown.*PUT _inference\/text_embedding\/openai-embed\/_update/,
    );
  });
  it("another service's changed settings before 8.17: replaced, never quoting them", () => {
    const d = diffEndpointInputs(
      { ...OPENAI, esVersion: "8.16.0" } as Partial<EndpointOutputs>,
      {
        ...OPENAI,
        serviceSettings: { ...OPENAI.serviceSettings, api_key: "sk-new-canary" },
      } as EndpointInputs,
    );
    assert.deepEqual(d.replaces, ["serviceSettings"]);
    assert.doesNotMatch(d.reasons.join(" "), /canary/);
  });
  it("another service's settings unchanged: no change", () => {
    const d = diffEndpointInputs(
      { ...OPENAI, esVersion: "8.18.0" } as Partial<EndpointOutputs>,
      OPENAI as EndpointInputs,
    );
    assert.equal(d.changes, false);
  });

  it("says why a replacement on an old cluster is not in place", () => {
    const d = diffEndpointInputs(recorded("8.16.0"), declared({ numAllocations: 2 }));
    assert.match(
      d.reasons.join(" "),
      /Elasticsearch 8\.16\.0 has no inference _update, which needs 8\.17\.0\+/,
    );
  });
});

describe("InferenceEndpoint refresh drift", function () {
  const props = { ...ELSER, waitTimeoutSeconds: 1200, clusterUuid: "u" };
  it("a fixed count Elasticsearch reports differently is drift", () => {
    const inputs = declaredInputs(props, {
      inference_id: "my-elser",
      service_settings: { num_allocations: 3 },
    });
    assert.deepEqual((inputs.serviceSettings as Record<string, unknown>).numAllocations, 3);
    assert.equal(inputs.clusterUuid, undefined);
  });
  it("under adaptive allocations a moving count is not drift", () => {
    const adaptive = {
      ...props,
      serviceSettings: {
        modelId: ".elser_model_2",
        numThreads: 1,
        numAllocations: 1,
        adaptiveAllocations: { enabled: true },
      },
    };
    const inputs = declaredInputs(adaptive, {
      inference_id: "my-elser",
      service_settings: { num_allocations: 3 },
    });
    assert.equal((inputs.serviceSettings as Record<string, unknown>).numAllocations, 1);
  });
});

describe("InferenceEndpoint force-delete precedence", function () {
  const ENV = "ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS";
  const cases: [
    string,
    Record<string, string>,
    unknown,
    boolean | undefined,
    { force: boolean; source: string },
  ][] = [
    ["unset: not forced", {}, undefined, undefined, { force: false, source: "default" }],
    ["stack config", {}, undefined, true, { force: true, source: "config" }],
    ["the resource over stack config", {}, false, true, { force: false, source: "resource" }],
    [
      "the environment over the resource",
      { [ENV]: "true" },
      false,
      false,
      { force: true, source: "environment" },
    ],
    [
      "the models' variable is not read",
      { ELASTICSEARCH_ML_FORCE_DELETE_MODELS: "true" },
      undefined,
      undefined,
      { force: false, source: "default" },
    ],
    [
      "the stop flag's variable is not read",
      { ELASTICSEARCH_ML_FORCE: "true" },
      undefined,
      undefined,
      { force: false, source: "default" },
    ],
  ];
  for (const [name, env, resource, config, expected] of cases) {
    it(name, () => assert.deepEqual(resolveEndpointForceDelete(env, resource, config), expected));
  }
  it("a malformed variable fails, naming it", () => {
    assert.throws(
      () => resolveEndpointForceDelete({ [ENV]: "maybe" }, undefined, undefined),
      /ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS/,
    );
  });
});
