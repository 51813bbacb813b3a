/**
 * `applied` on every failure class (issue 11, item 6): `false` ("verified not applied, safe to resend")
 * only with evidence — nothing was written (connect or TLS failure), or Elasticsearch itself (the answer
 * carries `X-Elastic-Product: Elasticsearch`) refused before acting with a status and type on the
 * allow-list — and `undefined` (unknown) for everything else. Every case runs against the emulator; a fault
 * with `when: "after"` (or `elasticProduct: false`) answers without the header, as a proxy would.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type FaultSpec } from "elasticsearch-ml-emulator";
import {
  createClient,
  EsClientError,
  isRefusalBeforeActing,
  type ConnectionOptions,
  type ElasticsearchClient,
} from "#sdk/client";
import { FAST, putTinyPytorchModel, selfSignedCertificate, tempDir } from "./fixtures";

const UPDATE = "/_update$";

function esBody(status: number, type: string, reason = `refused by the test (${type})`) {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

interface Case {
  name: string;
  /** Faults on `_update`, in firing order. */
  faults?: FaultSpec[];
  /** Client options beyond the defaults (maxRetries 0: one attempt unless the case says otherwise). */
  options?: ConnectionOptions & Record<string, unknown>;
  /** The update to send (default: 2 allocations of the started deployment `tiny`). */
  update?: { deploymentId: string; numberOfAllocations: number };
  applied: false | undefined;
  /** The error's code, to show the case failed the way it describes. */
  code: string;
}

describe("client: applied is false only with evidence (every failure class)", function () {
  this.timeout(20_000);
  let es: EmulatorHandle;
  let client: ElasticsearchClient | undefined;

  beforeEach(async () => {
    es = await startEmulator({ startDelayMs: 5, mlNodes: 1, processorsPerNode: 8 });
    await putTinyPytorchModel(es, "tiny");
    const setup = createClient({ endpoints: es.url, ...FAST }, {});
    await setup.startDeployment({ modelId: "tiny" });
    await setup.close();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await es?.close();
  });

  const cases: Case[] = [
    // Nothing written.
    {
      name: "connect failure (refused)",
      options: { endpoints: "http://127.0.0.1:1" },
      applied: false,
      code: "ES_CONNECTION_ERROR",
    },
    // Written, or possibly written: unknown.
    {
      name: "socket reset before the handler ran",
      faults: [{ reset: true }],
      applied: undefined,
      code: "ES_CONNECTION_ERROR",
    },
    {
      name: "socket reset after the handler ran",
      faults: [{ reset: true, when: "after" }],
      applied: undefined,
      code: "ES_CONNECTION_ERROR",
    },
    {
      name: "timeout (no answer within requestTimeoutMs)",
      faults: [{ delayMs: 400 }],
      // The overall deadline aborts the attempt (undici's own header timer is coarse, ~1 s).
      options: { requestTimeoutMs: 100, retryDeadlineMs: 150 },
      applied: undefined,
      code: "ES_TIMEOUT",
    },
    {
      name: "408 from Elasticsearch",
      faults: [{ status: 408 }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "408 from a proxy (no header)",
      faults: [{ status: 408, when: "after" }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "500 from Elasticsearch",
      faults: [{ status: 500 }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "503 from Elasticsearch",
      faults: [{ status: 503 }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "400 status_exception (not on the list: _start also answers it after acting)",
      faults: [{ status: 400, body: esBody(400, "status_exception") }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "429 circuit_breaking_exception (not on the list)",
      faults: [{ status: 429, body: esBody(429, "circuit_breaking_exception") }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    // Elasticsearch's refusals before acting (header present): false.
    {
      name: "400 action_request_validation_exception",
      faults: [{ status: 400, body: esBody(400, "action_request_validation_exception") }],
      applied: false,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "400 x_content_parse_exception",
      faults: [{ status: 400, body: esBody(400, "x_content_parse_exception") }],
      applied: false,
      code: "ES_RESPONSE_ERROR",
    },
    { name: "401 security_exception", faults: [{ status: 401 }], applied: false, code: "ES_RESPONSE_ERROR" },
    { name: "403 security_exception", faults: [{ status: 403 }], applied: false, code: "ES_RESPONSE_ERROR" },
    {
      name: "404 resource_not_found_exception (the emulator's own answer: unknown deployment)",
      update: { deploymentId: "nope", numberOfAllocations: 2 },
      applied: false,
      code: "ES_RESPONSE_ERROR",
    },
    { name: "409 status_exception", faults: [{ status: 409 }], applied: false, code: "ES_RESPONSE_ERROR" },
    {
      name: "429 capacity refusal (the emulator's own answer: 9 allocations on 8 processors)",
      update: { deploymentId: "tiny", numberOfAllocations: 9 },
      applied: false,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "429 es_rejected_execution_exception",
      faults: [{ status: 429 }],
      applied: false,
      code: "ES_RESPONSE_ERROR",
    },
    // The same refusals without the header (a proxy, or an answer standing in for a lost one): unknown.
    {
      name: "401 without the header",
      faults: [{ status: 401, elasticProduct: false }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "403 without the header",
      faults: [{ status: 403, when: "after" }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "404 without the header",
      faults: [{ status: 404, when: "after" }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "409 without the header",
      faults: [{ status: 409, elasticProduct: false }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "429 without the header",
      faults: [{ status: 429, elasticProduct: false }],
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    // Evidence is needed from every attempt: a 503 (unknown) then a 403 refusal is still unknown.
    {
      name: "an unknown attempt, then a refusal before acting",
      faults: [{ status: 503, times: 1 }, { status: 403 }],
      options: { maxRetries: 1 },
      applied: undefined,
      code: "ES_RESPONSE_ERROR",
    },
    {
      name: "two refusals before acting (429, then 403)",
      faults: [{ status: 429, times: 1 }, { status: 403 }],
      options: { maxRetries: 1 },
      applied: false,
      code: "ES_RESPONSE_ERROR",
    },
  ];

  for (const c of cases) {
    it(`${c.name}: applied ${String(c.applied)}`, async () => {
      for (const fault of c.faults ?? []) es.admin.addFault({ method: "POST", path: UPDATE, ...fault });
      client = createClient({ endpoints: es.url, ...FAST, maxRetries: 0, ...c.options }, {});
      if (c.options?.endpoints === undefined) await client.info();
      const err = await client
        .updateDeployment(c.update ?? { deploymentId: "tiny", numberOfAllocations: 2 })
        .then(() => assert.fail("expected the update to fail"))
        .catch((e: unknown) => e);
      assert.ok(err instanceof EsClientError, String(err));
      assert.equal(err.code, c.code, err.message);
      assert.equal(err.applied, c.applied, err.message);
    });
  }

  it("TLS verification failure: applied false (nothing was written)", async () => {
    const tmp = tempDir("es-ml-applied-tls-");
    const cert = selfSignedCertificate("es-ml applied test");
    const tls = await startEmulator({
      tlsCert: tmp.write("c.crt", cert.cert),
      tlsKey: tmp.write("c.key", cert.key),
    });
    try {
      client = createClient({ endpoints: tls.url, ...FAST }, {});
      const err = await client.info().then(
        () => assert.fail("expected a TLS failure"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof EsClientError);
      assert.equal(err.code, "ES_TLS_ERROR");
      assert.equal(err.applied, false);
      assert.equal(tls.admin.log().length, 0, "no request reached the server");
    } finally {
      await tls.close();
      tmp.cleanup();
    }
  });

  it("a closed client: applied undefined (a request in flight may have been written)", async () => {
    client = createClient({ endpoints: es.url, ...FAST }, {});
    await client.info();
    es.admin.addFault({ method: "POST", path: UPDATE, delayMs: 300, when: "after" });
    const pending = client
      .updateDeployment({ deploymentId: "tiny", numberOfAllocations: 2 })
      .catch((e: unknown) => e);
    // Close once the emulator has the request (its handler applies it, then the fault delays the answer).
    for (let i = 0; i < 100 && es.admin.faults()[0]?.fired !== 1; i++)
      await new Promise((r) => setTimeout(r, 5));
    await client.close();
    const err = await pending;
    assert.ok(err instanceof EsClientError, String(err));
    assert.equal(err.code, "ES_CLIENT_CLOSED");
    assert.equal(err.applied, undefined);
  });

  it("the allow-list itself: status and type, from Elasticsearch only", () => {
    assert.equal(isRefusalBeforeActing(403, "security_exception", true), true);
    assert.equal(isRefusalBeforeActing(403, "security_exception", false), false);
    assert.equal(isRefusalBeforeActing(403, undefined, true), false);
    assert.equal(isRefusalBeforeActing(408, "status_exception", true), false);
    assert.equal(isRefusalBeforeActing(408, "model_deployment_timeout_exception", true), false);
    assert.equal(isRefusalBeforeActing(500, "exception", true), false);
    assert.equal(isRefusalBeforeActing(400, "status_exception", true), false);
    assert.equal(isRefusalBeforeActing(429, "status_exception", true), true);
  });
});
