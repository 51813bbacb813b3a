import { strict as assert } from "node:assert";
import * as path from "node:path";
import { Client } from "@elastic/elasticsearch";
import type { EmulatorOptions } from "elasticsearch-ml-emulator";
import { expectError, startTestEmulator, TestEmulator, until } from "./helpers";

const ELSER = ".elser_model_2";
const ELSER_X86 = ".elser_model_2_linux-x86_64";
const INPUT = { input: { field_names: ["text_field"] } };
/** A download that outlives any test: the state "while the download runs". */
const SLOW = 600_000;
/** ceil(438,123,914 bytes / 1 MiB parts) */
const ELSER_PARTS = 418;

const importTasks = async (em: TestEmulator) => {
  const res = await em.es("GET", "/_tasks?actions=xpack/ml/model_import*&detailed=true&group_by=none");
  assert.equal(res.status, 200, res.text);
  return res.body.tasks as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const fullyDefined = async (em: TestEmulator, id: string): Promise<boolean> => {
  const res = await em.es("GET", `/_ml/trained_models/${id}?include=definition_status`);
  assert.equal(res.status, 200, res.text);
  return res.body.trained_model_configs[0].fully_defined;
};

describe("emulator: packaged models (download from the model repository)", () => {
  let em: TestEmulator;
  const start = async (options: EmulatorOptions = {}) => {
    em = await startTestEmulator(options);
  };
  afterEach(() => em?.close());

  it("a fresh cluster knows the packaged models but has not downloaded them", async () => {
    await start();
    const get = await em.es("GET", `/_ml/trained_models/${ELSER}`);
    expectError(get, 404, "resource_not_found_exception", `No known trained model with model_id [${ELSER}]`);
    const startDep = await em.es("POST", `/_ml/trained_models/${ELSER}/deployment/_start`);
    expectError(startDep, 404, "resource_not_found_exception");
  });

  it("PUT starts an import task that reports progress until the model is fully defined", async () => {
    await start({ modelDownloadMs: SLOW });
    const put = await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    assert.equal(put.status, 200, put.text);
    const config = put.body;
    assert.equal(config.model_id, ELSER);
    assert.equal(config.model_type, "pytorch");
    assert.deepEqual(config.input, { field_names: ["text_field"] });
    assert.deepEqual(Object.keys(config.inference_config), ["text_expansion"]);
    assert.equal(config.model_package.packaged_model_id, "elser_model_2");
    assert.equal(config.model_package.model_repository, "https://ml-models.elastic.co");
    assert.equal(config.model_package.sha256.length, 64);
    assert.equal(await fullyDefined(em, ELSER), false);

    const tasks = await importTasks(em);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].action, "xpack/ml/model_import[n]");
    assert.equal(tasks[0].description, `model_id-${ELSER}`);
    assert.equal(tasks[0].status.total_parts, ELSER_PARTS);
    assert.ok(tasks[0].status.downloaded_parts < ELSER_PARTS);
    assert.equal(tasks[0].cancellable, true);
    // Without detailed=true there is neither description nor status, as in Elasticsearch.
    const brief = await em.es("GET", "/_tasks?actions=xpack/ml/model_import*&group_by=none");
    assert.equal(brief.body.tasks[0].description, undefined);
    assert.equal(brief.body.tasks[0].status, undefined);
    // The default grouping is by node; GET _tasks/<id> shows the running task.
    const byNode = await em.es("GET", "/_tasks?actions=xpack/ml/model_import*");
    const [node] = Object.values(byNode.body.nodes) as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const taskId = Object.keys(node.tasks)[0];
    const one = await em.es("GET", `/_tasks/${taskId}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.completed, false);
    assert.equal(one.body.task.description, `model_id-${ELSER}`);
  });

  it("a PUT while the download runs returns the existing model and starts no second task", async () => {
    await start({ modelDownloadMs: SLOW });
    const first = await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    const again = await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.create_time, first.body.create_time);
    assert.equal((await importTasks(em)).length, 1);
  });

  it("starting a deployment while the download runs waits up to the timeout, then fails with 408", async () => {
    await start({ modelDownloadMs: SLOW });
    await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    const res = await em.es("POST", `/_ml/trained_models/${ELSER}/deployment/_start?timeout=50ms`);
    expectError(
      res,
      408,
      "status_exception",
      `Model download task is currently running. Wait for trained model [${ELSER}] download task to complete then try again`,
    );
    const stats = await em.es("GET", `/_ml/trained_models/${ELSER}/_stats`);
    assert.equal(stats.body.trained_model_stats[0].deployment_stats, undefined);
  });

  it("wait_for_completion=true holds the PUT until the model is fully defined; then it deploys", async () => {
    await start({ modelDownloadMs: 40 });
    const put = await em.es("PUT", `/_ml/trained_models/${ELSER}?wait_for_completion=true`, INPUT);
    assert.equal(put.status, 200, put.text);
    assert.equal(await fullyDefined(em, ELSER), true);
    assert.deepEqual(await importTasks(em), []);
    // ELSER's memory estimate is a flat 2004 MB (StartTrainedModelDeploymentAction).
    const stats = await em.es("GET", `/_ml/trained_models/${ELSER}/_stats`);
    assert.equal(
      stats.body.trained_model_stats[0].model_size_stats.required_native_memory_bytes,
      2004 * 1024 * 1024,
    );
    assert.equal(stats.body.trained_model_stats[0].model_size_stats.model_size_bytes, 438_123_914);
    // Once downloaded, a second PUT is an ordinary duplicate.
    const dup = await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    expectError(
      dup,
      400,
      "resource_already_exists_exception",
      `Trained machine learning model [${ELSER}] already exists`,
    );
    const started = await em.es("POST", `/_ml/trained_models/${ELSER}/deployment/_start?wait_for=started`);
    assert.equal(started.status, 200, started.text);
  });

  it("without wait_for_completion the download finishes on its own (polling definition_status)", async () => {
    await start({ modelDownloadMs: 30 });
    await em.es("PUT", `/_ml/trained_models/.multilingual-e5-small`, INPUT);
    await until(() => fullyDefined(em, ".multilingual-e5-small"));
    assert.deepEqual(await importTasks(em), []);
  });

  it("refuses what the package defines, with Elasticsearch's messages in order, and requires input", async () => {
    await start();
    const res = await em.es("PUT", `/_ml/trained_models/${ELSER}`, {
      ...INPUT,
      description: "mine",
      model_type: "pytorch",
      metadata: { a: 1 },
      inference_config: { text_expansion: {} },
      tags: ["t"],
    });
    expectError(
      res,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: illegal to set [description] at inference model creation for packaged model;" +
        "2: illegal to set [model_type] at inference model creation for packaged model;" +
        "3: illegal to set [metadata] at inference model creation for packaged model;" +
        "4: illegal to set [inference_config] at inference model creation for packaged model;" +
        "5: illegal to set [tags] at inference model creation for packaged model;",
    );
    const noInput = await em.es("PUT", `/_ml/trained_models/${ELSER}`, {});
    expectError(
      noInput,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [input] must not be null.;",
    );
    assert.equal((await em.es("GET", `/_ml/trained_models/${ELSER}`)).status, 404);
  });

  it("offers each model from the version that introduced it", async () => {
    await start({ esVersion: "8.10.0" });
    const tooOld = await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    expectError(
      tooOld,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: The model [elser_model_2] requires that all nodes are at least version [8.11.0];",
    );
    assert.equal((await em.es("PUT", "/_ml/trained_models/.elser_model_1", INPUT)).status, 200);
    await em.close();
    await start({ esVersion: "8.16.0" });
    const rerank = await em.es("PUT", "/_ml/trained_models/.rerank-v1", INPUT);
    expectError(
      rerank,
      400,
      "action_request_validation_exception",
      /requires that all nodes are at least version \[8\.17\.0\]/,
    );
    await em.close();
    // Before the package loader, a dotted id is just an invalid id.
    await start({ esVersion: "8.7.0" });
    const invalid = await em.es("PUT", "/_ml/trained_models/.elser_model_1", INPUT);
    expectError(invalid, 400, "action_request_validation_exception", /Invalid model_id; '\.elser_model_1'/);
    const noWait = await em.es("PUT", "/_ml/trained_models/m?wait_for_completion=true", {
      ...INPUT,
      model_type: "pytorch",
      inference_config: { pass_through: {} },
    });
    expectError(noWait, 400, "illegal_argument_exception", /unrecognized parameter: \[wait_for_completion\]/);
  });

  it("an unknown package and an unreachable repository fail the PUT; nothing is stored", async () => {
    await start();
    const unknown = await em.es("PUT", "/_ml/trained_models/.no_such_model", INPUT);
    expectError(unknown, 400, "illegal_argument_exception", "Failed to find package");
    assert.equal(
      unknown.body.error.caused_by.reason,
      "https://ml-models.elastic.co/no_such_model.metadata.json not found",
    );
    await em.close();

    await start({ modelRepositoryUnreachable: true });
    const airGapped = await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    expectError(airGapped, 400, "illegal_argument_exception", "Failed to load package metadata");
    assert.equal(airGapped.body.error.caused_by.type, "unchecked_i_o_exception");
    assert.equal(
      airGapped.body.error.caused_by.reason,
      "java.net.UnknownHostException: ml-models.elastic.co",
    );
    assert.equal((await em.es("GET", `/_ml/trained_models/${ELSER}`)).status, 404);
    // Custom models do not need the repository.
    const custom = await em.es("PUT", "/_ml/trained_models/mine", {
      model_type: "pytorch",
      inference_config: { pass_through: {} },
      ...INPUT,
    });
    assert.equal(custom.status, 200, custom.text);
  });

  it("the repository going away mid-download fails the task and leaves the model not fully defined", async () => {
    await start({ modelDownloadMs: SLOW });
    const waiting = em.es("PUT", `/_ml/trained_models/${ELSER}?wait_for_completion=true`, INPUT);
    await until(async () => (await importTasks(em)).length === 1);
    em.handle.admin.setModelRepositoryReachable(false);
    const res = await waiting;
    expectError(
      res,
      500,
      "status_exception",
      /^Model importing failed due to an Exception \[java\.io\.UncheckedIOException/,
    );
    assert.deepEqual(await importTasks(em), []);
    assert.equal(await fullyDefined(em, ELSER), false);
  });

  it("a node restart mid-download leaves the config, not fully defined, with no task: delete and download again", async () => {
    await start({ modelDownloadMs: SLOW });
    await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    const kill = await fetch(`${em.url}/_emulator/downloads/${ELSER}/_kill`, { method: "POST" });
    assert.equal(kill.status, 200);
    assert.deepEqual(await importTasks(em), []);
    assert.equal(await fullyDefined(em, ELSER), false);
    assert.equal(em.handle.admin.state().models.find((m) => m.modelId === ELSER)?.download, "killed");
    const again = await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    expectError(again, 400, "resource_already_exists_exception");
    const startDep = await em.es("POST", `/_ml/trained_models/${ELSER}/deployment/_start`);
    assert.ok([400, 404].includes(startDep.status), startDep.text);
    assert.equal((await em.es("DELETE", `/_ml/trained_models/${ELSER}`)).status, 200);
    assert.equal((await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT)).status, 200);
    assert.equal((await importTasks(em)).length, 1);
  });

  it("a reset ends running downloads: a waiting PUT is answered, the cluster is fresh", async () => {
    await start({ modelDownloadMs: SLOW });
    const waiting = em.es("PUT", `/_ml/trained_models/${ELSER}?wait_for_completion=true`, INPUT);
    await until(async () => (await importTasks(em)).length === 1);
    em.handle.admin.reset();
    expectError(await waiting, 500, "node_closed_exception");
    assert.deepEqual(await importTasks(em), []);
    assert.equal((await em.es("GET", `/_ml/trained_models/${ELSER}`)).status, 404);
  });

  it("deleting a model cancels its running download", async () => {
    await start({ modelDownloadMs: SLOW });
    await em.es("PUT", `/_ml/trained_models/${ELSER}`, INPUT);
    assert.equal((await em.es("DELETE", `/_ml/trained_models/${ELSER}`)).status, 200);
    assert.deepEqual(await importTasks(em), []);
  });

  it("a platform-specific model on nodes of another platform: Warning on PUT, start fails on the nodes", async () => {
    await start({ modelDownloadMs: 10, mlNodePlatform: "linux-aarch64" });
    const put = await em.es("PUT", `/_ml/trained_models/${ELSER_X86}?wait_for_completion=true`, INPUT);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.platform_architecture, "linux-x86_64");
    const message = `The model being deployed ([${ELSER_X86}]) is platform specific and incompatible with ML nodes in the cluster; expected [linux-x86_64]; but was [linux-aarch64]`;
    assert.match(
      put.headers.get("warning") ?? "",
      new RegExp(`^299 Elasticsearch-\\S+ "${message.replace(/[[\]().]/g, "\\$&")}"$`),
    );
    const nodeId = em.handle.admin.state().nodes[0].id;
    const startDep = await em.es("POST", `/_ml/trained_models/${ELSER_X86}/deployment/_start`);
    expectError(
      startDep,
      500,
      "status_exception",
      `Could not start trained model deployment, the following nodes failed with errors [{${nodeId}=${message}}]`,
    );
    assert.deepEqual(em.handle.admin.state().deployments, []);
    // The portable variant runs anywhere.
    const portable = await em.es("PUT", `/_ml/trained_models/${ELSER}?wait_for_completion=true`, INPUT);
    assert.equal(portable.headers.get("warning"), null);
    assert.equal((await em.es("POST", `/_ml/trained_models/${ELSER}/deployment/_start`)).status, 200);
  });

  it("nodes report their platform; mixed platforms get the multiple-architectures warning", async () => {
    await start({ modelDownloadMs: 10 });
    em.handle.admin.addMlNode(4, "linux-aarch64");
    const nodes = await em.es("GET", "/_nodes/ml:true/os");
    assert.equal(nodes.status, 200, nodes.text);
    const os = Object.values(nodes.body.nodes).map((n: any) => `${n.os.name}/${n.os.arch}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(os.sort(), ["Linux/aarch64", "Linux/amd64"]);
    const put = await em.es("PUT", `/_ml/trained_models/${ELSER_X86}`, INPUT);
    assert.match(
      put.headers.get("warning") ?? "",
      /ML nodes in this cluster have multiple platform architectures/,
    );
  });

  it("CLI flags set the platform, the download time and an unreachable repository", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseCliArgs } = require(path.resolve(__dirname, "../../../emulator/dist/cli.js"));
    const parsed = parseCliArgs([
      "--ml-node-platform",
      "darwin-aarch64",
      "--model-download-ms",
      "25",
      "--model-repository-unreachable",
    ]);
    assert.equal(parsed.options.mlNodePlatform, "darwin-aarch64");
    assert.equal(parsed.options.modelDownloadMs, 25);
    assert.equal(parsed.options.modelRepositoryUnreachable, true);
  });

  it("rejects an unknown ML node platform", async () => {
    await assert.rejects(
      startTestEmulator({ mlNodePlatform: "solaris-sparc" }),
      /mlNodePlatform: "solaris-sparc" is not allowed/,
    );
  });
});

describe("emulator: packaged models through the official @elastic/elasticsearch client", () => {
  it("downloads, lists the import task, reads definition_status, deploys, clears the cache, lists with _cat", async () => {
    const em = await startTestEmulator({ modelDownloadMs: 20 });
    const client = new Client({ node: em.url, maxRetries: 0 });
    try {
      const put = await client.ml.putTrainedModel({
        model_id: ".multilingual-e5-small",
        input: { field_names: ["text_field"] },
      });
      assert.equal(put.model_id, ".multilingual-e5-small");
      const tasks = await client.tasks.list({
        actions: "xpack/ml/model_import*",
        detailed: true,
        group_by: "none",
      });
      assert.ok(Array.isArray(tasks.tasks));
      await until(async () => {
        const got = await client.ml.getTrainedModels({
          model_id: ".multilingual-e5-small",
          include: "definition_status",
        });
        return got.trained_model_configs[0].fully_defined === true;
      });
      await client.ml.startTrainedModelDeployment({
        model_id: ".multilingual-e5-small",
        wait_for: "started",
      });
      const cleared = await client.ml.clearTrainedModelDeploymentCache({
        model_id: ".multilingual-e5-small",
      });
      assert.equal(cleared.cleared, true);
      const cat = await client.cat.mlTrainedModels({ format: "json" });
      assert.deepEqual(
        cat.map((row) => row.id),
        [".multilingual-e5-small", "lang_ident_model_1"],
      );
    } finally {
      await client.close();
      await em.close();
    }
  });
});
