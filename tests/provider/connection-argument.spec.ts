/**
 * The `connection` argument given as settings (issue 15), against the emulator with security on: check
 * validates it like stack config under the argument's path; create uses only its settings; a new API key
 * is an in-place update that sends only `GET /` and records the new settings (so a later delete works after
 * the old key is invalidated); a new endpoint is checked against the recorded cluster uuid.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { WrongClusterError } from "pulumi-elasticsearch-ml/provider";
import { basic, createApiKey, esCall, putTinyPytorchModel, type SetupTarget } from "../client/fixtures";
import { PROVIDER_TEXT, providerHarness } from "./harness";

const PASSWORD = "connection-arg-password";

describe("provider: connection given as resource arguments", function () {
  const h = providerHarness({
    emulator: { security: true, elasticPassword: PASSWORD },
    models: [],
    // The default connection has no credentials: everything that works below used the argument's.
    config: {},
  });
  let admin: SetupTarget;

  beforeEach(async () => {
    admin = { url: h.es.url, authorization: basic("elastic", PASSWORD) };
    await putTinyPytorchModel(admin, "tiny");
    h.es.admin.clearLog();
  });

  const key = () => createApiKey(admin, `k-${Math.random()}`, ["manage_ml", "monitor", "read_pipeline"]);

  it("check names the argument path with stack config's messages, and never quotes a credential", () => {
    const failures = (connection: unknown) => h.provider.check({}, { modelId: "tiny", connection }).failures;
    assert.deepEqual(failures({ endpoints: h.es.url, maxRetries: 21 }), [
      {
        property: "connection.maxRetries",
        reason: "connection.maxRetries: 21 is not allowed; must be an integer from 0 to 20",
      },
    ]);
    // Two authentication methods: the client's rule, restated under the argument's paths.
    const both = failures({
      endpoints: h.es.url,
      apiKey: "canary-key-1",
      username: "u",
      password: "canary-pw",
    });
    assert.equal(both.length, 1);
    assert.match(both[0]!.property, /^connection\./);
    assert.match(both[0]!.reason, /^the connection argument is not usable: .*connection\.apiKey/);
    assert.match(both[0]!.reason, /never from stack config or the environment/);
    assert.ok(!JSON.stringify(both).includes("canary"), JSON.stringify(both));
    // No endpoint: the argument never falls back to stack config or the environment.
    h.env.ELASTICSEARCH_ENDPOINTS = h.es.url;
    const none = failures({ apiKey: "canary-key-2" });
    assert.equal(none.length, 1);
    assert.equal(
      none[0]!.reason,
      "the connection argument is not usable: No Elasticsearch endpoint: set connection.endpoints or " +
        "connection.cloudId (its settings come from the resource's connection argument only, never from stack " +
        "config or the environment)",
    );
    // Settings not known yet are left to the operation.
    assert.deepEqual(failures({ endpoints: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", apiKey: "k" }), []);
  });

  it("a new API key: update sends only GET /, records it; delete then works with the old key invalidated", async () => {
    const first = await key();
    const connection = { endpoints: h.es.url, apiKey: first.encoded };
    const { id, outs } = await h.create({ modelId: "tiny", connection });
    assert.deepEqual(outs.connection, connection);
    const uuid = outs.clusterUuid;
    assert.equal(typeof uuid, "string");

    const second = await key();
    h.es.admin.clearLog();
    const news = h.checked({ modelId: "tiny", connection: { ...connection, apiKey: second.encoded } });
    assert.deepEqual(h.provider.diff(id, outs, news), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.ok(
      h.progress.warnings.some((w) => /the connection changes: the credentials/.test(w)),
      h.progress.warnings.join("\n"),
    );
    assert.ok(!h.progress.warnings.join("\n").includes(second.api_key));
    const { outs: updated } = await h.provider.update(id, outs, news);
    assert.deepEqual(
      h.es.admin.log().map((e) => `${e.method} ${e.path}`),
      ["GET /"],
      "a credential change sends GET / only",
    );
    assert.equal(h.es.admin.log()[0]!.status, 200);
    assert.deepEqual(updated.connection, { ...connection, apiKey: second.encoded });
    assert.equal(updated.clusterUuid, uuid);

    await esCall(admin, "DELETE", "/_security/api_key", { ids: [first.id] });
    // Destroy runs on the recorded outputs: the new key.
    await h.provider.delete(id, updated);
    assert.equal(h.es.admin.state().deployments.length, 0);
    const stop = h.es.admin.log().find((e) => e.path.endsWith("/_stop"));
    assert.equal(stop?.status, 200);
    // The old key really is dead: the outputs recorded before the update could not have destroyed it.
    await assert.rejects(h.provider.delete(id, outs), /401|authenticat/i);
  });

  it("a new key for a deployment declared stopped: GET / only, the key recorded", async () => {
    const first = await key();
    const connection = { endpoints: h.es.url, apiKey: first.encoded };
    const { id, outs } = await h.create({ modelId: "tiny", state: "stopped", connection });
    const second = await key();
    h.es.admin.clearLog();
    const news = h.checked({
      modelId: "tiny",
      state: "stopped",
      connection: { ...connection, apiKey: second.encoded },
    });
    const { outs: updated } = await h.provider.update(id, outs, news);
    assert.deepEqual(
      h.es.admin.log().map((e) => `${e.method} ${e.path} -> ${e.status}`),
      ["GET / -> 200"],
    );
    assert.equal((updated.connection as Record<string, unknown>).apiKey, second.encoded);
    // A bad key fails the update (nothing recorded) instead of being recorded unchecked.
    const bad = h.checked({
      modelId: "tiny",
      state: "stopped",
      connection: { ...connection, apiKey: "bm8tc3VjaDprZXk=" },
    });
    await assert.rejects(h.provider.update(id, updated, bad), /401|authenticat/i);
  });

  describe("a new endpoint", () => {
    let other: EmulatorHandle;
    beforeEach(async () => {
      other = await startEmulator({ security: true, elasticPassword: PASSWORD });
    });
    afterEach(async () => other?.close());

    it("that answers as another cluster fails with the wrong-cluster message and sends nothing else", async () => {
      const connection = { endpoints: h.es.url, username: "elastic", password: PASSWORD };
      const { id, outs } = await h.create({ modelId: "tiny", connection });
      const news = h.checked({ modelId: "tiny", connection: { ...connection, endpoints: other.url } });
      assert.equal(h.provider.diff(id, outs, news).replaces.length, 0);
      assert.ok(
        h.progress.warnings.some((w) => w.includes(`the endpoint ("${h.es.url}" → "${other.url}")`)),
        h.progress.warnings.join("\n"),
      );
      const err = await h.provider.update(id, outs, news).then(
        () => assert.fail("the update must refuse another cluster"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WrongClusterError, String(err));
      assert.match(
        err.message,
        /^Refusing to update deployment \[tiny\]: .* \(the connection argument\) now answers as cluster/,
      );
      assert.deepEqual(
        other.admin.log().map((e) => `${e.method} ${e.path}`),
        ["GET /"],
      );
      assert.ok(!err.message.includes(PASSWORD));
    });

    it("to the same cluster (another URL of it) is recorded", async () => {
      const connection = { endpoints: h.es.url, username: "elastic", password: PASSWORD };
      const { id, outs } = await h.create({ modelId: "tiny", connection });
      const sameCluster = h.es.url.replace("127.0.0.1", "localhost");
      const news = h.checked({ modelId: "tiny", connection: { ...connection, endpoints: [sameCluster] } });
      const { outs: updated } = await h.provider.update(id, outs, news);
      assert.deepEqual((updated.connection as Record<string, unknown>).endpoints, [sameCluster]);
    });
  });

  it("an object connection takes nothing from the environment (one source per resource)", async () => {
    h.env.ELASTICSEARCH_USERNAME = "elastic";
    h.env.ELASTICSEARCH_PASSWORD = PASSWORD;
    const inputs = {
      ...h.checked({ modelId: "tiny", connection: { endpoints: h.es.url } }),
      __provider: PROVIDER_TEXT,
    };
    await assert.rejects(h.provider.create(inputs), /401|authenticat/i);
  });
});
