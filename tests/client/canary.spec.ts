import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { createClient, resolveConnectionSettings, type ElasticsearchClient } from "#sdk/client";
import { FAST, basic, putTinyPytorchModel, traceCollector } from "./fixtures";

const CANARY = {
  password: "CANARY-pw-3f9b1c",
  apiKey: "CANARY-key-id:CANARY-key-secret-77d0",
  bearer: "CANARY-bearer-5e21a",
  header: "CANARY-header-91aa",
  shared: "CANARY-shared-0c3d",
  urlPassword: "CANARY-url-pw-44e1",
};

/** Every form a canary could leak in: itself, percent-encoded, and inside base64 header values. */
const FORBIDDEN = [
  ...Object.values(CANARY),
  "CANARY-key-secret",
  encodeURIComponent(CANARY.urlPassword),
  Buffer.from(`elastic:${CANARY.password}`).toString("base64"),
  Buffer.from(CANARY.apiKey).toString("base64"),
  Buffer.from(`elastic:${CANARY.urlPassword}`).toString("base64"),
];

function assertClean(label: string, text: string): void {
  for (const secret of FORBIDDEN) {
    assert.ok(!text.includes(secret), `${label} leaks ${secret}:\n${text}`);
  }
}

/** Everything a user could print about an error. */
function errorTexts(err: unknown): Record<string, string> {
  const e = err as Error;
  return {
    message: e.message,
    stack: e.stack ?? "",
    inspect: inspect(err, { depth: 20, showHidden: true }),
    json: JSON.stringify(err),
    string: String(err),
  };
}

describe("client secrets canary", function () {
  let es: EmulatorHandle;
  const clients: ElasticsearchClient[] = [];
  const trace = traceCollector();
  const texts: Array<[string, string]> = [];

  const collect = async (label: string, promise: Promise<unknown>) => {
    try {
      await promise;
      assert.fail(`${label}: expected a failure`);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      for (const [kind, text] of Object.entries(errorTexts(err))) texts.push([`${label} ${kind}`, text]);
    }
  };
  const client = (options: Record<string, unknown>, env: Record<string, string> = {}) => {
    const c = createClient({ ...FAST, maxRetries: 1, trace: trace.sink, ...options }, env);
    clients.push(c);
    texts.push([`inspect(client ${clients.length})`, inspect(c, { depth: 20, showHidden: true })]);
    texts.push([`JSON(client ${clients.length})`, JSON.stringify(c)]);
    texts.push([`JSON(settings ${clients.length})`, JSON.stringify(c.settings)]);
    texts.push([`inspect(settings ${clients.length})`, inspect(c.settings, { depth: 20, showHidden: true })]);
    return c;
  };

  before(async () => {
    es = await startEmulator({ security: true, elasticPassword: CANARY.password, startDelayMs: 5 });
    await putTinyPytorchModel({ url: es.url, authorization: basic("elastic", CANARY.password) }, "tiny");
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await es?.close();
  });

  it("never shows a password, API key, bearer token, header value or URL credential", async () => {
    const hostPort = es.url.replace(/^https?:\/\//, "");

    // The right password, with extra secret headers: successful calls, then errors from the server.
    const good = client({
      endpoints: es.url,
      username: "elastic",
      password: CANARY.password,
      headers: { "X-Proxy-Token": CANARY.header },
      esClientAuthentication: CANARY.shared,
    });
    await good.getTrainedModelStats("tiny");
    await good.startDeployment({ modelId: "tiny" });
    await collect("404", good.startDeployment({ modelId: "missing" }));
    await collect("400", good.startDeployment({ modelId: "tiny" }));
    // A proxy that echoes the credentials it saw into its error page.
    es.admin.addFault({
      method: "GET",
      path: "_stats$",
      status: 502,
      times: 5,
      body: `<html>bad gateway; saw Authorization: Basic ${Buffer.from(`elastic:${CANARY.password}`).toString("base64")}, X-Proxy-Token: ${CANARY.header}, password ${CANARY.password}</html>`,
    });
    await collect("echoing proxy", good.getTrainedModelStats("tiny"));
    es.admin.clearFaults();

    // Wrong credentials of every kind.
    await collect(
      "wrong password",
      client({ endpoints: es.url, username: "elastic", password: `${CANARY.password}x` }).info(),
    );
    await collect("api key", client({ endpoints: es.url, apiKey: CANARY.apiKey }).info());
    await collect(
      "api key env",
      client({}, { ELASTICSEARCH_ENDPOINTS: es.url, ELASTICSEARCH_API_KEY: CANARY.apiKey }).info(),
    );
    await collect("bearer", client({ endpoints: es.url, bearerToken: CANARY.bearer }).info());
    await collect(
      "url credentials",
      client({ endpoints: `http://elastic:${CANARY.urlPassword}@${hostPort}` }).info(),
    );

    // Connection failures, with credentials in the URL of a dead endpoint.
    await collect(
      "dead endpoint",
      client({ endpoints: `http://elastic:${CANARY.urlPassword}@127.0.0.1:1` }).info(),
    );

    // Configuration errors about secret values.
    for (const [label, options] of [
      ["bad api key", { endpoints: es.url, apiKey: `${CANARY.apiKey} with spaces` }],
      ["bad bearer", { endpoints: es.url, bearerToken: `Bearer ${CANARY.bearer}` }],
      ["two methods", { endpoints: es.url, bearerToken: CANARY.bearer, apiKey: CANARY.apiKey }],
      ["bad url", { endpoints: `ftp://elastic:${CANARY.urlPassword}@h` }],
    ] as const) {
      try {
        resolveConnectionSettings(options, {});
        assert.fail(`${label}: expected a ConfigurationError`);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        for (const [kind, text] of Object.entries(errorTexts(err))) texts.push([`${label} ${kind}`, text]);
      }
    }

    for (const [label, text] of texts) assertClean(label, text);
    assert.ok(trace.lines.length > 10);
    assertClean("trace", trace.lines.join("\n"));
    // The trace still says what happened.
    assert.ok(trace.lines.some((l) => /<- 401 GET http:\/\/127\.0\.0\.1:\d+\/ /.test(l)));
    // And the texts were real: the server's errors made it into the messages.
    assert.ok(
      texts.some(
        ([label, text]) =>
          label.startsWith("echoing proxy message") &&
          text.includes("bad gateway; saw Authorization: Basic [redacted]"),
      ),
    );
    assert.ok(
      texts.some(
        ([label, text]) =>
          label === "wrong password message" && text.includes("unable to authenticate user [elastic]"),
      ),
    );
  });
});
