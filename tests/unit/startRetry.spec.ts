/**
 * The provider's decision to send `_start` again (pure): which failures, how long to wait (backoff, or a
 * longer `Retry-After` capped at 30 s), and when a `Retry-After` past the deadline makes the failure final.
 */
import * as assert from "node:assert/strict";
import { ConnectionError, ResponseError, TlsError } from "#sdk/client";
import { decideStartRetry, RETRY_AFTER_CAP_MS, type StartRetryContext } from "#sdk/provider/startRetry";

const CTX: StartRetryContext = {
  attempt: 1,
  maxRetries: 3,
  now: 1_000_000,
  deadline: 1_000_000 + 600_000,
  timing: { pollInitialMs: 500, pollMaxMs: 750 },
};

function answer(statusCode: number, type: string, reason: string, retryAfterMs?: number): ResponseError {
  return new ResponseError({
    statusCode,
    method: "POST",
    path: "/_ml/trained_models/m/deployment/_start",
    body: { error: { type, reason }, status: statusCode },
    retryAfterMs,
    fromElasticsearch: true,
  });
}

const lost = new ConnectionError(
  { method: "POST", path: "/x", endpoint: "http://es", requestSent: true, causeCode: "ECONNRESET" },
  "lost",
);
const refused = new ConnectionError(
  { method: "POST", path: "/x", endpoint: "http://es", requestSent: false, causeCode: "ECONNREFUSED" },
  "refused",
);
const tls = new TlsError({ method: "POST", path: "/x", endpoint: "https://es", requestSent: false }, "tls");
const capacity = answer(
  429,
  "status_exception",
  "Could not start deployment because no ML nodes with sufficient capacity were found",
);
const applied = Object.assign(answer(503, "exception", "x"), { applied: true });

describe("provider: when _start is sent again", () => {
  const table: Array<[string, unknown, boolean]> = [
    ["408 (Elasticsearch's or a proxy's)", answer(408, "status_exception", "x"), true],
    ["429 rejected execution", answer(429, "es_rejected_execution_exception", "x"), true],
    ["429 capacity refusal", capacity, false],
    [
      "429 deployments limit",
      answer(
        429,
        "status_exception",
        "Could not start model deployment because existing deployments reached the limit of [100]",
      ),
      false,
    ],
    ["502", answer(502, "exception", "x"), true],
    ["503", answer(503, "exception", "x"), true],
    ["504", answer(504, "exception", "x"), true],
    ["503 known to be applied", applied, false],
    ["500", answer(500, "exception", "x"), false],
    ["400", answer(400, "status_exception", "x"), false],
    ["409", answer(409, "status_exception", "x"), false],
    ["connection lost after sending", lost, true],
    ["connect failure (the client already retried it)", refused, false],
    ["TLS failure", tls, false],
  ];
  for (const [name, err, retry] of table) {
    it(`${name}: ${retry ? "started again" : "final"}`, () => {
      assert.equal(decideStartRetry(err, CTX).retry, retry);
    });
  }

  it("not beyond maxRetries", () => {
    assert.equal(decideStartRetry(lost, { ...CTX, attempt: 3 }).retry, true);
    assert.equal(decideStartRetry(lost, { ...CTX, attempt: 4 }).retry, false);
  });

  it("waits the backoff, or a longer Retry-After capped at 30 s", () => {
    const wait = (retryAfterMs: number | undefined, attempt = 1) =>
      decideStartRetry(answer(429, "es_rejected_execution_exception", "x", retryAfterMs), {
        ...CTX,
        attempt,
      });
    assert.deepEqual(wait(undefined), { retry: true, delayMs: 500, retryAfter: false });
    assert.deepEqual(wait(undefined, 3), { retry: true, delayMs: 750, retryAfter: false });
    assert.deepEqual(wait(100), { retry: true, delayMs: 500, retryAfter: false });
    assert.deepEqual(wait(2_000), { retry: true, delayMs: 2_000, retryAfter: true });
    assert.deepEqual(wait(3_600_000), { retry: true, delayMs: RETRY_AFTER_CAP_MS, retryAfter: true });
    assert.equal(RETRY_AFTER_CAP_MS, 30_000);
  });

  it("a wait that ends past the deadline is final; with Retry-After it says so", () => {
    const near = { ...CTX, deadline: CTX.now + 1_000 };
    assert.deepEqual(decideStartRetry(answer(503, "exception", "x", 5_000), near), {
      retry: false,
      detail:
        "The answer asked to retry after 5 s (Retry-After), which ends past the wait deadline (waitTimeoutSeconds); " +
        "nothing was started, so run pulumi up again later",
    });
    assert.deepEqual(decideStartRetry(lost, { ...CTX, deadline: CTX.now + 100 }), { retry: false });
  });
});
