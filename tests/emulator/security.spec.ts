import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { request } from "undici";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { EsError } from "#emulator/errors";
import type { EmulatorRequest } from "#emulator/http/types";
import { ACTIONS } from "#emulator/security/actions";
import { basicAuthorization, parseCredentials } from "#emulator/security/credentials";
import { actionDeniedMessage, missingCredentials, WWW_AUTHENTICATE } from "#emulator/security/messages";
import { privilegeGrants, privilegesGranting, unknownClusterPrivilege } from "#emulator/security/privileges";
import { createRealm, type SecurityRealm } from "#emulator/security/realm";
import { securityActionFor } from "#emulator/security/routes";
import type { Principal } from "#emulator/security/types";

const PASSWORD = "s3cret-elastic";
const ELASTIC: Principal = { username: "elastic", roles: ["superuser"] };

/** Runs `fn` and returns the EsError it throws (fails the test if it throws anything else or nothing). */
function esError(fn: () => unknown): EsError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EsError, `expected an EsError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected an EsError to be thrown");
}

function securityRequest(
  method: string,
  uri: string,
  body?: unknown,
  headers: IncomingHttpHeaders = {},
): EmulatorRequest {
  const url = new URL(uri, "http://localhost");
  return {
    method,
    path: url.pathname,
    uri,
    query: url.searchParams,
    headers,
    rawBody: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
  };
}

/** Calls the realm's handler the way the server does (a security route must answer). */
function call(realm: SecurityRealm, principal: Principal, method: string, uri: string, body?: unknown) {
  const result = realm.handle(securityRequest(method, uri, body), principal);
  assert.ok(result, `${method} ${uri} is not a security route`);
  return result;
}

const basic = (user: string, password: string): IncomingHttpHeaders => ({
  authorization: basicAuthorization(user, password),
});

describe("emulator security: privilege table", () => {
  it("lists the privileges granting each ML action from least to most powerful", () => {
    assert.deepEqual(privilegesGranting(ACTIONS.startDeployment), [
      "manage_inference",
      "manage_ml",
      "manage",
      "all",
    ]);
    assert.deepEqual(privilegesGranting(ACTIONS.stopDeployment), [
      "manage_inference",
      "manage_ml",
      "manage",
      "all",
    ]);
    assert.deepEqual(privilegesGranting(ACTIONS.updateDeployment), ["manage_ml", "manage", "all"]);
    assert.deepEqual(privilegesGranting(ACTIONS.getTrainedModelsStats), [
      "monitor_ml",
      "manage_ml",
      "monitor",
      "manage",
      "all",
    ]);
  });

  it("lists the privileges for GET /, pipelines and the security APIs", () => {
    assert.deepEqual(privilegesGranting(ACTIONS.main), ["monitor", "manage", "all"]);
    assert.deepEqual(privilegesGranting(ACTIONS.getPipeline), [
      "read_pipeline",
      "manage_ingest_pipelines",
      "manage_pipeline",
      "manage",
      "all",
    ]);
    assert.deepEqual(privilegesGranting(ACTIONS.putPipeline), [
      "manage_ingest_pipelines",
      "manage_pipeline",
      "manage",
      "all",
    ]);
    // Same list as a real 9.x cluster prints for `GET _security/user`.
    assert.deepEqual(privilegesGranting(ACTIONS.getUsers), ["read_security", "manage_security", "all"]);
    assert.deepEqual(privilegesGranting(ACTIONS.putRole), ["manage_security", "all"]);
    assert.deepEqual(privilegesGranting(ACTIONS.createApiKey), [
      "manage_own_api_key",
      "manage_api_key",
      "manage_security",
      "all",
    ]);
  });

  it("keeps security actions out of `manage`, as Elasticsearch does", () => {
    assert.equal(privilegeGrants("manage", ACTIONS.startDeployment), true);
    assert.equal(privilegeGrants("manage", ACTIONS.putUser), false);
    assert.equal(privilegeGrants("all", ACTIONS.putUser), true);
    assert.equal(privilegeGrants("monitor_ml", ACTIONS.startDeployment), false);
    assert.equal(privilegeGrants("monitor", ACTIONS.getTrainedModelsStats), true);
    assert.equal(privilegeGrants("monitor", ACTIONS.getPipeline), false);
  });

  it("accepts action patterns as privileges (an action name grants itself and its sub-actions)", () => {
    assert.equal(
      privilegeGrants("cluster:admin/xpack/ml/trained_models/deployment/*", ACTIONS.stopDeployment),
      true,
    );
    assert.equal(privilegeGrants(ACTIONS.startDeployment, ACTIONS.startDeployment), true);
    assert.equal(privilegeGrants(ACTIONS.startDeployment, ACTIONS.stopDeployment), false);
    // Inherited object keys are not privileges.
    assert.equal(privilegeGrants("constructor", ACTIONS.main), false);
  });

  it("names unknown privileges with the known ones", () => {
    assert.equal(unknownClusterPrivilege("MANAGE_ML"), undefined);
    assert.equal(unknownClusterPrivilege("cluster:monitor/xpack/ml/*"), undefined);
    assert.match(
      unknownClusterPrivilege("manage_everything") ?? "",
      /^unknown cluster privilege \[manage_everything\]\. a privilege must be either one of the predefined cluster privilege names \[none,.*,all\] or a pattern over one of the available cluster actions$/,
    );
  });
});

describe("emulator security: messages", () => {
  it("builds the 401 for missing credentials with the challenges in body and headers", () => {
    const error = missingCredentials("/_ml/trained_models/_stats?pretty");
    assert.equal(error.status, 401);
    assert.deepEqual(error.toBody(), {
      error: {
        root_cause: [
          {
            type: "security_exception",
            reason: "missing authentication credentials for REST request [/_ml/trained_models/_stats?pretty]",
            header: {
              "WWW-Authenticate": [
                'Basic realm="security", charset="UTF-8"',
                'Bearer realm="security"',
                "ApiKey",
              ],
            },
          },
        ],
        type: "security_exception",
        reason: "missing authentication credentials for REST request [/_ml/trained_models/_stats?pretty]",
        header: {
          "WWW-Authenticate": [
            'Basic realm="security", charset="UTF-8"',
            'Bearer realm="security"',
            "ApiKey",
          ],
        },
      },
      status: 401,
    });
    assert.deepEqual(error.options.headers, { "WWW-Authenticate": [...WWW_AUTHENTICATE] });
  });

  it("describes a denied user with effective roles and roles that do not exist", () => {
    assert.equal(
      actionDeniedMessage(
        ACTIONS.startDeployment,
        { username: "ml_reader", assignedRoles: ["zz_reader", "ghost"], effectiveRoles: ["zz_reader"] },
        ["manage_ml", "manage", "all"],
      ),
      "action [cluster:admin/xpack/ml/trained_models/deployment/start] is unauthorized for user [ml_reader] " +
        "with effective roles [zz_reader] (assigned roles [ghost] were not found), " +
        "this action is granted by the cluster privileges [manage_ml,manage,all]",
    );
    assert.equal(
      actionDeniedMessage(ACTIONS.main, { username: "nobody", assignedRoles: [], effectiveRoles: [] }, [
        "monitor",
        "manage",
        "all",
      ]),
      "action [cluster:monitor/main] is unauthorized for user [nobody] with effective roles [], " +
        "this action is granted by the cluster privileges [monitor,manage,all]",
    );
  });

  it("describes a denied API key by id and owner, without roles", () => {
    assert.equal(
      actionDeniedMessage(
        ACTIONS.stopDeployment,
        { username: "elastic", apiKeyId: "abc123", effectiveRoles: ["x"] },
        ["manage_ml", "manage", "all"],
      ),
      "action [cluster:admin/xpack/ml/trained_models/deployment/stop] is unauthorized for API key id [abc123] of user [elastic], " +
        "this action is granted by the cluster privileges [manage_ml,manage,all]",
    );
  });
});

describe("emulator security: credentials", () => {
  it("reads basic, API key and bearer credentials", () => {
    assert.deepEqual(parseCredentials({ authorization: basicAuthorization("bob", "pa:ss") }), {
      scheme: "basic",
      username: "bob",
      password: "pa:ss",
    });
    const apiKey = Buffer.from("key-id:key-secret").toString("base64");
    assert.deepEqual(parseCredentials({ authorization: `ApiKey ${apiKey}` }), {
      scheme: "apiKey",
      id: "key-id",
      key: "key-secret",
    });
    assert.deepEqual(parseCredentials({ authorization: "Bearer tok" }), { scheme: "bearer", token: "tok" });
    assert.equal(parseCredentials({}), undefined);
    // Schemes Elasticsearch has no authenticator for count as no credentials.
    assert.equal(parseCredentials({ authorization: "Digest abc" }), undefined);
  });

  it("rejects malformed basic and API key headers with a 401", () => {
    const badEncoding = esError(() => parseCredentials({ authorization: "Basic %%%" }));
    assert.equal(badEncoding.status, 401);
    assert.equal(badEncoding.reason, "invalid basic authentication header encoding");
    const noColon = esError(() =>
      parseCredentials({ authorization: `Basic ${Buffer.from("bob").toString("base64")}` }),
    );
    assert.equal(noColon.reason, "invalid basic authentication header value");
    const badKey = esError(() =>
      parseCredentials({ authorization: `ApiKey ${Buffer.from(":x").toString("base64")}` }),
    );
    assert.equal(badKey.status, 401);
    assert.equal(badKey.reason, "error attempting to authenticate request");
    assert.deepEqual(badKey.options.causedBy, {
      type: "illegal_argument_exception",
      reason: "invalid ApiKey value",
    });
    assert.ok(badKey.options.headers?.["WWW-Authenticate"]);
  });
});

describe("emulator security: realm", () => {
  let realm: SecurityRealm;
  beforeEach(() => {
    realm = createRealm({ elasticPassword: PASSWORD });
  });

  it("refuses an empty elastic password", () => {
    assert.throws(
      () => createRealm({ elasticPassword: "" }),
      /elasticPassword must be a non-empty string, got ""/,
    );
  });

  it("authenticates the built-in superuser and refuses a wrong password or unknown user", () => {
    assert.deepEqual(realm.authenticate(basic("elastic", PASSWORD), "/"), ELASTIC);
    const wrong = esError(() => realm.authenticate(basic("elastic", "nope"), "/_ml/trained_models?size=1"));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.type, "security_exception");
    assert.equal(
      wrong.reason,
      "unable to authenticate user [elastic] for REST request [/_ml/trained_models?size=1]",
    );
    const unknown = esError(() => realm.authenticate(basic("ghost", PASSWORD), "/"));
    assert.equal(unknown.reason, "unable to authenticate user [ghost] for REST request [/]");
    const missing = esError(() => realm.authenticate({}, "/"));
    assert.equal(missing.reason, "missing authentication credentials for REST request [/]");
    const bearer = esError(() => realm.authenticate({ authorization: "Bearer abc" }, "/"));
    assert.equal(bearer.status, 401);
    assert.equal(
      bearer.reason,
      "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
    );
  });

  it("lets the superuser do everything, including security actions", () => {
    for (const action of Object.values(ACTIONS)) realm.authorize(ELASTIC, action);
  });

  it("grants built-in ML roles the ML actions of their privilege only", () => {
    const admin: Principal = { username: "a", roles: ["machine_learning_admin"] };
    const user: Principal = { username: "u", roles: ["machine_learning_user"] };
    assert.equal(realm.isAllowed(admin, ACTIONS.startDeployment), true);
    assert.equal(realm.isAllowed(admin, ACTIONS.getTrainedModelsStats), true);
    assert.equal(realm.isAllowed(admin, ACTIONS.main), false);
    assert.equal(realm.isAllowed(user, ACTIONS.getTrainedModelsStats), true);
    assert.equal(realm.isAllowed(user, ACTIONS.inferTrainedModel), true);
    assert.equal(realm.isAllowed(user, ACTIONS.stopDeployment), false);
  });

  it("answers _authenticate for any authenticated user, whatever its privileges", () => {
    call(realm, ELASTIC, "PUT", "/_security/user/nobody", { password: "password1", roles: [] });
    const nobody = realm.authenticate(basic("nobody", "password1"), "/_security/_authenticate");
    const result = call(realm, nobody, "GET", "/_security/_authenticate");
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, {
      username: "nobody",
      roles: [],
      full_name: null,
      email: null,
      metadata: {},
      enabled: true,
      authentication_realm: { name: "default_native", type: "native" },
      lookup_realm: { name: "default_native", type: "native" },
      authentication_type: "realm",
    });
    const elastic = call(realm, ELASTIC, "GET", "/_security/_authenticate").body as Record<string, unknown>;
    assert.deepEqual(elastic.authentication_realm, { name: "reserved", type: "reserved" });
    assert.deepEqual(elastic.metadata, { _reserved: true });
  });

  it("creates a user with a role holding monitor_ml: stats allowed, start refused naming user, roles and privileges", () => {
    assert.deepEqual(call(realm, ELASTIC, "PUT", "/_security/role/ml_reader", { cluster: ["monitor_ml"] }), {
      status: 200,
      body: { role: { created: true } },
    });
    assert.deepEqual(
      call(realm, ELASTIC, "POST", "/_security/user/reader", {
        password: "reader-pw",
        roles: ["ml_reader", "gone"],
      }),
      { status: 200, body: { created: true } },
    );
    const reader = realm.authenticate(basic("reader", "reader-pw"), "/");
    assert.deepEqual(reader, { username: "reader", roles: ["ml_reader", "gone"] });
    realm.authorize(reader, ACTIONS.getTrainedModelsStats);
    const denied = esError(() => realm.authorize(reader, ACTIONS.startDeployment));
    assert.equal(denied.status, 403);
    assert.equal(denied.type, "security_exception");
    assert.equal(
      denied.reason,
      "action [cluster:admin/xpack/ml/trained_models/deployment/start] is unauthorized for user [reader] " +
        "with effective roles [ml_reader] (assigned roles [gone] were not found), " +
        "this action is granted by the cluster privileges [manage_inference,manage_ml,manage,all]",
    );
  });

  it("applies role changes to users on their next request", () => {
    call(realm, ELASTIC, "PUT", "/_security/role/ops", { cluster: ["monitor_ml"] });
    call(realm, ELASTIC, "PUT", "/_security/user/op", { password: "op-password", roles: ["ops"] });
    const op = realm.authenticate(basic("op", "op-password"), "/");
    assert.equal(realm.isAllowed(op, ACTIONS.stopDeployment), false);
    assert.deepEqual(call(realm, ELASTIC, "PUT", "/_security/role/ops", { cluster: ["manage_ml"] }).body, {
      role: { created: false },
    });
    assert.equal(realm.isAllowed(op, ACTIONS.stopDeployment), true);
    assert.deepEqual(call(realm, ELASTIC, "DELETE", "/_security/role/ops"), {
      status: 200,
      body: { found: true },
    });
    assert.equal(realm.isAllowed(op, ACTIONS.getTrainedModelsStats), false);
    assert.deepEqual(call(realm, ELASTIC, "DELETE", "/_security/role/ops"), {
      status: 404,
      body: { found: false },
    });
  });

  it("refuses security APIs to users without manage_security, listing the privileges", () => {
    call(realm, ELASTIC, "PUT", "/_security/role/mlops", { cluster: ["manage_ml", "manage"] });
    call(realm, ELASTIC, "PUT", "/_security/user/mlops", { password: "mlops-pw", roles: ["mlops"] });
    const mlops = realm.authenticate(basic("mlops", "mlops-pw"), "/");
    const denied = esError(() => call(realm, mlops, "PUT", "/_security/role/x", { cluster: ["all"] }));
    assert.equal(
      denied.reason,
      "action [cluster:admin/xpack/security/role/put] is unauthorized for user [mlops] with effective roles [mlops], " +
        "this action is granted by the cluster privileges [manage_security,all]",
    );
    const noKey = esError(() => call(realm, mlops, "POST", "/_security/api_key", { name: "k" }));
    assert.match(
      noKey.reason,
      /granted by the cluster privileges \[manage_own_api_key,manage_api_key,manage_security,all\]$/,
    );
  });

  it("creates API keys that authenticate as their owner and carry the owner's privileges", () => {
    const created = call(realm, ELASTIC, "POST", "/_security/api_key", { name: "ci" });
    assert.equal(created.status, 200);
    const body = created.body as { id: string; name: string; api_key: string; encoded: string };
    assert.equal(body.name, "ci");
    assert.match(body.id, /^[A-Za-z0-9_-]{20}$/);
    assert.match(body.api_key, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(Buffer.from(body.encoded, "base64").toString(), `${body.id}:${body.api_key}`);

    const principal = realm.authenticate({ authorization: `ApiKey ${body.encoded}` }, "/");
    assert.deepEqual(principal, { username: "elastic", roles: [], apiKeyId: body.id });
    realm.authorize(principal, ACTIONS.startDeployment);
    realm.authorize(principal, ACTIONS.putUser);

    const info = call(realm, principal, "GET", "/_security/_authenticate").body as Record<string, unknown>;
    assert.equal(info.authentication_type, "api_key");
    assert.deepEqual(info.api_key, { id: body.id, name: "ci" });
    assert.deepEqual(info.authentication_realm, { name: "_es_api_key", type: "_es_api_key" });
  });

  it("limits an API key to its role_descriptors intersected with its owner's privileges", () => {
    const created = call(realm, ELASTIC, "POST", "/_security/api_key", {
      name: "stats-only",
      role_descriptors: { reader: { cluster: ["monitor_ml"] } },
    }).body as { id: string; encoded: string };
    const key = realm.authenticate({ authorization: `ApiKey ${created.encoded}` }, "/");
    realm.authorize(key, ACTIONS.getTrainedModelsStats);
    const denied = esError(() => realm.authorize(key, ACTIONS.startDeployment));
    assert.equal(
      denied.reason,
      `action [cluster:admin/xpack/ml/trained_models/deployment/start] is unauthorized for API key id [${created.id}] ` +
        "of user [elastic], this action is granted by the cluster privileges [manage_inference,manage_ml,manage,all]",
    );

    // A monitor_ml user asking for manage_ml still gets no more than monitor_ml.
    call(realm, ELASTIC, "PUT", "/_security/role/r", { cluster: ["monitor_ml", "manage_own_api_key"] });
    call(realm, ELASTIC, "PUT", "/_security/user/r", { password: "r-password", roles: ["r"] });
    const r = realm.authenticate(basic("r", "r-password"), "/");
    const wide = call(realm, r, "PUT", "/_security/api_key", {
      name: "wide",
      role_descriptors: { w: { cluster: ["manage_ml"] } },
    }).body as { encoded: string };
    const wideKey = realm.authenticate({ authorization: `ApiKey ${wide.encoded}` }, "/");
    assert.equal(realm.isAllowed(wideKey, ACTIONS.getTrainedModelsStats), true);
    assert.equal(realm.isAllowed(wideKey, ACTIONS.startDeployment), false);
  });

  it("lets an API key derive only a key without privileges", () => {
    const parent = call(realm, ELASTIC, "POST", "/_security/api_key", { name: "parent" }).body as {
      encoded: string;
    };
    const key = realm.authenticate({ authorization: `ApiKey ${parent.encoded}` }, "/");
    const refused = esError(() => call(realm, key, "POST", "/_security/api_key", { name: "child" }));
    assert.equal(refused.status, 400);
    assert.equal(
      refused.reason,
      "creating derived api keys requires an explicit role descriptor that is empty (has no privileges)",
    );
    const child = call(realm, key, "POST", "/_security/api_key", { name: "child", role_descriptors: {} })
      .body as {
      encoded: string;
    };
    const childKey = realm.authenticate({ authorization: `ApiKey ${child.encoded}` }, "/");
    assert.equal(realm.isAllowed(childKey, ACTIONS.getTrainedModelsStats), false);
    assert.equal(realm.isAllowed(childKey, ACTIONS.authenticate), true);
  });

  it("refuses unknown, wrong and expired API keys with Elasticsearch's reasons", () => {
    const anonymous =
      "unable to authenticate with provided credentials and anonymous access is not allowed for this request";
    const apiKey = (id: string, secret: string) => ({
      authorization: `ApiKey ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
    });
    const unknown = esError(() => realm.authenticate(apiKey("nope", "x"), "/"));
    assert.equal(unknown.status, 401);
    assert.equal(unknown.reason, anonymous);
    assert.equal(
      unknown.options.extra?.additional_unsuccessful_credentials,
      "API key: unable to find apikey with id nope",
    );

    let clock = 1_700_000_000_000;
    realm = createRealm({ elasticPassword: PASSWORD, now: () => clock });
    const created = call(realm, ELASTIC, "POST", "/_security/api_key", { name: "k", expiration: "1d" })
      .body as {
      id: string;
      api_key: string;
      expiration: number;
    };
    assert.equal(created.expiration, clock + 86_400_000);
    const wrong = esError(() => realm.authenticate(apiKey(created.id, "wrong"), "/"));
    assert.equal(
      wrong.options.extra?.additional_unsuccessful_credentials,
      `API key: invalid credentials for API key [${created.id}]`,
    );
    realm.authenticate(apiKey(created.id, created.api_key), "/");
    clock += 86_400_000;
    const expired = esError(() => realm.authenticate(apiKey(created.id, created.api_key), "/"));
    assert.equal(expired.options.extra?.additional_unsuccessful_credentials, "API key: api key is expired");
  });

  it("lists API keys and invalidates them; an invalidated key no longer authenticates", () => {
    let clock = 1_700_000_000_000;
    realm = createRealm({ elasticPassword: PASSWORD, now: () => clock });
    const first = call(realm, ELASTIC, "POST", "/_security/api_key", {
      name: "deploy-1",
      role_descriptors: { r: { cluster: ["monitor_ml"] } },
    }).body as { id: string; encoded: string };
    clock += 1;
    const second = call(realm, ELASTIC, "POST", "/_security/api_key", { name: "other", expiration: "1h" })
      .body as {
      id: string;
    };

    const listed = call(realm, ELASTIC, "GET", "/_security/api_key?name=deploy-*&with_limited_by=true")
      .body as {
      api_keys: Record<string, unknown>[];
    };
    assert.deepEqual(listed.api_keys, [
      {
        id: first.id,
        name: "deploy-1",
        type: "rest",
        creation: 1_700_000_000_000,
        invalidated: false,
        username: "elastic",
        realm: "reserved",
        realm_type: "reserved",
        metadata: {},
        role_descriptors: {
          r: {
            cluster: ["monitor_ml"],
            indices: [],
            applications: [],
            run_as: [],
            metadata: {},
            transient_metadata: { enabled: true },
          },
        },
        limited_by: [{ superuser: realm.store.getRole("superuser") }],
      },
    ]);
    const all = call(realm, ELASTIC, "GET", "/_security/api_key").body as { api_keys: { id: string }[] };
    assert.deepEqual(
      all.api_keys.map((k) => k.id),
      [first.id, second.id],
    );

    assert.deepEqual(call(realm, ELASTIC, "DELETE", "/_security/api_key", { ids: [first.id] }).body, {
      invalidated_api_keys: [first.id],
      previously_invalidated_api_keys: [],
      error_count: 0,
    });
    assert.deepEqual(call(realm, ELASTIC, "DELETE", "/_security/api_key", { name: "deploy-1" }).body, {
      invalidated_api_keys: [],
      previously_invalidated_api_keys: [first.id],
      error_count: 0,
    });
    const refused = esError(() => realm.authenticate({ authorization: `ApiKey ${first.encoded}` }, "/"));
    assert.equal(
      refused.options.extra?.additional_unsuccessful_credentials,
      `API key: api key [${first.id}] has been invalidated`,
    );
    const active = call(realm, ELASTIC, "GET", "/_security/api_key?active_only=true").body as {
      api_keys: { id: string }[];
    };
    assert.deepEqual(
      active.api_keys.map((k) => k.id),
      [second.id],
    );
    assert.deepEqual(call(realm, ELASTIC, "GET", "/_security/api_key?id=nope").body, { api_keys: [] });

    const unselective = esError(() => call(realm, ELASTIC, "DELETE", "/_security/api_key", {}));
    assert.equal(
      unselective.reason,
      "Validation Failed: 1: One of [api key id(s), api key name, username, realm name] must be specified if [owner] flag is false;",
    );
  });

  it("lets manage_own_api_key list and invalidate the caller's keys only", () => {
    call(realm, ELASTIC, "PUT", "/_security/role/own", { cluster: ["manage_own_api_key", "monitor_ml"] });
    call(realm, ELASTIC, "PUT", "/_security/user/dev", { password: "dev-password", roles: ["own"] });
    const dev = realm.authenticate(basic("dev", "dev-password"), "/");
    const mine = call(realm, dev, "POST", "/_security/api_key", { name: "mine" }).body as { id: string };
    call(realm, ELASTIC, "POST", "/_security/api_key", { name: "admins" });

    const own = call(realm, dev, "GET", "/_security/api_key?owner=true").body as {
      api_keys: { id: string }[];
    };
    assert.deepEqual(
      own.api_keys.map((k) => k.id),
      [mine.id],
    );
    const others = esError(() => call(realm, dev, "GET", "/_security/api_key"));
    assert.equal(
      others.reason,
      "action [cluster:admin/xpack/security/api_key/get] is unauthorized for user [dev] with effective roles [own], " +
        "this action is granted by the cluster privileges [read_security,manage_api_key,manage_security,all]",
    );
    assert.deepEqual(call(realm, dev, "DELETE", "/_security/api_key", { owner: true }).body, {
      invalidated_api_keys: [mine.id],
      previously_invalidated_api_keys: [],
      error_count: 0,
    });
  });

  it("resets to the built-in superuser only", () => {
    call(realm, ELASTIC, "PUT", "/_security/role/r", { cluster: ["all"] });
    call(realm, ELASTIC, "PUT", "/_security/user/u", { password: "u-password", roles: ["r"] });
    const key = call(realm, ELASTIC, "POST", "/_security/api_key", { name: "k" }).body as { encoded: string };
    realm.reset();
    assert.equal(realm.store.getRole("r"), undefined);
    assert.equal(esError(() => realm.authenticate(basic("u", "u-password"), "/")).status, 401);
    assert.equal(
      esError(() => realm.authenticate({ authorization: `ApiKey ${key.encoded}` }, "/")).status,
      401,
    );
    assert.deepEqual(realm.authenticate(basic("elastic", PASSWORD), "/"), ELASTIC);
  });

  it("validates API key requests", () => {
    const noName = esError(() => call(realm, ELASTIC, "POST", "/_security/api_key", {}));
    assert.equal(noName.status, 400);
    assert.equal(noName.type, "action_request_validation_exception");
    assert.equal(noName.reason, "Validation Failed: 1: api key name is required;");
    const unknownField = esError(() =>
      call(realm, ELASTIC, "POST", "/_security/api_key", { name: "k", nmae: 1 }),
    );
    assert.equal(unknownField.type, "x_content_parse_exception");
    assert.equal(unknownField.reason, "[api_key_request] unknown field [nmae]");
    const badExpiration = esError(() =>
      call(realm, ELASTIC, "POST", "/_security/api_key", { name: "k", expiration: "2x" }),
    );
    assert.equal(badExpiration.type, "parse_exception");
    assert.equal(
      badExpiration.reason,
      "failed to parse setting [expiration] with value [2x] as a time value: unit is missing or unrecognized",
    );
    const badPrivilege = esError(() =>
      call(realm, ELASTIC, "POST", "/_security/api_key", {
        name: "k",
        role_descriptors: { r: { cluster: ["nope"] } },
      }),
    );
    assert.match(badPrivilege.reason, /^Validation Failed: 1: unknown cluster privilege \[nope\]\. /);
  });

  it("validates roles: unknown privileges, unexpected fields, reserved names", () => {
    const unknown = esError(() =>
      call(realm, ELASTIC, "PUT", "/_security/role/r", { cluster: ["manage_ml", "bogus"] }),
    );
    assert.equal(unknown.type, "action_request_validation_exception");
    assert.match(
      unknown.reason,
      /^Validation Failed: 1: unknown cluster privilege \[bogus\]\. a privilege must be either/,
    );
    const field = esError(() => call(realm, ELASTIC, "PUT", "/_security/role/r", { clusters: ["all"] }));
    assert.equal(field.type, "parse_exception");
    assert.equal(field.reason, "failed to parse role [r]. unexpected field [clusters]");
    const notArray = esError(() => call(realm, ELASTIC, "PUT", "/_security/role/r", { cluster: "all" }));
    assert.equal(
      notArray.reason,
      'failed to parse role [r]. field [cluster] must be an array of privilege names, found ["all"]',
    );
    const reserved = esError(() => call(realm, ELASTIC, "PUT", "/_security/role/superuser", { cluster: [] }));
    assert.equal(reserved.reason, "Validation Failed: 1: Role [superuser] is reserved and may not be used.;");
    const deleteReserved = esError(() =>
      call(realm, ELASTIC, "DELETE", "/_security/role/machine_learning_user"),
    );
    assert.equal(
      deleteReserved.reason,
      "role [machine_learning_user] is a reserved role and cannot be deleted",
    );
    const noBody = esError(() => call(realm, ELASTIC, "PUT", "/_security/role/r"));
    assert.equal(noBody.reason, "request body is required");
    const badJson = esError(() => call(realm, ELASTIC, "PUT", "/_security/role/r", "{not json"));
    assert.equal(badJson.status, 400);
  });

  it("gets roles: named, all, and 404 with an empty object when none exists", () => {
    call(realm, ELASTIC, "PUT", "/_security/role/mine", {
      cluster: ["MONITOR_ML"],
      metadata: { team: "ml" },
    });
    assert.deepEqual(call(realm, ELASTIC, "GET", "/_security/role/mine,absent"), {
      status: 200,
      body: {
        mine: {
          cluster: ["monitor_ml"],
          indices: [],
          applications: [],
          run_as: [],
          metadata: { team: "ml" },
          transient_metadata: { enabled: true },
        },
      },
    });
    assert.deepEqual(call(realm, ELASTIC, "GET", "/_security/role/absent"), { status: 404, body: {} });
    const all = call(realm, ELASTIC, "GET", "/_security/role").body as Record<string, { cluster: string[] }>;
    assert.deepEqual(Object.keys(all).sort(), [
      "inference_admin",
      "inference_user",
      "machine_learning_admin",
      "machine_learning_user",
      "mine",
      "superuser",
    ]);
    assert.deepEqual(all.machine_learning_admin.cluster, ["manage_ml"]);
  });

  it("manages users: create, update without password, get, delete, and reserved elastic", () => {
    assert.deepEqual(
      call(realm, ELASTIC, "PUT", "/_security/user/jo", {
        password: "jo-password",
        roles: ["machine_learning_user"],
        full_name: "Jo",
      }).body,
      {
        created: true,
      },
    );
    assert.deepEqual(
      call(realm, ELASTIC, "PUT", "/_security/user/jo", { roles: ["machine_learning_admin"] }).body,
      {
        created: false,
      },
    );
    // The password survived the update.
    const jo = realm.authenticate(basic("jo", "jo-password"), "/");
    assert.deepEqual(jo.roles, ["machine_learning_admin"]);
    assert.deepEqual(call(realm, ELASTIC, "GET", "/_security/user/jo").body, {
      jo: {
        username: "jo",
        roles: ["machine_learning_admin"],
        full_name: null,
        email: null,
        metadata: {},
        enabled: true,
      },
    });
    assert.deepEqual(call(realm, ELASTIC, "GET", "/_security/user/nobody"), { status: 404, body: {} });
    assert.deepEqual(Object.keys(call(realm, ELASTIC, "GET", "/_security/user").body as object).sort(), [
      "elastic",
      "jo",
    ]);

    call(realm, ELASTIC, "PUT", "/_security/user/jo", { roles: [], enabled: false });
    const disabled = esError(() => realm.authenticate(basic("jo", "jo-password"), "/"));
    assert.equal(disabled.reason, "unable to authenticate user [jo] for REST request [/]");

    assert.deepEqual(call(realm, ELASTIC, "DELETE", "/_security/user/jo"), {
      status: 200,
      body: { found: true },
    });
    assert.deepEqual(call(realm, ELASTIC, "DELETE", "/_security/user/jo"), {
      status: 404,
      body: { found: false },
    });
    assert.equal(
      esError(() =>
        call(realm, ELASTIC, "PUT", "/_security/user/elastic", { password: "whatever1", roles: [] }),
      ).reason,
      "user [elastic] is reserved and only the password can be changed",
    );
    assert.equal(
      esError(() => call(realm, ELASTIC, "DELETE", "/_security/user/elastic")).reason,
      "user [elastic] is reserved and cannot be deleted",
    );
  });

  it("validates users: password, roles and fields", () => {
    const both = esError(() => call(realm, ELASTIC, "PUT", "/_security/user/new", { full_name: "x" }));
    assert.equal(
      both.reason,
      "Validation Failed: 1: roles are missing;2: password must be specified unless you are updating an existing user;",
    );
    const short = esError(() =>
      call(realm, ELASTIC, "PUT", "/_security/user/new", { password: "abc", roles: [] }),
    );
    assert.equal(short.reason, "Validation Failed: 1: passwords must be at least [6] characters long;");
    const badRoles = esError(() =>
      call(realm, ELASTIC, "PUT", "/_security/user/new", { password: "abcdef", roles: "x" }),
    );
    assert.equal(badRoles.type, "parse_exception");
    assert.equal(
      badRoles.reason,
      'failed to parse add user request for [new]. field [roles] must be an array of role names, found ["x"]',
    );
  });

  it("rejects unknown query parameters and wrong methods; ignores other paths", () => {
    const param = esError(() => call(realm, ELASTIC, "GET", "/_security/role/x?refresh=true"));
    assert.equal(param.reason, "request [/_security/role/x] contains unrecognized parameter: [refresh]");
    call(realm, ELASTIC, "PUT", "/_security/role/x?refresh=wait_for&pretty", { cluster: [] });
    assert.deepEqual(call(realm, ELASTIC, "DELETE", "/_security/_authenticate"), {
      status: 405,
      body: {
        error: "Incorrect HTTP method for uri [/_security/_authenticate] and method [DELETE], allowed: [GET]",
        status: 405,
      },
      headers: { Allow: "GET" },
    });
    assert.equal(realm.handle(securityRequest("GET", "/_ml/trained_models"), ELASTIC), undefined);
    assert.equal(securityActionFor("PUT", "/_security/user/x"), ACTIONS.putUser);
    assert.equal(securityActionFor("GET", "/_security/role"), ACTIONS.getRoles);
    assert.equal(securityActionFor("GET", "/_ml/trained_models"), undefined);
  });
});

// ---------------------------------------------------------------------------------------------
// Over HTTP, through the emulator's server.

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

async function http(
  emulator: EmulatorHandle,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  options: { authorization?: string; body?: unknown } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.authorization) headers.authorization = options.authorization;
  const response = await request(`${emulator.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: text === "" ? {} : JSON.parse(text),
  };
}

describe("emulator security over HTTP", () => {
  let emulator: EmulatorHandle;
  const elastic = basicAuthorization("elastic", PASSWORD);

  before(async () => {
    emulator = await startEmulator({ security: true, elasticPassword: PASSWORD, startDelayMs: 1 });
  });
  after(async () => {
    await emulator?.close();
  });

  it("answers 401 with the challenges in the body and as WWW-Authenticate headers", async () => {
    const res = await http(emulator, "GET", "/_ml/trained_models/_stats?pretty");
    assert.equal(res.status, 401);
    const reason = "missing authentication credentials for REST request [/_ml/trained_models/_stats?pretty]";
    const header = {
      "WWW-Authenticate": ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', "ApiKey"],
    };
    assert.deepEqual(res.body, {
      error: {
        root_cause: [{ type: "security_exception", reason, header }],
        type: "security_exception",
        reason,
        header,
      },
      status: 401,
    });
    assert.deepEqual(res.headers["www-authenticate"], header["WWW-Authenticate"]);
  });

  it("answers 401 for a wrong password, naming the user and the URI", async () => {
    const res = await http(emulator, "GET", "/", { authorization: basicAuthorization("elastic", "wrong") });
    assert.equal(res.status, 401);
    const error = res.body.error as Record<string, unknown>;
    assert.equal(error.reason, "unable to authenticate user [elastic] for REST request [/]");
    assert.ok(res.headers["www-authenticate"]);
  });

  it("serves the cluster to the superuser with basic auth and to an API key", async () => {
    const root = await http(emulator, "GET", "/", { authorization: elastic });
    assert.equal(root.status, 200);
    assert.ok((root.body.version as Record<string, unknown>).number);

    const created = await http(emulator, "POST", "/_security/api_key", {
      authorization: elastic,
      body: { name: "ci" },
    });
    assert.equal(created.status, 200);
    const stats = await http(emulator, "GET", "/_ml/trained_models/_stats", {
      authorization: `ApiKey ${created.body.encoded as string}`,
    });
    assert.equal(stats.status, 200);
    assert.equal(typeof stats.body.count, "number");
    const me = await http(emulator, "GET", "/_security/_authenticate", {
      authorization: `ApiKey ${created.body.encoded as string}`,
    });
    assert.equal(me.body.username, "elastic");
    assert.equal(me.body.authentication_type, "api_key");
  });

  it("lets a monitor_ml user read _stats but refuses _start with a 403 naming the user and privileges", async () => {
    const role = await http(emulator, "PUT", "/_security/role/ml_monitor", {
      authorization: elastic,
      body: { cluster: ["monitor_ml"] },
    });
    assert.deepEqual(role.body, { role: { created: true } });
    const user = await http(emulator, "POST", "/_security/user/watcher", {
      authorization: elastic,
      body: { password: "watcher-pw", roles: ["ml_monitor"] },
    });
    assert.deepEqual(user.body, { created: true });
    const watcher = basicAuthorization("watcher", "watcher-pw");

    const stats = await http(emulator, "GET", "/_ml/trained_models/_stats", { authorization: watcher });
    assert.equal(stats.status, 200);

    const start = await http(emulator, "POST", "/_ml/trained_models/lang_ident_model_1/deployment/_start", {
      authorization: watcher,
    });
    assert.equal(start.status, 403);
    const reason =
      "action [cluster:admin/xpack/ml/trained_models/deployment/start] is unauthorized for user [watcher] " +
      "with effective roles [ml_monitor], this action is granted by the cluster privileges [manage_inference,manage_ml,manage,all]";
    assert.deepEqual(start.body, {
      error: { root_cause: [{ type: "security_exception", reason }], type: "security_exception", reason },
      status: 403,
    });
    // Nothing was applied: the refused request never reached its handler.
    const refused = emulator.admin.log().filter((e) => e.path.endsWith("/deployment/_start"));
    assert.deepEqual(
      refused.map((e) => [e.status, e.applied, e.user]),
      [[403, false, "watcher"]],
    );
  });

  it("keeps no password in the request log", async () => {
    emulator.admin.clearLog();
    await http(emulator, "POST", "/_security/user/logged", {
      authorization: elastic,
      body: { password: "do-not-log-me", roles: ["superuser"] },
    });
    const [entry] = emulator.admin.log();
    assert.deepEqual(entry.body, { password: "[redacted]", roles: ["superuser"] });
    assert.doesNotMatch(JSON.stringify(emulator.admin.log()), /do-not-log-me/);
  });

  it("forgets users and API keys on admin reset, keeping the superuser", async () => {
    await http(emulator, "POST", "/_security/user/temp", {
      authorization: elastic,
      body: { password: "temp-pw", roles: ["superuser"] },
    });
    const temp = basicAuthorization("temp", "temp-pw");
    assert.equal((await http(emulator, "GET", "/", { authorization: temp })).status, 200);

    emulator.admin.reset();

    assert.equal((await http(emulator, "GET", "/", { authorization: temp })).status, 401);
    assert.equal((await http(emulator, "GET", "/", { authorization: elastic })).status, 200);
  });
});
