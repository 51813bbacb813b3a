import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "elasticsearch-ml-emulator";
import {
  ClusterUnreachableError,
  WrongClusterError,
  type DeploymentProvider,
} from "pulumi-elasticsearch-ml/provider";
import { selfSignedCertificate, tempDir } from "../client/fixtures";
import { esDirect, providerHarness, rejection } from "./harness";

describe("provider read (refresh) against the emulator", function () {
  const h = providerHarness();

  it("reads back what runs and returns the inputs unchanged when nothing drifted", async () => {
    const { id, outs, inputs } = await h.create({
      modelId: "tiny",
      numberOfAllocations: 2,
      threadsPerAllocation: 2,
    });
    h.es.admin.clearLog();
    const result = await h.provider.read(id, outs);
    assert.equal(result.id, "tiny");
    const { __provider: _ignored, ...declared } = inputs;
    assert.deepEqual(result.inputs, declared);
    assert.deepEqual(result.props.effective, outs.effective);
    assert.equal(result.props.allocationCount, 2);
    assert.deepEqual(h.mutations(), [], "a refresh only reads");
    assert.deepEqual(h.provider.diff(id, result.props, inputs), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("shows an out-of-band scale as drift: inputs carry the running count, the next diff updates in place", async () => {
    const { id, outs, inputs } = await h.create({ modelId: "tiny", numberOfAllocations: 1 });
    await esDirect(h.es, "POST", "/_ml/trained_models/tiny/deployment/_update", { number_of_allocations: 3 });
    const result = await h.provider.read(id, outs);
    assert.equal(result.inputs.numberOfAllocations, 3);
    assert.equal((result.props.effective as Record<string, unknown>).numberOfAllocations, 3);
    assert.equal(result.props.numberOfAllocations, 1, "outputs keep the declaration under the input name");
    assert.deepEqual(h.provider.diff(id, result.props, inputs), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // The next up puts it back with one _update.
    h.es.admin.clearLog();
    const { outs: restored } = await h.provider.update(id, result.props, inputs);
    assert.deepEqual(
      h.mutations().map((e) => e.body),
      [{ number_of_allocations: 1 }],
    );
    assert.equal(restored.allocationCount, 1);
  });

  it("reports a deployment stopped out of band as stopped (never gone), and the next up starts it", async () => {
    const { id, outs, inputs } = await h.create({ modelId: "tiny" });
    await esDirect(h.es, "POST", "/_ml/trained_models/tiny/deployment/_stop");
    const result = await h.provider.read(id, outs);
    assert.equal(result.id, "tiny", "the resource stays in state");
    assert.deepEqual(result.props.effective, { state: "stopped" });
    assert.equal(result.props.deploymentState, undefined);
    assert.equal(result.inputs.state, "stopped");
    assert.equal(result.props.state, "started", "the declaration is kept");
    assert.deepEqual(h.provider.diff(id, result.props, inputs), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    h.es.admin.clearLog();
    await h.provider.update(id, result.props, inputs);
    assert.deepEqual(
      h.mutations().map((e) => e.path),
      ["/_ml/trained_models/tiny/deployment/_start"],
    );
  });

  it("shows adaptive allocations switched on out of band as a mode change", async () => {
    const { id, outs } = await h.create({ modelId: "tiny", numberOfAllocations: 1 });
    await esDirect(h.es, "POST", "/_ml/trained_models/tiny/deployment/_update", {
      adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 2 },
    });
    const result = await h.provider.read(id, outs);
    assert.deepEqual(result.inputs.adaptiveAllocations, {
      enabled: true,
      minNumberOfAllocations: 1,
      maxNumberOfAllocations: 2,
    });
    assert.equal(result.inputs.numberOfAllocations, undefined);
  });

  it("leaves undeclared fields undeclared", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    await esDirect(h.es, "POST", "/_ml/trained_models/tiny/deployment/_update", { number_of_allocations: 2 });
    const result = await h.provider.read(id, outs);
    assert.equal(result.inputs.numberOfAllocations, undefined);
    assert.equal((result.props.effective as Record<string, unknown>).numberOfAllocations, 2);
  });

  it("fails loudly when the cluster answers 503 to every attempt", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.es.admin.addFault({ method: "GET", path: "/_stats$", status: 503, times: 50 });
    const err = await rejection(h.provider.read(id, outs));
    assert.ok(err instanceof ClusterUnreachableError);
    assert.match(err.message, /^Refresh could not read deployment \[tiny\]: 503 /);
    assert.match(err.message, /The resource stays in the stack unchanged/);
    assert.equal((err.cause as { code?: string }).code, "ES_RESPONSE_ERROR");
  });

  it("rethrows a refusal as is (it says what to fix)", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.es.admin.addFault({ method: "GET", path: "/_stats$", status: 403, times: 5 });
    const err = await rejection(h.provider.read(id, outs));
    assert.equal(err.code, "ES_RESPONSE_ERROR");
    assert.match(err.message, /^403 /);
  });

  it("refuses when the endpoint now answers as another cluster", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    const err = await rejection(h.provider.read(id, { ...outs, clusterUuid: "the-old-cluster" }));
    assert.ok(err instanceof WrongClusterError);
    assert.match(err.message, /^Refusing to refresh deployment \[tiny\]/);
  });

  it("an ingest-pipeline lookup refused with 403 warns once and leaves referencingPipelines out", async () => {
    const { id, outs } = await h.create({ modelId: "tiny" });
    h.es.admin.addFault({
      method: "GET",
      path: "^/_ingest/pipeline$",
      status: 403,
      times: 10,
      body: {
        error: {
          type: "security_exception",
          reason:
            "action [cluster:admin/ingest/pipeline/get] is unauthorized for user [ml], this action is granted by the cluster privileges [read_pipeline,manage_pipeline,manage,all]",
        },
        status: 403,
      },
    });
    const first = await h.provider.read(id, outs);
    const second = await h.provider.read(id, first.props);
    assert.equal(first.props.referencingPipelines, undefined);
    assert.equal(second.props.referencingPipelines, undefined);
    const refusals = h.progress.warnings.filter((w) =>
      /listing ingest pipelines was refused \(403\)/.test(w),
    );
    assert.equal(refusals.length, 1, h.progress.warnings.join("\n"));
    assert.match(refusals[0], /read_pipeline/);
    assert.equal(
      (second.props.effective as Record<string, unknown>).state,
      "started",
      "the refresh itself succeeded",
    );
  });
});

describe("provider read when the cluster is unreachable", function () {
  it("fails loudly and keeps the resource (no empty id)", async () => {
    const es = await startEmulator({ startDelayMs: 1 });
    const url = es.url;
    await es.close();
    const { createProvider, collectingProgress } = await import("pulumi-elasticsearch-ml/provider");
    const provider = createProvider({
      env: () => ({}),
      progress: collectingProgress(),
      clientOptions: { initialBackoffMs: 1, maxBackoffMs: 2, keepAliveTimeoutMs: 100 },
    });
    provider.configure((key) => (key === "elasticsearch-ml:endpoints" ? url : undefined));
    try {
      const outs = {
        modelId: "tiny",
        deploymentId: "tiny",
        state: "started",
        waitFor: "fully_allocated",
        waitTimeoutSeconds: 60,
      };
      const err = await rejection(provider.read("tiny", outs));
      assert.ok(err instanceof ClusterUnreachableError);
      assert.equal(err.code, "ERR_CLUSTER_UNREACHABLE");
      assert.match(err.message, /^Refresh could not read deployment \[tiny\]: .*ECONNREFUSED|connect/);
      assert.match(err.message, /The resource stays in the stack unchanged/);
    } finally {
      await provider.close();
    }
  });
});

/**
 * Which refresh failures are reported as "cluster unreachable, refresh again" (issue 11, item 5): only
 * reachability failures — connect errors, timeouts, 5xx, any 408 (Elasticsearch's or a proxy's). Every other
 * failure is reported as what it is (TLS trust, version, an unexpected response, a closed client, a refusal).
 */
describe("provider read: only reachability failures are reported as unreachable", function () {
  this.timeout(20_000);
  const tmp = tempDir("es-ml-read-errors-");
  const cert = selfSignedCertificate("es-ml read errors test");
  after(() => tmp.cleanup());

  interface ReadCase {
    name: string;
    emulator?: EmulatorOptions;
    config?: Record<string, string>;
    /** Faults and the like, before the read. */
    before?: (es: EmulatorHandle) => unknown;
    /** Runs while the read is in flight. */
    during?: (es: EmulatorHandle, provider: DeploymentProvider) => Promise<void>;
    /** The error's code: the provider's ERR_CLUSTER_UNREACHABLE, or the client error's own. */
    code: string;
    /** The start of the message (or of the cause's message, for ERR_CLUSTER_UNREACHABLE). */
    message: RegExp;
  }

  const unreachable = "ERR_CLUSTER_UNREACHABLE";
  const cases: ReadCase[] = [
    {
      name: "connect failure",
      before: (es) => es.close(),
      code: unreachable,
      message: /Cannot connect to Elasticsearch: .*ECONNREFUSED/,
    },
    {
      name: "timeout",
      config: { "elasticsearch-ml:requestTimeoutSeconds": "1", "elasticsearch-ml:maxRetries": "0" },
      before: (es) => es.admin.addFault({ method: "GET", path: "/_stats$", delayMs: 3_000 }),
      code: unreachable,
      message: /^Timed out after 1000 ms waiting for the response headers/,
    },
    {
      name: "5xx",
      before: (es) => es.admin.addFault({ method: "GET", path: "/_stats$", status: 503, times: 10 }),
      code: unreachable,
      message: /^503 master_not_discovered_exception/,
    },
    {
      name: "408 from Elasticsearch",
      before: (es) => es.admin.addFault({ method: "GET", path: "/_stats$", status: 408, times: 10 }),
      code: unreachable,
      message: /^408 status_exception/,
    },
    {
      name: "408 from a proxy (no X-Elastic-Product)",
      before: (es) =>
        es.admin.addFault({ method: "GET", path: "/_stats$", status: 408, elasticProduct: false, times: 10 }),
      code: unreachable,
      message: /^408 status_exception/,
    },
    {
      name: "TLS: an untrusted certificate",
      emulator: { tlsCert: tmp.write("c.crt", cert.cert), tlsKey: tmp.write("c.key", cert.key) },
      code: "ES_TLS_ERROR",
      message: /^TLS verification failed: .*trust the cluster's CA with caFile/,
    },
    {
      name: "a version older than supported",
      emulator: { esVersion: "8.7.0" },
      code: "ES_VERSION_UNSUPPORTED",
      message: /8\.7\.0/,
    },
    {
      name: "an invalid response (GET / without a version)",
      before: (es) =>
        es.admin.addFault({ method: "GET", path: "^/$", status: 200, body: { name: "not-es" } }),
      code: "ES_INVALID_RESPONSE",
      message: /^Unexpected response from Elasticsearch: no version\.number/,
    },
    {
      name: "the client closed while the read runs",
      before: (es) => es.admin.addFault({ method: "GET", path: "/_stats$", delayMs: 2_000 }),
      during: async (es, provider) => {
        for (let i = 0; i < 400 && es.admin.faults()[0]?.fired !== 1; i++)
          await new Promise((r) => setTimeout(r, 5));
        await provider.close();
      },
      code: "ES_CLIENT_CLOSED",
      message: /^The Elasticsearch client is closed/,
    },
    {
      name: "401 from Elasticsearch",
      before: (es) => es.admin.addFault({ method: "GET", path: "/_stats$", status: 401 }),
      code: "ES_RESPONSE_ERROR",
      message: /^401 security_exception/,
    },
    {
      name: "403 from a proxy",
      before: (es) =>
        es.admin.addFault({ method: "GET", path: "/_stats$", status: 403, elasticProduct: false }),
      code: "ES_RESPONSE_ERROR",
      message: /^403 security_exception/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.code === unreachable ? "unreachable, refresh again" : `reported as ${c.code}`}`, async () => {
      const es = await startEmulator({ startDelayMs: 1, ...c.emulator });
      const { createProvider, collectingProgress } = await import("pulumi-elasticsearch-ml/provider");
      const provider = createProvider({
        env: () => ({}),
        progress: collectingProgress(),
        clientOptions: { initialBackoffMs: 1, maxBackoffMs: 2, keepAliveTimeoutMs: 100 },
      });
      const config: Record<string, string> = { "elasticsearch-ml:endpoints": es.url, ...c.config };
      provider.configure((key) => config[key]);
      try {
        await c.before?.(es);
        const outs = { modelId: "tiny", deploymentId: "tiny", state: "started", waitFor: "fully_allocated" };
        const reading = rejection(provider.read("tiny", outs));
        await c.during?.(es, provider);
        const err = await reading;
        assert.equal(err.code, c.code, err.message);
        if (c.code === unreachable) {
          assert.ok(err instanceof ClusterUnreachableError);
          assert.match((err.cause as Error).message, c.message);
          assert.match(err.message, /refresh again once the cluster answers\.$/);
        } else {
          assert.match(err.message, c.message);
          assert.doesNotMatch(err.message, /refresh again|stays in the stack unchanged/);
        }
      } finally {
        await provider.close();
        await es.close();
      }
    });
  }
});
