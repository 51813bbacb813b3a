/** Pure parts of the provider: stats → outputs, readiness, and the inputs a refresh returns. */
import * as assert from "node:assert/strict";
import type { DeploymentStats } from "#sdk/client";
import { checkInputs } from "#sdk/provider/check";
import type { DeploymentInputs, EffectiveSettings } from "#sdk/provider/inputs";
import {
  assessReadiness,
  failedRoutesWarning,
  inputsWithDrift,
  observe,
  recordedReady,
} from "#sdk/provider/observe";

function stats(overrides: Partial<DeploymentStats> = {}): DeploymentStats {
  return {
    deployment_id: "d",
    model_id: "m",
    state: "started",
    allocation_status: { allocation_count: 2, target_allocation_count: 2, state: "fully_allocated" },
    number_of_allocations: 2,
    threads_per_allocation: 1,
    queue_capacity: 1024,
    cache_size: "10mb",
    priority: "normal",
    start_time: Date.UTC(2026, 0, 2, 3, 4, 5),
    nodes: [],
    ...overrides,
  };
}

function declared(raw: Record<string, unknown>): DeploymentInputs {
  const { inputs, failures } = checkInputs({}, { modelId: "m", deploymentId: "d", ...raw });
  assert.deepEqual(failures, []);
  return inputs;
}

describe("observe", () => {
  it("maps stats onto effective settings and facts", () => {
    assert.deepEqual(
      observe(
        stats({
          cache_size: 1024,
          reason: "not enough ML capacity",
          nodes: [
            {
              node: { n2: { name: "ml-2" } },
              routing_state: { routing_state: "started" },
              number_of_allocations: 1,
            },
            {
              node: { n1: { name: "ml-1" } },
              routing_state: { routing_state: "starting", reason: "loading" },
            },
          ],
        }),
      ),
      {
        effective: {
          state: "started",
          numberOfAllocations: 2,
          adaptiveAllocations: { enabled: false },
          threadsPerAllocation: 1,
          priority: "normal",
          queueCapacity: 1024,
          cacheSize: "1024b",
        },
        nodes: [
          { nodeId: "n1", nodeName: "ml-1", routingState: "starting", reason: "loading" },
          { nodeId: "n2", nodeName: "ml-2", routingState: "started", currentAllocations: 1 },
        ],
        deploymentState: "started",
        reason: "not enough ML capacity",
        allocationState: "fully_allocated",
        allocationCount: 2,
        targetAllocationCount: 2,
        startTime: "2026-01-02T03:04:05.000Z",
      },
    );
  });

  it("a deployment Elasticsearch reports failed is effective.state failed; the refresh inputs show failed => started", () => {
    const observation = observe(
      stats({
        state: "failed",
        allocation_status: { allocation_count: 0, target_allocation_count: 2, state: "starting" },
        nodes: [
          { node: { n1: { name: "ml-1" } }, routing_state: { routing_state: "failed", reason: "crashed" } },
        ],
      }),
    );
    assert.equal(observation.effective?.state, "failed");
    assert.equal(observation.deploymentState, "failed");
    assert.equal(
      failedRoutesWarning("d", observation),
      undefined,
      "the whole deployment failed: repaired, not warned",
    );
    assert.equal(inputsWithDrift(declared({}), observation.effective!).state, "failed");
    assert.equal(recordedReady({ ...declared({}), ...observation }), false);
  });

  it("some failed routes leave it started, with a warning naming each failed node and its reason", () => {
    const observation = observe(
      stats({
        nodes: [
          { node: { n1: { name: "ml-1" } }, routing_state: { routing_state: "started" } },
          { node: { n2: { name: "ml-2" } }, routing_state: { routing_state: "failed", reason: "crashed" } },
        ],
      }),
    );
    assert.equal(observation.effective?.state, "started");
    assert.match(
      failedRoutesWarning("d", observation) ?? "",
      /^d: its route on node \[ml-2\] \(crashed\) failed; it keeps serving on its other nodes, so it is not restarted/,
    );
    assert.equal(failedRoutesWarning("d", observe(stats())), undefined);
  });

  it("an absent deployment is stopped, never gone", () => {
    assert.deepEqual(observe(undefined), { effective: { state: "stopped" } });
  });

  it("reads adaptive settings", () => {
    const obs = observe(
      stats({
        adaptive_allocations: { enabled: true, min_number_of_allocations: 0, max_number_of_allocations: 4 },
      }),
    );
    assert.deepEqual(obs.effective?.adaptiveAllocations, {
      enabled: true,
      minNumberOfAllocations: 0,
      maxNumberOfAllocations: 4,
    });
  });
});

describe("assessReadiness", () => {
  const starting = stats({
    state: "starting",
    allocation_status: { allocation_count: 0, target_allocation_count: 2, state: "starting" },
  });
  const partly = stats({
    allocation_status: { allocation_count: 1, target_allocation_count: 2, state: "started" },
  });

  const table: [string, DeploymentStats | undefined, Parameters<typeof assessReadiness>[1], string][] = [
    ["absent", undefined, { waitFor: "starting" }, "absent"],
    ["starting reached by any existing deployment", starting, { waitFor: "starting" }, "reached"],
    ["started needs an allocation", starting, { waitFor: "started" }, "waiting"],
    ["started with one of two", partly, { waitFor: "started" }, "reached"],
    ["fully_allocated with one of two", partly, { waitFor: "fully_allocated" }, "waiting"],
    ["fully_allocated", stats(), { waitFor: "fully_allocated" }, "reached"],
    [
      "fully_allocated at the old count while a scale to 3 is pending",
      stats(),
      { waitFor: "fully_allocated", expectedAllocations: 3 },
      "waiting",
    ],
    [
      "an adaptive deployment scaled to zero is ready (older versions say starting forever)",
      stats({
        adaptive_allocations: { enabled: true, min_number_of_allocations: 0 },
        allocation_status: { allocation_count: 0, target_allocation_count: 0, state: "starting" },
      }),
      { waitFor: "fully_allocated" },
      "reached",
    ],
    ["failed", stats({ state: "failed", reason: "boom" }), { waitFor: "starting" }, "failed"],
    ["stopping", stats({ state: "stopping" }), { waitFor: "started" }, "failed"],
    [
      "a failed route before the target is reached",
      stats({
        state: "starting",
        allocation_status: { allocation_count: 0, target_allocation_count: 1, state: "starting" },
        nodes: [
          { node: { n1: { name: "ml-1" } }, routing_state: { routing_state: "failed", reason: "oom" } },
        ],
      }),
      { waitFor: "started" },
      "failed",
    ],
  ];
  for (const [name, s, target, status] of table) {
    it(name, () => assert.equal(assessReadiness(s, target).status, status));
  }

  it("summarizes state and counts", () => {
    assert.equal(assessReadiness(partly, { waitFor: "fully_allocated" }).summary, "started, 1/2 allocations");
  });

  it("names the failed route's node and reason", () => {
    const r = assessReadiness(table[10][1], { waitFor: "started" });
    assert.equal(r.status === "failed" && r.reason, "its route on node [ml-1] failed: oom");
  });
});

describe("recordedReady", () => {
  it("compares the recorded facts with the recorded waitFor", () => {
    const base = { effective: { state: "started" as const }, deploymentState: "started" };
    assert.equal(
      recordedReady({
        ...base,
        waitFor: "fully_allocated",
        allocationState: "fully_allocated",
        allocationCount: 2,
        targetAllocationCount: 2,
      }),
      true,
    );
    assert.equal(
      recordedReady({
        ...base,
        waitFor: "fully_allocated",
        allocationState: "started",
        allocationCount: 1,
        targetAllocationCount: 2,
      }),
      false,
    );
    assert.equal(recordedReady({ ...base, waitFor: "started", allocationState: "started" }), true);
    assert.equal(recordedReady({ ...base, waitFor: "starting" }), true);
    assert.equal(recordedReady({ effective: { state: "stopped" }, waitFor: "starting" }), false);
    assert.equal(recordedReady({ ...base, deploymentState: "failed", waitFor: "starting" }), false);
  });
});

describe("inputsWithDrift (what a refresh returns as inputs)", () => {
  const running: EffectiveSettings = {
    state: "started",
    numberOfAllocations: 2,
    adaptiveAllocations: { enabled: false },
    threadsPerAllocation: 1,
    priority: "normal",
    queueCapacity: 1024,
    cacheSize: "10485760b",
  };
  const table: [string, Record<string, unknown>, EffectiveSettings, Record<string, unknown>][] = [
    ["no drift", { numberOfAllocations: 2, cacheSize: "10mb" }, running, {}],
    ["count drift", { numberOfAllocations: 1 }, running, { numberOfAllocations: 2 }],
    ["undeclared fields stay undeclared", {}, { ...running, numberOfAllocations: 7 }, {}],
    ["stopped out of band", { numberOfAllocations: 2 }, { state: "stopped" }, { state: "stopped" }],
    ["started out of band", { state: "stopped" }, running, { state: "started" }],
    [
      "threads, priority, queue and cache drift",
      { threadsPerAllocation: 2, queueCapacity: 10, cacheSize: "1kb" },
      running,
      { threadsPerAllocation: 1, queueCapacity: 1024, cacheSize: "10485760b" },
    ],
    [
      "adaptive switched off out of band",
      { adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } },
      running,
      { adaptiveAllocations: { enabled: false }, numberOfAllocations: 2 },
    ],
    [
      "adaptive bounds changed out of band",
      { adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } },
      {
        ...running,
        adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 8 },
      },
      { adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 8 } },
    ],
    [
      "the count adaptive allocations chose is not drift",
      { adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } },
      {
        ...running,
        numberOfAllocations: 3,
        adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 },
      },
      {},
    ],
  ];
  for (const [name, raw, effective, changed] of table) {
    it(name, () => {
      const inputs = declared(raw);
      assert.deepEqual(inputsWithDrift(inputs, effective), { ...inputs, ...changed });
    });
  }
});
