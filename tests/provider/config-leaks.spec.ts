/**
 * No configuration error quotes any part of a credential. A table over every credential key (in the
 * default connection and inside `elasticsearch-ml:connections`), `elasticsearch-ml:connections` itself and
 * endpoint user-info × every malformation that applies to it: not JSON, wrong type, wrong shape, bad
 * nested value. Each row plants a secret, runs the provider as the engine does (`configure`, then `check`,
 * which also validates the connection's settings) and scans everything the error carries (message, stack,
 * cause, own properties) for the secret and for every 4-character piece of it.
 */
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import { CREDENTIAL_CONFIG_KEYS } from "#sdk/provider/config";
import { collectingProgress, createProvider, ProviderConfigError } from "pulumi-elasticsearch-ml/provider";
import { FAST } from "../client/fixtures";
import { FAST_TIMING } from "./harness";

/** Base64-valid (so it passes the API key's shape), and shares no 4 characters with any message wording. */
const SECRET = "Qz7Xk9Pw3Mr5Tv8NjH2c";
const PIECE = 4;
const ENDPOINT = "https://127.0.0.1:9200";
const NS = "elasticsearch-ml";
const CONNECTIONS = `${NS}:connections`;

type Kind = "not JSON" | "wrong type" | "wrong shape" | "bad nested value";

interface Row {
  key: string;
  kind: Kind;
  what: string;
  config: Record<string, unknown>;
  /** The connection the resource names (the named one for rows inside `connections`). */
  connection?: string;
  /** The key the error must name. */
  errorKey: string;
}

const rows: Row[] = [];

/** Rows for one credential, in the default connection and in connection "eu". */
function credential(
  key: string,
  cases: {
    kind: Kind;
    what: string;
    /** The value as typed config (default connection) or as a JSON value (inside connections). */
    value?: unknown;
    /** Raw text: as the stack config string, or spliced into the connections JSON unquoted. */
    text?: string;
    /** Other settings of the same connection the case needs. */
    with?: Record<string, unknown>;
    /** The setting the error names, when not `key`. */
    names?: string;
  }[],
): void {
  for (const c of cases) {
    const named = c.names ?? key;
    const settings = { endpoints: ENDPOINT, ...c.with };
    // Stack config holds a text credential as plain text: "not JSON" applies only inside connections.
    if (c.text === undefined) {
      rows.push({
        key: `${NS}:${key}`,
        kind: c.kind,
        what: c.what,
        config: {
          ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [`${NS}:${k}`, v])),
          [`${NS}:${key}`]: c.value,
        },
        errorKey: `${NS}:${named}`,
      });
    }
    const inside =
      c.text !== undefined
        ? `{"eu": {${Object.entries(settings)
            .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}, `)
            .join("")}${JSON.stringify(key)}: ${c.text}}}`
        : JSON.stringify({ eu: { ...settings, [key]: c.value } });
    rows.push({
      key: `${CONNECTIONS}.eu.${key}`,
      kind: c.text !== undefined ? "not JSON" : c.kind,
      what: c.text !== undefined ? `${c.what}, unquoted inside the connections JSON` : c.what,
      config: { [`${NS}:endpoints`]: ENDPOINT, [CONNECTIONS]: inside },
      connection: "eu",
      errorKey: c.text !== undefined ? CONNECTIONS : `${CONNECTIONS}.eu.${named}`,
    });
  }
}

const wrongTypes = [
  { kind: "wrong type" as const, what: "an array", value: [SECRET] },
  { kind: "wrong type" as const, what: "an object", value: { value: SECRET } },
  { kind: "not JSON" as const, what: "bare", text: SECRET },
  { kind: "not JSON" as const, what: "cut short", text: `"${SECRET}` },
];
credential("password", [
  ...wrongTypes,
  { kind: "bad nested value", what: "without a user name", value: SECRET, names: "username" },
]);
credential("apiKey", [
  ...wrongTypes,
  { kind: "bad nested value", what: "with white space", value: `${SECRET} ${SECRET}` },
  { kind: "bad nested value", what: "id:key with an empty id", value: `:${SECRET}` },
  {
    kind: "bad nested value",
    what: "next to a bearer token",
    value: SECRET,
    with: { bearerToken: "t" },
    names: "bearerToken",
  },
]);
credential("bearerToken", [
  ...wrongTypes,
  { kind: "bad nested value", what: 'with "Bearer "', value: `Bearer ${SECRET}` },
]);
credential("esClientAuthentication", [
  ...wrongTypes,
  {
    kind: "bad nested value",
    what: "next to an ES-Client-Authentication header",
    value: SECRET,
    with: { headers: { "ES-Client-Authentication": "x" } },
    names: "headers",
  },
]);
credential("keyData", [
  ...wrongTypes,
  {
    kind: "bad nested value",
    what: "not PEM",
    value: SECRET,
    with: { certData: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
  },
]);

// headers: JSON text in stack config (or an object, typed), an object or JSON text inside connections.
const headerCases: { kind: Kind; what: string; value: unknown; names?: string }[] = [
  { kind: "not JSON", what: "a bare token", value: SECRET },
  { kind: "not JSON", what: "a header line", value: `Authorization: Bearer ${SECRET}` },
  { kind: "not JSON", what: "an unquoted value", value: `{"Authorization": ${SECRET}}` },
  { kind: "not JSON", what: "cut short", value: `{"Authorization": "Bearer ${SECRET}` },
  { kind: "wrong type", what: "a JSON string", value: JSON.stringify(SECRET) },
  { kind: "wrong type", what: "a JSON array", value: JSON.stringify([SECRET]) },
  { kind: "wrong type", what: "a typed array", value: [SECRET] },
  { kind: "wrong shape", what: "an array value", value: JSON.stringify({ Authorization: [SECRET] }) },
  { kind: "wrong shape", what: "an object value", value: { Authorization: { token: SECRET } } },
  {
    kind: "bad nested value",
    what: "a line break in a value",
    value: JSON.stringify({ Authorization: `Bearer ${SECRET}\n` }),
    names: 'headers["Authorization"]',
  },
  {
    kind: "bad nested value",
    what: "a reserved header",
    value: JSON.stringify({ Host: SECRET }),
    names: 'headers["Host"]',
  },
];
for (const c of headerCases) {
  rows.push({
    key: `${NS}:headers`,
    kind: c.kind,
    what: c.what,
    config: { [`${NS}:endpoints`]: ENDPOINT, [`${NS}:headers`]: c.value },
    errorKey: `${NS}:${c.names ?? "headers"}`,
  });
  rows.push({
    key: `${CONNECTIONS}.eu.headers`,
    kind: c.kind,
    what: c.what,
    config: {
      [`${NS}:endpoints`]: ENDPOINT,
      [CONNECTIONS]: JSON.stringify({ eu: { endpoints: ENDPOINT, headers: c.value } }),
    },
    connection: "eu",
    errorKey: `${CONNECTIONS}.eu.${c.names ?? "headers"}`,
  });
}

// The connections value itself.
const connectionsCases: { kind: Kind; what: string; value: unknown; errorKey?: string }[] = [
  { kind: "not JSON", what: "a bare token", value: SECRET },
  { kind: "not JSON", what: "unquoted names", value: `{eu: {apiKey: "${SECRET}"}}` },
  { kind: "not JSON", what: "cut short", value: `{"eu": {"apiKey": "${SECRET}"}` },
  { kind: "not JSON", what: "single quotes", value: `{'eu': {'apiKey': '${SECRET}'}}` },
  { kind: "wrong type", what: "a JSON string", value: JSON.stringify(SECRET) },
  { kind: "wrong type", what: "a JSON array", value: JSON.stringify([SECRET]) },
  { kind: "wrong type", what: "a typed array", value: [SECRET] },
  {
    kind: "wrong shape",
    what: "a connection that is a string",
    value: JSON.stringify({ eu: SECRET }),
    errorKey: `${CONNECTIONS}.eu`,
  },
  {
    kind: "wrong shape",
    what: "a connection that is an array",
    value: JSON.stringify({ eu: [SECRET] }),
    errorKey: `${CONNECTIONS}.eu`,
  },
  {
    kind: "bad nested value",
    what: "two credentials at once",
    value: JSON.stringify({ eu: { endpoints: ENDPOINT, apiKey: SECRET, bearerToken: SECRET } }),
    errorKey: `${CONNECTIONS}.eu.bearerToken`,
  },
];
for (const c of connectionsCases) {
  rows.push({
    key: CONNECTIONS,
    kind: c.kind,
    what: c.what,
    config: { [`${NS}:endpoints`]: ENDPOINT, [CONNECTIONS]: c.value },
    connection: "eu",
    errorKey: c.errorKey ?? CONNECTIONS,
  });
}

// Endpoint URLs with user-info: the password in them is a credential too.
const userInfo = `https://elastic:${SECRET}@127.0.0.1:9200`;
for (const [kind, what, value] of [
  ["not JSON", "a JSON array cut short", `["${userInfo}"`],
  ["wrong type", "a typed object", { url: userInfo }],
  ["wrong shape", "a nested array", [[userInfo]]],
  ["bad nested value", "a number in the list", JSON.stringify([userInfo, 5])],
  [
    "bad nested value",
    "a raw @ in the password",
    `https://elastic:${SECRET.slice(0, 10)}@${SECRET.slice(10)}@127.0.0.1:9200?a=b`,
  ],
] as [Kind, string, unknown][]) {
  // The client names the entry of the list at fault.
  const errorKey = what.startsWith("a raw @") ? `${NS}:endpoints[0]` : `${NS}:endpoints`;
  rows.push({ key: `${NS}:endpoints`, kind, what, config: { [`${NS}:endpoints`]: value }, errorKey });
}

/** The secret, or any piece of it, in `text`. */
function leaks(text: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i + PIECE <= SECRET.length; i++) {
    const piece = SECRET.slice(i, i + PIECE);
    if (text.includes(piece)) found.add(piece);
  }
  return [...found];
}

describe("provider configuration errors never quote a credential", () => {
  it("the table covers every credential key, in both places, and every malformation", () => {
    const kindsOf = (place: string): Set<Kind> =>
      new Set(rows.filter((r) => r.key === place).map((r) => r.kind));
    for (const key of CREDENTIAL_CONFIG_KEYS) {
      for (const place of [`${NS}:${key}`, `${CONNECTIONS}.eu.${key}`]) {
        const kinds = kindsOf(place);
        assert.ok(kinds.has("wrong type") && kinds.has("bad nested value"), place);
        // A text credential in stack config is plain text; JSON applies inside connections and to headers.
        if (place.startsWith(CONNECTIONS) || key === "headers") assert.ok(kinds.has("not JSON"), place);
      }
      if (key === "headers") assert.ok(kindsOf(`${NS}:headers`).has("wrong shape"));
    }
    const kinds = kindsOf(CONNECTIONS);
    assert.deepEqual([...kinds].sort(), ["bad nested value", "not JSON", "wrong shape", "wrong type"]);
  });

  it("the scan finds a planted secret (control)", () => {
    assert.deepEqual(leaks(`... "apiKey": ${SECRET.slice(3, 9)}...`), ["Xk9P", "k9Pw", "9Pw3"]);
  });

  for (const row of rows) {
    it(`${row.key}, ${row.kind}: ${row.what}`, () => {
      const provider = createProvider({
        env: () => ({}),
        progress: collectingProgress(),
        timing: FAST_TIMING,
        clientOptions: FAST,
      });
      provider.configure((key) => row.config[key]);
      let caught: unknown;
      try {
        provider.check({}, { modelId: "tiny", ...(row.connection ? { connection: row.connection } : {}) });
      } catch (err) {
        caught = err;
      }
      assert.ok(
        caught instanceof ProviderConfigError,
        `refused as a configuration error: ${inspect(caught)}`,
      );
      assert.equal(caught.key, row.errorKey, caught.message);
      if (
        row.kind === "not JSON" &&
        row.errorKey === (row.key.startsWith(CONNECTIONS) ? CONNECTIONS : row.key)
      ) {
        assert.match(caught.message, /is not valid JSON at position \d+ \(of \d+ characters\)/);
      }
      // Everything the error carries: message, stack, cause chain and own properties.
      assert.deepEqual(leaks(inspect(caught, { depth: 10 })), [], caught.message);
    });
  }
});
