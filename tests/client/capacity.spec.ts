/**
 * Capacity refusals (issue 11, item 8): Elasticsearch's 429 `status_exception` "Could not start|update
 * deployment because …" is final — one attempt, no "Gave up after" — and its one message quotes the reason,
 * Elasticsearch's allocation explanation, and compares allocations × threads with `GET _ml/info` limits.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "elasticsearch-ml-emulator";
import {
  createClient,
  describeCapacityRefusal,
  isCapacityRefusal,
  ResponseError,
  type ElasticsearchClient,
} from "#sdk/client";
import { FAST, putTinyPytorchModel } from "./fixtures";

describe("client: capacity refusals are final and explained", function () {
  this.timeout(20_000);
  let es: EmulatorHandle | undefined;
  let client: ElasticsearchClient | undefined;
  afterEach(async () => {
    await client?.close();
    await es?.close();
    client = undefined;
    es = undefined;
  });

  async function setUp(options: EmulatorOptions): Promise<ElasticsearchClient> {
    es = await startEmulator({ startDelayMs: 5, ...options });
    await putTinyPytorchModel(es, "tiny");
    client = createClient({ endpoints: es.url, ...FAST, maxRetries: 3 }, {});
    return client;
  }

  async function refusal(promise: Promise<unknown>): Promise<ResponseError> {
    const err = await promise.then(
      () => assert.fail("expected a capacity refusal"),
      (e: unknown) => e,
    );
    assert.ok(isCapacityRefusal(err), String(err));
    return err;
  }

  const paths = () => es!.admin.log().map((e) => `${e.method} ${e.path}`);

  it("start: more allocations than the cluster has, with the limit to lower them to", async () => {
    const c = await setUp({ processorsPerNode: 8 });
    const err = await refusal(
      c.startDeployment({ modelId: "tiny", numberOfAllocations: 4, threadsPerAllocation: 4 }),
    );
    assert.equal(
      err.message,
      "429 status_exception: Could not start deployment because there are not enough resources to provide all " +
        "requested allocations (POST /_ml/trained_models/tiny/deployment/_start). The start asks for 4 allocations " +
        "× 4 threads = 16 processors, each allocation's 4 on one ML node; the cluster has total_ml_processors 8, " +
        "max_single_ml_node_processors 8 (GET _ml/info): that is more than all ML nodes have: lower " +
        "numberOfAllocations to at most 2 or add ML capacity. Not retried: a capacity refusal stands until capacity changes",
    );
    assert.equal(err.attempts, 1);
    assert.equal(err.applied, false, "Elasticsearch's own refusal before acting");
    assert.deepEqual(
      paths().filter((p) => /_start|_ml\/info/.test(p)),
      ["POST /_ml/trained_models/tiny/deployment/_start", "GET /_ml/info"],
    );
  });

  it("start: an allocation larger than any node, quoting Elasticsearch's explanation", async () => {
    const c = await setUp({ processorsPerNode: 8, mlNodes: 2 });
    const err = await refusal(c.startDeployment({ modelId: "tiny", threadsPerAllocation: 16 }));
    assert.match(
      err.message,
      /^429 status_exception: Could not start deployment because no ML nodes with sufficient capacity were found \(POST [^)]*\)\. Elasticsearch's explanation: Could not start deployment because no suitable nodes were found, allocation explanation \[.+\]\. The start asks for 1 allocation × 16 threads = 16 processors, each allocation's 16 on one ML node; the cluster has total_ml_processors 16, max_single_ml_node_processors 8 \(GET _ml\/info\): no ML node is large enough for one allocation: lower threadsPerAllocation to at most 8\. Not retried/,
    );
  });

  it("start before 8.12: says _ml/info has no processor limits", async () => {
    const c = await setUp({ esVersion: "8.11.0", processorsPerNode: 4 });
    const err = await refusal(c.startDeployment({ modelId: "tiny", numberOfAllocations: 8 }));
    assert.match(
      err.message,
      /The start asks for 8 allocations × 1 thread = 8 processors, each allocation's 1 on one ML node; GET _ml\/info reports no processor limits \(Elasticsearch before 8\.12, or autoscaling may still add or grow ML nodes\)\. Not retried/,
    );
  });

  it("update beyond capacity: one attempt (not retried although _update is idempotent), said once", async () => {
    const c = await setUp({ processorsPerNode: 8 });
    await c.startDeployment({ modelId: "tiny", threadsPerAllocation: 4 });
    es!.admin.clearLog();
    const err = await refusal(c.updateDeployment({ deploymentId: "tiny", numberOfAllocations: 4 }));
    assert.equal(err.attempts, 1);
    assert.doesNotMatch(err.message, /Gave up/);
    assert.equal(err.message.match(/not enough resources/g)?.length, 1, err.message);
    assert.match(
      err.message,
      /^429 status_exception: Could not update deployment because there are not enough resources to provide all requested allocations \(POST \/_ml\/trained_models\/tiny\/deployment\/_update\)\. The update asks for 4 allocations × 4 threads = 16 processors, each allocation's 4 on one ML node; the cluster has total_ml_processors 8, max_single_ml_node_processors 8 \(GET _ml\/info\): that is more than all ML nodes have: lower numberOfAllocations to at most 2 or add ML capacity\. Not retried: a capacity refusal stands until capacity changes$/,
    );
    assert.equal(paths().filter((p) => p.endsWith("_update")).length, 1);
  });

  it("when _ml/info is refused, the refusal is still reported, saying why the limits are missing", async () => {
    const c = await setUp({ processorsPerNode: 8 });
    es!.admin.addFault({ method: "GET", path: "^/_ml/info$", status: 403 });
    const err = await refusal(c.startDeployment({ modelId: "tiny", numberOfAllocations: 16 }));
    assert.match(err.message, /; GET _ml\/info failed: 403 security_exception: .*\. Not retried/);
  });

  it("a 429 that is not a capacity refusal is still retried for idempotent calls", async () => {
    const c = await setUp({});
    await c.info();
    es!.admin.addFault({ method: "GET", path: "_stats$", status: 429, times: 1 });
    assert.equal((await c.getTrainedModelStats("tiny")).count, 1);
  });

  it("the verdict when the request fits the cluster's totals (others hold the rest)", () => {
    assert.equal(
      describeCapacityRefusal(
        { operation: "start", allocations: 2, threadsPerAllocation: 2 },
        { known: true, total: 8, maxSingleNode: 8 },
        undefined,
      ),
      "The start asks for 2 allocations × 2 threads = 4 processors, each allocation's 2 on one ML node; the cluster " +
        "has total_ml_processors 8, max_single_ml_node_processors 8 (GET _ml/info): that is within the cluster's " +
        "limits, so other deployments hold the rest: free capacity, lower the request, or add ML capacity. Not " +
        "retried: a capacity refusal stands until capacity changes",
    );
  });
});
