/**
 * `GET _ml/info` per version: the processor limits (`total_ml_processors`,
 * `max_single_ml_node_processors`) appear in 8.12 (elastic/elasticsearch#101392); they count every ML
 * node's allocated processors plus what autoscaling can still add, and are left out when 0.
 */
import { strict as assert } from "node:assert";
import type { EmulatorOptions } from "elasticsearch-ml-emulator";
import { startTestEmulator, TestEmulator } from "./helpers";

describe("emulator: GET _ml/info", () => {
  let em: TestEmulator | undefined;
  afterEach(async () => {
    await em?.close();
    em = undefined;
  });

  async function limits(options: EmulatorOptions): Promise<Record<string, unknown>> {
    em = await startTestEmulator(options);
    const res = await em.es("GET", "/_ml/info");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.upgrade_mode, false);
    assert.equal(res.body.defaults.datafeeds.scroll_size, 1000);
    return res.body.limits;
  }

  const cases: Array<[string, EmulatorOptions, Record<string, unknown>]> = [
    ["8.11: no processor limits yet", { esVersion: "8.11.0", mlNodes: 2, processorsPerNode: 4 }, {}],
    [
      "8.12: two nodes of 4",
      { esVersion: "8.12.0", mlNodes: 2, processorsPerNode: 4 },
      { max_single_ml_node_processors: 4, total_ml_processors: 8 },
    ],
    ["9.2: one node of 8 (the default)", {}, { max_single_ml_node_processors: 8, total_ml_processors: 8 }],
    ["9.2: no ML node, no autoscaling: both left out", { mlNodes: 0 }, {}],
    [
      "9.2: autoscaling counts the nodes it can still add",
      { mlNodes: 1, processorsPerNode: 4, autoscale: true, autoscaleMaxNodes: 3 },
      { max_single_ml_node_processors: 4, total_ml_processors: 12 },
    ],
  ];
  for (const [name, options, expected] of cases) {
    it(name, async () => {
      assert.deepEqual(await limits(options), expected);
    });
  }

  it("follows nodes joining and leaving", async () => {
    em = await startTestEmulator({ processorsPerNode: 4 });
    const added = em.handle.admin.addMlNode(16);
    assert.deepEqual((await em.es("GET", "/_ml/info")).body.limits, {
      max_single_ml_node_processors: 16,
      total_ml_processors: 20,
    });
    em.handle.admin.removeMlNode(added);
    assert.deepEqual((await em.es("GET", "/_ml/info")).body.limits, {
      max_single_ml_node_processors: 4,
      total_ml_processors: 4,
    });
  });

  it("is a monitor_ml action with security on", async () => {
    em = await startTestEmulator({ security: true, elasticPassword: "pw-ml-info" });
    const auth = { Authorization: `Basic ${Buffer.from("elastic:pw-ml-info").toString("base64")}` };
    assert.equal((await em.es("GET", "/_ml/info", undefined, auth)).status, 200);
    assert.equal(em.handle.admin.log().at(-1)?.action, "cluster:monitor/xpack/ml/info/get");
    assert.equal((await em.es("GET", "/_ml/info")).status, 401);
  });
});
