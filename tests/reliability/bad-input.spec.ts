/**
 * Bad input is refused at preview, before anything is sent, with a message naming the setting, the value
 * (never a credential's) and what is allowed.
 *
 * The resource's own arguments are covered case by case through `checkInputs` in
 * tests/unit/check.spec.ts (70 cases). This suite adds what that table cannot reach:
 * - the connection settings (stack config and `ELASTICSEARCH_*`), through the provider's `check` as the
 *   engine calls it after `configure` — malformed endpoints, Cloud IDs, fingerprints, two auth methods…;
 * - a selection of both kinds (33 cases) through a real `pulumi preview` on one stack, to prove the
 *   engine shows the message and the emulator sees no request.
 */
import * as assert from "node:assert/strict";
import type { ConfigValue } from "@pulumi/pulumi/automation";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { createProvider } from "pulumi-elasticsearch-ml/provider";
import type { TrainedModelDeploymentArgs } from "pulumi-elasticsearch-ml";
import { getPulumiCli, TestStack } from "../e2e/harness";
import { deploymentsProgram, errorDiagnostics, reportFigures, Transcript } from "./support";

const NS = "elasticsearch-ml";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
const cloudIdOf = (text: string): string => `prod:${Buffer.from(text).toString("base64")}`;
const SECRET_KEY = "c2VjcmV0LWtleS1pZDpzZWNyZXQta2V5LXZhbHVl";
const SECRET_TOKEN = "secret-bearer-token-7d1f";
const SECRET_PASSWORD = "secret-password-0c44";

/** One invalid connection configuration and what the message must say. */
interface ConfigCase {
  name: string;
  /** Stack config (full keys); `endpoints` is the emulator's unless the case sets endpoints or a Cloud ID. */
  config: Record<string, string>;
  env?: Record<string, string>;
  /** The resource's `connection` input. */
  connection?: string;
  /** Fragments the message must contain: the key, the value, what is allowed. */
  says: string[];
  /** Values that must not appear (credentials). */
  hides?: string[];
}

const cases: ConfigCase[] = [
  {
    name: "endpoint that is not a URL",
    config: { [`${NS}:endpoints`]: "not a url" },
    says: [
      `${NS}:endpoints[0]: "not a url" is not a valid URL; expected e.g. https://elasticsearch.example.com:9200`,
    ],
  },
  {
    name: "endpoint with another scheme",
    config: { [`${NS}:endpoints`]: "ftp://es.example.com:9200" },
    says: [`${NS}:endpoints[0]: "ftp://es.example.com:9200" uses ftp; only http and https URLs are allowed`],
  },
  {
    name: "endpoint without a host",
    config: { [`${NS}:endpoints`]: "https://:9200" },
    says: [`${NS}:endpoints[0]: "https://:9200" is not a valid URL`],
  },
  {
    name: "endpoint with a query",
    config: { [`${NS}:endpoints`]: "https://es:9200/?pretty" },
    says: [
      `${NS}:endpoints[0]: "https://es:9200/?pretty" has a query or fragment; an endpoint is scheme, host, port and an optional path prefix`,
    ],
  },
  {
    name: "endpoints as broken JSON",
    config: { [`${NS}:endpoints`]: '["https://a:9200"' },
    says: [
      `${NS}:endpoints is not valid JSON at position 17 (of 17 characters)`,
      'a JSON array of URLs such as ["https://a:9200"]',
    ],
  },
  {
    name: "endpoints as a JSON array of numbers",
    config: { [`${NS}:endpoints`]: "[1,2]" },
    says: [
      `${NS}:endpoints: "[1,2]" is not allowed; must be a comma-separated list of URLs or a JSON array of URL strings`,
    ],
  },
  {
    name: "endpoints that name no URL",
    config: { [`${NS}:endpoints`]: " , " },
    says: [`${NS}:endpoints: " , " names no URL; e.g. https://localhost:9200`],
  },
  {
    name: "a bad second endpoint",
    config: { [`${NS}:endpoints`]: '["https://a:9200", "nope"]' },
    says: [`${NS}:endpoints[1]: "nope" is not a valid URL`],
  },
  {
    name: "different credentials in endpoint URLs",
    config: {
      [`${NS}:endpoints`]: `https://a:${SECRET_PASSWORD}@h1:9200,https://b:${SECRET_PASSWORD}@h2:9200`,
    },
    says: [`${NS}:endpoints[0]: credentials in endpoint URLs must be the same on every endpoint`],
    hides: [SECRET_PASSWORD],
  },
  {
    name: "Cloud ID without a name separator",
    config: { [`${NS}:cloudId`]: "garbage" },
    says: [
      `${NS}:cloudId: "garbage" has no ':' separating the name from the encoded part; expected <name>:<base64 of host$es_uuid$kibana_uuid>`,
    ],
  },
  {
    name: "Cloud ID that is not base64",
    config: { [`${NS}:cloudId`]: "prod:not-base64!!" },
    says: [`${NS}:cloudId: "prod:not-base64!!" is not valid: the part after ':' is not base64`],
  },
  {
    name: "Cloud ID without a host",
    config: { [`${NS}:cloudId`]: cloudIdOf("$es$kb") },
    says: [`${NS}:cloudId: "${cloudIdOf("$es$kb")}" is not valid: the decoded host is empty or malformed`],
  },
  {
    name: "Cloud ID and endpoints together",
    config: { [`${NS}:cloudId`]: cloudIdOf("es.example.com$es$kb"), [`${NS}:endpoints`]: "https://a:9200" },
    says: [`${NS}:endpoints and ${NS}:cloudId are both set; set one of them`],
  },
  {
    name: "CA fingerprint that is not hex",
    config: { [`${NS}:caFingerprint`]: "zz:11" },
    says: [`${NS}:caFingerprint: "zz:11" is not a SHA-256 fingerprint; expected 64 hex digits`],
  },
  {
    name: "CA fingerprint too short",
    config: { [`${NS}:caFingerprint`]: "AB:CD" },
    says: [`${NS}:caFingerprint: "AB:CD" is not a SHA-256 fingerprint; expected 64 hex digits`],
  },
  {
    name: "insecure together with a fingerprint",
    config: { [`${NS}:insecure`]: "true", [`${NS}:caFingerprint`]: "AB:".repeat(31) + "AB" },
    says: [
      `insecure turns certificate verification off, but ${NS}:caFingerprint asks for it; set one or the other`,
    ],
  },
  {
    name: "CA file and CA data together",
    config: { [`${NS}:caFile`]: "/etc/ssl/ca.pem", [`${NS}:caData`]: PEM },
    says: [`${NS}:caFile and ${NS}:caData are both set; set one of them`],
  },
  {
    name: "CA file that cannot be read",
    config: { [`${NS}:caFile`]: "/nonexistent/ca.pem" },
    says: [`${NS}:caFile: cannot read "/nonexistent/ca.pem" (ENOENT); expected a readable PEM file`],
  },
  {
    name: "CA data that is not PEM",
    config: { [`${NS}:caData`]: "not a pem" },
    says: [
      `${NS}:caData does not contain a PEM certificate; expected a block starting with -----BEGIN CERTIFICATE-----`,
    ],
  },
  {
    name: "client certificate without its key",
    config: { [`${NS}:certData`]: PEM },
    says: [
      "Mutual TLS needs both a client certificate and its key",
      `set ${NS}:keyFile or ${NS}:keyData as well`,
    ],
  },
  {
    name: "API key and basic auth together",
    config: {
      [`${NS}:apiKey`]: SECRET_KEY,
      [`${NS}:username`]: "ops",
      [`${NS}:password`]: SECRET_PASSWORD,
    },
    says: [
      `Conflicting authentication settings: ${NS}:username/password (from ${NS}:username, password) and API key (from ${NS}:apiKey)`,
      "set only one of",
    ],
    hides: [SECRET_KEY, SECRET_PASSWORD],
  },
  {
    name: "API key and bearer token together",
    config: { [`${NS}:apiKey`]: SECRET_KEY, [`${NS}:bearerToken`]: SECRET_TOKEN },
    says: [`API key (from ${NS}:apiKey) and bearer token (from ${NS}:bearerToken); set only one of`],
    hides: [SECRET_KEY, SECRET_TOKEN],
  },
  {
    name: "API key and credentials in the endpoint URL",
    config: { [`${NS}:endpoints`]: `https://ops:${SECRET_PASSWORD}@es:9200`, [`${NS}:apiKey`]: SECRET_KEY },
    says: [`API key (from ${NS}:apiKey) and credentials in the endpoint URL (from ${NS}:endpoints[0])`],
    hides: [SECRET_KEY, SECRET_PASSWORD],
  },
  {
    name: "API key in no known form",
    config: { [`${NS}:apiKey`]: "abc:" },
    says: [
      `${NS}:apiKey: [redacted] (4 characters) is not valid; expected the encoded API key (base64 of "id:api_key"), "id:api_key", or { id, apiKey }`,
    ],
    hides: ["abc:"],
  },
  {
    name: "username without a password",
    config: { [`${NS}:username`]: "ops" },
    says: [`${NS}:username is set but no password is: set password or ELASTICSEARCH_PASSWORD as well`],
  },
  {
    name: "client authentication twice",
    config: {
      [`${NS}:esClientAuthentication`]: SECRET_TOKEN,
      [`${NS}:headers`]: JSON.stringify({ "ES-Client-Authentication": `SharedSecret ${SECRET_TOKEN}` }),
    },
    says: [`headers["ES-Client-Authentication"] and ${NS}:esClientAuthentication are both set; set only one`],
    hides: [SECRET_TOKEN],
  },
  {
    name: "insecure not a boolean",
    config: { [`${NS}:insecure`]: "yes" },
    says: [`${NS}:insecure: "yes" is not allowed; must be true or false (any case), 1 or 0, or unset`],
  },
  {
    name: "request timeout 0",
    config: { [`${NS}:requestTimeoutSeconds`]: "0" },
    says: [
      `${NS}:requestTimeoutSeconds: "0" is not allowed; must be a number of seconds greater than 0 and at most 3600`,
    ],
  },
  {
    name: "maxRetries beyond 20",
    config: { [`${NS}:maxRetries`]: "21" },
    says: [`${NS}:maxRetries: "21" is not allowed; must be an integer from 0 to 20`],
  },
  {
    name: "headers with a number value",
    config: { [`${NS}:headers`]: '{"X-Opaque-Id": 1}' },
    says: [`${NS}:headers must be a JSON object of header names to string values`],
  },
  {
    name: "a stop flag that is not a boolean",
    config: { [`${NS}:force`]: "maybe" },
    says: [`${NS}:force: "maybe" is not allowed; must be true or false (any case), 1 or 0, or unset`],
  },
  {
    name: "connections as an array",
    config: { [`${NS}:connections`]: "[]" },
    says: [`${NS}:connections must be a JSON object of connection name → settings`, "got an array"],
  },
  {
    name: "a connection with an unknown setting",
    config: { [`${NS}:connections`]: JSON.stringify({ eu: { endpoint: "https://eu:9200" } }) },
    says: [
      `${NS}:connections.eu.endpoint is not a connection setting; known settings are: endpoints, cloudId`,
    ],
  },
  {
    name: "a named connection with two auth methods",
    config: {
      [`${NS}:connections`]: JSON.stringify({
        eu: { endpoints: "https://eu:9200", apiKey: SECRET_KEY, bearerToken: SECRET_TOKEN },
      }),
    },
    connection: "eu",
    says: [
      `connection "eu" is not usable: Conflicting authentication settings: API key (from ${NS}:connections.eu.apiKey) and bearer token (from ${NS}:connections.eu.bearerToken)`,
    ],
    hides: [SECRET_KEY, SECRET_TOKEN],
  },
  {
    name: "a named connection with a bad endpoint",
    config: { [`${NS}:connections`]: JSON.stringify({ us: { endpoints: "ftp://us" } }) },
    connection: "us",
    says: [`connection "us" is not usable: ${NS}:connections.us.endpoints[0]: "ftp://us" uses ftp`],
  },
  {
    name: "a Cloud ID from the environment",
    config: {},
    env: { ELASTICSEARCH_CLOUD_ID: "garbage" },
    says: [`ELASTICSEARCH_CLOUD_ID: "garbage" has no ':' separating the name from the encoded part`],
  },
  {
    name: "a fingerprint from the environment",
    config: {},
    env: { ELASTICSEARCH_ENDPOINTS: "https://a:9200", ELASTICSEARCH_CA_FINGERPRINT: "xyz" },
    says: [`ELASTICSEARCH_CA_FINGERPRINT: "xyz" is not a SHA-256 fingerprint`],
  },
];

/** The message `check` gives for a config case (thrown, or a failure of the `connection` input). */
function checkMessage(c: ConfigCase, endpoint: string): string {
  const config: Record<string, string> = { ...c.config };
  const hasEndpoint = `${NS}:endpoints` in config || `${NS}:cloudId` in config || c.env !== undefined;
  if (!hasEndpoint) config[`${NS}:endpoints`] = endpoint;
  const provider = createProvider({ env: () => c.env ?? {} });
  provider.configure((key) => config[key]);
  try {
    const { failures } = provider.check({}, { modelId: "valid-model", connection: c.connection });
    return failures.map((f) => f.reason).join("\n");
  } catch (err) {
    assert.equal((err as { code?: string }).code, "ERR_PROVIDER_CONFIG", String(err));
    return (err as Error).message;
  } finally {
    // Not awaited (this helper is synchronous): check sent nothing, close only releases idle clients.
    void provider.close();
  }
}

describe("reliability: bad input is refused before anything is sent", function () {
  this.timeout(10 * 60_000);
  let es: EmulatorHandle;

  before(async () => {
    es = await startEmulator({ startDelayMs: 5 });
  });

  after(async () => {
    await es?.close();
  });

  describe(`connection settings through the provider's check (${cases.length} cases)`, () => {
    it("has at least 30 cases", () => assert.ok(cases.length >= 30, `${cases.length}`));

    for (const c of cases) {
      it(c.name, () => {
        es.admin.clearLog();
        const message = checkMessage(c, es.url);
        for (const fragment of c.says)
          assert.ok(message.includes(fragment), `${message}\n  lacks: ${fragment}`);
        for (const secret of c.hides ?? [])
          assert.ok(!message.includes(secret), `${message}\n  reveals a credential`);
        assert.deepEqual(es.admin.log(), [], "nothing was sent");
      });
    }

    it("a connection name that stack config does not define", () => {
      const provider = createProvider({ env: () => ({}) });
      provider.configure((key) => ({ [`${NS}:endpoints`]: es.url })[key]);
      const { failures } = provider.check({}, { modelId: "valid-model", connection: "asia" });
      assert.deepEqual(failures, [
        {
          property: "connection",
          reason:
            'connection: "asia" is not allowed; it must name a connection defined in stack config ' +
            `${NS}:connections (none is defined), or be omitted to use the default connection`,
        },
      ]);
    });

    it("control: a valid configuration passes, and with no endpoint at all preview is left alone", () => {
      for (const config of [{ [`${NS}:endpoints`]: es.url, [`${NS}:apiKey`]: SECRET_KEY }, {}]) {
        const provider = createProvider({ env: () => ({}) });
        provider.configure((key) => (config as Record<string, string>)[key]);
        assert.deepEqual(provider.check({}, { modelId: "valid-model" }).failures, []);
      }
    });
  });

  describe("through a real pulumi preview", () => {
    interface EngineCase {
      name: string;
      args?: Partial<TrainedModelDeploymentArgs>;
      config?: Record<string, string | ConfigValue>;
      says: string[];
      hides?: string[];
    }
    const THREADS = "must be a power of 2 from 1 to 32 (1, 2, 4, 8, 16, 32)";
    const engineCases: EngineCase[] = [
      {
        name: "a model id with capitals",
        args: { modelId: "My-Model" },
        says: [
          'modelId: "My-Model" is not allowed; must be a string of 1 to 64 characters: lowercase letters',
        ],
      },
      {
        name: "3 threads per allocation",
        args: { threadsPerAllocation: 3 },
        says: [`threadsPerAllocation: 3 is not allowed; ${THREADS}`],
      },
      {
        name: "low priority with 2 allocations",
        args: { priority: "low", numberOfAllocations: 2 },
        says: [
          'numberOfAllocations: 2 is not allowed with priority "low"; a low-priority deployment has exactly 1 allocation of 1 thread',
        ],
      },
      {
        name: "adaptive min above max",
        args: {
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: 4, maxNumberOfAllocations: 2 },
        },
        says: [
          "adaptiveAllocations.minNumberOfAllocations: 4 is not allowed; must not be larger than adaptiveAllocations.maxNumberOfAllocations (2)",
        ],
      },
      {
        name: "allocations and adaptive allocations both",
        args: { numberOfAllocations: 2, adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } },
        says: ["numberOfAllocations: 2 is not allowed while adaptiveAllocations.enabled is true; set either"],
      },
      {
        name: "a malformed endpoint",
        config: { [`${NS}:endpoints`]: "ftp://es.example.com:9200" },
        says: [
          `${NS}:endpoints[0]: "ftp://es.example.com:9200" uses ftp; only http and https URLs are allowed`,
        ],
      },
      {
        name: "a malformed Cloud ID",
        config: { [`${NS}:cloudId`]: "prod:not-base64!!" },
        says: [`${NS}:cloudId: "prod:not-base64!!" is not valid: the part after ':' is not base64`],
      },
      {
        name: "a malformed CA fingerprint",
        config: { [`${NS}:caFingerprint`]: "AB:CD" },
        says: [`${NS}:caFingerprint: "AB:CD" is not a SHA-256 fingerprint; expected 64 hex digits`],
      },
      {
        name: "two authentication methods (both secrets)",
        config: {
          [`${NS}:apiKey`]: { value: SECRET_KEY, secret: true },
          [`${NS}:bearerToken`]: { value: SECRET_TOKEN, secret: true },
        },
        says: [`API key (from ${NS}:apiKey) and bearer token (from ${NS}:bearerToken); set only one of`],
        hides: [SECRET_KEY, SECRET_TOKEN],
      },
      {
        name: "a model id with a space",
        args: { modelId: "my model" },
        says: ['modelId: "my model" is not allowed'],
      },
      {
        name: "a model id of 65 characters",
        args: { modelId: "m".repeat(65) },
        says: ["is not allowed; must be at most 64 characters (it has 65)"],
      },
      {
        name: "a model id with a leading hyphen",
        args: { modelId: "-model" },
        says: ['modelId: "-model" is not allowed'],
      },
      {
        name: "a deployment id with capitals",
        args: { deploymentId: "Deploy_1" },
        says: ['deploymentId: "Deploy_1" is not allowed'],
      },
      {
        name: "0 allocations",
        args: { numberOfAllocations: 0 },
        says: ["numberOfAllocations: 0 is not allowed; must be an integer of at least 1"],
      },
      {
        name: "a fractional allocation count",
        args: { numberOfAllocations: 1.5 },
        says: ["numberOfAllocations: 1.5 is not allowed; must be an integer of at least 1"],
      },
      {
        name: "64 threads per allocation",
        args: { threadsPerAllocation: 64 },
        says: [`threadsPerAllocation: 64 is not allowed; ${THREADS}`],
      },
      {
        name: "0 threads per allocation",
        args: { threadsPerAllocation: 0 },
        says: [`threadsPerAllocation: 0 is not allowed; ${THREADS}`],
      },
      {
        name: "an unknown priority",
        args: { priority: "high" as "low" },
        says: ['priority: "high" is not allowed; must be one of "normal", "low"'],
      },
      {
        name: "low priority with 4 threads",
        args: { priority: "low", threadsPerAllocation: 4 },
        says: ['threadsPerAllocation: 4 is not allowed with priority "low"'],
      },
      {
        name: "a queue capacity of 0",
        args: { queueCapacity: 0 },
        says: ["queueCapacity: 0 is not allowed"],
      },
      {
        name: "a queue capacity above the 9.x maximum",
        args: { queueCapacity: 100_001 },
        says: ["queueCapacity: 100001 is not allowed"],
      },
      {
        name: "a cache size without a unit",
        args: { cacheSize: "512" },
        says: ['cacheSize: "512" is not allowed'],
      },
      {
        name: "a cache size that is not a size",
        args: { cacheSize: "lots" },
        says: ['cacheSize: "lots" is not allowed'],
      },
      {
        name: "an unknown state",
        args: { state: "running" as "started" },
        says: ['state: "running" is not allowed; must be one of "started", "stopped"'],
      },
      {
        name: "an unknown waitFor",
        args: { waitFor: "ready" as "started" },
        says: ['waitFor: "ready" is not allowed; must be one of "starting", "started", "fully_allocated"'],
      },
      {
        name: "a wait timeout of 0 s",
        args: { waitTimeoutSeconds: 0 },
        says: ["waitTimeoutSeconds: 0 is not allowed"],
      },
      {
        name: "a wait timeout beyond what a Node.js timer holds",
        args: { waitTimeoutSeconds: 2147484 },
        says: ["waitTimeoutSeconds: 2147484 is not allowed"],
      },
      {
        name: "an adaptive maximum of 0",
        args: { adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 0 } },
        says: [
          "adaptiveAllocations.maxNumberOfAllocations: 0 is not allowed; must be an integer of at least 1",
        ],
      },
      {
        name: "a connection name with a space",
        args: { connection: "prod cluster" },
        says: ['connection: "prod cluster" is not allowed'],
      },
      {
        name: "a connection that stack config does not define",
        args: { connection: "asia" },
        says: ['connection: "asia" is not allowed; it must name a connection defined in stack config'],
      },
      {
        name: "a typo in a property name",
        args: { numberOfAllocation: 2 } as Partial<TrainedModelDeploymentArgs>,
        says: ['numberOfAllocation is not a known property (did you mean "numberOfAllocations"?)'],
      },
      {
        name: "an endpoint that is not a URL",
        config: { [`${NS}:endpoints`]: "not a url" },
        says: [`${NS}:endpoints[0]: "not a url" is not a valid URL`],
      },
      {
        name: "a stop flag in stack config that is not a boolean",
        config: { [`${NS}:force`]: "maybe" },
        says: [`${NS}:force: "maybe" is not allowed; must be true or false (any case), 1 or 0, or unset`],
      },
    ];

    // One stack for every case (each only previews, so nothing is ever created): the config a case sets
    // is removed again before the next one.
    let stack: TestStack | undefined;
    const DEFAULT_CONFIG = (): Record<string, string> => ({ [`${NS}:endpoints`]: es.url });
    before(async function () {
      this.timeout(45 * 60_000);
      await getPulumiCli();
      stack = await TestStack.create({ program: deploymentsProgram({}), config: DEFAULT_CONFIG() });
    });

    let refused = 0;
    let sent = 0;
    after(async () => {
      await stack?.cleanup();
      reportFigures("bad input", {
        connectionSettingsRefusedByCheck: cases.length + 1,
        refusedByARealPreview: refused,
        requestsSentForInvalidInput: sent,
      });
    });

    it("has at least 30 cases", () => assert.ok(engineCases.length >= 30, `${engineCases.length}`));

    for (const c of engineCases) {
      it(c.name, async () => {
        assert.ok(stack, "the stack was created");
        const config: Record<string, string | ConfigValue> = { ...c.config };
        if (!(`${NS}:endpoints` in config) && !(`${NS}:cloudId` in config))
          config[`${NS}:endpoints`] = es.url;
        else await stack.removeConfig(`${NS}:endpoints`);
        for (const [key, value] of Object.entries(config)) await stack.setConfig(key, value);
        stack.setProgram(deploymentsProgram({ bad: { modelId: "valid-model", ...c.args } }));
        const transcript = new Transcript();
        try {
          es.admin.clearLog();
          const failure = await transcript.fails("preview", () => stack!.preview());
          const errors = errorDiagnostics(failure.events).join("\n");
          for (const fragment of c.says)
            assert.ok(errors.includes(fragment), `${errors}\n  lacks: ${fragment}`);
          for (const secret of c.hides ?? [])
            assert.ok(!transcript.text().includes(secret), "a credential was shown");
          sent += es.admin.log().length;
          assert.deepEqual(es.admin.log(), [], "the emulator received no request");
        } finally {
          for (const key of Object.keys(config)) await stack.removeConfig(key);
          await stack.setConfig(`${NS}:endpoints`, es.url);
        }
        refused++;
      });
    }
  });
});
