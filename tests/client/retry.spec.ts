import * as assert from "node:assert/strict";
import { EndpointSelector } from "#sdk/client/endpoints";
import {
  type AttemptFailure,
  type RetryPolicy,
  backoffDelay,
  decideRetry,
  isRetryableFailure,
  parseRetryAfter,
} from "#sdk/client/retry";
import { chainFingerprints, chainMatchesFingerprint } from "#sdk/client/tls";
import { classifyErrorCode } from "#sdk/client/transport";

const POLICY: RetryPolicy = { maxRetries: 3, initialBackoffMs: 100, maxBackoffMs: 1000, deadlineMs: 10_000 };

function ctx(failure: AttemptFailure, overrides: Partial<Parameters<typeof decideRetry>[1]> = {}) {
  return {
    failure,
    attempts: 1,
    elapsedMs: 0,
    idempotent: true,
    otherEndpointAvailable: false,
    ...overrides,
  };
}

describe("client retry policy", () => {
  describe("which failures are retried", () => {
    const table: Array<[string, AttemptFailure, boolean, boolean]> = [
      // name, failure, idempotent request?, non-idempotent request?
      ["connect failure", { kind: "connect" }, true, true],
      ["429", { kind: "status", statusCode: 429 }, true, false],
      ["502", { kind: "status", statusCode: 502 }, true, false],
      ["503", { kind: "status", statusCode: 503 }, true, false],
      ["504", { kind: "status", statusCode: 504 }, true, false],
      ["500", { kind: "status", statusCode: 500 }, false, false],
      ["400", { kind: "status", statusCode: 400 }, false, false],
      ["401", { kind: "status", statusCode: 401 }, false, false],
      ["404", { kind: "status", statusCode: 404 }, false, false],
      // A proxy's (or Elasticsearch's) "no answer in time": worth another attempt when resending is safe.
      ["408", { kind: "status", statusCode: 408 }, true, false],
      // Elasticsearch's capacity refusal stands until capacity changes: final, although a 429.
      ["429 capacity refusal", { kind: "status", statusCode: 429, capacityRefusal: true }, false, false],
      ["409", { kind: "status", statusCode: 409 }, false, false],
      ["lost connection", { kind: "lost" }, true, false],
      ["timeout", { kind: "timeout" }, true, false],
      ["TLS failure", { kind: "tls" }, false, false],
      ["deadline", { kind: "deadline" }, false, false],
      ["closed client", { kind: "closed" }, false, false],
    ];
    for (const [name, failure, idem, nonIdem] of table) {
      it(`${name}: ${idem ? "retried" : "not retried"} when idempotent, ${nonIdem ? "retried" : "not retried"} otherwise`, () => {
        assert.equal(isRetryableFailure(failure, true), idem);
        assert.equal(isRetryableFailure(failure, false), nonIdem);
        assert.equal(decideRetry(POLICY, ctx(failure, { idempotent: true }), () => 0.5).retry, idem);
        assert.equal(decideRetry(POLICY, ctx(failure, { idempotent: false }), () => 0.5).retry, nonIdem);
      });
    }
  });

  it("explains a refusal", () => {
    assert.deepEqual(decideRetry(POLICY, ctx({ kind: "status", statusCode: 400 })), {
      retry: false,
      reason: "HTTP 400 is not retried",
    });
    assert.deepEqual(decideRetry(POLICY, ctx({ kind: "lost" }, { idempotent: false })), {
      retry: false,
      reason: "a lost connection is not retried for this request",
    });
  });

  it("stops after maxRetries retries", () => {
    const f: AttemptFailure = { kind: "status", statusCode: 503 };
    assert.equal(decideRetry(POLICY, ctx(f, { attempts: 3 }), () => 0).retry, true);
    assert.deepEqual(
      decideRetry(POLICY, ctx(f, { attempts: 4 }), () => 0),
      {
        retry: false,
        reason: "maxRetries 3 reached",
      },
    );
    assert.equal(decideRetry({ ...POLICY, maxRetries: 0 }, ctx({ kind: "connect" }), () => 0).retry, false);
  });

  it("backs off exponentially with equal jitter, capped", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 100, 1000, 0)),
      [50, 100, 200, 400, 500, 500],
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 100, 1000, 0.999999)),
      [100, 200, 400, 800, 1000, 1000],
    );
    const d = decideRetry(POLICY, ctx({ kind: "status", statusCode: 429 }, { attempts: 2 }), () => 0.5);
    assert.deepEqual(d, { retry: true, delayMs: 150 });
  });

  it("fails over to another healthy endpoint without waiting after a connect failure", () => {
    assert.deepEqual(
      decideRetry(POLICY, ctx({ kind: "connect" }, { otherEndpointAvailable: true }), () => 0.9),
      {
        retry: true,
        delayMs: 0,
      },
    );
    assert.deepEqual(
      decideRetry(POLICY, ctx({ kind: "connect" }), () => 0),
      { retry: true, delayMs: 50 },
    );
  });

  it("honours Retry-After up to the backoff cap", () => {
    assert.deepEqual(
      decideRetry(POLICY, ctx({ kind: "status", statusCode: 429, retryAfterMs: 700 }), () => 0),
      {
        retry: true,
        delayMs: 700,
      },
    );
    assert.deepEqual(
      decideRetry(POLICY, ctx({ kind: "status", statusCode: 503, retryAfterMs: 60_000 }), () => 0),
      {
        retry: true,
        delayMs: 1000,
      },
    );
    assert.equal(parseRetryAfter("3", 0), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter("soon", 0), undefined);
    assert.equal(parseRetryAfter(undefined, 0), undefined);
  });

  it("never waits past the deadline", () => {
    assert.deepEqual(
      decideRetry(POLICY, ctx({ kind: "timeout" }, { elapsedMs: 9_990 }), () => 0),
      {
        retry: false,
        reason: "the 10000 ms deadline leaves no time for another attempt",
      },
    );
  });
});

describe("client error-code classification (undici boundary)", () => {
  const table: Array<[string, ReturnType<typeof classifyErrorCode>]> = [
    ["ECONNREFUSED", "connect"],
    ["ENOTFOUND", "connect"],
    ["UND_ERR_CONNECT_TIMEOUT", "connect"],
    ["ECONNRESET", "lost"],
    ["UND_ERR_SOCKET", "lost"],
    ["EPIPE", "lost"],
    ["SOMETHING_NEW", "lost"],
    ["UND_ERR_HEADERS_TIMEOUT", "headers-timeout"],
    ["UND_ERR_BODY_TIMEOUT", "body-timeout"],
    ["UND_ERR_DESTROYED", "closed"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
    ["CERT_HAS_EXPIRED", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["ES_TLS_FINGERPRINT_MISMATCH", "tls"],
  ];
  for (const [code, kind] of table) {
    it(`${code} -> ${kind}`, () => assert.equal(classifyErrorCode(code), kind));
  }
});

describe("client endpoint selection", () => {
  it("round-robins over healthy endpoints", () => {
    const s = new EndpointSelector(["a", "b", "c"], { downBaseMs: 100, downMaxMs: 1000 });
    assert.deepEqual(
      [0, 0, 0, 0].map(() => s.pick(0)),
      ["a", "b", "c", "a"],
    );
  });

  it("skips an endpoint marked down until its time is up, doubling per consecutive failure", () => {
    const s = new EndpointSelector(["a", "b"], { downBaseMs: 100, downMaxMs: 250 });
    s.markDown("a", 0);
    assert.deepEqual([s.pick(10), s.pick(20), s.pick(30)], ["b", "b", "b"]);
    assert.equal(s.isDown("a", 99), true);
    assert.equal(s.isDown("a", 100), false);
    s.markDown("a", 100); // second failure: 200 ms
    assert.equal(s.isDown("a", 299), true);
    assert.equal(s.isDown("a", 300), false);
    s.markDown("a", 300); // third: 400 ms, capped at 250
    assert.equal(s.isDown("a", 549), true);
    assert.equal(s.isDown("a", 550), false);
    s.markUp("a");
    s.markDown("a", 1000); // back to the base after a success
    assert.equal(s.isDown("a", 1100), false);
  });

  it("when all are down, tries the one due back first", () => {
    const s = new EndpointSelector(["a", "b"], { downBaseMs: 100, downMaxMs: 1000 });
    s.markDown("b", 0);
    s.markDown("a", 50);
    assert.equal(s.pick(60), "b");
    assert.equal(s.hasHealthyOtherThan("a", 60), false);
    assert.equal(s.hasHealthyOtherThan("a", 100), true);
  });
});

describe("client fingerprint pinning (chain walk)", () => {
  const root: { fingerprint256: string; issuerCertificate?: unknown } = { fingerprint256: "CC:CC" };
  root.issuerCertificate = root; // self-signed roots point at themselves
  const intermediate = { fingerprint256: "bb:bb", issuerCertificate: root };
  const leaf = { fingerprint256: "AA:AA", issuerCertificate: intermediate };

  it("lists the chain leaf first and stops at a self-signed root", () => {
    assert.deepEqual(chainFingerprints(leaf as never), ["AA:AA", "BB:BB", "CC:CC"]);
  });

  it("matches the leaf or any issuer, case-insensitively, and nothing else", () => {
    assert.equal(chainMatchesFingerprint(leaf as never, "AA:AA"), true);
    assert.equal(chainMatchesFingerprint(leaf as never, "BB:BB"), true);
    assert.equal(chainMatchesFingerprint(leaf as never, "cc:cc"), true);
    assert.equal(chainMatchesFingerprint(leaf as never, "DD:DD"), false);
    assert.equal(chainMatchesFingerprint(undefined, "AA:AA"), false);
  });
});
