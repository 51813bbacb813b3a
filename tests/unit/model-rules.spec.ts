/**
 * The `TrainedModel`'s pure rules as tables: check (inputs and their messages), diff (replace, record in
 * place, finish an incomplete model), the packaged build choice (as Kibana decides), and the force-delete
 * precedence (environment > resource > stack config; never the stop flags).
 */
import * as assert from "node:assert/strict";
import { checkModelInputs } from "#sdk/provider/model/check";
import { diffModelInputs, type CurrentFiles } from "#sdk/provider/model/diff";
import { choosePackagedBuild } from "#sdk/provider/model/platform";
import { resolveForceDelete } from "#sdk/provider/model/forceDelete";
import { PULUMI_UNKNOWN } from "#sdk/provider/inputs";
import type { ModelInputs, ModelOutputs } from "#sdk/provider/model/inputs";

const CONFIG = {
  model_type: "pytorch",
  inference_config: { text_embedding: {} },
  input: { field_names: ["t"] },
};
const UPLOAD = { definitionPath: "/m/model.pt", vocabularyPath: "/m/vocab.json", config: CONFIG };

describe("TrainedModel check", function () {
  const cases: [string, Record<string, unknown>, [string, RegExp][]][] = [
    ["a packaged model", { modelId: ".multilingual-e5-small" }, []],
    [
      "platform auto on a model with a linux-x86_64 build",
      { modelId: ".elser_model_2", platform: "auto" },
      [],
    ],
    ["your own model with files", { modelId: "my-model", upload: UPLOAD }, []],
    [
      "an inline vocabulary with scores",
      {
        modelId: "m",
        upload: { ...UPLOAD, vocabularyPath: undefined, vocabulary: { vocabulary: ["a"], scores: [1] } },
      },
      [],
    ],
    [
      "unknown values at preview",
      { modelId: PULUMI_UNKNOWN, upload: PULUMI_UNKNOWN, platform: PULUMI_UNKNOWN },
      [],
    ],
    ["no modelId", {}, [["modelId", /^modelId is required$/]]],
    [
      "an invalid id",
      { modelId: "My Model" },
      [["modelId", /"My Model" is not allowed; must be a string of 1 to 64/]],
    ],
    [
      "an unknown input",
      { modelId: ".elser_model_2", foo: 1 },
      [["foo", /foo is not an input of TrainedModel; inputs are: modelId, platform/]],
    ],
    [
      "upload on a packaged id",
      { modelId: ".elser_model_2", upload: UPLOAD },
      [
        [
          "upload",
          /upload is not allowed for "\.elser_model_2": an id with a leading "\." is one of Elastic's packaged models/,
        ],
      ],
    ],
    [
      "your own id without upload",
      { modelId: "mine" },
      [["upload", /upload is required for "mine": an id without a leading "\." is your own model/]],
    ],
    [
      "a platform value not offered",
      { modelId: ".elser_model_2", platform: "arm" },
      [["platform", /"arm" is not allowed; must be one of "auto", "portable", "linux-x86_64"/]],
    ],
    [
      "platform linux-x86_64 on a model without that build",
      { modelId: ".rerank-v1", platform: "linux-x86_64" },
      [
        [
          "platform",
          /not allowed for "\.rerank-v1"; only the packaged models with a platform-specific build take "linux-x86_64"/,
        ],
      ],
    ],
    ["platform auto on a model with one build", { modelId: ".rerank-v1", platform: "auto" }, []],
    [
      "platform on your own model",
      { modelId: "m", upload: UPLOAD, platform: "auto" },
      [["platform", /chooses the build of an Elastic packaged model/]],
    ],
    [
      "platform on the build's own id",
      { modelId: ".elser_model_2_linux-x86_64", platform: "auto" },
      [["platform", /already names the linux-x86_64 build/]],
    ],
    [
      "empty inputFieldNames",
      { modelId: ".elser_model_2", inputFieldNames: [] },
      [["inputFieldNames", /\[input\.field_names\] must not be empty/]],
    ],
    [
      "inputFieldNames on your own model",
      { modelId: "m", upload: UPLOAD, inputFieldNames: ["x"] },
      [["inputFieldNames", /set input\.field_names in upload\.config/]],
    ],
    [
      "no vocabulary",
      { modelId: "m", upload: { ...UPLOAD, vocabularyPath: undefined } },
      [["upload.vocabulary", /needs the tokenizer's vocabulary/]],
    ],
    [
      "two vocabularies",
      { modelId: "m", upload: { ...UPLOAD, vocabulary: { vocabulary: ["a"] } } },
      [["upload.vocabulary", /exclusive/]],
    ],
    [
      "scores that do not match the tokens",
      {
        modelId: "m",
        upload: { ...UPLOAD, vocabularyPath: undefined, vocabulary: { vocabulary: ["a", "b"], scores: [1] } },
      },
      [["upload.vocabulary.scores", /has 1 entries but the vocabulary has 2/]],
    ],
    [
      "no config",
      { modelId: "m", upload: { ...UPLOAD, config: undefined } },
      [["upload.config", /upload\.config is required/]],
    ],
    [
      "a tree model config",
      { modelId: "m", upload: { ...UPLOAD, config: { ...CONFIG, model_type: "tree_ensemble" } } },
      [["upload.config.model_type", /only "pytorch" models are uploaded in parts/]],
    ],
    [
      "a definition inside the config",
      { modelId: "m", upload: { ...UPLOAD, config: { ...CONFIG, definition: {} } } },
      [["upload.config.definition", /uploaded from upload\.definitionPath/]],
    ],
    [
      "a vocabulary inside the inference config",
      {
        modelId: "m",
        upload: {
          ...UPLOAD,
          config: { ...CONFIG, inference_config: { fill_mask: { vocabulary: { index: "x" } } } },
        },
      },
      [
        [
          "upload.config.inference_config.fill_mask.vocabulary",
          /is not allowed; give the vocabulary as upload\.vocabularyPath/,
        ],
      ],
    ],
    [
      "empty input field names in the config",
      { modelId: "m", upload: { ...UPLOAD, config: { ...CONFIG, input: { field_names: [] } } } },
      [["upload.config.input.field_names", /must not be empty/]],
    ],
    [
      "a zero timeout",
      { modelId: ".elser_model_2", waitTimeoutSeconds: 0 },
      [["waitTimeoutSeconds", /0 is not allowed; must be a number of seconds greater than 0/]],
    ],
    [
      "forceDelete not a boolean",
      { modelId: ".elser_model_2", forceDelete: "yes" },
      [["forceDelete", /"yes" is not allowed; must be true or false/]],
    ],
    [
      "a malformed connection name",
      { modelId: ".elser_model_2", connection: "e u" },
      [["connection", /"e u" is not allowed/]],
    ],
    [
      "connection settings: a setting out of range, named by its path (the rules shared with deployments)",
      { modelId: ".elser_model_2", connection: { endpoints: "http://es:9200", maxRetries: 21 } },
      [["connection.maxRetries", /^connection\.maxRetries: 21 is not allowed/]],
    ],
    [
      "connection settings: a key that is not a setting",
      { modelId: ".elser_model_2", connection: { endpoints: "http://es:9200", apikey: "k" } },
      [["connection.apikey", /apikey/]],
    ],
    [
      "connection: neither a name nor settings",
      { modelId: ".elser_model_2", connection: 7 },
      [["connection", /must be the name of a connection from stack config, or an object/]],
    ],
    [
      "connection settings not known yet (another stack's outputs)",
      { modelId: ".elser_model_2", connection: { endpoints: PULUMI_UNKNOWN, apiKey: PULUMI_UNKNOWN } },
      [],
    ],
  ];
  for (const [name, raw, expected] of cases) {
    it(name, () => {
      const { failures } = checkModelInputs({}, raw);
      assert.deepEqual(
        failures.map((f) => f.property),
        expected.map(([p]) => p),
        JSON.stringify(failures),
      );
      failures.forEach((f, i) => assert.match(f.reason, expected[i]![1]));
    });
  }

  it("fills the default timeout and drops nulls", () => {
    const { inputs } = checkModelInputs({}, { modelId: ".elser_model_2", platform: null, forceDelete: null });
    assert.deepEqual(inputs, { modelId: ".elser_model_2", waitTimeoutSeconds: 1200 });
  });

  it("drops null settings inside a connection object (unset outputs of another stack)", () => {
    const { inputs, failures } = checkModelInputs(
      {},
      { modelId: ".elser_model_2", connection: { endpoints: "http://es:9200", apiKey: "k", cloudId: null } },
    );
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs.connection, { endpoints: "http://es:9200", apiKey: "k" });
  });
});

describe("TrainedModel diff", function () {
  const base: ModelInputs = { modelId: "m", upload: UPLOAD, waitTimeoutSeconds: 1200 };
  const record = { sha256: "a".repeat(64), sizeBytes: 10, modifiedMs: 1 };
  const olds: Partial<ModelOutputs> = {
    ...base,
    resolvedModelId: "m",
    fullyDefined: true,
    uploadedFiles: { definition: record, vocabulary: { ...record, sha256: "b".repeat(64) } },
  };
  const same: CurrentFiles = { definitionSha256: "a".repeat(64), vocabularySha256: "b".repeat(64) };

  const cases: [
    string,
    Partial<ModelOutputs>,
    ModelInputs,
    CurrentFiles,
    { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean },
  ][] = [
    ["nothing changed", olds, base, same, { changes: false, replaces: [], deleteBeforeReplace: false }],
    [
      "the definition's bytes changed",
      olds,
      base,
      { ...same, definitionSha256: "c".repeat(64) },
      { changes: true, replaces: ["upload"], deleteBeforeReplace: true },
    ],
    [
      "the vocabulary file's bytes changed",
      olds,
      base,
      { ...same, vocabularySha256: "c".repeat(64) },
      { changes: true, replaces: ["upload"], deleteBeforeReplace: true },
    ],
    [
      "the definition moved, same bytes",
      olds,
      { ...base, upload: { ...UPLOAD, definitionPath: "/n/model.pt" } },
      same,
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "the file was rewritten with the same bytes",
      olds,
      base,
      { ...same, recordsStale: true },
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "the config changed",
      olds,
      { ...base, upload: { ...UPLOAD, config: { ...CONFIG, description: "x" } } },
      same,
      { changes: true, replaces: ["upload"], deleteBeforeReplace: true },
    ],
    [
      "the files' hashes are unknown",
      olds,
      base,
      {},
      { changes: true, replaces: ["upload"], deleteBeforeReplace: true },
    ],
    [
      "the model id changed (a new model: create first)",
      olds,
      { ...base, modelId: "n" },
      same,
      { changes: true, replaces: ["modelId"], deleteBeforeReplace: false },
    ],
    [
      "the connection changed (an update checked against the recorded cluster, never a replacement)",
      olds,
      { ...base, connection: "eu" },
      same,
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "the connection's settings changed (a new API key)",
      { ...olds, connection: { endpoints: "https://a:9200", apiKey: "k1" } },
      { ...base, connection: { endpoints: "https://a:9200", apiKey: "k2" } },
      same,
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "the same connection settings",
      { ...olds, connection: { endpoints: "https://a:9200" } },
      { ...base, connection: { endpoints: "https://a:9200" } },
      same,
      { changes: false, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "only waitTimeoutSeconds",
      olds,
      { ...base, waitTimeoutSeconds: 60 },
      same,
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "only forceDelete",
      olds,
      { ...base, forceDelete: true },
      same,
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "recorded not fully defined (timed out, interrupted, gone)",
      { ...olds, fullyDefined: false },
      base,
      same,
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "an upload that never finished (no file record): finished in place, not replaced",
      { ...olds, uploadedFiles: undefined, fullyDefined: false },
      base,
      {},
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "packaged: the platform choice changed",
      { modelId: ".elser_model_2", waitTimeoutSeconds: 1200, fullyDefined: true },
      { modelId: ".elser_model_2", platform: "auto", waitTimeoutSeconds: 1200 },
      {},
      { changes: true, replaces: ["platform"], deleteBeforeReplace: true },
    ],
    [
      "packaged: input field names changed",
      { modelId: ".elser_model_2", waitTimeoutSeconds: 1200, fullyDefined: true },
      { modelId: ".elser_model_2", inputFieldNames: ["body"], waitTimeoutSeconds: 1200 },
      {},
      { changes: true, replaces: ["inputFieldNames"], deleteBeforeReplace: true },
    ],
    [
      "packaged: an unknown model id",
      { modelId: ".elser_model_2", waitTimeoutSeconds: 1200, fullyDefined: true },
      { modelId: PULUMI_UNKNOWN, waitTimeoutSeconds: 1200 },
      {},
      { changes: true, replaces: ["modelId"], deleteBeforeReplace: true },
    ],
  ];
  for (const [name, old, news, files, expected] of cases) {
    it(name, () => {
      const { changes, replaces, deleteBeforeReplace } = diffModelInputs(old, news, files);
      assert.deepEqual({ changes, replaces, deleteBeforeReplace }, expected);
    });
  }

  it("a connection change is flagged for the update to reconnect first", () => {
    const result = diffModelInputs(
      { ...olds, connection: { endpoints: "http://a:9200", apiKey: "old" } },
      { ...base, connection: { endpoints: "http://b:9200", apiKey: "new" } },
      same,
    );
    assert.equal(result.reconnect, true);
    assert.equal(diffModelInputs(olds, base, same).reconnect, false);
  });
});

describe("TrainedModel packaged build choice (Kibana's rule)", function () {
  const linux = { nodeId: "a", name: "Linux", arch: "amd64" };
  const cases: [
    string,
    Parameters<typeof choosePackagedBuild>[1],
    Parameters<typeof choosePackagedBuild>[2],
    string,
  ][] = [
    ["unset: as declared", undefined, [linux], ".elser_model_2"],
    ["portable", "portable", [linux], ".elser_model_2"],
    ["linux-x86_64 whatever the nodes", "linux-x86_64", [], ".elser_model_2_linux-x86_64"],
    [
      "auto, every node Linux amd64",
      "auto",
      [linux, { ...linux, nodeId: "b" }],
      ".elser_model_2_linux-x86_64",
    ],
    [
      "auto, one node aarch64",
      "auto",
      [linux, { nodeId: "b", name: "Linux", arch: "aarch64" }],
      ".elser_model_2",
    ],
    ["auto, a Mac node", "auto", [{ nodeId: "b", name: "Mac OS X", arch: "x86_64" }], ".elser_model_2"],
    ["auto, no ML node", "auto", [], ".elser_model_2"],
  ];
  for (const [name, platform, nodes, expected] of cases) {
    it(name, () =>
      assert.equal(choosePackagedBuild(".elser_model_2", platform, nodes).resolvedModelId, expected),
    );
  }

  it("auto on a model with one build keeps it, whatever the nodes", () => {
    const linux = { nodeId: "a", name: "Linux", arch: "amd64" };
    assert.equal(choosePackagedBuild(".rerank-v1", "auto", [linux]).resolvedModelId, ".rerank-v1");
  });
});

describe("TrainedModel force-delete precedence", function () {
  const ENV = "ELASTICSEARCH_ML_FORCE_DELETE_MODELS";
  const cases: [
    string,
    Record<string, string>,
    unknown,
    boolean | undefined,
    { force: boolean; source: string },
  ][] = [
    ["unset everywhere", {}, undefined, undefined, { force: false, source: "default" }],
    ["stack config", {}, undefined, true, { force: true, source: "config" }],
    ["the resource beats stack config", {}, false, true, { force: false, source: "resource" }],
    [
      "the environment beats the resource",
      { [ENV]: "true" },
      false,
      undefined,
      { force: true, source: "environment" },
    ],
    [
      "the environment's false beats the resource's true",
      { [ENV]: "0" },
      true,
      true,
      { force: false, source: "environment" },
    ],
    ["a blank variable is unset", { [ENV]: " " }, true, undefined, { force: true, source: "resource" }],
    [
      "the stop flag's environment variable is not read",
      { ELASTICSEARCH_ML_FORCE: "true" },
      undefined,
      undefined,
      { force: false, source: "default" },
    ],
  ];
  for (const [name, env, resource, config, expected] of cases) {
    it(name, () => assert.deepEqual(resolveForceDelete(env, resource, config), expected));
  }

  it("a malformed variable fails, naming it", () => {
    assert.throws(
      () => resolveForceDelete({ [ENV]: "yes please" }, undefined, undefined),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "ERR_PROVIDER_CONFIG");
        assert.match(err.message, /ELASTICSEARCH_ML_FORCE_DELETE_MODELS/);
        return true;
      },
    );
  });
});
