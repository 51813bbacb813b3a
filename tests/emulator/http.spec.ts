import { strict as assert } from "node:assert";
import * as http from "node:http";
import * as net from "node:net";
import { startEmulator } from "elasticsearch-ml-emulator";
import { createPytorchModel, expectError, startDeployment, startTestEmulator, TestEmulator } from "./helpers";

const START = "/_ml/trained_models/m/deployment/_start";

describe("emulator: HTTP behaviour and malformed input", () => {
  let em: TestEmulator;
  beforeEach(async () => {
    em = await startTestEmulator();
    await createPytorchModel(em, "m");
  });
  afterEach(() => em.close());

  it("answers unknown routes with 400 and wrong methods with 405 and Allow", async () => {
    const none = await em.es("GET", "/_nothing/here?x=1");
    assert.deepEqual(none.body, {
      error: "no handler found for uri [/_nothing/here?x=1] and method [GET]",
      status: 400,
    });
    assert.equal(none.headers.get("x-elastic-product"), "Elasticsearch");
    const wrong = await em.es("GET", START);
    assert.equal(wrong.status, 405);
    assert.deepEqual(wrong.body, {
      error: `Incorrect HTTP method for uri [${START}] and method [GET], allowed: [POST]`,
      status: 405,
    });
    assert.equal(wrong.headers.get("allow"), "POST");
  });

  it("rejects malformed JSON, non-object bodies and bad content types without side effects", async () => {
    const broken = await em.es("POST", START, '{"number_of_allocations": ');
    expectError(broken, 400, "x_content_parse_exception", /^\[1:\d+\] Unexpected end-of-input$/);
    const array = await em.es("POST", START, "[1,2]");
    expectError(
      array,
      400,
      "x_content_parse_exception",
      "[1:1] [cluster:admin/xpack/ml/trained_models/deployment/start] Expected START_OBJECT but was: START_ARRAY",
    );
    const text = await em.es("POST", START, "{}", { "Content-Type": "text/plain" });
    assert.deepEqual(text.body, { error: "Content-Type header [text/plain] is not supported", status: 406 });
    assert.equal(em.handle.admin.state().deployments.length, 0);
    assert.equal((await em.es("GET", "/")).status, 200);
  });

  it("accepts the official clients' vendor media types and refuses an incompatible version", async () => {
    const vendor = "application/vnd.elasticsearch+json; compatible-with=9";
    const ok = await em.es("POST", START, {}, { "Content-Type": vendor, Accept: vendor });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers.get("content-type"), "application/vnd.elasticsearch+json;compatible-with=9");
    const seven = await em.es("GET", "/", undefined, {
      Accept: "application/vnd.elasticsearch+json; compatible-with=7",
    });
    expectError(seven, 400, "media_type_header_exception", "Invalid media-type value on headers [Accept]");
    assert.match(
      seven.body.error.caused_by.reason,
      /^Accept version must be either version 8 or 9, but found 7\./,
    );
  });

  it("adds stack traces with error_trace, pretty-prints and filters with filter_path", async () => {
    const traced = await em.es("POST", "/_ml/trained_models/nope/deployment/_start?error_trace=true");
    assert.equal(typeof traced.body.error.stack_trace, "string");
    const plain = await em.es("POST", "/_ml/trained_models/nope/deployment/_start");
    assert.equal(plain.body.error.stack_trace, undefined);
    const pretty = await em.es("GET", "/?pretty");
    assert.match(pretty.text, /^\{\n {2}"name"/);
    await startDeployment(em, "m");
    const filtered = await em.es(
      "GET",
      "/_ml/trained_models/m/_stats?filter_path=trained_model_stats.deployment_stats.allocation_status.state,count",
    );
    assert.deepEqual(filtered.body, {
      count: 1,
      trained_model_stats: [{ deployment_stats: { allocation_status: { state: "fully_allocated" } } }],
    });
  });

  it("answers HEAD / without a body", async () => {
    const res = await em.es("HEAD", "/");
    assert.equal(res.status, 200);
    assert.equal(res.text, "");
  });

  it("keeps serving after garbage on a raw socket and after a client aborts mid-request", async () => {
    const { port } = new URL(em.url);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write("THIS IS NOT HTTP\r\n\r\n");
      });
      socket.on("data", () => undefined);
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
    });
    await new Promise<void>((resolve) => {
      const req = http.request(`${em.url}${START}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Content-Length": 100 },
      });
      req.on("error", () => resolve());
      req.write('{"number_of');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    assert.equal((await em.es("GET", "/")).status, 200);
  });
});

describe("emulator: lifecycle of the server", () => {
  it("close() ends idle keep-alive sockets and is idempotent", async () => {
    const handle = await startEmulator({ port: 0 });
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${handle.url}/`, { agent }, (res) => {
          res.resume();
          res.on("end", resolve);
        })
        .on("error", reject);
    });
    const sockets = Object.values(agent.freeSockets).flat();
    assert.equal(sockets.length, 1);
    const closed = new Promise<void>((resolve) => sockets[0]!.once("close", () => resolve()));
    await handle.close();
    await handle.close();
    await closed;
    agent.destroy();
  });

  it("close() completes while a start is waiting and a stop is draining", async () => {
    const em = await startTestEmulator({ startDelayMs: 10_000 });
    await createPytorchModel(em, "m");
    const pending = em.es("POST", START).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await em.close();
    assert.ok((await pending) instanceof Error);
  });

  it("binds 127.0.0.1 by default and reports the bound port", async () => {
    const handle = await startEmulator();
    try {
      assert.match(handle.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(handle.url, `http://127.0.0.1:${handle.port}`);
    } finally {
      await handle.close();
    }
  });

  it("rejects invalid options naming the option", async () => {
    await assert.rejects(
      startEmulator({ mlNodes: -1 }),
      /mlNodes: -1 is not allowed; expected a non-negative integer/,
    );
    await assert.rejects(startEmulator({ processorsPerNode: 0 }), /processorsPerNode: 0 is not allowed/);
    await assert.rejects(
      startEmulator({ tlsCert: "/nonexistent" }),
      /tlsCert and tlsKey must be given together/,
    );
  });
});
