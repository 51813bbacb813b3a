/**
 * The real-cluster tier for `TrainedModel` (skipped without `ELASTICSEARCH_ENDPOINTS`, see README.md):
 * - upload: the tiny TorchScript model built by `scripts/real-cluster/make-tiny-model.py --out FILE`
 *   (`ELASTICSEARCH_ML_TEST_DEFINITION=FILE`), declared with the script's configuration and vocabulary,
 *   deployed from the model's output, then destroyed (the deployment stops before the model is deleted);
 * - download (only with `ELASTICSEARCH_ML_TEST_DOWNLOAD=true`: it fetches hundreds of MB from Elastic's
 *   model repository): `.multilingual-e5-small` with `platform: "auto"`, deployed at low priority, then
 *   destroyed. Skipped when that model is already in the cluster: destroy would delete someone's download.
 * Ids are unique to the run and removed however the test ends.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { TrainedModel, TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { getPulumiCli, withTestStack, type TestStackOptions } from "../e2e/harness";
import { esRequest, HOW_TO_ENABLE, realClusterFromEnv, type RealCluster } from "./cluster";

const WAIT_SECONDS = Number(process.env.ELASTICSEARCH_ML_TEST_WAIT_SECONDS || 600);
const RUN = crypto.randomBytes(3).toString("hex");
const UPLOADED_ID = `pulumi-es-ml-test-model-${RUN}`;
const DEPLOYMENT_ID = `pulumi-es-ml-test-model-deploy-${RUN}`;
const E5 = ".multilingual-e5-small";

/** The configuration and vocabulary `make-tiny-model.py` uploads with its TorchScript file. */
const TINY_CONFIG = {
  description: "A tiny text-embedding model for testing pulumi-elasticsearch-ml",
  model_type: "pytorch",
  input: { field_names: ["text_field"] },
  inference_config: {
    text_embedding: {
      embedding_size: 8,
      tokenization: {
        bert: { do_lower_case: true, with_special_tokens: true, max_sequence_length: 128, truncate: "first" },
      },
    },
  },
};
const LETTERS = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));
const TINY_VOCABULARY = [
  ...["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
  ...["elastic", "search", "model", "deploy", "pulumi", "cluster", "node", "text", "the", "a"],
  ...LETTERS,
  ...LETTERS.map((l) => `##${l}`),
];

describe("real cluster: TrainedModel through the real engine", function () {
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
  });

  after(async () => {
    if (cluster) {
      await esRequest(
        cluster,
        "POST",
        `/_ml/trained_models/${DEPLOYMENT_ID}/deployment/_stop?force=true`,
        undefined,
        [404],
      );
      await esRequest(cluster, "DELETE", `/_ml/trained_models/${UPLOADED_ID}?force=true`, undefined, [404]);
    }
    await cluster?.dispatcher?.close();
  });

  function stack(program: TestStackOptions["program"]): TestStackOptions {
    return {
      program,
      projectName: "real-cluster-model",
      config: { "elasticsearch-ml:endpoints": cluster.url },
      operationTimeoutMs: (2 * WAIT_SECONDS + 300) * 1000,
    };
  }

  it("uploads the tiny TorchScript model, deploys its output, and destroys both in order", async function () {
    const definitionPath = process.env.ELASTICSEARCH_ML_TEST_DEFINITION;
    if (!definitionPath) {
      console.log(
        "  upload test skipped: set ELASTICSEARCH_ML_TEST_DEFINITION to the file of " +
          "python3 scripts/real-cluster/make-tiny-model.py --out FILE",
      );
      this.skip();
    }
    const program = async () => {
      const model = new TrainedModel("tiny", {
        modelId: UPLOADED_ID,
        upload: { definitionPath, vocabulary: { vocabulary: TINY_VOCABULARY }, config: TINY_CONFIG },
        waitTimeoutSeconds: WAIT_SECONDS,
      });
      const deployment = new TrainedModelDeployment("tiny", {
        modelId: model.resolvedModelId,
        deploymentId: DEPLOYMENT_ID,
        priority: "low",
        waitTimeoutSeconds: WAIT_SECONDS,
      });
      return { fullyDefined: model.fullyDefined, allocationState: deployment.allocationState };
    };
    await withTestStack(stack(program), async (s) => {
      const up = await s.up();
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      assert.equal(up.result.outputs.fullyDefined?.value, true);
      const model = await esRequest(
        cluster,
        "GET",
        `/_ml/trained_models/${UPLOADED_ID}?include=definition_status`,
      );
      assert.equal(
        (model.json as { trained_model_configs: { fully_defined?: boolean }[] }).trained_model_configs[0]
          ?.fully_defined,
        true,
      );
      await s.destroy();
      const gone = await esRequest(cluster, "GET", `/_ml/trained_models/${UPLOADED_ID}`, undefined, [404]);
      assert.equal(gone.status, 404, "the model was deleted after its deployment stopped");
    });
  });

  it("downloads .multilingual-e5-small (platform auto), deploys it, and destroys both", async function () {
    if (process.env.ELASTICSEARCH_ML_TEST_DOWNLOAD !== "true") {
      console.log(
        "  download test skipped: set ELASTICSEARCH_ML_TEST_DOWNLOAD=true (downloads hundreds of MB)",
      );
      this.skip();
    }
    const existing = await esRequest(cluster, "GET", `/_ml/trained_models/${E5}*`, undefined, [404]);
    if ((existing.json as { count?: number }).count) {
      console.log(`  download test skipped: ${E5} is already in the cluster (destroy would delete it)`);
      this.skip();
    }
    const program = async () => {
      const model = new TrainedModel("e5", {
        modelId: E5,
        platform: "auto",
        waitTimeoutSeconds: WAIT_SECONDS,
      });
      new TrainedModelDeployment("e5", {
        modelId: model.resolvedModelId,
        deploymentId: DEPLOYMENT_ID,
        priority: "low",
        waitTimeoutSeconds: WAIT_SECONDS,
      });
      return { resolvedModelId: model.resolvedModelId };
    };
    await withTestStack(stack(program), async (s) => {
      const up = await s.up();
      assert.deepEqual(up.result.summary.resourceChanges, { create: 3 });
      const id = up.result.outputs.resolvedModelId?.value as string;
      assert.ok(id === E5 || id === `${E5}_linux-x86_64`, id);
      await s.destroy();
      const gone = await esRequest(cluster, "GET", `/_ml/trained_models/${id}`, undefined, [404]);
      assert.equal(gone.status, 404);
    });
  });
});
