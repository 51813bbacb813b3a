import * as assert from "node:assert/strict";
import { findPipelinesReferencing, type IngestPipelines } from "#sdk/client";

const inference = (modelId: string, extra: Record<string, unknown> = {}) => ({
  inference: { model_id: modelId, ...extra },
});

describe("client findPipelinesReferencing", () => {
  const pipelines: IngestPipelines = {
    "z-direct": { processors: [{ set: { field: "a", value: 1 } }, inference("dep-a")] },
    "b-foreach": {
      processors: [{ foreach: { field: "items", processor: inference("dep-a") } }],
    },
    "c-nested-foreach-on-failure": {
      processors: [
        {
          foreach: {
            field: "outer",
            processor: {
              foreach: {
                field: "inner",
                processor: { set: { field: "x", value: 1, on_failure: [inference("alias-a")] } },
              },
            },
          },
        },
      ],
    },
    "d-processor-on-failure": {
      processors: [{ rename: { field: "a", target_field: "b", on_failure: [inference("dep-a")] } }],
    },
    "e-pipeline-on-failure": { processors: [], on_failure: [inference("dep-a")] },
    "f-other-model": {
      processors: [inference("other"), inference("dep-a-suffix"), inference("{{templated}}")],
    },
    "g-inference-on-failure": {
      processors: [inference("other", { on_failure: [inference("dep-a")] })],
    },
    "h-empty": {},
  };

  it("finds direct, foreach, nested and on_failure references, sorted by pipeline", () => {
    assert.deepEqual(findPipelinesReferencing(pipelines, ["dep-a", "alias-a"]), [
      { pipelineId: "b-foreach", modelId: "dep-a", location: "processors[0].foreach.processor.inference" },
      {
        pipelineId: "c-nested-foreach-on-failure",
        modelId: "alias-a",
        location: "processors[0].foreach.processor.foreach.processor.set.on_failure[0].inference",
      },
      {
        pipelineId: "d-processor-on-failure",
        modelId: "dep-a",
        location: "processors[0].rename.on_failure[0].inference",
      },
      { pipelineId: "e-pipeline-on-failure", modelId: "dep-a", location: "on_failure[0].inference" },
      {
        pipelineId: "g-inference-on-failure",
        modelId: "dep-a",
        location: "processors[0].inference.on_failure[0].inference",
      },
      { pipelineId: "z-direct", modelId: "dep-a", location: "processors[1].inference" },
    ]);
  });

  it("compares ids literally (no prefix match, no template resolution)", () => {
    assert.deepEqual(
      findPipelinesReferencing(pipelines, ["dep-a-suffix", "{{templated}}"]).map((r) => r.modelId),
      ["dep-a-suffix", "{{templated}}"],
    );
    assert.deepEqual(findPipelinesReferencing(pipelines, ["dep"]), []);
    assert.deepEqual(findPipelinesReferencing(pipelines, []), []);
  });

  it("tolerates malformed pipeline bodies", () => {
    const odd = {
      a: { processors: "not a list" },
      b: { processors: [null, 3, { inference: null }, { inference: { model_id: 7 } }] },
    } as unknown as IngestPipelines;
    assert.deepEqual(findPipelinesReferencing(odd, ["7"]), []);
  });
});
