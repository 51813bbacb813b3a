/**
 * `TrainedModel` uploads as eland does, against the emulator (which stores the parts' sizes, not models):
 * configuration, the definition in base64 parts with `total_parts` and `total_definition_length`, then the
 * vocabulary; the state keeps the definition's SHA-256; an interrupted upload is redone cleanly; a changed
 * file is a replacement, found without reading an unchanged file.
 */
import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { esDirect, rejection } from "../provider/harness";
import { modelHarness } from "./harness";

export const ELAND_CONFIG = {
  description: "a sentence embedding model (generated for tests)",
  model_type: "pytorch",
  inference_config: {
    text_embedding: {
      tokenization: { bert: { do_lower_case: true, with_special_tokens: true, max_sequence_length: 512 } },
    },
  },
  input: { field_names: ["text_field"] },
};

/** A generated definition of `size` bytes and an eland-style vocabulary file, in a fresh directory. */
export function modelFiles(size: number): {
  dir: string;
  definitionPath: string;
  vocabularyPath: string;
  sha256: string;
} {
  const dir = mkdtempSync(join(tmpdir(), "model-upload-"));
  const bytes = randomBytes(size);
  const definitionPath = join(dir, "traced_pytorch_model.pt");
  writeFileSync(definitionPath, bytes);
  const vocabularyPath = join(dir, "vocabulary.json");
  writeFileSync(
    vocabularyPath,
    JSON.stringify({ vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello"] }),
  );
  return { dir, definitionPath, vocabularyPath, sha256: createHash("sha256").update(bytes).digest("hex") };
}

describe("TrainedModel: uploads", function () {
  const h = modelHarness({ chunkBytes: 1024 });
  let files: ReturnType<typeof modelFiles>;
  beforeEach(() => (files = modelFiles(10_000)));
  afterEach(() => rmSync(files.dir, { recursive: true, force: true }));

  const declaration = () => ({
    modelId: "my-embedder",
    upload: {
      definitionPath: files.definitionPath,
      vocabularyPath: files.vocabularyPath,
      config: ELAND_CONFIG,
    },
  });

  it("uploads config, every part in order with its totals, then the vocabulary; records the SHA-256", async () => {
    const { id, outs } = await h.create(declaration());
    assert.equal(id, "my-embedder");
    const expected = [
      "PUT /_ml/trained_models/my-embedder",
      ...Array.from({ length: 10 }, (_, i) => `PUT /_ml/trained_models/my-embedder/definition/${i}`),
      "PUT /_ml/trained_models/my-embedder/vocabulary",
    ];
    assert.deepEqual(h.modelRequests(), expected);
    const parts = h.es.admin.log().filter((e) => /\/definition\/\d+$/.test(e.path));
    for (const part of parts) {
      const body = part.body as { total_parts: number; total_definition_length: number; definition: string };
      assert.equal(body.total_parts, 10);
      assert.equal(body.total_definition_length, 10_000);
    }
    const sent = Buffer.concat(
      parts.map((p) => Buffer.from((p.body as { definition: string }).definition, "base64")),
    );
    assert.equal(
      createHash("sha256").update(sent).digest("hex"),
      files.sha256,
      "the parts are the file's bytes",
    );
    assert.equal(outs.fullyDefined, true);
    assert.equal(outs.source, "upload");
    assert.equal(outs.inferenceTask, "text_embedding");
    const uploaded = outs.uploadedFiles as { definition: { sha256: string; sizeBytes: number } };
    assert.equal(uploaded.definition.sha256, files.sha256);
    assert.equal(uploaded.definition.sizeBytes, 10_000);
    assert.ok(
      !JSON.stringify(outs).includes(Buffer.from("[PAD]").toString("base64")),
      "no bytes in the state",
    );
  });

  it("takes the vocabulary inline, with scores for a unigram tokenizer", async () => {
    const decl = declaration();
    const upload = {
      ...decl.upload,
      vocabularyPath: undefined,
      vocabulary: { vocabulary: ["a", "b"], scores: [-1, -2] },
    };
    await h.create({ ...decl, upload });
    const vocab = h.es.admin.log().find((e) => e.path.endsWith("/vocabulary"));
    assert.deepEqual(vocab?.body, { vocabulary: ["a", "b"], scores: [-1, -2] });
  });

  it("an interrupted upload is a partial failure recorded not fully defined; the next up deletes and re-uploads it all", async () => {
    h.es.admin.addFault({ method: "PUT", path: "/definition/4$", status: 500 });
    const inputs = await h.checked(declaration());
    const err = await rejection(h.provider.create(inputs));
    assert.equal(err.code, "ERR_PARTIAL_FAILURE");
    assert.match(err.message, /stopped after 4 of 10 definition part\(s\)/);
    assert.match(err.message, /half-defined .* delete it and upload it again/);
    const recorded = err.properties as Record<string, unknown>;
    assert.equal(recorded.fullyDefined, false);
    assert.deepEqual(
      await h.provider.diff("my-embedder", recorded, inputs),
      { changes: true, replaces: [], deleteBeforeReplace: false },
      "finished in place: a replacement would replace its deployments too",
    );

    h.es.admin.clearLog();
    const { outs } = await h.provider.update("my-embedder", recorded, inputs);
    assert.equal(outs.fullyDefined, true);
    const requests = h.modelRequests();
    assert.equal(requests[0], "DELETE /_ml/trained_models/my-embedder?force=true");
    assert.equal(requests[1], "PUT /_ml/trained_models/my-embedder");
    assert.equal(requests.filter((r) => /\/definition\//.test(r)).length, 10, "every part again");
    assert.ok(
      h.progress.infos.some((l) =>
        /cannot tell which parts arrived, so it is deleted and uploaded again/.test(l),
      ),
    );
  });

  it("a half-uploaded model found at create (a crash before it was recorded) is deleted and uploaded again", async () => {
    await esDirect(h.es, "PUT", "/_ml/trained_models/my-embedder", ELAND_CONFIG);
    const { outs } = await h.create(declaration());
    assert.equal(outs.fullyDefined, true);
    assert.ok(h.progress.infos.some((l) => /found incomplete \(an interrupted upload\)/.test(l)));
  });

  it("refuses to take over a fully defined model with the id (its bytes cannot be compared)", async () => {
    await h.create(declaration());
    const err = await rejection(h.create(declaration()));
    assert.equal(err.code, "ERR_MODEL_EXISTS");
    assert.match(err.message, /already exists .* never taken over/);
  });

  it("a configuration Elasticsearch refuses fails without recording anything", async () => {
    const decl = declaration();
    const inputs = await h.checked({
      ...decl,
      upload: {
        ...decl.upload,
        config: { ...ELAND_CONFIG, input: { field_names: ["x"] }, inference_config: { nonsense: {} } },
      },
    });
    const err = await rejection(h.provider.create(inputs));
    assert.notEqual(err.code, "ERR_PARTIAL_FAILURE");
  });

  describe("diff and the definition's SHA-256", function () {
    it("an unchanged file (same size and time) is not read: the recorded hash is trusted", async () => {
      const { outs } = await h.create(declaration());
      const inputs = await h.checked(declaration());
      const uploaded = outs.uploadedFiles as { definition: Record<string, unknown> };
      // A recorded hash that does not match the file: only reading the file could tell.
      const doctored = {
        ...outs,
        uploadedFiles: { ...uploaded, definition: { ...uploaded.definition, sha256: "0".repeat(64) } },
      };
      const diff = await h.provider.diff("my-embedder", doctored, inputs);
      assert.deepEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("a file with new bytes is a replacement, deleting first", async () => {
      const { outs } = await h.create(declaration());
      writeFileSync(files.definitionPath, randomBytes(10_000));
      const inputs = await h.checked(declaration());
      const diff = await h.provider.diff("my-embedder", outs, inputs);
      assert.deepEqual(diff, { changes: true, replaces: ["upload"], deleteBeforeReplace: true });
    });

    it("a file rewritten with the same bytes (new time) is hashed once more and found unchanged", async () => {
      const { outs } = await h.create(declaration());
      // Whole seconds: file systems round sub-millisecond times.
      const later = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
      utimesSync(files.definitionPath, later, later);
      const inputs = await h.checked(declaration());
      const diff = await h.provider.diff("my-embedder", outs, inputs);
      assert.deepEqual(
        diff,
        { changes: true, replaces: [], deleteBeforeReplace: false },
        "recorded in place",
      );
      const { outs: updated } = await h.provider.update("my-embedder", outs, inputs);
      const record = (updated.uploadedFiles as { definition: { modifiedMs: number; sha256: string } })
        .definition;
      assert.equal(record.sha256, files.sha256);
      assert.equal(record.modifiedMs, Math.trunc(later.getTime()));
      assert.equal((await h.provider.diff("my-embedder", updated, inputs)).changes, false);
    });

    it("check fails naming a definition file that does not exist", async () => {
      const decl = declaration();
      const { failures } = await h.provider.check(
        {},
        { ...decl, upload: { ...decl.upload, definitionPath: join(files.dir, "missing.pt") } },
      );
      assert.deepEqual(failures, [
        {
          property: "upload.definitionPath",
          reason: `upload.definitionPath: ${JSON.stringify(join(files.dir, "missing.pt"))} does not exist`,
        },
      ]);
    });
  });
});
