/**
 * Reading `pulumi preview --json`: what is accepted, and the message for everything else.
 */
import * as assert from "node:assert/strict";
import { parsePreviewDocument, PreviewInputError } from "pulumi-elasticsearch-ml/report";
import { readGolden } from "./golden";

function rejects(text: string, message: RegExp): void {
  assert.throws(
    () => parsePreviewDocument(text, "in.json"),
    (err: unknown) => {
      assert.ok(err instanceof PreviewInputError, `a PreviewInputError, got ${String(err)}`);
      assert.equal(err.code, "ERR_PREVIEW_INPUT");
      assert.equal(err.source, "in.json");
      assert.match(err.message, message);
      assert.ok(err.message.startsWith("in.json: "), err.message);
      return true;
    },
  );
}

describe("preview report: reading the preview document", () => {
  it("reads the engine's documents", () => {
    const doc = parsePreviewDocument(readGolden("engine/all-changes.preview.json"), "x");
    assert.ok(doc.steps.length >= 6);
    assert.equal(doc.config["elasticsearch-ml:endpoints"], "http://127.0.0.1:9");
    assert.equal(typeof doc.changeSummary.update, "number");
    const empty = parsePreviewDocument(readGolden("engine/no-change.preview.json"), "x");
    assert.equal(empty.steps.length, 1, "only the stack's own step: unchanged resources are left out");
  });

  it("accepts a byte-order mark, surrounding whitespace and absent optional keys", () => {
    const doc = parsePreviewDocument('\uFEFF\n  {"changeSummary": {"same": 2}}\n', "x");
    assert.deepEqual(doc, {
      config: {},
      steps: [],
      diagnostics: [],
      changeSummary: { same: 2 },
      maybeCorrupt: false,
    });
  });

  it("empty input", () => {
    rejects("", /the input is empty; expected the JSON document printed by `pulumi preview --json`/);
    rejects(" \n\t", /the input is empty/);
  });

  it("not JSON, with a hint for the text output and for streamed events", () => {
    rejects(
      "{ steps: [",
      /the input is not valid JSON \(.+\); expected the document printed by `pulumi preview --json`/,
    );
    rejects(
      "Previewing update (dev)\n\n +  pulumi:pulumi:Stack app-dev create",
      /text output of `pulumi preview`, not JSON; run `pulumi preview --json`/,
    );
    rejects(
      '{"sequence":0,"timestamp":1}\n{"sequence":1,"timestamp":2}\n',
      /stream of engine events.+PULUMI_ENABLE_STREAMING_JSON_PREVIEW/,
    );
  });

  it("JSON of another shape", () => {
    rejects("[1, 2]", /expected a JSON object .+; got an array of 2/);
    rejects('"steps"', /expected a JSON object .+; got string "steps"/);
    rejects(
      "{}",
      /not a `pulumi preview --json` document: it has none of the keys steps, changeSummary, config, diagnostics, duration \(it is empty\)/,
    );
    rejects('{"stdout": "", "stderr": ""}', /has none of the keys .+ \(its keys: stdout, stderr\)/);
  });

  it("names the bad field and what it must be", () => {
    rejects('{"steps": {}}', /steps must be an array of steps; got an object/);
    rejects('{"steps": [42]}', /steps\[0\] must be an object; got number 42/);
    rejects(
      '{"steps": [{"urn": "urn:pulumi:a::b::c::d"}]}',
      /steps\[0\]\.op must be the step's operation \(e\.g\. "create", "update"\); got nothing \(the key is missing\)/,
    );
    rejects(
      '{"steps": [{"op": "create", "urn": "bucket"}]}',
      /steps\[0\]\.urn must be a resource URN \("urn:pulumi:…"\); got string "bucket"/,
    );
    rejects(
      '{"steps": [{"op": "create", "urn": "urn:pulumi:a::b::c::d", "newState": {"type": "t", "inputs": [1]}}]}',
      /steps\[0\]\.newState\.inputs must be an object of properties; got an array of 1/,
    );
    rejects(
      '{"steps": [{"op": "create", "urn": "urn:pulumi:a::b::c::d", "oldState": {}}]}',
      /steps\[0\]\.oldState\.type must be a resource type/,
    );
    rejects(
      '{"steps": [{"op": "replace", "urn": "urn:pulumi:a::b::c::d", "replaceReasons": "x"}]}',
      /steps\[0\]\.replaceReasons must be an array of property names/,
    );
    rejects(
      '{"changeSummary": {"create": -1}}',
      /changeSummary\.create must be a count \(an integer >= 0\); got number -1/,
    );
    rejects('{"config": "x"}', /config must be an object of config key → value; got string "x"/);
    rejects('{"diagnostics": [{"severity": "error"}]}', /diagnostics\[0\]\.message must be a string/);
  });
});
