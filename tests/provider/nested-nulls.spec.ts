/**
 * `null` inside `adaptiveAllocations` and `stop` means unset when the provider applies inputs, as the
 * engine drives it (check, then create/update/delete with the checked inputs): no `null` parameter reaches
 * Elasticsearch, and the next diff of the same program is empty. Before, a null bound passed check, made
 * the client refuse every apply and showed a change on every preview.
 */
import * as assert from "node:assert/strict";
import { providerHarness } from "./harness";

const adaptive = { enabled: true, minNumberOfAllocations: null, maxNumberOfAllocations: 2 };

describe("provider: nested null inputs are unset when applied", function () {
  const h = providerHarness();

  it("create sends no null bound, and the next diff is empty", async () => {
    const raw = { modelId: "tiny", adaptiveAllocations: adaptive, stop: { force: null } };
    const { id, outs } = await h.create(raw);
    const [start] = h.mutations();
    assert.equal(start.path, "/_ml/trained_models/tiny/deployment/_start");
    assert.deepEqual(start.body, { adaptive_allocations: { enabled: true, max_number_of_allocations: 2 } });
    assert.deepEqual(h.provider.diff(id, outs, h.checked(raw)), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("an update into adaptive mode sends no null bound, and the next diff is empty", async () => {
    const { id, outs } = await h.create({ modelId: "tiny", numberOfAllocations: 1 });
    h.es.admin.clearLog();
    const raw = { modelId: "tiny", adaptiveAllocations: adaptive };
    const news = h.checked(raw);
    assert.equal(h.provider.diff(id, outs, news).changes, true);
    const { outs: updated } = await h.provider.update(id, outs, news);
    assert.deepEqual(
      h.mutations().map((e) => [e.path, e.body]),
      [
        [
          "/_ml/trained_models/tiny/deployment/_update",
          { adaptive_allocations: { enabled: true, max_number_of_allocations: 2 } },
        ],
      ],
    );
    assert.deepEqual(h.provider.diff(id, updated, h.checked(raw)), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("a stop with a null flag sends only the flags that are set", async () => {
    const raw = { modelId: "tiny", stop: { force: null, finishPendingWork: true } };
    const { id, outs } = await h.create(raw);
    h.es.admin.clearLog();
    await h.provider.delete(id, outs);
    const [stop] = h.mutations();
    assert.equal(stop.path, "/_ml/trained_models/tiny/deployment/_stop");
    assert.deepEqual(stop.query, { finish_pending_work: "true" });
  });
});
