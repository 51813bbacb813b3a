import { strict as assert } from "node:assert";
import {
  createPytorchModel,
  expectError,
  sleep,
  startDeployment,
  startTestEmulator,
  TestEmulator,
} from "./helpers";

const START = "/_ml/trained_models/m/deployment/_start";

describe("emulator: faults and admin API", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator({ seed: 42 });
    await createPytorchModel(em, "m");
    em.handle.admin.clearLog();
  });
  afterEach(() => em.close());

  it("a 'before' fault answers instead of the handler: nothing applied, a retry succeeds", async () => {
    const fault = em.handle.admin.addFault({ method: "POST", path: "/_start$", status: 503 });
    const first = await em.es("POST", START);
    expectError(
      first,
      503,
      "master_not_discovered_exception",
      `fault [${fault.id}] injected by the emulator (HTTP 503)`,
    );
    assert.equal(em.handle.admin.state().deployments.length, 0);
    await startDeployment(em, "m");
    const log = em.handle.admin.log();
    assert.deepEqual(
      log.map((e) => [e.status, e.applied, e.fault?.when]),
      [
        [503, false, "before"],
        [200, true, undefined],
      ],
    );
    assert.equal(log[1].action, "cluster:admin/xpack/ml/trained_models/deployment/start");
    assert.equal(em.handle.admin.faults()[0].fired, 1);
  });

  it("an 'after' fault applies the request, then replaces the response; the retry collides", async () => {
    em.handle.admin.addFault({
      path: "/_start$",
      when: "after",
      status: 502,
      body: { proxy: "bad gateway" },
    });
    const first = await em.es("POST", START);
    assert.equal(first.status, 502);
    assert.deepEqual(first.body, { proxy: "bad gateway" });
    assert.equal(em.handle.admin.state().deployments.length, 1);
    const retry = await em.es("POST", START);
    expectError(retry, 400, "status_exception", /existing deployment with the same id \[m\] exist/);
    const applied = em.handle.admin.log().filter((e) => e.path.endsWith("/_start") && e.applied);
    assert.equal(applied.length, 2);
    assert.equal(applied[0].fault?.when, "after");
  });

  it("resets the connection before or after applying", async () => {
    em.handle.admin.addFault({ path: "/_start$", reset: true });
    await assert.rejects(em.es("POST", START));
    assert.equal(em.handle.admin.state().deployments.length, 0);
    em.handle.admin.addFault({ path: "/_start$", reset: true, when: "after" });
    await assert.rejects(em.es("POST", START));
    assert.equal(em.handle.admin.state().deployments.length, 1);
    assert.deepEqual(
      em.handle.admin.log().map((e) => [e.status, e.applied, e.fault?.reset]),
      [
        [0, false, true],
        [0, true, true],
      ],
    );
  });

  it("fires for the next N matching requests, and delays without changing the answer", async () => {
    em.handle.admin.addFault({ method: "GET", path: "_stats", status: 429, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await em.es("GET", "/_ml/trained_models/_stats")).status);
    assert.deepEqual(statuses, [429, 429, 200]);
    em.handle.admin.clearFaults();
    em.handle.admin.addFault({ path: "^/$", delayMs: 30 });
    const res = await em.es("GET", "/");
    assert.equal(res.status, 200);
    assert.ok(em.handle.admin.log().at(-1)!.durationMs >= 25);
  });

  it("draws probabilistic faults from the seed: the same seed fires on the same requests", async () => {
    const pattern = async (emulator: TestEmulator) => {
      emulator.handle.admin.addFault({ path: "^/$", status: 500, probability: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await emulator.es("GET", "/")).status);
      return out;
    };
    const first = await pattern(em);
    const other = await startTestEmulator({ seed: 42 });
    try {
      assert.deepEqual(await pattern(other), first);
    } finally {
      await other.close();
    }
    assert.ok(first.includes(500) && first.includes(200), String(first));
    em.handle.admin.reset();
    assert.deepEqual(await pattern(em), first, "reset restarts the generator");
  });

  it("validates fault specs, naming the property", () => {
    assert.throws(
      () => em.handle.admin.addFault({ status: 99 }),
      /fault\.status: 99 is not allowed; expected an integer HTTP status/,
    );
    assert.throws(() => em.handle.admin.addFault({ path: "(" }), /fault\.path/);
    assert.throws(() => em.handle.admin.addFault({ probability: 2, status: 500 }), /fault\.probability: 2/);
    assert.throws(
      () => em.handle.admin.addFault({ method: "GET" }),
      /needs at least one of status, reset: true or delayMs/,
    );
    assert.throws(() => em.handle.admin.addFault({ status: 500, reset: true }), /exclusive/);
  });

  it("serves the admin API over HTTP without logging it", async () => {
    const add = await em.es("POST", "/_emulator/faults", { path: "_stats", status: 503, times: 1 });
    assert.equal(add.status, 200);
    assert.equal(add.body.id, "fault-1");
    assert.equal((await em.es("GET", "/_ml/trained_models/_stats")).status, 503);
    const faults = await em.es("GET", "/_emulator/faults");
    assert.equal(faults.body.faults[0].fired, 1);
    const bad = await em.es("POST", "/_emulator/faults", { status: "x" });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.reason, /fault\.status: "x" is not allowed/);
    const log = await em.es("GET", "/_emulator/log");
    assert.deepEqual(
      log.body.entries.map((e: { path: string }) => e.path),
      ["/_ml/trained_models/_stats"],
    );
    assert.equal((await em.es("DELETE", "/_emulator/faults/fault-1")).status, 200);
    assert.equal((await em.es("DELETE", "/_emulator/faults/fault-1")).status, 404);
    assert.equal((await em.es("DELETE", "/_emulator/log")).status, 200);
    assert.deepEqual((await em.es("GET", "/_emulator/log")).body, { entries: [] });
    assert.equal((await em.es("GET", "/_emulator/nope")).status, 404);
  });

  it("adds and removes ML nodes; a removed node's routes move or wait", async () => {
    await startDeployment(em, "m");
    const added = await em.es("POST", "/_emulator/nodes", { processors: 4 });
    const state = (await em.es("GET", "/_emulator/state")).body;
    assert.deepEqual(
      state.nodes.map((n: { processors: number }) => n.processors),
      [8, 4],
    );
    const firstNode = state.nodes[0].id;
    assert.deepEqual(Object.keys(state.deployments[0].routes), [firstNode]);
    assert.equal((await em.es("DELETE", `/_emulator/nodes/${firstNode}`)).status, 200);
    const after = em.handle.admin.state();
    assert.deepEqual(Object.keys(after.deployments[0].routes), [added.body.id]);
    assert.equal(after.deployments[0].routes[added.body.id].state, "starting");
    assert.throws(() => em.handle.admin.removeMlNode("nope"), /no ML node with id "nope"/);
  });

  it("fails one route, then the whole deployment, as Elasticsearch's stats report a failed native process", async () => {
    const second = await em.es("POST", "/_emulator/nodes", { processors: 8 });
    // Two allocations of 8 threads: one per 8-processor node, so two routes.
    await startDeployment(
      em,
      "m",
      "number_of_allocations=2&threads_per_allocation=8&wait_for=fully_allocated",
    );
    const nodes = Object.keys(em.handle.admin.state().deployments[0].routes);
    assert.equal(nodes.length, 2);
    const statsOf = async () =>
      (await em.es("GET", "/_ml/trained_models/m/_stats")).body.trained_model_stats[0].deployment_stats;

    const failed = await em.es("POST", `/_emulator/deployments/m/_fail`, {
      node_id: second.body.id,
      reason: "pytorch_inference process crashed",
    });
    assert.deepEqual(failed.body, { acknowledged: true });
    let stats = await statsOf();
    assert.equal(stats.state, "started", "one route still serves");
    assert.deepEqual(stats.allocation_status, {
      allocation_count: 1,
      target_allocation_count: 2,
      state: "started",
    });
    const routing = (s: { nodes: { node: Record<string, unknown>; routing_state: unknown }[] }) =>
      Object.fromEntries(s.nodes.map((n) => [Object.keys(n.node)[0], n.routing_state]));
    assert.deepEqual(routing(stats)[second.body.id], {
      routing_state: "failed",
      reason: "pytorch_inference process crashed",
    });

    em.handle.admin.failDeployment("m", { reason: "model definition could not be loaded" });
    stats = await statsOf();
    assert.equal(stats.state, "failed", "every route failed: Elasticsearch computes failed");
    for (const state of Object.values(routing(stats))) {
      assert.deepEqual(state, { routing_state: "failed", reason: "model definition could not be loaded" });
    }
    assert.equal(em.handle.admin.state().deployments[0].reportedState, "failed");

    // It stays failed (the planner does not move failed routes) until stopped; the stop removes it.
    assert.deepEqual((await em.es("POST", "/_ml/trained_models/m/deployment/_stop")).body, { stopped: true });
    assert.equal(em.handle.admin.state().deployments.length, 0);

    assert.equal((await em.es("POST", "/_emulator/deployments/m/_fail", { reason: "x" })).status, 400);
    assert.equal((await em.es("POST", "/_emulator/deployments/m/_fail", {})).status, 400);
  });

  it("a route failing while _start waits ends the wait with Elasticsearch's 500, and the assignment is deleted", async () => {
    const slow = await startTestEmulator({ startDelayMs: 5000 });
    try {
      await createPytorchModel(slow, "m");
      const starting = slow.es("POST", `${START}?wait_for=started&timeout=30s`);
      while (slow.handle.admin.state().deployments.length === 0) await sleep(2);
      const [node] = Object.keys(slow.handle.admin.state().deployments[0].routes);
      slow.handle.admin.failDeployment("m", { reason: "process crashed" });
      expectError(
        await starting,
        500,
        "status_exception",
        `Could not start trained model deployment, the following nodes failed with errors [{${node}=process crashed}]`,
      );
      assert.equal(slow.handle.admin.state().deployments.length, 0, "the failed assignment is gone");
    } finally {
      await slow.close();
    }
  });

  it("reset returns to a fresh cluster", async () => {
    await startDeployment(em, "m");
    em.handle.admin.addFault({ status: 500, path: "nothing-matches" });
    assert.deepEqual((await em.es("POST", "/_emulator/reset")).body, { acknowledged: true });
    const state = em.handle.admin.state();
    assert.deepEqual(
      state.models.map((m) => m.modelId),
      ["lang_ident_model_1"],
    );
    assert.equal(state.deployments.length, 0);
    assert.equal(state.nodes.length, 1);
    assert.deepEqual(em.handle.admin.faults(), []);
    assert.deepEqual(em.handle.admin.log(), []);
  });

  it("with security on, logs the user and refused requests, and the admin API needs no credentials", async () => {
    const secure = await startTestEmulator({ security: true, elasticPassword: "s3cret" });
    try {
      const auth = { Authorization: `Basic ${Buffer.from("elastic:s3cret").toString("base64")}` };
      assert.equal((await secure.es("GET", "/_ml/trained_models/_stats", undefined, auth)).status, 200);
      assert.equal((await secure.es("POST", "/_ml/trained_models/x/deployment/_start")).status, 401);
      const log = (await secure.es("GET", "/_emulator/log")).body.entries;
      assert.deepEqual(
        log.map((e: { status: number; user?: string; applied: boolean }) => [e.status, e.user, e.applied]),
        [
          [200, "elastic", true],
          [401, undefined, false],
        ],
      );
    } finally {
      await secure.close();
    }
  });
});
