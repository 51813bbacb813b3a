/**
 * The connection argument's validation is stack config's (issue 15 item 1): for every setting and a bad
 * value of it, the message given for `connection: { <setting>: value }` is the one given for
 * `elasticsearch-ml:<setting>`, with the argument path in place of the key. Plus the argument's own rules.
 */
import * as assert from "node:assert/strict";
import { CONNECTION_CONFIG_KEYS, parseProviderConfig } from "#sdk/provider/config";
import {
  checkConnectionArgument,
  connectionChange,
  parseConnectionArgument,
  redactConnection,
} from "#sdk/provider/connectionInput";
import { PULUMI_UNKNOWN } from "#sdk/provider/inputs";

/** A bad value per setting (each refused by stack config too). */
const BAD: Partial<Record<(typeof CONNECTION_CONFIG_KEYS)[number], unknown>> = {
  endpoints: " , ",
  cloudId: 42,
  apiKey: 7,
  password: { v: "canary-pw" },
  caFingerprint: false,
  insecure: "maybe",
  headers: "{not json",
  requestTimeoutSeconds: 0,
  maxRetries: 2.5,
};

function configMessage(key: string, value: unknown): string {
  try {
    parseProviderConfig((k) => (k === `elasticsearch-ml:${key}` ? value : undefined));
  } catch (err) {
    return (err as Error).message;
  }
  return "(accepted)";
}

describe("connection argument: the same rules and messages as stack config", () => {
  for (const [key, value] of Object.entries(BAD)) {
    it(`${key}: ${JSON.stringify(value)}`, () => {
      const expected = configMessage(key, value).replaceAll(`elasticsearch-ml:${key}`, `connection.${key}`);
      assert.notEqual(expected, "(accepted)");
      assert.deepEqual(checkConnectionArgument({ [key]: value }), [
        { property: `connection.${key}`, reason: expected },
      ]);
    });
  }

  it("parses typed and string values alike (a StackReference output may be either)", () => {
    assert.deepEqual(
      parseConnectionArgument({
        endpoints: "https://a:9200, https://b:9200",
        apiKey: "k",
        insecure: "TRUE",
        requestTimeoutSeconds: "2.5",
        maxRetries: 0,
        headers: { "X-Opaque-Id": "p" },
      }),
      {
        endpoints: ["https://a:9200", "https://b:9200"],
        apiKey: "k",
        insecure: true,
        requestTimeoutMs: 2500,
        maxRetries: 0,
        headers: { "X-Opaque-Id": "p" },
      },
    );
  });

  it("a name, an unknown, or nothing: only a name's characters are checked here", () => {
    assert.deepEqual(checkConnectionArgument("eu"), []);
    assert.deepEqual(checkConnectionArgument(undefined), []);
    assert.deepEqual(checkConnectionArgument(PULUMI_UNKNOWN), []);
    assert.equal(checkConnectionArgument("e u")[0]?.property, "connection");
    assert.match(checkConnectionArgument([])[0]!.reason, /got an array$/);
  });

  it("redaction hides every credential and endpoint user-info, keeps the rest", () => {
    assert.deepEqual(
      redactConnection({
        endpoints: ["https://user:canary@es:9200"],
        apiKey: "canary",
        headers: { a: "canary" },
        keyData: "canary",
        maxRetries: 2,
      }),
      {
        endpoints: ["https://[redacted]@es:9200"],
        apiKey: "[secret]",
        headers: "[secret]",
        keyData: "[secret]",
        maxRetries: 2,
      },
    );
  });

  it("connectionChange classifies what differs", () => {
    const a = { endpoints: "https://a", apiKey: "k" };
    assert.equal(connectionChange(a, { ...a }), undefined);
    assert.equal(connectionChange(undefined, undefined), undefined);
    assert.equal(connectionChange("eu", "eu"), undefined);
    assert.deepEqual(connectionChange(a, { ...a, cloudId: "c" }), {
      source: false,
      endpoint: true,
      credentials: false,
      settings: false,
    });
    assert.deepEqual(connectionChange(a, { ...a, caFingerprint: "ab" }), {
      source: false,
      endpoint: false,
      credentials: false,
      settings: true,
    });
    assert.equal(connectionChange("eu", undefined)?.source, true);
  });
});
