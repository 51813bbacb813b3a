/**
 * Secrets canary for the provider: credentials set in stack config reach Elasticsearch, and never the
 * outputs, the inputs a refresh returns, an error (message, stack, properties, reasons, inspect) or a
 * progress line — on success paths and failure paths alike. Also the real 403 path with a role that
 * lacks read_pipeline.
 */
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import {
  collectingProgress,
  createProvider,
  type DeploymentProvider,
} from "pulumi-elasticsearch-ml/provider";
import {
  basic,
  createApiKey,
  esCall,
  FAST,
  putInferencePipeline,
  putTinyPytorchModel,
  putUser,
} from "../client/fixtures";
import { FAST_TIMING, PROVIDER_TEXT } from "./harness";

const ELASTIC_PASSWORD = "elastic-admin-pw";
const CANARY_PASSWORD = "CANARY-provider-pw-8d2e";
const WRONG_PASSWORD = "CANARY-wrong-pw-61fa";

describe("provider secrets canary (security on)", function () {
  let es: EmulatorHandle;
  let admin: { url: string; authorization: string };
  const providers: DeploymentProvider[] = [];
  const seen: [string, string][] = [];

  beforeEach(async () => {
    es = await startEmulator({
      security: true,
      elasticPassword: ELASTIC_PASSWORD,
      startDelayMs: 1,
      stopDelayMs: 1,
    });
    admin = { url: es.url, authorization: basic("elastic", ELASTIC_PASSWORD) };
    await putTinyPytorchModel(admin, "tiny");
    await esCall(admin, "PUT", "/_security/role/deployer", {
      cluster: ["manage_ml", "monitor", "read_pipeline"],
    });
    await esCall(admin, "PUT", "/_security/role/ml-only", { cluster: ["manage_ml", "monitor"] });
    await putUser(admin, "deployer", CANARY_PASSWORD, ["deployer"]);
    await putUser(admin, "ml-only", CANARY_PASSWORD, ["ml-only"]);
  });
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()));
    await es?.close();
  });

  function make(config: Record<string, unknown>) {
    const progress = collectingProgress();
    const provider = createProvider({ env: () => ({}), progress, timing: FAST_TIMING, clientOptions: FAST });
    provider.configure((key) => ({ "elasticsearch-ml:endpoints": es.url, ...config })[key]);
    providers.push(provider);
    return { provider, progress };
  }

  const record = (label: string, value: unknown) =>
    seen.push([label, typeof value === "string" ? value : JSON.stringify(value)]);
  const recordError = (label: string, err: unknown) => {
    const e = err as Error & Record<string, unknown>;
    record(`${label} message`, e.message);
    record(`${label} stack`, e.stack ?? "");
    record(`${label} inspect`, inspect(err, { depth: 20, showHidden: true }));
    record(`${label} properties`, e.properties ?? null);
    record(`${label} reasons`, e.reasons ?? null);
  };
  const fails = async (label: string, promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (err) {
      recordError(label, err);
      return err as Error;
    }
    assert.fail(`${label}: expected a failure`);
  };

  function assertClean(forbidden: string[]): void {
    assert.ok(seen.length > 10, "the test looked at something");
    for (const [label, text] of seen) {
      for (const secret of forbidden)
        assert.ok(!text.includes(secret), `${label} leaks a credential:\n${text}`);
    }
  }

  it("a password from stack config appears nowhere", async () => {
    const { provider, progress } = make({
      "elasticsearch-ml:username": "deployer",
      "elasticsearch-ml:password": CANARY_PASSWORD,
    });
    const inputs = {
      ...provider.check({}, { modelId: "tiny", numberOfAllocations: 1 }).inputs,
      __provider: PROVIDER_TEXT,
    };
    const created = await provider.create(inputs);
    record("create outs", created);
    const refreshed = await provider.read(created.id, created.outs);
    record("read", refreshed);
    const updated = await provider.update(created.id, created.outs, { ...inputs, numberOfAllocations: 2 });
    record("update outs", updated);
    // Failure paths: a partial failure, a wrong cluster, a refused stop.
    es.admin.addFault({
      method: "GET",
      path: "/_stats$",
      status: 200,
      times: 50,
      body: { count: 0, trained_model_stats: [] },
    });
    await fails(
      "failed update",
      provider.update(created.id, updated.outs, {
        ...inputs,
        numberOfAllocations: 3,
        waitTimeoutSeconds: 0.05,
      }),
    );
    es.admin.clearFaults();
    await fails("wrong cluster", provider.delete(created.id, { ...updated.outs, clusterUuid: "x" }));
    await putInferencePipeline(admin, "uses-tiny", "tiny");
    const refused = await fails("stop refused", provider.delete(created.id, updated.outs));
    assert.match(refused.message, /uses-tiny/);
    for (const line of [...progress.infos, ...progress.warnings]) record("progress", line);

    // And a wrong password: the 401 names the user, never the password.
    const { provider: wrong } = make({
      "elasticsearch-ml:username": "deployer",
      "elasticsearch-ml:password": WRONG_PASSWORD,
    });
    const denied = await fails("401", wrong.read("tiny", created.outs));
    assert.match(denied.message, /deployer/);
    assertClean([
      CANARY_PASSWORD,
      WRONG_PASSWORD,
      Buffer.from(`deployer:${CANARY_PASSWORD}`).toString("base64"),
    ]);
  });

  it("an API key from stack config appears nowhere", async () => {
    const key = await createApiKey(admin, "deployer-key", ["manage_ml", "monitor", "read_pipeline"]);
    const { provider, progress } = make({ "elasticsearch-ml:apiKey": key.encoded });
    const inputs = { ...provider.check({}, { modelId: "tiny" }).inputs, __provider: PROVIDER_TEXT };
    const created = await provider.create(inputs);
    record("create outs", created);
    record("read", await provider.read(created.id, created.outs));
    await provider.delete(created.id, created.outs);
    const { provider: bad } = make({ "elasticsearch-ml:apiKey": `${key.id}:CANARY-not-the-key` });
    await fails("401 api key", bad.read("tiny", created.outs));
    for (const line of [...progress.infos, ...progress.warnings]) record("progress", line);
    assertClean([key.api_key, key.encoded, "CANARY-not-the-key"]);
  });

  it("a user without read_pipeline: the lookup's real 403 warns once and the operation goes on", async () => {
    const { provider, progress } = make({
      "elasticsearch-ml:username": "ml-only",
      "elasticsearch-ml:password": CANARY_PASSWORD,
    });
    const inputs = { ...provider.check({}, { modelId: "tiny" }).inputs, __provider: PROVIDER_TEXT };
    const created = await provider.create(inputs);
    const refreshed = await provider.read(created.id, created.outs);
    assert.equal(created.outs.referencingPipelines, undefined);
    assert.equal(refreshed.props.referencingPipelines, undefined);
    assert.equal(created.outs.allocationState, "fully_allocated");
    const refusals = progress.warnings.filter((w) => /listing ingest pipelines was refused \(403\)/.test(w));
    assert.equal(refusals.length, 1, progress.warnings.join("\n"));
  });
});
