import * as assert from "node:assert/strict";
import { checkInputs, parseByteSize, type CheckFailure } from "#sdk/provider/check";
import { PULUMI_UNKNOWN } from "#sdk/provider/inputs";

// Written out here rather than imported, so a changed message fails the test.
const ID_RULE =
  'must be a string of 1 to 64 characters: lowercase letters (a-z), digits (0-9), "-", "_" and ".", ' +
  'starting and ending with a letter or digit (a leading "." is allowed for built-in models such as ".elser_model_2")';
const KNOWN =
  "modelId, deploymentId, state, numberOfAllocations, adaptiveAllocations, threadsPerAllocation, priority, " +
  "queueCapacity, cacheSize, waitFor, waitTimeoutSeconds, stop, adoptExisting, connection";
const THREADS = "must be a power of 2 from 1 to 32 (1, 2, 4, 8, 16, 32)";
const QUEUE = "must be an integer from 1 to 100000 (the Elasticsearch 9.x limit; 8.x allowed up to 1000000)";
const CACHE =
  'must be a byte size such as "0", "512kb" or "1.5gb": a non-negative number with a unit ' +
  '(b, kb, mb, gb, tb or pb, any case; a fraction is allowed except for b); "0" disables the cache';
const TIMEOUT =
  "must be a number of seconds greater than 0 and at most 2147483 " +
  "(about 24.8 days, the longest delay a Node.js timer holds)";
const LOW = "a low-priority deployment has exactly 1 allocation of 1 thread";
const SETTINGS =
  "endpoints, cloudId, username, password, apiKey, bearerToken, esClientAuthentication, caFile, caData, " +
  "caFingerprint, certFile, keyFile, certData, keyData, insecure, headers, requestTimeoutSeconds, maxRetries";
const CONNECTION_OBJECT = `must be the name of a connection from stack config, or an object of connection settings (${SETTINGS})`;
const CONNECTION =
  'must be the name of a connection from stack config: letters, digits, "_" and "-" (omit it to use the default connection)';

const long65 = "a".repeat(65);

interface InvalidCase {
  name: string;
  input: Record<string, unknown>;
  failures: CheckFailure[];
}

const m = (extra: Record<string, unknown>): Record<string, unknown> => ({ modelId: "my-model", ...extra });
const f = (property: string, reason: string): CheckFailure => ({ property, reason });

const invalid: InvalidCase[] = [
  { name: "modelId missing", input: {}, failures: [f("modelId", `modelId is required; ${ID_RULE}`)] },
  {
    name: "modelId with capitals",
    input: { modelId: "My-Model" },
    failures: [f("modelId", `modelId: "My-Model" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "modelId with a space",
    input: { modelId: "my model" },
    failures: [f("modelId", `modelId: "my model" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "modelId over 64 characters",
    input: { modelId: long65 },
    failures: [
      f("modelId", `modelId: "${long65}" is not allowed; must be at most 64 characters (it has 65)`),
    ],
  },
  {
    name: "modelId with a trailing hyphen",
    input: { modelId: "model-" },
    failures: [f("modelId", `modelId: "model-" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "modelId with trailing punctuation",
    input: { modelId: "model." },
    failures: [f("modelId", `modelId: "model." is not allowed; ${ID_RULE}`)],
  },
  {
    name: "modelId with a leading hyphen",
    input: { modelId: "-model" },
    failures: [f("modelId", `modelId: "-model" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "modelId with a leading underscore",
    input: { modelId: "_model" },
    failures: [f("modelId", `modelId: "_model" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "modelId empty",
    input: { modelId: "" },
    failures: [f("modelId", `modelId: "" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "modelId a number",
    input: { modelId: 42 },
    failures: [f("modelId", `modelId: 42 is not allowed; ${ID_RULE}`)],
  },
  {
    name: "deploymentId with capitals",
    input: m({ deploymentId: "Deploy_1" }),
    failures: [f("deploymentId", `deploymentId: "Deploy_1" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "deploymentId with two leading dots",
    input: m({ deploymentId: "..elser" }),
    failures: [f("deploymentId", `deploymentId: "..elser" is not allowed; ${ID_RULE}`)],
  },
  {
    name: "numberOfAllocations 0",
    input: m({ numberOfAllocations: 0 }),
    failures: [
      f("numberOfAllocations", "numberOfAllocations: 0 is not allowed; must be an integer of at least 1"),
    ],
  },
  {
    name: "numberOfAllocations negative",
    input: m({ numberOfAllocations: -2 }),
    failures: [
      f("numberOfAllocations", "numberOfAllocations: -2 is not allowed; must be an integer of at least 1"),
    ],
  },
  {
    name: "numberOfAllocations fractional",
    input: m({ numberOfAllocations: 1.5 }),
    failures: [
      f("numberOfAllocations", "numberOfAllocations: 1.5 is not allowed; must be an integer of at least 1"),
    ],
  },
  {
    name: "numberOfAllocations a string",
    input: m({ numberOfAllocations: "2" }),
    failures: [
      f("numberOfAllocations", 'numberOfAllocations: "2" is not allowed; must be an integer of at least 1'),
    ],
  },
  {
    name: "numberOfAllocations NaN",
    input: m({ numberOfAllocations: NaN }),
    failures: [
      f("numberOfAllocations", "numberOfAllocations: NaN is not allowed; must be an integer of at least 1"),
    ],
  },
  {
    name: "numberOfAllocations an array",
    input: m({ numberOfAllocations: [2] }),
    failures: [
      f("numberOfAllocations", "numberOfAllocations: [2] is not allowed; must be an integer of at least 1"),
    ],
  },
  {
    name: "numberOfAllocations beyond a Java int",
    input: m({ numberOfAllocations: 2147483648 }),
    failures: [
      f(
        "numberOfAllocations",
        "numberOfAllocations: 2147483648 is not allowed; must be an integer of at most 2147483647",
      ),
    ],
  },
  {
    name: "threadsPerAllocation 3",
    input: m({ threadsPerAllocation: 3 }),
    failures: [f("threadsPerAllocation", `threadsPerAllocation: 3 is not allowed; ${THREADS}`)],
  },
  {
    name: "threadsPerAllocation 64",
    input: m({ threadsPerAllocation: 64 }),
    failures: [f("threadsPerAllocation", `threadsPerAllocation: 64 is not allowed; ${THREADS}`)],
  },
  {
    name: "threadsPerAllocation 0",
    input: m({ threadsPerAllocation: 0 }),
    failures: [f("threadsPerAllocation", `threadsPerAllocation: 0 is not allowed; ${THREADS}`)],
  },
  {
    name: "threadsPerAllocation a string",
    input: m({ threadsPerAllocation: "4" }),
    failures: [f("threadsPerAllocation", `threadsPerAllocation: "4" is not allowed; ${THREADS}`)],
  },
  {
    name: "priority unknown",
    input: m({ priority: "high" }),
    failures: [f("priority", 'priority: "high" is not allowed; must be one of "normal", "low"')],
  },
  {
    name: "priority in capitals",
    input: m({ priority: "LOW" }),
    failures: [f("priority", 'priority: "LOW" is not allowed; must be one of "normal", "low"')],
  },
  {
    name: "low priority with 2 allocations",
    input: m({ priority: "low", numberOfAllocations: 2 }),
    failures: [f("numberOfAllocations", `numberOfAllocations: 2 is not allowed with priority "low"; ${LOW}`)],
  },
  {
    name: "low priority with 4 threads",
    input: m({ priority: "low", threadsPerAllocation: 4 }),
    failures: [
      f("threadsPerAllocation", `threadsPerAllocation: 4 is not allowed with priority "low"; ${LOW}`),
    ],
  },
  {
    name: "low priority with adaptive max 4",
    input: m({ priority: "low", adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } }),
    failures: [
      f(
        "adaptiveAllocations.maxNumberOfAllocations",
        `adaptiveAllocations.maxNumberOfAllocations: 4 is not allowed with priority "low"; must be at most 1 (${LOW})`,
      ),
    ],
  },
  {
    name: "queueCapacity 0",
    input: m({ queueCapacity: 0 }),
    failures: [f("queueCapacity", `queueCapacity: 0 is not allowed; ${QUEUE}`)],
  },
  {
    name: "queueCapacity above the 9.x maximum",
    input: m({ queueCapacity: 100001 }),
    failures: [f("queueCapacity", `queueCapacity: 100001 is not allowed; ${QUEUE}`)],
  },
  {
    name: "queueCapacity at the 8.x maximum",
    input: m({ queueCapacity: 1000000 }),
    failures: [f("queueCapacity", `queueCapacity: 1000000 is not allowed; ${QUEUE}`)],
  },
  {
    name: "adaptive min larger than max",
    input: m({
      adaptiveAllocations: { enabled: true, minNumberOfAllocations: 5, maxNumberOfAllocations: 2 },
    }),
    failures: [
      f(
        "adaptiveAllocations.minNumberOfAllocations",
        "adaptiveAllocations.minNumberOfAllocations: 5 is not allowed; must not be larger than adaptiveAllocations.maxNumberOfAllocations (2)",
      ),
    ],
  },
  {
    name: "adaptive min negative",
    input: m({ adaptiveAllocations: { enabled: true, minNumberOfAllocations: -1 } }),
    failures: [
      f(
        "adaptiveAllocations.minNumberOfAllocations",
        "adaptiveAllocations.minNumberOfAllocations: -1 is not allowed; must be an integer of at least 0",
      ),
    ],
  },
  {
    name: "adaptive max 0",
    input: m({ adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 0 } }),
    failures: [
      f(
        "adaptiveAllocations.maxNumberOfAllocations",
        "adaptiveAllocations.maxNumberOfAllocations: 0 is not allowed; must be an integer of at least 1",
      ),
    ],
  },
  {
    name: "adaptive max fractional",
    input: m({ adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 2.5 } }),
    failures: [
      f(
        "adaptiveAllocations.maxNumberOfAllocations",
        "adaptiveAllocations.maxNumberOfAllocations: 2.5 is not allowed; must be an integer of at least 1",
      ),
    ],
  },
  {
    name: "adaptive enabled missing",
    input: m({ adaptiveAllocations: { maxNumberOfAllocations: 2 } }),
    failures: [
      f("adaptiveAllocations.enabled", "adaptiveAllocations.enabled is required; must be true or false"),
    ],
  },
  {
    name: "adaptive enabled a string",
    input: m({ adaptiveAllocations: { enabled: "true" } }),
    failures: [
      f(
        "adaptiveAllocations.enabled",
        'adaptiveAllocations.enabled: "true" is not allowed; must be true or false',
      ),
    ],
  },
  {
    name: "adaptive not an object",
    input: m({ adaptiveAllocations: true }),
    failures: [
      f(
        "adaptiveAllocations",
        "adaptiveAllocations: true is not allowed; must be an object { enabled, minNumberOfAllocations?, maxNumberOfAllocations? }",
      ),
    ],
  },
  {
    name: "adaptive an array",
    input: m({ adaptiveAllocations: [{ enabled: true }] }),
    failures: [
      f(
        "adaptiveAllocations",
        'adaptiveAllocations: [{"enabled":true}] is not allowed; must be an object { enabled, minNumberOfAllocations?, maxNumberOfAllocations? }',
      ),
    ],
  },
  {
    name: "adaptive with a misspelt bound",
    input: m({ adaptiveAllocations: { enabled: true, min: 1 } }),
    failures: [
      f(
        "adaptiveAllocations.min",
        "adaptiveAllocations.min is not a known property of adaptiveAllocations; known properties of adaptiveAllocations are: enabled, minNumberOfAllocations, maxNumberOfAllocations",
      ),
    ],
  },
  {
    name: "adaptive with a snake_case bound",
    input: m({ adaptiveAllocations: { enabled: true, max_number_of_allocations: 3 } }),
    failures: [
      f(
        "adaptiveAllocations.max_number_of_allocations",
        'adaptiveAllocations.max_number_of_allocations is not a known property of adaptiveAllocations (did you mean "maxNumberOfAllocations"?); known properties of adaptiveAllocations are: enabled, minNumberOfAllocations, maxNumberOfAllocations',
      ),
    ],
  },
  {
    name: "both allocations and adaptive enabled",
    input: m({ numberOfAllocations: 2, adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } }),
    failures: [
      f(
        "numberOfAllocations",
        "numberOfAllocations: 2 is not allowed while adaptiveAllocations.enabled is true; set either " +
          "numberOfAllocations or adaptiveAllocations (Elasticsearch then picks the count between " +
          "minNumberOfAllocations and maxNumberOfAllocations)",
      ),
    ],
  },
  {
    name: "cacheSize negative",
    input: m({ cacheSize: "-1gb" }),
    failures: [f("cacheSize", `cacheSize: "-1gb" is not allowed; ${CACHE}`)],
  },
  {
    name: "cacheSize without a unit",
    input: m({ cacheSize: "512" }),
    failures: [f("cacheSize", `cacheSize: "512" is not allowed; ${CACHE}`)],
  },
  {
    name: "cacheSize a fraction of bytes",
    input: m({ cacheSize: "1.5b" }),
    failures: [f("cacheSize", `cacheSize: "1.5b" is not allowed; ${CACHE}`)],
  },
  {
    name: "cacheSize junk",
    input: m({ cacheSize: "lots" }),
    failures: [f("cacheSize", `cacheSize: "lots" is not allowed; ${CACHE}`)],
  },
  {
    name: "cacheSize in exponent notation",
    input: m({ cacheSize: "1e3kb" }),
    failures: [f("cacheSize", `cacheSize: "1e3kb" is not allowed; ${CACHE}`)],
  },
  {
    name: "cacheSize with an unknown unit",
    input: m({ cacheSize: "2eb" }),
    failures: [f("cacheSize", `cacheSize: "2eb" is not allowed; ${CACHE}`)],
  },
  {
    name: "cacheSize a number",
    input: m({ cacheSize: 512 }),
    failures: [f("cacheSize", `cacheSize: 512 is not allowed; ${CACHE}`)],
  },
  {
    name: "cacheSize beyond a Java long",
    input: m({ cacheSize: "8192pb" }),
    failures: [f("cacheSize", `cacheSize: "8192pb" is not allowed; ${CACHE}`)],
  },
  {
    name: "state unknown",
    input: m({ state: "running" }),
    failures: [f("state", 'state: "running" is not allowed; must be one of "started", "stopped"')],
  },
  {
    name: "waitFor unknown",
    input: m({ waitFor: "ready" }),
    failures: [
      f(
        "waitFor",
        'waitFor: "ready" is not allowed; must be one of "starting", "started", "fully_allocated"',
      ),
    ],
  },
  {
    name: "waitTimeoutSeconds 0",
    input: m({ waitTimeoutSeconds: 0 }),
    failures: [f("waitTimeoutSeconds", `waitTimeoutSeconds: 0 is not allowed; ${TIMEOUT}`)],
  },
  {
    name: "waitTimeoutSeconds negative",
    input: m({ waitTimeoutSeconds: -5 }),
    failures: [f("waitTimeoutSeconds", `waitTimeoutSeconds: -5 is not allowed; ${TIMEOUT}`)],
  },
  {
    name: "waitTimeoutSeconds beyond what a Node.js timer holds",
    input: m({ waitTimeoutSeconds: 2147484 }),
    failures: [f("waitTimeoutSeconds", `waitTimeoutSeconds: 2147484 is not allowed; ${TIMEOUT}`)],
  },
  {
    name: "waitTimeoutSeconds a string",
    input: m({ waitTimeoutSeconds: "600" }),
    failures: [f("waitTimeoutSeconds", `waitTimeoutSeconds: "600" is not allowed; ${TIMEOUT}`)],
  },
  {
    name: "waitTimeoutSeconds Infinity",
    input: m({ waitTimeoutSeconds: Infinity }),
    failures: [f("waitTimeoutSeconds", `waitTimeoutSeconds: Infinity is not allowed; ${TIMEOUT}`)],
  },
  {
    name: "stop not an object",
    input: m({ stop: "force" }),
    failures: [
      f(
        "stop",
        'stop: "force" is not allowed; must be an object { force?, finishPendingWork?, allowNoMatch? }',
      ),
    ],
  },
  {
    name: "stop.force a string",
    input: m({ stop: { force: "yes" } }),
    failures: [f("stop.force", 'stop.force: "yes" is not allowed; must be true or false')],
  },
  {
    name: "stop.finishPendingWork a number",
    input: m({ stop: { finishPendingWork: 1 } }),
    failures: [
      f("stop.finishPendingWork", "stop.finishPendingWork: 1 is not allowed; must be true or false"),
    ],
  },
  {
    name: "stop with a typo",
    input: m({ stop: { forse: true } }),
    failures: [
      f(
        "stop.forse",
        'stop.forse is not a known property of stop (did you mean "force"?); known properties of stop are: force, finishPendingWork, allowNoMatch',
      ),
    ],
  },
  {
    name: "adoptExisting a string",
    input: m({ adoptExisting: "true" }),
    failures: [f("adoptExisting", 'adoptExisting: "true" is not allowed; must be true or false')],
  },
  {
    name: "connection with a space",
    input: m({ connection: "prod cluster" }),
    failures: [f("connection", `connection: "prod cluster" is not allowed; ${CONNECTION}`)],
  },
  {
    name: "connection empty",
    input: m({ connection: "" }),
    failures: [f("connection", `connection: "" is not allowed; ${CONNECTION}`)],
  },
  {
    name: "connection a number",
    input: m({ connection: 5 }),
    failures: [f("connection", `connection ${CONNECTION_OBJECT}; got a number`)],
  },
  {
    name: "connection settings with a typo (the stack-config message, under the argument path)",
    input: m({ connection: { endpoints: "https://es:9200", apikey: "k" } }),
    failures: [
      f(
        "connection.apikey",
        `connection.apikey is not a connection setting; known settings are: ${SETTINGS}`,
      ),
    ],
  },
  {
    name: "connection settings with a bad retry count",
    input: m({ connection: { endpoints: "https://es:9200", maxRetries: 99 } }),
    failures: [
      f("connection.maxRetries", "connection.maxRetries: 99 is not allowed; must be an integer from 0 to 20"),
    ],
  },
  {
    name: "connection settings with a non-string API key (never shown)",
    input: m({ connection: { endpoints: "https://es:9200", apiKey: { secret: "canary" } } }),
    failures: [f("connection.apiKey", "connection.apiKey must be a string; got a non-string value")],
  },
  {
    name: "a typo in a property name",
    input: m({ numberOfAllocation: 2 }),
    failures: [
      f(
        "numberOfAllocation",
        `numberOfAllocation is not a known property (did you mean "numberOfAllocations"?); known properties are: ${KNOWN}`,
      ),
    ],
  },
  {
    name: "an Elasticsearch snake_case name",
    input: m({ threads_per_allocation: 2 }),
    failures: [
      f(
        "threads_per_allocation",
        `threads_per_allocation is not a known property (did you mean "threadsPerAllocation"?); known properties are: ${KNOWN}`,
      ),
    ],
  },
  {
    name: "an unrelated property",
    input: m({ replicas: 2 }),
    failures: [f("replicas", `replicas is not a known property; known properties are: ${KNOWN}`)],
  },
  {
    name: "a credential passed as an input",
    input: m({ apiKey: "abc" }),
    failures: [f("apiKey", `apiKey is not a known property; known properties are: ${KNOWN}`)],
  },
  {
    name: "several mistakes at once, each reported",
    input: {
      modelId: "Bad Id",
      threadsPerAllocation: 3,
      priority: "low",
      numberOfAllocations: 3,
      waitFor: "now",
    },
    failures: [
      f("modelId", `modelId: "Bad Id" is not allowed; ${ID_RULE}`),
      f("threadsPerAllocation", `threadsPerAllocation: 3 is not allowed; ${THREADS}`),
      f("numberOfAllocations", `numberOfAllocations: 3 is not allowed with priority "low"; ${LOW}`),
      f("waitFor", 'waitFor: "now" is not allowed; must be one of "starting", "started", "fully_allocated"'),
    ],
  },
];

describe("checkInputs", () => {
  describe("rejects invalid configurations, naming the property, the value and what is allowed", () => {
    it("has at least 30 cases", () => {
      assert.ok(invalid.length >= 30, `only ${invalid.length} cases`);
    });
    for (const c of invalid) {
      it(c.name, () => {
        const { failures } = checkInputs({}, c.input);
        assert.deepEqual(failures, c.failures);
      });
    }
  });

  describe("accepts valid configurations", () => {
    const valid: [string, Record<string, unknown>][] = [
      ["a built-in model id with a leading dot", { modelId: ".elser_model_2" }],
      ["a platform-specific built-in model id", { modelId: ".elser_model_2_linux-x86_64" }],
      ["an id of exactly 64 characters", { modelId: "a".repeat(64) }],
      ["a one-character id", { modelId: "a" }],
      [
        "ids with dots, hyphens and underscores inside",
        { modelId: "e5.small_v2-x", deploymentId: "e5-for_search.1" },
      ],
      [
        "every parameter at its maximum",
        m({
          numberOfAllocations: 2147483647,
          threadsPerAllocation: 32,
          queueCapacity: 100000,
          waitTimeoutSeconds: 2147483,
        }),
      ],
      // The old 25-minute cap misread a gRPC queueing setting as a limit on how long a call runs.
      ["a wait timeout of 30 minutes", m({ waitTimeoutSeconds: 1800 })],
      ["a wait timeout of 2 hours (a large model on autoscaling ML nodes)", m({ waitTimeoutSeconds: 7200 })],
      ["a fractional wait timeout (tests use short ones)", m({ waitTimeoutSeconds: 0.05 })],
      [
        "low priority with 1 allocation of 1 thread",
        m({ priority: "low", numberOfAllocations: 1, threadsPerAllocation: 1 }),
      ],
      [
        "low priority with adaptive max 1",
        m({ priority: "low", adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 1 } }),
      ],
      [
        "adaptive scale to zero",
        m({ adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0, maxNumberOfAllocations: 4 } }),
      ],
      [
        "adaptive min equal to max",
        m({ adaptiveAllocations: { enabled: true, minNumberOfAllocations: 2, maxNumberOfAllocations: 2 } }),
      ],
      [
        "adaptive disabled with a fixed count",
        m({ numberOfAllocations: 3, adaptiveAllocations: { enabled: false } }),
      ],
      ["all stop flags", m({ stop: { force: true, finishPendingWork: false, allowNoMatch: true } })],
      ["a named connection", m({ connection: "Prod_EU-1" })],
      [
        "connection settings",
        m({ connection: { endpoints: ["https://es:9200"], apiKey: "k", maxRetries: "2" } }),
      ],
      [
        "connection settings not known yet",
        m({ connection: { endpoints: PULUMI_UNKNOWN, apiKey: PULUMI_UNKNOWN } }),
      ],
      ["state stopped and every waitFor", m({ state: "stopped", waitFor: "starting" })],
    ];
    for (const [name, input] of valid) {
      it(name, () => {
        assert.deepEqual(checkInputs({}, input).failures, []);
      });
    }

    for (const size of ["0", "0b", "512kb", "1.5gb", "10MB", "1Tb", "2pb", "512k", "3g", "0.5kb", "100b"]) {
      it(`cacheSize ${JSON.stringify(size)}`, () => {
        assert.deepEqual(checkInputs({}, m({ cacheSize: size })).failures, []);
      });
    }
  });

  describe("normalizes", () => {
    it("fills deploymentId from modelId, state, waitFor and waitTimeoutSeconds", () => {
      assert.deepEqual(checkInputs({}, { modelId: ".elser_model_2" }).inputs, {
        modelId: ".elser_model_2",
        deploymentId: ".elser_model_2",
        state: "started",
        waitFor: "fully_allocated",
        waitTimeoutSeconds: 1200,
      });
    });

    it("keeps declared values and leaves undeclared start parameters out", () => {
      const input = {
        modelId: "m",
        deploymentId: "d",
        state: "stopped",
        numberOfAllocations: 2,
        threadsPerAllocation: 4,
        waitFor: "started",
        waitTimeoutSeconds: 60,
        stop: { force: true },
        connection: "eu",
      };
      assert.deepEqual(checkInputs({}, input).inputs, input);
    });

    it("drops __provider and null values (an unset input)", () => {
      const { inputs, failures } = checkInputs(
        {},
        { modelId: "m", __provider: "exports.handler = …", priority: null },
      );
      assert.deepEqual(failures, []);
      assert.deepEqual(inputs, {
        modelId: "m",
        deploymentId: "m",
        state: "started",
        waitFor: "fully_allocated",
        waitTimeoutSeconds: 1200,
      });
    });

    // null means unset inside adaptiveAllocations and stop too: it passed check before, then showed a change on
    // every preview and made the client refuse every apply.
    const nestedNulls: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        "a null minimum bound",
        { adaptiveAllocations: { enabled: true, minNumberOfAllocations: null, maxNumberOfAllocations: 4 } },
        { adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } },
      ],
      [
        "a null maximum bound",
        { adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: null } },
        { adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1 } },
      ],
      [
        "both bounds null",
        {
          adaptiveAllocations: { enabled: false, minNumberOfAllocations: null, maxNumberOfAllocations: null },
        },
        { adaptiveAllocations: { enabled: false } },
      ],
      [
        "a null stop flag next to a set one",
        { stop: { force: null, finishPendingWork: true } },
        { stop: { finishPendingWork: true } },
      ],
      [
        "every stop flag null",
        { stop: { force: null, finishPendingWork: null, allowNoMatch: null } },
        { stop: {} },
      ],
      [
        "an undefined member",
        { stop: { force: undefined, allowNoMatch: false } },
        { stop: { allowNoMatch: false } },
      ],
    ];
    for (const [name, given, expected] of nestedNulls) {
      it(`drops nested null as unset: ${name}`, () => {
        const { inputs, failures } = checkInputs({}, { modelId: "m", ...given });
        assert.deepEqual(failures, []);
        assert.deepEqual(inputs, {
          modelId: "m",
          deploymentId: "m",
          state: "started",
          waitFor: "fully_allocated",
          waitTimeoutSeconds: 1200,
          ...expected,
        });
      });
    }

    it("a null adaptiveAllocations.enabled is unset, so it is reported as required", () => {
      assert.deepEqual(checkInputs({}, m({ adaptiveAllocations: { enabled: null } })).failures, [
        f("adaptiveAllocations.enabled", "adaptiveAllocations.enabled is required; must be true or false"),
      ]);
    });

    it("reports a non-object as a failure, not a crash", () => {
      assert.deepEqual(checkInputs({}, "oops").failures, [
        f("", 'the inputs: "oops" are not allowed; must be an object of properties'),
        f("modelId", `modelId is required; ${ID_RULE}`),
      ]);
    });
  });

  describe("Pulumi unknowns during preview", () => {
    it("does not fail on unknown values anywhere", () => {
      const u = PULUMI_UNKNOWN;
      const input = {
        modelId: u,
        deploymentId: u,
        state: u,
        numberOfAllocations: u,
        threadsPerAllocation: u,
        priority: u,
        queueCapacity: u,
        cacheSize: u,
        waitFor: u,
        waitTimeoutSeconds: u,
        adoptExisting: u,
        connection: u,
      };
      assert.deepEqual(checkInputs({}, input).failures, []);
      assert.deepEqual(checkInputs({}, m({ adaptiveAllocations: u, stop: u })).failures, []);
      assert.deepEqual(
        checkInputs(
          {},
          m({ adaptiveAllocations: { enabled: u, minNumberOfAllocations: u, maxNumberOfAllocations: 2 } }),
        ).failures,
        [],
      );
      assert.deepEqual(checkInputs({}, m({ stop: { force: u } })).failures, []);
    });

    it("skips cross-field rules that depend on an unknown value", () => {
      // Low priority with an unknown count, and an unknown priority with a count of 4: both fine until apply.
      assert.deepEqual(
        checkInputs({}, m({ priority: "low", numberOfAllocations: PULUMI_UNKNOWN })).failures,
        [],
      );
      assert.deepEqual(checkInputs({}, m({ priority: PULUMI_UNKNOWN, numberOfAllocations: 4 })).failures, []);
      assert.deepEqual(
        checkInputs({}, m({ numberOfAllocations: PULUMI_UNKNOWN, adaptiveAllocations: { enabled: true } }))
          .failures,
        [],
      );
    });

    it("still checks the known values next to unknown ones", () => {
      assert.deepEqual(checkInputs({}, { modelId: PULUMI_UNKNOWN, threadsPerAllocation: 3 }).failures, [
        f("threadsPerAllocation", `threadsPerAllocation: 3 is not allowed; ${THREADS}`),
      ]);
    });

    it("makes a defaulted deploymentId unknown when modelId is", () => {
      assert.equal(checkInputs({}, { modelId: PULUMI_UNKNOWN }).inputs.deploymentId, PULUMI_UNKNOWN);
    });
  });
});

describe("parseByteSize", () => {
  const table: [string, number | undefined][] = [
    ["0", 0],
    ["0b", 0],
    ["100b", 100],
    ["512kb", 524288],
    ["512K", 524288],
    ["0.5kb", 512],
    ["1.5gb", 1610612736],
    ["10MB", 10485760],
    ["1tb", 1099511627776],
    ["1pb", 1125899906842624],
    ["1.5b", undefined],
    ["512", undefined],
    ["-1", undefined],
    [" 1kb", undefined],
    ["", undefined],
    ["kb", undefined],
  ];
  for (const [text, bytes] of table) {
    it(`${JSON.stringify(text)} → ${bytes}`, () => {
      assert.equal(parseByteSize(text), bytes);
    });
  }
});
