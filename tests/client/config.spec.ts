import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  ConfigurationError,
  ConnectionSettings,
  decodeCloudId,
  normalizeFingerprint,
  resolveConnectionSettings,
  type ConnectionOptions,
} from "#sdk/client";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n";
const FP_HEX = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
const FP_NORMAL = FP_HEX.toUpperCase().match(/.{2}/g)!.join(":");

/** A fake file system: the paths it knows, and ENOENT for the rest. */
function files(map: Record<string, string>) {
  return (path: string): string => {
    if (path in map) return map[path];
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
  };
}

function resolve(
  explicit: ConnectionOptions,
  env: Record<string, string> = {},
  fs = files({}),
): ConnectionSettings {
  return resolveConnectionSettings(explicit, env, fs);
}

/** Asserts a ConfigurationError naming `setting` with exactly `message`. */
function rejects(fn: () => unknown, setting: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigurationError, `expected ConfigurationError, got ${String(err)}`);
    assert.equal(err.code, "ES_CONFIGURATION_ERROR");
    assert.equal(err.message, message);
    assert.equal(err.setting, setting);
    return true;
  });
}

describe("client config: resolveConnectionSettings", () => {
  describe("endpoints", () => {
    it("takes one URL or a list, strips trailing slashes and keeps a path prefix", () => {
      const s = resolve({ endpoints: ["https://a.example:9200/", "http://b.example/proxy/es/"] });
      assert.deepEqual(
        s.endpoints.map((e) => [e.url, e.origin, e.pathPrefix, e.protocol, e.source]),
        [
          ["https://a.example:9200", "https://a.example:9200", "", "https:", "endpoints[0]"],
          ["http://b.example/proxy/es", "http://b.example", "/proxy/es", "http:", "endpoints[1]"],
        ],
      );
      assert.deepEqual(
        resolve({ endpoints: "http://x:9200" }).endpoints.map((e) => e.source),
        ["endpoints"],
      );
    });

    it("reads ELASTICSEARCH_ENDPOINTS comma-separated, ignoring blanks and duplicates", () => {
      const s = resolve({}, { ELASTICSEARCH_ENDPOINTS: " http://a:9200 , ,http://b:9200,http://a:9200" });
      assert.deepEqual(
        s.endpoints.map((e) => e.url),
        ["http://a:9200", "http://b:9200"],
      );
      assert.equal(s.endpoints[0].source, "ELASTICSEARCH_ENDPOINTS");
    });

    it("prefers explicit endpoints over the environment", () => {
      const s = resolve(
        { endpoints: "http://explicit:9200" },
        { ELASTICSEARCH_ENDPOINTS: "http://env:9200" },
      );
      assert.deepEqual(
        s.endpoints.map((e) => e.url),
        ["http://explicit:9200"],
      );
    });

    it("treats blank strings as unset", () => {
      const s = resolve({ endpoints: "  ", username: "" }, { ELASTICSEARCH_ENDPOINTS: "http://env:9200" });
      assert.equal(s.endpoints[0].url, "http://env:9200");
      assert.equal(s.auth, undefined);
    });

    it("requires an endpoint", () => {
      rejects(
        () => resolve({}),
        "endpoints",
        "No Elasticsearch endpoint: set endpoints or cloudId (or ELASTICSEARCH_ENDPOINTS / ELASTICSEARCH_CLOUD_ID)",
      );
    });

    it("rejects a malformed URL, naming the list entry", () => {
      rejects(
        () => resolve({ endpoints: ["http://ok:9200", "not a url"] }),
        "endpoints[1]",
        'endpoints[1]: "not a url" is not a valid URL; expected e.g. https://elasticsearch.example.com:9200',
      );
    });

    it("rejects a non-http scheme, naming the environment variable", () => {
      rejects(
        () => resolve({}, { ELASTICSEARCH_ENDPOINTS: "ftp://host:21" }),
        "ELASTICSEARCH_ENDPOINTS",
        'ELASTICSEARCH_ENDPOINTS: "ftp://host:21" uses ftp; only http and https URLs are allowed',
      );
    });

    it("rejects a query string", () => {
      rejects(
        () => resolve({ endpoints: "http://h:9200/?pretty" }),
        "endpoints",
        'endpoints: "http://h:9200/?pretty" has a query or fragment; an endpoint is scheme, host, port and an optional path prefix',
      );
    });

    it("rejects a non-string entry", () => {
      rejects(
        () => resolve({ endpoints: ["http://a:9200", 9200 as unknown as string] }),
        "endpoints[1]",
        "endpoints[1] must be a URL string, got 9200",
      );
    });
  });

  describe("Elastic Cloud ID", () => {
    const encode = (text: string) => Buffer.from(text).toString("base64");

    it("decodes host$es_uuid$kibana_uuid to https://<es_uuid>.<host> on 443", () => {
      const id = `my-deployment:${encode("us-central1.gcp.cloud.es.io$abc123$def456")}`;
      assert.deepEqual(decodeCloudId(id), {
        name: "my-deployment",
        url: "https://abc123.us-central1.gcp.cloud.es.io",
        kibanaUrl: "https://def456.us-central1.gcp.cloud.es.io",
      });
    });

    it("takes the port from the host part, and the Elasticsearch part's port over it", () => {
      assert.equal(
        decodeCloudId(`n:${encode("host.example:9243$es1$kb1")}`).url,
        "https://es1.host.example:9243",
      );
      assert.equal(
        decodeCloudId(`n:${encode("host.example:9243$es1:9443$kb1")}`).url,
        "https://es1.host.example:9443",
      );
      assert.equal(decodeCloudId(`n:${encode("host.example$es1")}`).kibanaUrl, undefined);
    });

    it("becomes the endpoint, from the option or ELASTICSEARCH_CLOUD_ID", () => {
      const id = `dep:${encode("eu-west-1.aws.found.io$e5$k5")}`;
      assert.equal(resolve({ cloudId: id }).endpoints[0].url, "https://e5.eu-west-1.aws.found.io");
      const s = resolve({}, { ELASTICSEARCH_CLOUD_ID: id });
      assert.equal(s.endpoints[0].url, "https://e5.eu-west-1.aws.found.io");
      assert.equal(s.endpoints[0].source, "ELASTICSEARCH_CLOUD_ID");
    });

    it("an explicit cloud ID masks ELASTICSEARCH_ENDPOINTS", () => {
      const id = `dep:${encode("h.example$e$k")}`;
      assert.equal(
        resolve({ cloudId: id }, { ELASTICSEARCH_ENDPOINTS: "http://x:9200" }).endpoints[0].url,
        "https://e.h.example",
      );
    });

    it("rejects endpoints and a cloud ID together", () => {
      const id = `dep:${encode("h.example$e$k")}`;
      rejects(
        () => resolve({ endpoints: "http://x:9200", cloudId: id }),
        "cloudId",
        "endpoints and cloudId are both set; set one of them (a Cloud ID is decoded to the Elasticsearch endpoint)",
      );
      rejects(
        () => resolve({}, { ELASTICSEARCH_ENDPOINTS: "http://x:9200", ELASTICSEARCH_CLOUD_ID: id }),
        "ELASTICSEARCH_CLOUD_ID",
        "ELASTICSEARCH_ENDPOINTS and ELASTICSEARCH_CLOUD_ID are both set; set one of them",
      );
    });

    const HOWTO =
      "expected <name>:<base64 of host$es_uuid$kibana_uuid> as shown in the Elastic Cloud console";
    const malformed: Array<[string, string, string]> = [
      ["no colon", "justtext", `"justtext" has no ':' separating the name from the encoded part; ${HOWTO}`],
      ["not base64", "n:!!!", `"n:!!!" is not valid: the part after ':' is not base64; ${HOWTO}`],
      [
        "one part",
        `n:${encode("hostonly")}`,
        `"n:${encode("hostonly")}" is not valid: the decoded value does not have 2 or 3 '$'-separated parts; ${HOWTO}`,
      ],
      [
        "empty es uuid",
        `n:${encode("host.example$$k")}`,
        `"n:${encode("host.example$$k")}" is not valid: the decoded Elasticsearch id is empty or malformed; ${HOWTO}`,
      ],
      [
        "bad port",
        `n:${encode("host.example:99999$e$k")}`,
        `"n:${encode("host.example:99999$e$k")}" is not valid: port 99999 is out of range; ${HOWTO}`,
      ],
    ];
    for (const [name, value, message] of malformed) {
      it(`rejects a malformed cloud ID (${name}) naming the setting`, () => {
        rejects(() => resolve({ cloudId: value }), "cloudId", `cloudId: ${message}`);
        rejects(
          () => resolve({}, { ELASTICSEARCH_CLOUD_ID: value }),
          "ELASTICSEARCH_CLOUD_ID",
          `ELASTICSEARCH_CLOUD_ID: ${message}`,
        );
      });
    }
  });

  describe("authentication", () => {
    const ep = { endpoints: "https://h:9200" };

    it("basic auth from options or ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD", () => {
      const a = resolve({ ...ep, username: "u", password: "p" }).auth;
      assert.equal(a?.kind, "basic");
      assert.equal(a?.kind === "basic" && a.username, "u");
      assert.equal(a?.kind === "basic" && a.password.reveal(), "p");
      const b = resolve(ep, { ELASTICSEARCH_USERNAME: "eu", ELASTICSEARCH_PASSWORD: "ep" }).auth;
      assert.equal(b?.kind === "basic" && `${b.username}:${b.password.reveal()}`, "eu:ep");
    });

    it("explicit basic auth takes its missing half from the environment", () => {
      const a = resolve(
        { ...ep, username: "named" },
        { ELASTICSEARCH_PASSWORD: "from-env", ELASTICSEARCH_USERNAME: "other" },
      ).auth;
      assert.equal(a?.kind === "basic" && `${a.username}:${a.password.reveal()}`, "named:from-env");
    });

    it("API key: encoded, id:key, or { id, apiKey } all become base64(id:key)", () => {
      const encoded = Buffer.from("key-id:key-secret").toString("base64");
      for (const apiKey of [encoded, "key-id:key-secret", { id: "key-id", apiKey: "key-secret" }]) {
        const a = resolve({ ...ep, apiKey }).auth;
        assert.equal(a?.kind, "apiKey");
        assert.equal(a?.kind === "apiKey" && a.encoded.reveal(), encoded);
        assert.equal(a?.kind === "apiKey" && a.id, "key-id");
      }
      const env = resolve(ep, { ELASTICSEARCH_API_KEY: encoded }).auth;
      assert.equal(env?.kind === "apiKey" && env.encoded.reveal(), encoded);
    });

    it("an encoded API key whose decoding is not id:key is still accepted, without an id", () => {
      const a = resolve({ ...ep, apiKey: "b3BhcXVlLXRva2Vu" }).auth;
      assert.equal(a?.kind === "apiKey" && a.id, undefined);
    });

    it("bearer token from the option or ELASTICSEARCH_BEARER_TOKEN", () => {
      assert.equal(resolve({ ...ep, bearerToken: "tok" }).auth?.kind, "bearer");
      const b = resolve(ep, { ELASTICSEARCH_BEARER_TOKEN: "envtok" }).auth;
      assert.equal(b?.kind === "bearer" && b.token.reveal(), "envtok");
    });

    it("an explicit method masks every ELASTICSEARCH_* credential", () => {
      const a = resolve(
        { ...ep, apiKey: "i:k" },
        { ELASTICSEARCH_USERNAME: "u", ELASTICSEARCH_PASSWORD: "p", ELASTICSEARCH_BEARER_TOKEN: "t" },
      );
      assert.equal(a.auth?.kind, "apiKey");
    });

    it("credentials in an explicit endpoint URL are basic auth and mask the environment", () => {
      const s = resolve({ endpoints: "https://user:p%40ss@h:9200" }, { ELASTICSEARCH_API_KEY: "i:k" });
      assert.equal(s.auth?.kind === "basic" && `${s.auth.username}:${s.auth.password.reveal()}`, "user:p@ss");
      assert.equal(s.endpoints[0].url, "https://h:9200");
    });

    it("no credentials at all is allowed (security off)", () => {
      assert.equal(resolve(ep).auth, undefined);
    });

    it("rejects two methods from the same source, naming both", () => {
      rejects(
        () => resolve({ ...ep, username: "u", password: "p", apiKey: "i:k" }),
        "apiKey",
        "Conflicting authentication settings: username/password (from username, password) and API key (from apiKey); " +
          "set only one of username/password, API key or bearer token",
      );
      rejects(
        () => resolve(ep, { ELASTICSEARCH_API_KEY: "i:k", ELASTICSEARCH_BEARER_TOKEN: "t" }),
        "ELASTICSEARCH_BEARER_TOKEN",
        "Conflicting authentication settings: API key (from ELASTICSEARCH_API_KEY) and bearer token (from ELASTICSEARCH_BEARER_TOKEN); " +
          "set only one of username/password, API key or bearer token",
      );
    });

    it("rejects user-info in a URL plus another method", () => {
      rejects(
        () => resolve({ endpoints: "https://u:p@h:9200", bearerToken: "t" }),
        "endpoints",
        "Conflicting authentication settings: bearer token (from bearerToken) and credentials in the endpoint URL (from endpoints); " +
          "set only one of username/password, API key or bearer token",
      );
    });

    it("rejects an Authorization header plus a method", () => {
      rejects(
        () => resolve({ ...ep, apiKey: "i:k", headers: { Authorization: "Custom x" } }),
        'headers["Authorization"]',
        'Conflicting authentication settings: API key (from apiKey) and an Authorization header (from headers["Authorization"]); ' +
          "set only one of username/password, API key or bearer token",
      );
    });

    it("rejects half of basic auth", () => {
      rejects(
        () => resolve({ ...ep, username: "u" }),
        "password",
        "username is set but no password is: set password or ELASTICSEARCH_PASSWORD as well",
      );
      rejects(
        () => resolve(ep, { ELASTICSEARCH_PASSWORD: "p" }),
        "username",
        "ELASTICSEARCH_PASSWORD is set but no user name is: set username or ELASTICSEARCH_USERNAME as well",
      );
    });

    it("rejects a malformed API key without printing it", () => {
      rejects(
        () => resolve({ ...ep, apiKey: "not base64!" }),
        "apiKey",
        'apiKey: [redacted] (11 characters) is not valid; expected the encoded API key (base64 of "id:api_key"), "id:api_key", or { id, apiKey }',
      );
      rejects(
        () => resolve(ep, { ELASTICSEARCH_API_KEY: ":nokeyid" }),
        "ELASTICSEARCH_API_KEY",
        'ELASTICSEARCH_API_KEY: [redacted] (8 characters) is not valid; expected the encoded API key (base64 of "id:api_key"), "id:api_key", or { id, apiKey }',
      );
    });

    it("rejects URLs with different credentials", () => {
      rejects(
        () => resolve({ endpoints: ["https://a:1@h1:9200", "https://h2:9200"] }),
        "endpoints[0]",
        "endpoints[0]: credentials in endpoint URLs must be the same on every endpoint; prefer username/password or an API key over credentials in URLs",
      );
    });

    it("ES-Client-Authentication from the option or the environment", () => {
      assert.equal(resolve({ ...ep, esClientAuthentication: "shh" }).esClientAuthentication?.reveal(), "shh");
      assert.equal(
        resolve(ep, { ELASTICSEARCH_ES_CLIENT_AUTHENTICATION: "env" }).esClientAuthentication?.reveal(),
        "env",
      );
    });
  });

  describe("TLS", () => {
    const ep = { endpoints: "https://h:9200" };

    it("reads the CA from caFile, caData or ELASTICSEARCH_CA_FILE", () => {
      const fs = files({ "/ca.pem": CA_PEM });
      assert.equal(resolve({ ...ep, caFile: "/ca.pem" }, {}, fs).tls.ca, CA_PEM);
      assert.equal(resolve({ ...ep, caData: CA_PEM }).tls.ca, CA_PEM);
      assert.equal(resolve(ep, { ELASTICSEARCH_CA_FILE: "/ca.pem" }, fs).tls.ca, CA_PEM);
    });

    it("explicit caData masks ELASTICSEARCH_CA_FILE (which is then never read)", () => {
      assert.equal(
        resolve({ ...ep, caData: CA_PEM }, { ELASTICSEARCH_CA_FILE: "/missing.pem" }).tls.ca,
        CA_PEM,
      );
    });

    it("rejects an unreadable CA file, naming it", () => {
      rejects(
        () => resolve(ep, { ELASTICSEARCH_CA_FILE: "/nope/ca.pem" }),
        "ELASTICSEARCH_CA_FILE",
        'ELASTICSEARCH_CA_FILE: cannot read "/nope/ca.pem" (ENOENT); expected a readable PEM file',
      );
    });

    it("rejects a CA file without a certificate", () => {
      rejects(
        () => resolve({ ...ep, caFile: "/ca.pem" }, {}, files({ "/ca.pem": "hello" })),
        "caFile",
        'caFile ("/ca.pem") does not contain a PEM certificate; expected a block starting with -----BEGIN CERTIFICATE-----',
      );
    });

    it("rejects caFile and caData together", () => {
      rejects(
        () => resolve({ ...ep, caFile: "/ca.pem", caData: CA_PEM }, {}, files({ "/ca.pem": CA_PEM })),
        "caData",
        "caFile and caData are both set; set one of them",
      );
    });

    it("client certificate and key, from files or data", () => {
      const fs = files({ "/c.pem": CA_PEM, "/k.pem": KEY_PEM });
      const a = resolve({ ...ep, certFile: "/c.pem", keyFile: "/k.pem" }, {}, fs).tls;
      assert.equal(a.cert, CA_PEM);
      assert.equal(a.key?.reveal(), KEY_PEM);
      const b = resolve({ ...ep, certData: CA_PEM, keyData: KEY_PEM }).tls;
      assert.equal(b.key?.reveal(), KEY_PEM);
    });

    it("rejects a certificate without its key", () => {
      rejects(
        () => resolve({ ...ep, certData: CA_PEM }),
        "keyFile",
        "Mutual TLS needs both a client certificate and its key: a client certificate is set, so set keyFile or keyData as well",
      );
      rejects(
        () => resolve({ ...ep, keyData: "-----BEGIN RSA PRIVATE KEY-----\nx\n" }),
        "certFile",
        "Mutual TLS needs both a client certificate and its key: a client key is set, so set certFile or certData as well",
      );
    });

    it("rejects key data that is not a PEM private key", () => {
      rejects(
        () => resolve({ ...ep, certData: CA_PEM, keyData: CA_PEM }),
        "keyData",
        "keyData does not contain a PEM private key; expected a block starting with -----BEGIN … PRIVATE KEY-----",
      );
    });

    it("normalises a fingerprint from colon-separated or plain hex, any case", () => {
      assert.equal(normalizeFingerprint(FP_HEX), FP_NORMAL);
      assert.equal(normalizeFingerprint(FP_NORMAL.toLowerCase()), FP_NORMAL);
      assert.equal(normalizeFingerprint(` ${FP_NORMAL} `), FP_NORMAL);
      assert.equal(resolve(ep, { ELASTICSEARCH_CA_FINGERPRINT: FP_HEX }).tls.caFingerprint, FP_NORMAL);
      assert.equal(resolve({ ...ep, caFingerprint: FP_NORMAL }).tls.caFingerprint, FP_NORMAL);
    });

    it("rejects a malformed fingerprint, and says when it is SHA-1", () => {
      const tail =
        "expected 64 hex digits, optionally as colon-separated pairs (e.g. from `openssl x509 -fingerprint -sha256`)";
      rejects(
        () => resolve({ ...ep, caFingerprint: "zz:11" }),
        "caFingerprint",
        `caFingerprint: "zz:11" is not a SHA-256 fingerprint; ${tail}`,
      );
      const sha1 = "AB:".repeat(19) + "AB";
      rejects(
        () => resolve(ep, { ELASTICSEARCH_CA_FINGERPRINT: sha1 }),
        "ELASTICSEARCH_CA_FINGERPRINT",
        `ELASTICSEARCH_CA_FINGERPRINT: "${sha1}" is not a SHA-256 fingerprint (this looks like a SHA-1 fingerprint; only SHA-256 is accepted); ${tail}`,
      );
      // Mixed separators are not a fingerprint format anyone prints.
      rejects(
        () => normalizeFingerprint(FP_HEX.slice(0, 2) + ":" + FP_HEX.slice(2)),
        "caFingerprint",
        `caFingerprint: "${FP_HEX.slice(0, 2)}:${FP_HEX.slice(2)}" is not a SHA-256 fingerprint; ${tail}`,
      );
    });

    it("insecure from a boolean, or ELASTICSEARCH_INSECURE as true/false/1/0", () => {
      assert.equal(resolve({ ...ep, insecure: true }).tls.insecure, true);
      assert.equal(resolve({ ...ep, insecure: "FALSE" }).tls.insecure, false);
      for (const [value, expected] of [
        ["true", true],
        ["1", true],
        ["0", false],
        ["False", false],
      ] as const) {
        assert.equal(resolve(ep, { ELASTICSEARCH_INSECURE: value }).tls.insecure, expected, value);
      }
      assert.equal(
        resolve({ ...ep, insecure: false }, { ELASTICSEARCH_INSECURE: "true" }).tls.insecure,
        false,
      );
    });

    it("rejects a non-boolean insecure", () => {
      rejects(
        () => resolve(ep, { ELASTICSEARCH_INSECURE: "yes" }),
        "ELASTICSEARCH_INSECURE",
        'ELASTICSEARCH_INSECURE: "yes" is not allowed; must be true or false (any case), 1 or 0, or unset',
      );
    });

    it("rejects insecure together with a CA or a fingerprint", () => {
      rejects(
        () => resolve({ ...ep, insecure: true, caFingerprint: FP_HEX }),
        "insecure",
        "insecure turns certificate verification off, but caFingerprint asks for it; set one or the other",
      );
      rejects(
        () => resolve({ ...ep, caData: CA_PEM }, { ELASTICSEARCH_INSECURE: "1" }),
        "ELASTICSEARCH_INSECURE",
        "ELASTICSEARCH_INSECURE turns certificate verification off, but caData asks for it; set one or the other",
      );
    });

    it("rejects TLS settings when no endpoint uses https", () => {
      rejects(
        () => resolve({ endpoints: "http://h:9200", caFingerprint: FP_HEX }),
        "caFingerprint",
        "caFingerprint configures TLS, but no endpoint uses https (http://h:9200); use https:// endpoints or drop the TLS settings",
      );
    });
  });

  describe("headers, timeouts and retries", () => {
    const ep = { endpoints: "http://h:9200" };

    it("keeps extra headers as secrets", () => {
      const s = resolve({ ...ep, headers: { "X-Proxy-Token": "tok" } });
      assert.equal(s.headers["X-Proxy-Token"].reveal(), "tok");
    });

    it("rejects bad header names, reserved headers and line breaks", () => {
      rejects(
        () => resolve({ ...ep, headers: { "bad name": "x" } }),
        'headers["bad name"]',
        'headers["bad name"]: "bad name" is not a valid header name',
      );
      rejects(
        () => resolve({ ...ep, headers: { "Content-Type": "text/plain" } }),
        'headers["Content-Type"]',
        'headers["Content-Type"]: the client sets Content-Type itself; it cannot be overridden',
      );
      rejects(
        () => resolve({ ...ep, headers: { "X-A": "a\r\nb" } }),
        'headers["X-A"]',
        'headers["X-A"] must be a string without line breaks',
      );
    });

    it("defaults and validates requestTimeoutMs, maxRetries, retryDeadlineMs", () => {
      const d = resolve(ep);
      assert.deepEqual([d.requestTimeoutMs, d.maxRetries, d.retryDeadlineMs], [30_000, 3, 90_000]);
      const s = resolve({ ...ep, requestTimeoutMs: 500, maxRetries: 0, retryDeadlineMs: 1000 });
      assert.deepEqual([s.requestTimeoutMs, s.maxRetries, s.retryDeadlineMs], [500, 0, 1000]);
      rejects(
        () => resolve({ ...ep, requestTimeoutMs: 0 }),
        "requestTimeoutMs",
        "requestTimeoutMs: 0 is not allowed; expected an integer >= 1",
      );
      rejects(
        () => resolve({ ...ep, maxRetries: 2.5 }),
        "maxRetries",
        "maxRetries: 2.5 is not allowed; expected an integer from 0 to 20",
      );
      rejects(
        () => resolve({ ...ep, retryDeadlineMs: "9" as unknown as number }),
        "retryDeadlineMs",
        "retryDeadlineMs: '9' is not allowed; expected an integer >= 1",
      );
    });
  });

  describe("redaction", () => {
    it("JSON.stringify and util.inspect of the settings never show a secret", () => {
      const s = resolve({
        endpoints: "https://h:9200",
        username: "alice",
        password: "canary-password-1",
        headers: { "X-Token": "canary-header-2" },
        esClientAuthentication: "canary-shared-3",
        certData: CA_PEM,
        keyData: KEY_PEM,
      });
      for (const text of [
        JSON.stringify(s),
        inspect(s, { depth: 10, showHidden: true }),
        String(s.auth && JSON.stringify(s.auth)),
      ]) {
        assert.ok(!text.includes("canary"), text);
        assert.ok(!text.includes("MIIEfake"), text);
      }
      assert.match(JSON.stringify(s), /alice/);
      const key = resolve({ endpoints: "https://h:9200", apiKey: "kid:canary-key-4" });
      assert.ok(!JSON.stringify(key).includes("canary"));
      assert.ok(!inspect(key, { depth: 10 }).includes(Buffer.from("kid:canary-key-4").toString("base64")));
      assert.match(inspect(key), /API key id \[kid\]/);
    });

    it("cacheKey is equal for equal settings, differs when any secret differs, and reveals nothing", () => {
      const a = resolve({ endpoints: "https://h:9200", apiKey: "kid:canary-key-5" });
      const b = resolve({ endpoints: "https://h:9200" }, { ELASTICSEARCH_API_KEY: "kid:canary-key-5" });
      const c = resolve({ endpoints: "https://h:9200", apiKey: "kid:canary-key-6" });
      assert.equal(a.cacheKey(), b.cacheKey());
      assert.notEqual(a.cacheKey(), c.cacheKey());
      assert.match(a.cacheKey(), /^[0-9a-f]{64}$/);
      const headers = (value: string) =>
        resolve({ endpoints: "https://h:9200", headers: { "X-T": value } }).cacheKey();
      assert.notEqual(headers("one"), headers("two"));
    });

    it("errors about a URL with credentials do not show them", () => {
      rejects(
        () => resolve({ endpoints: "ftp://user:canary-pw@h" }),
        "endpoints",
        'endpoints: "ftp://h" uses ftp; only http and https URLs are allowed',
      );
    });
  });
});
