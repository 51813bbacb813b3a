/**
 * `X-Elastic-Product: Elasticsearch` (Elasticsearch sends it on every answer since 7.14, successes and
 * errors alike): the emulator sends it on its real answers and on faults that stand for Elasticsearch's own
 * refusal (`when: "before"`), never on faults that stand for a proxy or a lost answer (`when: "after"`, or
 * `elasticProduct: false`). Clients use it to tell Elasticsearch's refusals from a proxy's.
 */
import { strict as assert } from "node:assert";
import { validateFaultSpec } from "#emulator/admin/faults";
import { createPytorchModel, startDeployment, startTestEmulator, TestEmulator } from "./helpers";

const START = "/_ml/trained_models/m/deployment/_start";
const PRODUCT = "x-elastic-product";

describe("emulator: X-Elastic-Product on real answers, not on proxy-like faults", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator();
    await createPytorchModel(em, "m");
  });
  afterEach(() => em.close());

  it("real answers carry it: success, 400, 404, 405 and a capacity 429", async () => {
    const answers = [
      await em.es("GET", "/"),
      await em.es("GET", "/_nope"),
      await em.es("GET", "/_ml/trained_models/none"),
      await em.es("DELETE", "/_ml/info"),
      await em.es("POST", `${START}?number_of_allocations=64`),
    ];
    assert.deepEqual(
      answers.map((a) => [a.status, a.headers.get(PRODUCT)]),
      [
        [200, "Elasticsearch"],
        [400, "Elasticsearch"],
        [404, "Elasticsearch"],
        [405, "Elasticsearch"],
        [429, "Elasticsearch"],
      ],
    );
  });

  it("a 'before' fault answers with it (Elasticsearch refused), an 'after' fault without (a proxy)", async () => {
    em.handle.admin.addFault({ method: "POST", path: "/_start$", status: 408 });
    const before = await em.es("POST", START);
    em.handle.admin.addFault({ method: "POST", path: "/_start$", status: 408, when: "after" });
    const after = await em.es("POST", START);
    assert.equal(before.status, 408);
    assert.equal(before.headers.get(PRODUCT), "Elasticsearch");
    assert.equal(after.status, 408);
    assert.equal(after.headers.get(PRODUCT), null);
    assert.deepEqual(
      em.handle.admin
        .log()
        .filter((e) => e.path === START)
        .map((e) => [e.status, e.applied, e.fault?.when]),
      [
        [408, false, "before"],
        [408, true, "after"],
      ],
    );
  });

  it("elasticProduct overrides the default both ways; headers are added to the injected answer", async () => {
    em.handle.admin.addFault({
      method: "GET",
      path: "^/$",
      status: 429,
      elasticProduct: false,
      headers: { "Retry-After": "7" },
    });
    em.handle.admin.addFault({
      method: "GET",
      path: "^/$",
      status: 503,
      when: "after",
      elasticProduct: true,
    });
    const proxyBefore = await em.es("GET", "/");
    const esAfter = await em.es("GET", "/");
    assert.deepEqual(
      [proxyBefore.status, proxyBefore.headers.get(PRODUCT), proxyBefore.headers.get("retry-after")],
      [429, null, "7"],
    );
    assert.deepEqual([esAfter.status, esAfter.headers.get(PRODUCT)], [503, "Elasticsearch"]);
  });

  it("an 'after' fault with only a delay still sends the real answer, with the header", async () => {
    em.handle.admin.addFault({ method: "POST", path: "/_start$", delayMs: 5, when: "after" });
    const res = await startDeployment(em, "m");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get(PRODUCT), "Elasticsearch");
  });

  it("validates headers and elasticProduct", () => {
    assert.throws(
      () => validateFaultSpec({ status: 429, headers: { "Retry-After": 2 } }),
      /^Error: fault\.headers: /,
    );
    assert.throws(() => validateFaultSpec({ status: 429, headers: ["x"] }), /^Error: fault\.headers: /);
    assert.throws(
      () => validateFaultSpec({ status: 429, elasticProduct: "no" }),
      /^Error: fault\.elasticProduct: .* a boolean/,
    );
    assert.throws(
      () => validateFaultSpec({ reset: true, elasticProduct: false }),
      /fault\.elasticProduct: needs a status/,
    );
    assert.throws(
      () => validateFaultSpec({ delayMs: 5, headers: { a: "b" } }),
      /fault\.headers: needs a status/,
    );
  });
});
