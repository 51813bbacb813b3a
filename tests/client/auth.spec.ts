import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { createClient, ResponseError, type ElasticsearchClient } from "#sdk/client";
import {
  FAST,
  basic,
  createApiKey,
  esCall,
  putTinyPytorchModel,
  putUser,
  type SetupTarget,
} from "./fixtures";

const PASSWORD = "auth-spec-elastic-pw";

describe("client authentication against the emulator with security on", function () {
  let es: EmulatorHandle;
  let admin: SetupTarget;
  let client: ElasticsearchClient | undefined;

  before(async () => {
    es = await startEmulator({ security: true, elasticPassword: PASSWORD, startDelayMs: 5 });
    admin = { url: es.url, authorization: basic("elastic", PASSWORD) };
    await putTinyPytorchModel(admin, "tiny");
    // GET / (the version check) needs `monitor`; the ML built-in roles do not carry it.
    await esCall(admin, "PUT", "/_security/role/cluster_monitor", { cluster: ["monitor"] });
    await putUser(admin, "ml-admin", "ml-admin-pw", ["machine_learning_admin", "cluster_monitor"]);
    await putUser(admin, "ml-viewer", "ml-viewer-pw", ["machine_learning_user", "cluster_monitor"]);
    es.admin.clearLog();
  });
  after(async () => {
    await es?.close();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    es.admin.clearLog();
  });

  const connect = (options: Record<string, unknown>, env: Record<string, string> = {}) => {
    client = createClient({ endpoints: es.url, ...FAST, ...options }, env);
    return client;
  };

  it("basic auth as the superuser, from options and from the environment", async () => {
    assert.equal((await connect({ username: "elastic", password: PASSWORD }).info()).version.number, "9.2.0");
    await client?.close();
    connect({}, { ELASTICSEARCH_USERNAME: "elastic", ELASTICSEARCH_PASSWORD: PASSWORD });
    await client!.getTrainedModelStats("tiny");
    assert.deepEqual(
      es.admin.log().map((e) => e.user),
      ["elastic", "elastic", "elastic"],
    );
  });

  it("basic auth from credentials in the endpoint URL", async () => {
    const url = es.url.replace("https://", "").replace("http://", "");
    client = createClient({ endpoints: `http://ml-admin:ml-admin-pw@${url}`, ...FAST }, {});
    await client.getTrainedModelStats();
    assert.equal(es.admin.log().at(-1)?.user, "ml-admin");
  });

  it("a wrong password is a 401 naming the user, not retried", async () => {
    await assert.rejects(
      connect({ username: "ml-admin", password: "wrong" }).getTrainedModelStats(),
      (err: unknown) => {
        assert.ok(err instanceof ResponseError);
        assert.equal(err.statusCode, 401);
        assert.equal(err.user, "ml-admin");
        assert.equal(err.applied, false);
        assert.match(
          err.message,
          /^401 security_exception: unable to authenticate user \[ml-admin\] for REST request \[\/\] \(GET \/\)\. Authentication failed for user \[ml-admin\]: check the credentials; to read the cluster version \(GET \/\) the user also needs the cluster privilege monitor/,
        );
        return true;
      },
    );
    assert.equal(es.admin.log().length, 1);
  });

  it("no credentials is a 401 that says how to configure them", async () => {
    await assert.rejects(connect({}).info(), (err: unknown) => {
      assert.ok(err instanceof ResponseError);
      assert.equal(err.statusCode, 401);
      assert.match(
        err.message,
        /No credentials were sent: configure an API key, a username and password, or a bearer token/,
      );
      return true;
    });
  });

  it("a user without manage_ml gets a 403 saying which privilege starting needs", async () => {
    connect({ username: "ml-viewer", password: "ml-viewer-pw" });
    const stats = await client!.getTrainedModelStats("tiny");
    assert.equal(stats.count, 1);
    await assert.rejects(client!.startDeployment({ modelId: "tiny" }), (err: unknown) => {
      assert.ok(err instanceof ResponseError);
      assert.equal(err.statusCode, 403);
      assert.equal(err.user, "ml-viewer");
      assert.ok(err.requiredPrivileges?.includes("manage_ml"), String(err.requiredPrivileges));
      assert.equal(err.applied, false);
      assert.match(
        err.message,
        /^403 security_exception: action \[cluster:admin\/xpack\/ml\/trained_models\/deployment\/start\] is unauthorized for user \[ml-viewer\].* \(POST \/_ml\/trained_models\/tiny\/deployment\/_start\)\. User \[ml-viewer\] is not allowed to start a trained model deployment: that needs the cluster privilege manage_ml/,
      );
      return true;
    });
    assert.equal(es.admin.state().deployments.length, 0);
  });

  it("the ML admin user can start, update and stop", async () => {
    connect({ username: "ml-admin", password: "ml-admin-pw" });
    assert.equal((await client!.startDeployment({ modelId: "tiny" })).outcome, "started");
    await client!.updateDeployment({ deploymentId: "tiny", numberOfAllocations: 2 });
    assert.deepEqual(await client!.stopDeployment({ deploymentId: "tiny" }), { stopped: true });
  });

  it("API keys: encoded, id:key and { id, apiKey }, from options and ELASTICSEARCH_API_KEY", async () => {
    const key = await createApiKey(admin, "pulumi", ["monitor", "manage_ml"]);
    for (const apiKey of [key.encoded, `${key.id}:${key.api_key}`, { id: key.id, apiKey: key.api_key }]) {
      await connect({ apiKey }).getTrainedModelStats("tiny");
      await client?.close();
    }
    await connect({}, { ELASTICSEARCH_API_KEY: key.encoded }).getTrainedModelStats("tiny");
    assert.ok(es.admin.log().every((e) => e.status === 200 && e.user === "elastic"));
  });

  it("an API key without manage_ml gets a 403 naming the key and the privilege", async () => {
    const key = await createApiKey(admin, "read-only", ["monitor", "monitor_ml"]);
    await assert.rejects(
      connect({ apiKey: key.encoded }).stopDeployment({ deploymentId: "tiny" }),
      (err: unknown) => {
        assert.ok(err instanceof ResponseError);
        assert.equal(err.statusCode, 403);
        assert.equal(err.user, `elastic (API key id ${key.id})`);
        assert.match(
          err.message,
          /is not allowed to stop a trained model deployment: that needs the cluster privilege manage_ml/,
        );
        return true;
      },
    );
  });

  it("an invalid API key is a 401 that names the key id", async () => {
    await assert.rejects(connect({ apiKey: "unknown-id:unknown-secret" }).info(), (err: unknown) => {
      assert.ok(err instanceof ResponseError);
      assert.equal(err.statusCode, 401);
      assert.match(err.message, /Authentication failed for API key id \[unknown-id\]: check the credentials/);
      return true;
    });
  });

  it("a bearer token is sent as Bearer (the emulator has no token service, so it is refused)", async () => {
    await assert.rejects(connect({ bearerToken: "some.jwt.token" }).info(), (err: unknown) => {
      assert.ok(err instanceof ResponseError);
      assert.equal(err.statusCode, 401);
      assert.match(JSON.stringify(err.body), /bearer token: unable to authenticate bearer token/);
      assert.match(err.message, /Authentication failed for a bearer token: check the credentials/);
      return true;
    });
  });
});
