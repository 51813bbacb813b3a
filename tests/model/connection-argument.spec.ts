/**
 * `TrainedModel`'s `connection` given as settings (issue 15), against the emulator with security on, as
 * `tests/provider/connection-argument.spec.ts` does for deployments: check gives the deployment's very
 * messages under the argument's path; a new API key is an in-place update that sends only `GET /` and
 * records the new settings (refresh and delete then work with the old key invalidated); a new endpoint is
 * checked against the recorded cluster uuid.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { collectingProgress, createProvider, WrongClusterError } from "pulumi-elasticsearch-ml/provider";
import { basic, createApiKey, esCall, type SetupTarget } from "../client/fixtures";
import { modelHarness } from "./harness";

const PASSWORD = "model-connection-password";
const MODEL = ".multilingual-e5-small";

describe("TrainedModel: connection given as resource arguments", function () {
  // The default connection has no credentials: everything that works below used the argument's.
  const h = modelHarness({ emulator: { security: true, elasticPassword: PASSWORD } });
  let admin: SetupTarget;

  beforeEach(() => {
    admin = { url: h.es.url, authorization: basic("elastic", PASSWORD) };
  });

  const key = () => createApiKey(admin, `k-${Math.random()}`, ["manage_ml", "monitor", "read_pipeline"]);

  it("check fails with the deployment's messages, naming the argument path, never quoting a credential", async () => {
    const deployments = createProvider({ env: () => h.env, progress: collectingProgress() });
    deployments.configure((k) => h.config[k]);
    const connections: unknown[] = [
      { endpoints: h.es.url, maxRetries: 21 },
      { endpoints: h.es.url, apiKey: "canary-key-1", username: "u", password: "canary-pw" },
      { apiKey: "canary-key-2" },
      { endpoints: h.es.url, apikey: "canary-key-3" },
      "e u",
      7,
      "nowhere",
    ];
    h.env.ELASTICSEARCH_ENDPOINTS = h.es.url;
    for (const connection of connections) {
      const model = (await h.provider.check({}, { modelId: MODEL, connection })).failures;
      const deployment = deployments.check({}, { modelId: "tiny", connection }).failures;
      assert.equal(model.length, 1, `${JSON.stringify(connection)}: ${JSON.stringify(model)}`);
      assert.deepEqual(model, deployment, JSON.stringify(connection));
      assert.ok(!JSON.stringify(model).includes("canary"), JSON.stringify(model));
    }
    await deployments.close();
    const [none] = (await h.provider.check({}, { modelId: MODEL, connection: { apiKey: "k" } })).failures;
    assert.equal(
      none?.reason,
      "the connection argument is not usable: No Elasticsearch endpoint: set connection.endpoints or " +
        "connection.cloudId (its settings come from the resource's connection argument only, never from stack " +
        "config or the environment)",
    );
    // Settings not known yet are left to the operation.
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    assert.deepEqual(
      (await h.provider.check({}, { modelId: MODEL, connection: { endpoints: unknown, apiKey: "k" } }))
        .failures,
      [],
    );
  });

  it("a new API key: update sends only GET /, records it; refresh and delete then work with the old key invalidated", async () => {
    const first = await key();
    const connection = { endpoints: h.es.url, apiKey: first.encoded };
    const { id, outs } = await h.create({ modelId: MODEL, connection });
    assert.deepEqual(outs.connection, connection);
    assert.equal(outs.fullyDefined, true);
    const uuid = outs.clusterUuid;
    assert.equal(typeof uuid, "string");

    const second = await key();
    h.es.admin.clearLog();
    const news = await h.checked({ modelId: MODEL, connection: { ...connection, apiKey: second.encoded } });
    assert.deepEqual(await h.provider.diff(id, outs, news), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.ok(
      h.progress.warnings.some((w) =>
        w.startsWith(`model ${MODEL}: the connection changes: the credentials.`),
      ),
      h.progress.warnings.join("\n"),
    );
    assert.ok(!h.progress.warnings.join("\n").includes(second.api_key));
    assert.deepEqual(h.es.admin.log(), [], "diff sends nothing");

    const { outs: updated } = await h.provider.update(id, outs, news);
    assert.deepEqual(
      h.es.admin.log().map((e) => `${e.method} ${e.path} -> ${e.status}`),
      ["GET / -> 200"],
      "a credential change sends GET / only: the model is neither deleted nor downloaded again",
    );
    assert.deepEqual(updated.connection, { ...connection, apiKey: second.encoded });
    assert.equal(updated.clusterUuid, uuid);
    assert.equal(updated.fullyDefined, true);
    assert.equal(updated.resolvedModelId, MODEL);

    await esCall(admin, "DELETE", "/_security/api_key", { ids: [first.id] });
    // Refresh and destroy run on the recorded outputs: the new key.
    const read = await h.provider.read(id, updated);
    assert.equal(read.props.fullyDefined, true);
    await h.provider.delete(id, updated);
    assert.ok(
      h.es.admin
        .log()
        .some((e) => e.method === "DELETE" && e.path === `/_ml/trained_models/${MODEL}` && e.status === 200),
      "the model is deleted with the new key",
    );
    // The old key really is dead: the outputs recorded before the update could not have destroyed it.
    await assert.rejects(h.provider.delete(id, outs), /401|authenticat/i);
  });

  it("a bad new key fails the update before anything else is sent (nothing recorded)", async () => {
    const connection = { endpoints: h.es.url, apiKey: (await key()).encoded };
    const { id, outs } = await h.create({ modelId: MODEL, connection });
    h.es.admin.clearLog();
    const bad = await h.checked({
      modelId: MODEL,
      connection: { ...connection, apiKey: "bm8tc3VjaDprZXk=" },
    });
    await assert.rejects(h.provider.update(id, outs, bad), /401|authenticat/i);
    assert.deepEqual(
      h.es.admin.log().map((e) => `${e.method} ${e.path} -> ${e.status}`),
      ["GET / -> 401"],
    );
  });

  describe("a new endpoint", () => {
    let other: EmulatorHandle;
    beforeEach(async () => {
      other = await startEmulator({ security: true, elasticPassword: PASSWORD });
    });
    afterEach(async () => other?.close());

    it("that answers as another cluster fails with the wrong-cluster message and sends nothing else", async () => {
      const connection = { endpoints: h.es.url, username: "elastic", password: PASSWORD };
      const { id, outs } = await h.create({ modelId: MODEL, connection });
      const news = await h.checked({ modelId: MODEL, connection: { ...connection, endpoints: other.url } });
      assert.equal((await h.provider.diff(id, outs, news)).replaces.length, 0);
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
        /^Refusing to update model \[\.multilingual-e5-small\]: .* \(the connection argument\) now answers as cluster/,
      );
      assert.deepEqual(
        other.admin.log().map((e) => `${e.method} ${e.path}`),
        ["GET /"],
      );
      assert.ok(!err.message.includes(PASSWORD));
    });
  });

  it("an object connection takes nothing from the environment (one source per resource)", async () => {
    h.env.ELASTICSEARCH_USERNAME = "elastic";
    h.env.ELASTICSEARCH_PASSWORD = PASSWORD;
    const inputs = await h.checked({ modelId: MODEL, connection: { endpoints: h.es.url } });
    await assert.rejects(h.provider.create(inputs), /401|authenticat/i);
  });
});
