/**
 * The real-cluster tier: the core scenarios (create, scale, stop/start, destroy, and a destroy a pipeline
 * blocks) through the real engine against a real cluster with ML nodes, named by ELASTICSEARCH_ENDPOINTS.
 * Without it the tier is skipped with one line saying how to enable it. Pointed at the emulator
 * (`ELASTICSEARCH_ENDPOINTS=http://127.0.0.1:9200`), the same tests check the emulator against the real
 * thing from the other side. See README.md beside this file.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import {
  changeCounts,
  expectOperationFailure,
  getPulumiCli,
  withTestStack,
  type TestStackOptions,
} from "../e2e/harness";
import { deploymentsOf, esRequest, HOW_TO_ENABLE, realClusterFromEnv, type RealCluster } from "./cluster";

/** The model deployed: the one `scripts/real-cluster/make-tiny-model.py` uploads, unless one is named. */
const MODEL = process.env.ELASTICSEARCH_ML_TEST_MODEL || "tiny-text-embedding";
/** The provider's wait for each start or scale; real ML nodes may need minutes to load a model. */
const WAIT_SECONDS = Number(process.env.ELASTICSEARCH_ML_TEST_WAIT_SECONDS || 600);
/** Ids unique to this run, so a run never touches someone else's deployments. */
const RUN = crypto.randomBytes(3).toString("hex");
const SEARCH_ID = `pulumi-es-ml-test-search-${RUN}`;
const INGEST_ID = `pulumi-es-ml-test-ingest-${RUN}`;
const PIPELINE_ID = `pulumi-es-ml-test-${RUN}`;

interface Declared {
  searchAllocations: number;
  ingestState: "started" | "stopped";
}

function twoDeployments(declared: Declared) {
  return async () => {
    const search = new TrainedModelDeployment("search", {
      modelId: MODEL,
      deploymentId: SEARCH_ID,
      numberOfAllocations: declared.searchAllocations,
      waitTimeoutSeconds: WAIT_SECONDS,
    });
    // Low priority uses no reserved processors, so the tier fits on a small ML node.
    const ingest = new TrainedModelDeployment("ingest", {
      modelId: MODEL,
      deploymentId: INGEST_ID,
      priority: "low",
      state: declared.ingestState,
      waitTimeoutSeconds: WAIT_SECONDS,
    });
    return {
      searchAllocations: search.allocationCount,
      searchAllocationState: search.allocationState,
      ingestDeploymentState: ingest.deploymentState,
    };
  };
}

describe("real cluster: create, scale, stop/start and destroy through the real engine", function () {
  this.timeout(60 * 60_000);
  let cluster: RealCluster;

  before(async function () {
    const found = realClusterFromEnv();
    if (!found) {
      console.log(`  ${HOW_TO_ENABLE}`);
      this.skip();
    }
    cluster = found;
    await getPulumiCli();
    const model = await esRequest(
      cluster,
      "GET",
      `/_ml/trained_models/${encodeURIComponent(MODEL)}`,
      undefined,
      [404],
    );
    if (model.status === 404) {
      throw new Error(
        `model ${MODEL} is not in ${cluster.url}: run python3 scripts/real-cluster/make-tiny-model.py ` +
          "(needs pip install torch), or set ELASTICSEARCH_ML_TEST_MODEL to a model that is",
      );
    }
  });

  after(async () => {
    await cluster?.dispatcher?.close();
  });

  function stackFor(declared: Declared): TestStackOptions {
    return {
      program: twoDeployments(declared),
      projectName: "real-cluster",
      // Credentials and TLS settings reach the provider through the ELASTICSEARCH_* environment it inherits.
      config: { "elasticsearch-ml:endpoints": cluster.url },
      operationTimeoutMs: (WAIT_SECONDS + 300) * 1000,
    };
  }

  it("creates two deployments, scales one in place, stops and starts the other, and destroys both", async () => {
    await withTestStack(stackFor({ searchAllocations: 1, ingestState: "started" }), async (stack) => {
      const up = await stack.up();
      assert.deepEqual(changeCounts(up.events), { create: 3 });
      assert.equal(up.result.outputs.searchAllocationState?.value, "fully_allocated");
      let running = await deploymentsOf(cluster, MODEL);
      assert.equal(running.get(SEARCH_ID)?.number_of_allocations, 1);
      assert.equal(running.get(INGEST_ID)?.priority, "low");

      const scaled = twoDeployments({ searchAllocations: 2, ingestState: "started" });
      stack.setProgram(scaled);
      const preview = await stack.preview({ diff: true });
      assert.deepEqual(preview.result.changeSummary, { same: 2, update: 1 });
      assert.match(preview.output, /~ numberOfAllocations: 1 => 2/);
      await stack.up();
      running = await deploymentsOf(cluster, MODEL);
      assert.equal(running.get(SEARCH_ID)?.number_of_allocations, 2);
      assert.equal(running.get(SEARCH_ID)?.allocation_status?.target_allocation_count, 2);

      const stopped = twoDeployments({ searchAllocations: 2, ingestState: "stopped" });
      stack.setProgram(stopped);
      const stop = await stack.up();
      assert.match(stop.output, /\[diff: ~state\]/);
      running = await deploymentsOf(cluster, MODEL);
      assert.equal(running.has(INGEST_ID), false, "the stopped deployment no longer runs");
      assert.equal(running.has(SEARCH_ID), true, "stopping one left the other alone");

      stack.setProgram(scaled);
      await stack.up();
      running = await deploymentsOf(cluster, MODEL);
      assert.equal(running.get(INGEST_ID)?.state, "started");

      await stack.destroy();
      running = await deploymentsOf(cluster, MODEL);
      assert.equal(running.has(SEARCH_ID), false);
      assert.equal(running.has(INGEST_ID), false);
    });
  });

  it("refuses a destroy while a pipeline uses a deployment, and the recipe from the message forces it", async () => {
    await withTestStack(stackFor({ searchAllocations: 1, ingestState: "started" }), async (stack) => {
      await stack.up();
      await esRequest(cluster, "PUT", `/_ingest/pipeline/${PIPELINE_ID}`, {
        processors: [
          { inference: { model_id: INGEST_ID, input_output: [{ input_field: "text", output_field: "v" }] } },
        ],
      });
      try {
        const refused = await expectOperationFailure(stack.destroy());
        assert.match(
          refused.output,
          new RegExp(`Cannot stop deployment \\[${INGEST_ID}\\].*\\[${PIPELINE_ID}\\]`),
        );
        assert.match(refused.output, /ELASTICSEARCH_ML_FORCE=true pulumi destroy/);
        assert.equal(
          (await deploymentsOf(cluster, MODEL)).has(INGEST_ID),
          true,
          "the refused stop left it running",
        );

        stack.setEnv({ ELASTICSEARCH_ML_FORCE: "true" });
        await stack.destroy();
        const running = await deploymentsOf(cluster, MODEL);
        assert.equal(running.has(INGEST_ID), false);
        assert.equal(running.has(SEARCH_ID), false);
      } finally {
        await esRequest(cluster, "DELETE", `/_ingest/pipeline/${PIPELINE_ID}`, undefined, [404]);
      }
    });
  });
});
