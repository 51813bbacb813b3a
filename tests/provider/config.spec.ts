import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { parseProviderConfig } from "#sdk/provider/config";
import { collectingProgress, createProvider, ProviderConfigError } from "pulumi-elasticsearch-ml/provider";
import { FAST, putTinyPytorchModel } from "../client/fixtures";
import { FAST_TIMING, PROVIDER_TEXT, rejection } from "./harness";

const get = (config: Record<string, unknown>) => (key: string) => config[key];

describe("provider configuration (stack config under elasticsearch-ml:)", () => {
  describe("parsing", () => {
    it("reads every connection key, the stop flags and named connections", () => {
      const parsed = parseProviderConfig(
        get({
          "elasticsearch-ml:endpoints": "https://a:9200, https://b:9200",
          "elasticsearch-ml:apiKey": "id:secret",
          "elasticsearch-ml:caFingerprint": "AB".repeat(32),
          "elasticsearch-ml:insecure": "false",
          "elasticsearch-ml:headers": '{"X-Opaque-Id":"pulumi"}',
          "elasticsearch-ml:requestTimeoutSeconds": "45",
          "elasticsearch-ml:maxRetries": "5",
          "elasticsearch-ml:force": "true",
          "elasticsearch-ml:finishPendingWork": "false",
          "elasticsearch-ml:connections": JSON.stringify({
            eu: {
              endpoints: ["https://eu:9200"],
              username: "u",
              password: "p",
              insecure: true,
              maxRetries: 0,
            },
          }),
        }),
      );
      assert.deepEqual(parsed.defaultConnection, {
        endpoints: ["https://a:9200", "https://b:9200"],
        apiKey: "id:secret",
        caFingerprint: "AB".repeat(32),
        insecure: false,
        headers: { "X-Opaque-Id": "pulumi" },
        requestTimeoutMs: 45_000,
        maxRetries: 5,
      });
      assert.deepEqual(parsed.connections, {
        eu: { endpoints: ["https://eu:9200"], username: "u", password: "p", insecure: true, maxRetries: 0 },
      });
      assert.deepEqual(parsed.stopFlags, { force: true, finishPendingWork: false });
    });

    it("takes endpoints as a JSON array too", () => {
      const parsed = parseProviderConfig(
        get({ "elasticsearch-ml:endpoints": '["https://a:9200","https://b:9200"]' }),
      );
      assert.deepEqual(parsed.defaultConnection.endpoints, ["https://a:9200", "https://b:9200"]);
    });

    const bad: [string, Record<string, unknown>, string, RegExp][] = [
      [
        "a non-boolean insecure",
        { "elasticsearch-ml:insecure": "yes" },
        "elasticsearch-ml:insecure",
        /"yes" is not allowed; must be true or false \(any case\), 1 or 0, or unset/,
      ],
      [
        "a non-boolean stop flag",
        { "elasticsearch-ml:force": "on" },
        "elasticsearch-ml:force",
        /"on" is not allowed/,
      ],
      [
        "headers that are not JSON",
        { "elasticsearch-ml:headers": "X-A: b" },
        "elasticsearch-ml:headers",
        /^elasticsearch-ml:headers is not valid JSON at position 0 \(of 6 characters\); must be a JSON object/,
      ],
      [
        "a zero timeout",
        { "elasticsearch-ml:requestTimeoutSeconds": "0" },
        "elasticsearch-ml:requestTimeoutSeconds",
        /greater than 0/,
      ],
      [
        "fractional retries",
        { "elasticsearch-ml:maxRetries": "1.5" },
        "elasticsearch-ml:maxRetries",
        /integer from 0 to 20/,
      ],
      [
        "connections not an object",
        { "elasticsearch-ml:connections": "[1]" },
        "elasticsearch-ml:connections",
        /must be a JSON object.*got an array/,
      ],
      [
        "an unknown setting in a connection",
        { "elasticsearch-ml:connections": '{"eu": {"endpoint": "https://x"}}' },
        "elasticsearch-ml:connections.eu.endpoint",
        /is not a connection setting; known settings are: endpoints, cloudId/,
      ],
      [
        "a bad connection name",
        { "elasticsearch-ml:connections": '{"e u": {}}' },
        "elasticsearch-ml:connections.e u",
        /"e u" is not allowed/,
      ],
      [
        "endpoints naming no URL",
        { "elasticsearch-ml:endpoints": " , " },
        "elasticsearch-ml:endpoints",
        /names no URL/,
      ],
    ];
    for (const [name, config, key, message] of bad) {
      it(`refuses ${name}, naming ${key}`, () => {
        assert.throws(
          () => parseProviderConfig(get(config)),
          (err: unknown) => {
            assert.ok(err instanceof ProviderConfigError);
            assert.equal(err.key, key);
            assert.match(err.message, message);
            return true;
          },
        );
      });
    }

    it("never echoes a credential in a message", () => {
      for (const config of [
        { "elasticsearch-ml:connections": '{"eu": {"apiKey": "CANARY-123"' },
        { "elasticsearch-ml:connections": '"CANARY-123"' },
        { "elasticsearch-ml:headers": '{"Authorization": "CANARY-123"' },
        { "elasticsearch-ml:endpoints": '["https://user:CANARY-123@x:9200", 5]' },
        { "elasticsearch-ml:password": 42 },
      ]) {
        assert.throws(
          () => parseProviderConfig(get(config)),
          (err: unknown) =>
            !(err as Error).message.includes("CANARY-123") && !(err as Error).message.includes("42"),
        );
      }
    });
  });

  describe("connections at run time", () => {
    let a: EmulatorHandle;
    let b: EmulatorHandle;
    beforeEach(async () => {
      a = await startEmulator({ startDelayMs: 1, clusterUuid: "cluster-a" });
      b = await startEmulator({ startDelayMs: 1, clusterUuid: "cluster-b" });
      await putTinyPytorchModel(a, "tiny");
      await putTinyPytorchModel(b, "tiny");
      a.admin.clearLog();
      b.admin.clearLog();
    });
    afterEach(async () => {
      await a?.close();
      await b?.close();
    });

    function make(config: Record<string, unknown>, env: Record<string, string> = {}) {
      const progress = collectingProgress();
      const provider = createProvider({ env: () => env, progress, timing: FAST_TIMING, clientOptions: FAST });
      provider.configure(get(config));
      return { provider, progress };
    }

    async function createWith(provider: ReturnType<typeof make>["provider"], raw: Record<string, unknown>) {
      const { inputs, failures } = provider.check({}, raw);
      assert.deepEqual(failures, []);
      return provider.create({ ...inputs, __provider: PROVIDER_TEXT });
    }

    it("stack config wins over ELASTICSEARCH_* for the default connection", async () => {
      const { provider } = make({ "elasticsearch-ml:endpoints": a.url }, { ELASTICSEARCH_ENDPOINTS: b.url });
      try {
        const { outs } = await createWith(provider, { modelId: "tiny" });
        assert.equal(outs.clusterUuid, "cluster-a");
      } finally {
        await provider.close();
      }
    });

    it("without stack config the default connection comes from the environment", async () => {
      const { provider } = make({}, { ELASTICSEARCH_ENDPOINTS: b.url });
      try {
        const { outs } = await createWith(provider, { modelId: "tiny" });
        assert.equal(outs.clusterUuid, "cluster-b");
      } finally {
        await provider.close();
      }
    });

    it("a named connection reaches its own cluster, and never inherits the environment", async () => {
      const { provider } = make(
        {
          "elasticsearch-ml:endpoints": a.url,
          "elasticsearch-ml:connections": JSON.stringify({ second: { endpoints: b.url } }),
        },
        { ELASTICSEARCH_API_KEY: "env-key-for-the-default-cluster" },
      );
      try {
        const { outs } = await createWith(provider, { modelId: "tiny", connection: "second" });
        assert.equal(outs.clusterUuid, "cluster-b");
        assert.equal(b.admin.state().deployments.length, 1);
        assert.equal(a.admin.state().deployments.length, 0);
        const [start] = b.admin.log().filter((e) => e.path.endsWith("/_start"));
        assert.ok(start);
      } finally {
        await provider.close();
      }
    });

    it("check refuses a connection name that stack config does not define", () => {
      const { provider } = make({ "elasticsearch-ml:connections": '{"eu": {"endpoints": "http://x:9200"}}' });
      const { failures } = provider.check({}, { modelId: "tiny", connection: "us" });
      assert.deepEqual(failures, [
        {
          property: "connection",
          reason:
            'connection: "us" is not allowed; it must name a connection defined in stack config elasticsearch-ml:connections (defined: eu), or be omitted to use the default connection',
        },
      ]);
    });

    it("no endpoint anywhere: the error names the stack config keys and the variables", async () => {
      const { provider } = make({});
      try {
        const err = await rejection(createWith(provider, { modelId: "tiny" }));
        assert.ok(err instanceof ProviderConfigError);
        assert.match(
          err.message,
          /^the default connection is not usable: No Elasticsearch endpoint: set elasticsearch-ml:endpoints or elasticsearch-ml:cloudId \(or ELASTICSEARCH_ENDPOINTS \/ ELASTICSEARCH_CLOUD_ID\)/,
        );
      } finally {
        await provider.close();
      }
    });

    it("a malformed value: configure does not throw, every operation does, naming the key", async () => {
      const { provider } = make({
        "elasticsearch-ml:endpoints": a.url,
        "elasticsearch-ml:finishPendingWork": "yes",
      });
      try {
        assert.throws(
          () => provider.check({}, { modelId: "tiny" }),
          /elasticsearch-ml:finishPendingWork: "yes" is not allowed/,
        );
        await assert.rejects(
          provider.delete("tiny", { modelId: "tiny", deploymentId: "tiny", state: "started" }),
          /elasticsearch-ml:finishPendingWork/,
        );
        assert.deepEqual(a.admin.log(), [], "nothing was sent");
      } finally {
        await provider.close();
      }
    });

    it("warns once when TLS verification is turned off", async () => {
      const { provider, progress } = make({
        "elasticsearch-ml:endpoints": "https://127.0.0.1:1",
        "elasticsearch-ml:insecure": "true",
      });
      try {
        await rejection(createWith(provider, { modelId: "tiny" }));
        await rejection(createWith(provider, { modelId: "tiny" }));
        assert.equal(
          progress.warnings.filter((w) => /TLS certificate verification is OFF/.test(w)).length,
          1,
        );
      } finally {
        await provider.close();
      }
    });
  });
});
