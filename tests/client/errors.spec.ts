import * as assert from "node:assert/strict";
import { ResponseError, isDeploymentAlreadyExists, isNotFound, isStartTimeout } from "#sdk/client";
import {
  buildResponseErrorMessage,
  parseErrorBody,
  privilegesFromSecurityReason,
  userFromSecurityReason,
} from "#sdk/client/errors";

function esBody(status: number, type: string, reason: string, extra: Record<string, unknown> = {}) {
  return { error: { root_cause: [{ type, reason }], type, reason, ...extra }, status };
}

const START = { description: "start a trained model deployment", privileges: ["manage_ml"] };
const STATS = { description: "read trained model stats", privileges: ["monitor_ml"] };
const START_PATH = "/_ml/trained_models/m/deployment/_start";

describe("client errors", () => {
  describe("message building", () => {
    it("status, type, reason, then method and path", () => {
      const err = new ResponseError({
        statusCode: 409,
        method: "POST",
        path: "/_ml/trained_models/x/deployment/_stop",
        body: esBody(
          409,
          "status_exception",
          "Cannot stop deployment [x] as it is referenced by ingest processors; use force to stop the deployment",
        ),
      });
      assert.equal(
        err.message,
        "409 status_exception: Cannot stop deployment [x] as it is referenced by ingest processors; use force to stop " +
          "the deployment (POST /_ml/trained_models/x/deployment/_stop)",
      );
      assert.equal(err.code, "ES_RESPONSE_ERROR");
      assert.equal(err.name, "ResponseError");
      assert.equal(err.statusCode, 409);
      assert.equal(err.type, "status_exception");
      assert.deepEqual(err.rootCause, { type: "status_exception", reason: err.reason });
    });

    it("adds the root cause when it differs", () => {
      const body = {
        error: {
          root_cause: [{ type: "illegal_state_exception", reason: "no suitable nodes" }],
          type: "status_exception",
          reason: "Could not start deployment because no ML nodes with sufficient capacity were found",
          caused_by: { type: "illegal_state_exception", reason: "no suitable nodes" },
        },
        status: 429,
      };
      const err = new ResponseError({ statusCode: 429, method: "POST", path: START_PATH, body });
      assert.equal(
        err.message,
        "429 status_exception: Could not start deployment because no ML nodes with sufficient capacity were found " +
          `(root cause: illegal_state_exception: no suitable nodes) (POST ${START_PATH})`,
      );
      assert.deepEqual(err.causedBy, { type: "illegal_state_exception", reason: "no suitable nodes" });
    });

    it("falls back to the status text and a body excerpt for non-Elasticsearch bodies", () => {
      const html = `<html><body>${"bad gateway ".repeat(30)}</body></html>`;
      const err = new ResponseError({ statusCode: 502, method: "GET", path: "/", body: html });
      assert.equal(err.type, undefined);
      assert.ok(err.message.startsWith("502 Bad Gateway: <html><body>bad gateway"), err.message);
      assert.ok(err.message.endsWith("… (GET /)"), err.message);
      assert.equal(
        buildResponseErrorMessage({ statusCode: 599, method: "GET", path: "/" }),
        "599 HTTP error (GET /)",
      );
    });

    it("parses {error: 'text'} and empty bodies", () => {
      assert.deepEqual(parseErrorBody({ error: "no handler found" }), { reason: "no handler found" });
      assert.deepEqual(parseErrorBody(""), {});
      assert.deepEqual(parseErrorBody(undefined), {});
    });
  });

  describe("401 and 403 wording", () => {
    it("extracts the refused user and the privileges from Elasticsearch reasons", () => {
      assert.equal(
        userFromSecurityReason(
          "action [cluster:monitor/xpack/ml/inference/stats/get] is unauthorized for user [viewer] with effective roles [none]",
        ),
        "viewer",
      );
      assert.equal(
        userFromSecurityReason(
          "action [x] is unauthorized for API key id [k1] of user [svc], this action is granted by …",
        ),
        "svc (API key id k1)",
      );
      assert.equal(userFromSecurityReason("unable to authenticate user [bob] for REST request [/]"), "bob");
      assert.equal(
        userFromSecurityReason("missing authentication credentials for REST request [/]"),
        undefined,
      );
      assert.deepEqual(
        privilegesFromSecurityReason(
          "…, this action is granted by the cluster privileges [manage_ml,manage,all]",
        ),
        ["manage_ml", "manage", "all"],
      );
      assert.equal(privilegesFromSecurityReason("no list here"), undefined);
    });

    it("403 names the user, the action and the privilege from the server's list", () => {
      const reason =
        "action [cluster:admin/xpack/ml/trained_models/deployment/start] is unauthorized for user [viewer] with " +
        "effective roles [viewer], this action is granted by the cluster privileges [manage_ml,manage,all]";
      const err = new ResponseError({
        statusCode: 403,
        method: "POST",
        path: START_PATH,
        body: esBody(403, "security_exception", reason),
        operation: START,
        identity: { kind: "basic", username: "viewer", description: "user [viewer] (basic auth)" },
      });
      assert.equal(
        err.message,
        `403 security_exception: ${reason} (POST ${START_PATH}). User [viewer] is not allowed to start a trained ` +
          "model deployment: that needs the cluster privilege manage_ml (or one of manage, all)",
      );
      assert.equal(err.user, "viewer");
      assert.deepEqual(err.requiredPrivileges, ["manage_ml", "manage", "all"]);
    });

    it("403 without a privilege list in the reason uses the operation's privilege", () => {
      const err = new ResponseError({
        statusCode: 403,
        method: "GET",
        path: "/_ml/trained_models/m/_stats",
        body: esBody(
          403,
          "security_exception",
          "action [cluster:monitor/xpack/ml/inference/stats/get] is unauthorized for user [nobody]",
        ),
        operation: STATS,
      });
      assert.ok(
        err.message.endsWith(
          "User [nobody] is not allowed to read trained model stats: that needs the cluster privilege monitor_ml",
        ),
        err.message,
      );
    });

    it("403 from a licence check says so instead", () => {
      const err = new ResponseError({
        statusCode: 403,
        method: "POST",
        path: START_PATH,
        body: esBody(403, "security_exception", "current license is non-compliant for [ml]"),
        operation: START,
      });
      assert.ok(
        err.message.endsWith("). The cluster's license does not include machine learning"),
        err.message,
      );
    });

    it("401 with wrong credentials names the user and what the call needs", () => {
      const reason = `unable to authenticate user [alice] for REST request [${START_PATH}]`;
      const err = new ResponseError({
        statusCode: 401,
        method: "POST",
        path: START_PATH,
        body: esBody(401, "security_exception", reason),
        operation: START,
        identity: { kind: "basic", username: "alice", description: "user [alice] (basic auth)" },
      });
      assert.equal(
        err.message,
        `401 security_exception: ${reason} (POST ${START_PATH}). Authentication failed for user [alice]: check the ` +
          "credentials; to start a trained model deployment the user also needs the cluster privilege manage_ml",
      );
    });

    it("401 with an API key that the server does not name falls back to the configured identity", () => {
      const err = new ResponseError({
        statusCode: 401,
        method: "GET",
        path: "/",
        body: esBody(
          401,
          "security_exception",
          "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
        ),
        identity: { kind: "apiKey", description: "API key id [k1]" },
      });
      assert.ok(
        err.message.endsWith("(GET /). Authentication failed for API key id [k1]: check the credentials"),
        err.message,
      );
    });

    it("401 without credentials tells how to configure them", () => {
      const err = new ResponseError({
        statusCode: 401,
        method: "GET",
        path: "/_ml/trained_models/_stats",
        body: esBody(
          401,
          "security_exception",
          "missing authentication credentials for REST request [/_ml/trained_models/_stats]",
        ),
        operation: STATS,
        identity: { kind: "none", description: "no credentials" },
      });
      assert.ok(
        err.message.endsWith(
          "No credentials were sent: configure an API key, a username and password, or a bearer token " +
            "(ELASTICSEARCH_API_KEY, ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, or ELASTICSEARCH_BEARER_TOKEN); " +
            "to read trained model stats the user also needs the cluster privilege monitor_ml",
        ),
        err.message,
      );
    });
  });

  describe("recognisers", () => {
    const make = (status: number, type: string, reason: string) =>
      new ResponseError({ statusCode: status, method: "GET", path: "/", body: esBody(status, type, reason) });

    it("isNotFound: 404 or resource_not_found_exception", () => {
      assert.equal(
        isNotFound(make(404, "resource_not_found_exception", "No known trained model with model_id [x]")),
        true,
      );
      assert.equal(
        isNotFound(new ResponseError({ statusCode: 404, method: "GET", path: "/", body: "{}" })),
        true,
      );
      assert.equal(isNotFound(make(400, "resource_not_found_exception", "odd but typed")), true);
      assert.equal(isNotFound(make(409, "status_exception", "x")), false);
      assert.equal(isNotFound(new Error("404")), false);
    });

    it("isDeploymentAlreadyExists and isStartTimeout", () => {
      assert.equal(
        isDeploymentAlreadyExists(
          make(
            400,
            "status_exception",
            "Could not start model deployment because an existing deployment with the same id [d] exist",
          ),
        ),
        true,
      );
      assert.equal(
        isDeploymentAlreadyExists(
          make(409, "status_exception", "Cannot start deployment [d] because it has already been started"),
        ),
        true,
      );
      assert.equal(isDeploymentAlreadyExists(make(400, "status_exception", "something else")), false);
      assert.equal(
        isStartTimeout(make(408, "model_deployment_timeout_exception", "Timed out after [1s]")),
        true,
      );
      assert.equal(
        isStartTimeout(make(408, "status_exception", "Model download task is currently running")),
        false,
      );
    });
  });
});
