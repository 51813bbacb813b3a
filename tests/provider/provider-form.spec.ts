/**
 * The state holds the provider in one of two forms (sdk/src/serializedProvider.ts): seven forwarding
 * methods, or one `require` of the stable entry. A stack written with one form and run with the other
 * (an upgrade, or a move from a linked workspace to a registry install) must see no change: `__provider`
 * is not part of the declaration.
 */
import * as assert from "node:assert/strict";
import { providerHarness } from "./harness";

const FORWARDERS =
  "var __provider = {configure: __f1, check: __f2, diff: __f3, create: __f4, read: __f5, update: __f6, delete: __f7};";
const ONE_REQUIRE =
  'exports.handler = __f0;\nconst __provider = require("pulumi-elasticsearch-ml/provider");';

describe("provider: the provider's form in state is not a change", () => {
  const h = providerHarness();

  it("diff of the same declaration with the other form of __provider reports no change", async () => {
    const { id, outs, inputs } = await h.create({
      modelId: "tiny",
      deploymentId: "form",
      numberOfAllocations: 1,
    });
    for (const [from, to] of [
      [FORWARDERS, ONE_REQUIRE],
      [ONE_REQUIRE, FORWARDERS],
    ]) {
      const result = h.provider.diff(id, { ...outs, __provider: from }, { ...inputs, __provider: to });
      assert.deepEqual(result, { changes: false, replaces: [], deleteBeforeReplace: false });
    }
  });
});
