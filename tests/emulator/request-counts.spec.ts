import { strict as assert } from "node:assert";
import { LOG_CAPACITY, NO_ROUTE, RequestLog } from "#emulator/admin/log";
import { parseCliArgs } from "#emulator/cli";
import { startEmulator } from "elasticsearch-ml-emulator";
import type { RequestLogEntry } from "#emulator/admin/types";
import { createPytorchModel, startDeployment, startTestEmulator, type TestEmulator } from "./helpers";

const START = "POST /_ml/trained_models/{model_id}/deployment/_start";
const STATS = "GET /_ml/trained_models/{model_id}/_stats";

function entry(seq: number, route?: string): RequestLogEntry {
  return {
    seq,
    time: seq,
    method: "GET",
    path: "/",
    query: {},
    status: 200,
    applied: true,
    durationMs: 0,
    ...(route === undefined ? {} : { route }),
  };
}

describe("emulator: request counters beside the bounded log", () => {
  it("keep counting every request past the log's capacity, which drops the oldest entries", () => {
    const log = new RequestLog();
    const extra = 25;
    for (let i = 1; i <= LOG_CAPACITY + extra; i++) log.add(entry(i, "/"));
    const kept = log.list();
    assert.equal(kept.length, LOG_CAPACITY);
    assert.equal(kept[0]?.seq, extra + 1);
    assert.deepEqual(log.requestCounts(), {
      total: LOG_CAPACITY + extra,
      byRoute: { "GET /": LOG_CAPACITY + extra },
    });
  });

  it("the log's capacity is an option (--log-capacity); the counters go past it", async () => {
    const em = await startTestEmulator({ logCapacity: 2 });
    try {
      for (let i = 0; i < 3; i++) await em.es("GET", "/");
      assert.deepEqual(
        em.handle.admin.log().map((e) => e.seq),
        [2, 3],
      );
      assert.equal(em.handle.admin.requestCounts().total, 3);
    } finally {
      await em.close();
    }
    assert.equal(parseCliArgs(["--log-capacity", "50000"]).options.logCapacity, 50_000);
    await assert.rejects(
      startEmulator({ logCapacity: 0 }),
      /logCapacity: 0 is not allowed; expected a positive integer/,
    );
  });

  it("count a request that matched no route under its own key", () => {
    const log = new RequestLog();
    log.add(entry(1));
    assert.deepEqual(log.requestCounts(), { total: 1, byRoute: { [`GET ${NO_ROUTE}`]: 1 } });
  });

  describe("over HTTP and handle.admin", () => {
    let em: TestEmulator;
    beforeEach(async () => {
      em = await startTestEmulator();
      await createPytorchModel(em, "m");
      em.handle.admin.clearRequestCounts();
    });
    afterEach(() => em.close());

    it("count by method and route template, not by path; admin calls are not counted", async () => {
      await startDeployment(em, "m");
      await em.es("GET", "/_ml/trained_models/m/_stats");
      await em.es("GET", "/_ml/trained_models/other/_stats");
      await em.es("GET", "/_no_such_route");
      const expected = { total: 4, byRoute: { [`GET ${NO_ROUTE}`]: 1, [STATS]: 2, [START]: 1 } };
      assert.deepEqual(em.handle.admin.requestCounts(), expected);
      const overHttp = await em.es("GET", "/_emulator/request_counts");
      assert.equal(overHttp.status, 200);
      assert.deepEqual(overHttp.body, expected);
      // Reading the counters over HTTP is an admin call: still 4.
      assert.equal(em.handle.admin.requestCounts().total, 4);
      const log = em.handle.admin.log();
      assert.equal(
        log.find((e) => e.method === "POST")?.route,
        "/_ml/trained_models/{model_id}/deployment/_start",
      );
    });

    it("survive clearing the log; DELETE and reset() zero them", async () => {
      await em.es("GET", "/");
      em.handle.admin.clearLog();
      assert.equal(em.handle.admin.log().length, 0);
      assert.deepEqual(em.handle.admin.requestCounts(), { total: 1, byRoute: { "GET /": 1 } });
      assert.equal((await em.es("DELETE", "/_emulator/request_counts")).status, 200);
      assert.deepEqual(em.handle.admin.requestCounts(), { total: 0, byRoute: {} });
      await em.es("GET", "/");
      em.handle.admin.reset();
      assert.deepEqual(em.handle.admin.requestCounts(), { total: 0, byRoute: {} });
    });
  });
});
