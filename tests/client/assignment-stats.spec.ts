/**
 * Stats derived from a `_start` answer (issue 16) must be what `_stats` says right after: the resource's
 * outputs come from them, and a later refresh must see the same. Checked against the emulator across the
 * versions whose `_stats` differ (adaptive allocations reported from 8.16, scale to zero), and with the
 * cases where the derivation must refuse (a node name not seen yet, adaptive before 8.16).
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import {
  parseEsVersion,
  type DeploymentStats,
  type TrainedModelAssignment,
  type TrainedModelStatsResponse,
} from "#sdk/client";
import { nodeNamesIn, statsFromAssignment } from "#sdk/client/assignmentStats";
import { observe } from "#sdk/provider/observe";
import { putTinyPytorchModel } from "./fixtures";

async function call<T>(es: EmulatorHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${es.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface Case {
  version: string;
  query: string;
  body?: unknown;
  nodes?: number;
}

const CASES: Case[] = [
  { version: "8.8.0", query: "number_of_allocations=1" },
  { version: "8.12.0", query: "number_of_allocations=2&threads_per_allocation=2&priority=normal", nodes: 2 },
  { version: "8.15.0", query: "number_of_allocations=1&cache_size=10kb&queue_capacity=500" },
  {
    version: "8.16.0",
    query: "",
    body: {
      adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 4 },
    },
  },
  { version: "9.2.0", query: "number_of_allocations=3", nodes: 3 },
  { version: "9.2.0", query: "number_of_allocations=1&priority=low" },
];

describe("client: stats derived from the _start answer are what _stats reports (issue 16)", function () {
  for (const c of CASES) {
    it(`${c.version} ${c.query || JSON.stringify(c.body)}${c.nodes ? `, ${c.nodes} nodes` : ""}`, async () => {
      const es = await startEmulator({ esVersion: c.version, mlNodes: c.nodes ?? 1, startDelayMs: 1 });
      try {
        await putTinyPytorchModel(es, "tiny");
        const { assignment } = await call<{ assignment: TrainedModelAssignment }>(
          es,
          "POST",
          `/_ml/trained_models/tiny/deployment/_start?wait_for=fully_allocated&deployment_id=d&${c.query}`,
          c.body,
        );
        const read = await call<TrainedModelStatsResponse>(es, "GET", "/_ml/trained_models/d/_stats");
        const stats = read.trained_model_stats.find((s) => s.deployment_stats?.deployment_id === "d")
          ?.deployment_stats as DeploymentStats;
        const names = new Map(nodeNamesIn(stats));
        const derived = statsFromAssignment(assignment, (id) => names.get(id), parseEsVersion(c.version)!);
        assert.ok(derived, "derivable once the node names are known");
        assert.deepEqual(observe(derived), observe(stats));
      } finally {
        await es.close();
      }
    });
  }

  it("refuses while a node's name is unknown, and for adaptive allocations before 8.16", async () => {
    const es = await startEmulator({ esVersion: "8.15.0", startDelayMs: 1 });
    try {
      await putTinyPytorchModel(es, "tiny");
      const { assignment } = await call<{ assignment: TrainedModelAssignment }>(
        es,
        "POST",
        "/_ml/trained_models/tiny/deployment/_start?wait_for=fully_allocated&deployment_id=a",
        {
          adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 2 },
        },
      );
      const version = parseEsVersion("8.15.0")!;
      assert.equal(
        statsFromAssignment(assignment, () => undefined, version),
        undefined,
        "name unknown",
      );
      assert.equal(
        statsFromAssignment(assignment, () => "node", version),
        undefined,
        "8.15 _stats omit adaptive",
      );
      const later = parseEsVersion("8.16.0")!;
      assert.ok(
        statsFromAssignment(assignment, () => "node", later),
        "8.16 _stats report adaptive",
      );
      assert.equal(
        statsFromAssignment({ ...assignment, start_time: "not a time" }, () => "node", later),
        undefined,
        "a field of another shape",
      );
    } finally {
      await es.close();
    }
  });
});
