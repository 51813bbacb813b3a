import * as assert from "node:assert/strict";
import {
  InvalidRequestError,
  UnsupportedVersionError,
  deploymentLimits,
  isAtLeast,
  parseEsVersion,
  type EsVersion,
} from "#sdk/client";
import { buildStartRequest, buildStopRequest, buildUpdateRequest } from "#sdk/client/trainedModelDeployments";
import { assertSupportedVersion, parseDurationMs } from "#sdk/client/version";

const v = (raw: string, flavor?: string): EsVersion => parseEsVersion(raw, flavor)!;

function refusedParameter(fn: () => unknown, parameter: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UnsupportedVersionError, String(err));
    assert.equal(err.code, "ES_PARAMETER_UNSUPPORTED");
    assert.equal(err.parameter, parameter);
    assert.equal(err.applied, false);
    assert.equal(err.message, message);
    return true;
  });
}

function invalid(fn: () => unknown, parameter: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidRequestError, String(err));
    assert.equal(err.code, "ES_INVALID_REQUEST");
    assert.equal(err.parameter, parameter);
    assert.equal(err.message, message);
    return true;
  });
}

describe("client versions", () => {
  it("parses release, snapshot and two-part versions", () => {
    assert.deepEqual(parseEsVersion("8.11.0"), {
      major: 8,
      minor: 11,
      patch: 0,
      raw: "8.11.0",
      serverless: false,
    });
    assert.equal(parseEsVersion("9.2.0-SNAPSHOT")?.minor, 2);
    assert.equal(parseEsVersion("8.8")?.patch, 0);
    assert.equal(parseEsVersion("banana"), undefined);
  });

  it("compares major, minor, patch; serverless counts as newest", () => {
    assert.equal(isAtLeast(v("8.10.4"), "8.11.0"), false);
    assert.equal(isAtLeast(v("8.11.0"), "8.11.0"), true);
    assert.equal(isAtLeast(v("9.0.0"), "8.16.0"), true);
    assert.equal(isAtLeast(v("8.16.1"), "8.16.2"), false);
    assert.equal(isAtLeast(v("8.11.0", "serverless"), "8.16.0"), true);
  });

  it("refuses clusters older than 8.8 with ES_VERSION_UNSUPPORTED", () => {
    assert.doesNotThrow(() => assertSupportedVersion(v("8.8.0"), "http://h:9200"));
    assert.throws(
      () => assertSupportedVersion(v("8.7.1"), "http://h:9200"),
      (err: unknown) => {
        assert.ok(err instanceof UnsupportedVersionError);
        assert.equal(err.code, "ES_VERSION_UNSUPPORTED");
        assert.equal(err.esVersion, "8.7.1");
        assert.equal(err.requiredVersion, "8.8.0");
        assert.equal(
          err.message,
          "Elasticsearch 8.7.1 at http://h:9200 is not supported: pulumi-elasticsearch-ml needs Elasticsearch 8.8.0 " +
            "or later (trained model deployment ids arrived in 8.8); upgrade the cluster",
        );
        return true;
      },
    );
  });

  it("limits follow the version: queue capacity max and start timeout default", () => {
    assert.deepEqual(deploymentLimits(v("8.19.0")), {
      queueCapacityMax: 1_000_000,
      startTimeoutDefaultMs: 30_000,
    });
    assert.deepEqual(deploymentLimits(v("9.0.0")), {
      queueCapacityMax: 100_000,
      startTimeoutDefaultMs: 30_000,
    });
    assert.deepEqual(deploymentLimits(v("8.6.0")), {
      queueCapacityMax: 1_000_000,
      startTimeoutDefaultMs: 20_000,
    });
  });

  it("parses Elasticsearch durations", () => {
    assert.equal(parseDurationMs("30s", "timeout"), 30_000);
    assert.equal(parseDurationMs("2m", "timeout"), 120_000);
    assert.equal(parseDurationMs("250ms", "timeout"), 250);
    assert.equal(parseDurationMs(1500, "timeout"), 1500);
    invalid(
      () => parseDurationMs("soon", "timeout"),
      "timeout",
      'timeout: "soon" is not a positive duration; expected milliseconds or an Elasticsearch duration such as "30s", "2m" or "500ms"',
    );
    invalid(
      () => parseDurationMs(0, "timeout"),
      "timeout",
      'timeout: 0 is not a positive duration; expected milliseconds or an Elasticsearch duration such as "30s", "2m" or "500ms"',
    );
  });
});

describe("client request building", () => {
  describe("start", () => {
    it("puts every parameter in the query and only adaptive_allocations in the body", () => {
      const req = buildStartRequest(
        {
          modelId: "my model/x",
          deploymentId: "dep-1",
          threadsPerAllocation: 2,
          priority: "normal",
          queueCapacity: 50,
          cacheSize: "10kb",
          waitFor: "starting",
          timeout: "45s",
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
        },
        v("8.16.0"),
      );
      assert.equal(req.path, "/_ml/trained_models/my%20model%2Fx/deployment/_start");
      assert.deepEqual(req.query, {
        deployment_id: "dep-1",
        number_of_allocations: undefined,
        threads_per_allocation: 2,
        priority: "normal",
        queue_capacity: 50,
        cache_size: "10kb",
        wait_for: "starting",
        timeout: "45s",
      });
      assert.deepEqual(req.body, {
        adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 4 },
      });
      assert.equal(req.serverTimeoutMs, 45_000);
      assert.equal(req.deploymentId, "dep-1");
    });

    it("sends nothing that is not set; deployment_id only when it differs from the model id", () => {
      const req = buildStartRequest({ modelId: "m", deploymentId: "m" }, v("9.1.0"));
      assert.deepEqual(
        Object.entries(req.query).filter(([, value]) => value !== undefined),
        [],
      );
      assert.equal(req.body, undefined);
      assert.equal(req.serverTimeoutMs, 30_000);
      assert.equal(req.deploymentId, "m");
    });

    it("formats numeric timeout and cache size", () => {
      const req = buildStartRequest({ modelId: "m", timeout: 2500, cacheSize: 0 }, v("8.8.0"));
      assert.equal(req.query.timeout, "2500ms");
      assert.equal(req.query.cache_size, "0b");
      assert.equal(buildStartRequest({ modelId: "m", timeout: 60_000 }, v("8.8.0")).query.timeout, "60s");
    });

    it("refuses adaptive allocations before 8.15 when enabled, leaves them out when disabled", () => {
      refusedParameter(
        () => buildStartRequest({ modelId: "m", adaptiveAllocations: { enabled: true } }, v("8.14.3")),
        "adaptiveAllocations",
        "adaptiveAllocations is set, but the connected Elasticsearch 8.14.3 does not support it " +
          "(adaptive_allocations needs 8.15.0 or later); unset it or upgrade the cluster",
      );
      assert.equal(
        buildStartRequest({ modelId: "m", adaptiveAllocations: { enabled: false } }, v("8.14.3")).body,
        undefined,
      );
      assert.deepEqual(
        buildStartRequest({ modelId: "m", adaptiveAllocations: { enabled: false } }, v("8.15.0")).body,
        {
          adaptive_allocations: { enabled: false },
        },
      );
    });

    it("refuses scale-to-zero before 8.16", () => {
      refusedParameter(
        () =>
          buildStartRequest(
            {
              modelId: "m",
              adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0, maxNumberOfAllocations: 2 },
            },
            v("8.15.2"),
          ),
        "adaptiveAllocations.minNumberOfAllocations: 0",
        "adaptiveAllocations.minNumberOfAllocations: 0 is set, but the connected Elasticsearch 8.15.2 does not support it " +
          "(adaptive_allocations.min_number_of_allocations=0 needs 8.16.0 or later); unset it or upgrade the cluster",
      );
      assert.doesNotThrow(() =>
        buildStartRequest(
          { modelId: "m", adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0 } },
          v("8.16.0"),
        ),
      );
    });

    it("gates priority (8.6) and cache_size (8.4) on older versions, dropping defaults", () => {
      refusedParameter(
        () => buildStartRequest({ modelId: "m", priority: "low" }, v("8.5.0")),
        "priority",
        "priority is set, but the connected Elasticsearch 8.5.0 does not support it (priority needs 8.6.0 or later); " +
          "unset it or upgrade the cluster",
      );
      assert.equal(
        buildStartRequest({ modelId: "m", priority: "normal" }, v("8.5.0")).query.priority,
        undefined,
      );
      refusedParameter(
        () => buildStartRequest({ modelId: "m", cacheSize: "1mb" }, v("8.3.0")),
        "cacheSize",
        "cacheSize is set, but the connected Elasticsearch 8.3.0 does not support it (cache_size needs 8.4.0 or later); " +
          "unset it or upgrade the cluster",
      );
    });

    it("serverless is not version-gated", () => {
      const req = buildStartRequest(
        { modelId: "m", adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0 } },
        v("8.11.0", "serverless"),
      );
      assert.deepEqual(req.body, { adaptive_allocations: { enabled: true, min_number_of_allocations: 0 } });
    });

    it("checks the queue capacity against the connected version's maximum", () => {
      assert.equal(
        buildStartRequest({ modelId: "m", queueCapacity: 500_000 }, v("8.19.0")).query.queue_capacity,
        500_000,
      );
      invalid(
        () => buildStartRequest({ modelId: "m", queueCapacity: 500_000 }, v("9.1.0")),
        "queueCapacity",
        "queueCapacity: 500000 is not allowed; expected an integer from 1 to 100000",
      );
    });

    it("rejects malformed values locally", () => {
      invalid(
        () => buildStartRequest({ modelId: "" }, v("9.0.0")),
        "modelId",
        'modelId must be a non-empty string, got ""',
      );
      invalid(
        () => buildStartRequest({ modelId: "m", numberOfAllocations: 0 }, v("9.0.0")),
        "numberOfAllocations",
        "numberOfAllocations: 0 is not allowed; expected an integer >= 1",
      );
      invalid(
        () => buildStartRequest({ modelId: "m", waitFor: "ready" as never }, v("9.0.0")),
        "waitFor",
        'waitFor: "ready" is not allowed; expected "starting", "started" or "fully_allocated"',
      );
      invalid(
        () => buildStartRequest({ modelId: "m", priority: "high" as never }, v("9.0.0")),
        "priority",
        'priority: "high" is not allowed; expected "normal" or "low"',
      );
      invalid(
        () =>
          buildStartRequest(
            { modelId: "m", numberOfAllocations: 2, adaptiveAllocations: { enabled: true } },
            v("9.0.0"),
          ),
        "numberOfAllocations",
        "numberOfAllocations cannot be set when adaptiveAllocations is enabled (Elasticsearch refuses the combination)",
      );
    });
  });

  describe("stop", () => {
    it("sends only the flags that are set, as query parameters, never a body", () => {
      const req = buildStopRequest(
        { deploymentId: "d/1", force: true, allowNoMatch: false, finishPendingWork: true },
        v("8.11.0"),
      );
      assert.equal(req.path, "/_ml/trained_models/d%2F1/deployment/_stop");
      assert.deepEqual(req.query, { allow_no_match: false, force: true, finish_pending_work: true });
      assert.equal(req.body, undefined);
      assert.deepEqual(buildStopRequest({ deploymentId: "d" }, v("9.0.0")).query, {
        allow_no_match: undefined,
        force: undefined,
        finish_pending_work: undefined,
      });
    });

    it("refuses finish_pending_work before 8.11 when true, leaves it out when false", () => {
      refusedParameter(
        () => buildStopRequest({ deploymentId: "d", finishPendingWork: true }, v("8.10.4")),
        "finishPendingWork",
        "finishPendingWork is set, but the connected Elasticsearch 8.10.4 does not support it " +
          "(finish_pending_work needs 8.11.0 or later); unset it or upgrade the cluster",
      );
      assert.equal(
        buildStopRequest({ deploymentId: "d", finishPendingWork: false }, v("8.10.4")).query
          .finish_pending_work,
        undefined,
      );
      assert.equal(
        buildStopRequest({ deploymentId: "d", finishPendingWork: false }, v("8.11.0")).query
          .finish_pending_work,
        false,
      );
    });
  });

  describe("update", () => {
    it("puts number_of_allocations and adaptive_allocations in the body", () => {
      assert.deepEqual(buildUpdateRequest({ deploymentId: "d", numberOfAllocations: 3 }, v("8.8.0")), {
        path: "/_ml/trained_models/d/deployment/_update",
        query: {},
        body: { number_of_allocations: 3 },
      });
      assert.deepEqual(
        buildUpdateRequest(
          { deploymentId: "d", numberOfAllocations: 2, adaptiveAllocations: { enabled: false } },
          v("8.15.0"),
        ).body,
        { number_of_allocations: 2, adaptive_allocations: { enabled: false } },
      );
      assert.deepEqual(
        buildUpdateRequest({ deploymentId: "d", adaptiveAllocations: null }, v("8.15.0")).body,
        {
          adaptive_allocations: null,
        },
      );
    });

    it("refuses an update with nothing to send", () => {
      invalid(
        () => buildUpdateRequest({ deploymentId: "d" }, v("9.0.0")),
        "numberOfAllocations",
        "Nothing to update for deployment [d]: set numberOfAllocations or adaptiveAllocations",
      );
      invalid(
        () => buildUpdateRequest({ deploymentId: "d", adaptiveAllocations: null }, v("8.14.0")),
        "numberOfAllocations",
        "Nothing to update for deployment [d]: set numberOfAllocations or adaptiveAllocations " +
          "(adaptive allocations need Elasticsearch 8.15+, connected: 8.14.0)",
      );
    });
  });
});
