import * as assert from "node:assert/strict";
import { checkInputs } from "#sdk/provider/check";
import { diffInputs, type PlanKind } from "#sdk/provider/diff";
import {
  PULUMI_UNKNOWN,
  type DeploymentInputs,
  type DeploymentOutputs,
  type DeploymentState,
  type EffectiveSettings,
} from "#sdk/provider/inputs";

/** Inputs as `check` returns them, so the table exercises real defaults. */
function inputs(raw: Record<string, unknown>): DeploymentInputs {
  const { inputs: checked, failures } = checkInputs({}, raw);
  assert.deepEqual(failures, [], "test inputs must be valid");
  return checked;
}

/** Outputs as create/update record them: the inputs plus what the server reports. */
function outputs(
  declared: DeploymentInputs,
  effective: EffectiveSettings,
  facts: Partial<DeploymentOutputs> = {},
) {
  return { ...declared, effective, clusterUuid: "uuid-1", allocationState: "fully_allocated", ...facts };
}

// A started deployment declaring every field, and what Elasticsearch reports for it.
const declared = {
  modelId: "m",
  deploymentId: "m",
  numberOfAllocations: 1,
  threadsPerAllocation: 1,
  priority: "normal",
  queueCapacity: 1024,
  cacheSize: "10mb",
  waitFor: "fully_allocated",
  waitTimeoutSeconds: 600,
  connection: "eu",
};
const running: EffectiveSettings = {
  state: "started",
  numberOfAllocations: 1,
  adaptiveAllocations: { enabled: false },
  threadsPerAllocation: 1,
  priority: "normal",
  queueCapacity: 1024,
  cacheSize: "10485760b",
};
const idle: EffectiveSettings = { state: "stopped" };

function old(state: DeploymentState) {
  return outputs(inputs({ ...declared, state }), state === "started" ? running : idle);
}

type Transition = "started→started" | "started→stopped" | "stopped→started" | "stopped→stopped";
const TRANSITIONS: Transition[] = [
  "started→started",
  "started→stopped",
  "stopped→started",
  "stopped→stopped",
];

interface FieldRow {
  field: string;
  change: Record<string, unknown>;
  /** The kind for each transition when the deployment id stays the same. */
  kinds: Record<Transition, PlanKind>;
}

const startOnly = (field: string, change: Record<string, unknown>): FieldRow => ({
  field,
  change,
  kinds: {
    "started→started": "replace",
    "started→stopped": "stop",
    "stopped→started": "start",
    "stopped→stopped": "record-only",
  },
});
const scaling = (field: string, change: Record<string, unknown>): FieldRow => ({
  field,
  change,
  kinds: {
    "started→started": "update-in-place",
    "started→stopped": "stop",
    "stopped→started": "start",
    "stopped→stopped": "record-only",
  },
});
const recordOnly = (field: string, change: Record<string, unknown>): FieldRow => ({
  field,
  change,
  kinds: {
    "started→started": "record-only",
    "started→stopped": "stop",
    "stopped→started": "start",
    "stopped→stopped": "record-only",
  },
});

const ROWS: FieldRow[] = [
  startOnly("modelId", { modelId: "m2" }),
  startOnly("threadsPerAllocation", { threadsPerAllocation: 2 }),
  startOnly("priority", { priority: "low" }),
  startOnly("queueCapacity", { queueCapacity: 2048 }),
  startOnly("cacheSize", { cacheSize: "20mb" }),
  {
    field: "connection",
    change: { connection: "us" },
    // In place (issue 15): the update checks the new connection with GET / and the cluster uuid.
    kinds: {
      "started→started": "reconnect",
      "started→stopped": "stop",
      "stopped→started": "start",
      "stopped→stopped": "reconnect",
    },
  },
  scaling("numberOfAllocations", { numberOfAllocations: 3 }),
  scaling("adaptiveAllocations", {
    numberOfAllocations: undefined,
    adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
  }),
  recordOnly("waitFor", { waitFor: "started" }),
  recordOnly("waitTimeoutSeconds", { waitTimeoutSeconds: 60 }),
  recordOnly("stop", { stop: { force: true } }),
  recordOnly("adoptExisting", { adoptExisting: true }),
];

const INPUT_ORDER = [
  "modelId",
  "deploymentId",
  "state",
  "numberOfAllocations",
  "adaptiveAllocations",
  "threadsPerAllocation",
  "priority",
  "queueCapacity",
  "cacheSize",
  "waitFor",
  "waitTimeoutSeconds",
  "stop",
  "adoptExisting",
  "connection",
];
const inOrder = (names: string[]): string[] =>
  [...names].sort((a, b) => INPUT_ORDER.indexOf(a) - INPUT_ORDER.indexOf(b));

describe("diffInputs", () => {
  describe("every field × started/stopped before and after × same/different deployment id", () => {
    for (const row of ROWS) {
      for (const transition of TRANSITIONS) {
        const [before, after] = transition.split("→") as [DeploymentState, DeploymentState];
        const stateChanges = before !== after ? ["state"] : [];

        it(`${row.field}, ${transition}, same deployment id → ${row.kinds[transition]}`, () => {
          const next = inputs({ ...declared, ...row.change, state: after });
          const result = diffInputs(old(before), next);
          const kind = row.kinds[transition];
          assert.equal(result.plan.kind, kind);
          assert.equal(result.changes, true);
          assert.deepEqual(result.replaces, kind === "replace" ? [row.field] : []);
          assert.equal(result.deleteBeforeReplace, kind === "replace");
          assert.deepEqual(
            result.plan.differences.map((d) => d.property),
            inOrder([row.field, ...stateChanges]),
          );
          assert.equal(
            result.plan.stopsRunning,
            before === "started" && (kind === "stop" || kind === "replace"),
          );
          assert.equal(
            result.plan.startsNew,
            after === "started" && (kind === "start" || kind === "replace"),
          );
        });

        if (row.field === "deploymentId") continue;
        it(`${row.field}, ${transition}, different deployment id → replace, created before the old is deleted`, () => {
          const next = inputs({ ...declared, ...row.change, deploymentId: "m-2", state: after });
          const result = diffInputs(old(before), next);
          assert.equal(result.plan.kind, "replace");
          const fieldReplaces = row.kinds[transition] === "replace" ? [row.field] : [];
          assert.deepEqual(result.replaces, inOrder(["deploymentId", ...fieldReplaces]));
          assert.equal(result.deleteBeforeReplace, false);
          assert.equal(result.plan.stopsRunning, before === "started");
          assert.equal(result.plan.startsNew, after === "started");
        });
      }
    }

    for (const transition of TRANSITIONS) {
      const [before, after] = transition.split("→") as [DeploymentState, DeploymentState];
      const kind: PlanKind = before === after ? "none" : after === "stopped" ? "stop" : "start";
      it(`only the state, ${transition} → ${kind}`, () => {
        const result = diffInputs(old(before), inputs({ ...declared, state: after }));
        assert.equal(result.plan.kind, kind);
        assert.equal(result.changes, kind !== "none");
        assert.deepEqual(result.replaces, []);
        assert.equal(result.deleteBeforeReplace, false);
      });
    }
  });

  describe("no diff when nothing changed", () => {
    it("same declared inputs and what runs matches", () => {
      const result = diffInputs(old("started"), inputs({ ...declared, state: "started" }));
      assert.deepEqual(result, {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
        plan: {
          kind: "none",
          differences: [],
          replaceReasons: [],
          recordOnly: [],
          stopsRunning: false,
          startsNew: false,
          unknowns: [],
        },
      });
    });

    it("ignores __provider and server facts outside effective", () => {
      const before = { ...old("started"), __provider: "old code", allocationCount: 1, nodes: [] };
      const next = { ...inputs({ ...declared }), __provider: "new code" } as DeploymentInputs;
      assert.equal(diffInputs(before, next).changes, false);
    });

    it("a cache size written another way is the same size", () => {
      for (const cacheSize of ["10240kb", "10MB", "0.009765625gb"]) {
        assert.equal(
          diffInputs(old("started"), inputs({ ...declared, cacheSize })).changes,
          false,
          cacheSize,
        );
      }
    });

    it("adoptExisting false is the same as unset", () => {
      const before = outputs(inputs({ modelId: "m" }), { state: "started" });
      assert.equal(diffInputs(before, inputs({ modelId: "m", adoptExisting: false })).changes, false);
    });
  });

  describe("fields the user did not set are outputs only", () => {
    const minimal = inputs({ modelId: "m" });
    const reported = outputs(minimal, { ...running, numberOfAllocations: 3 });

    it("undeclared server-reported fields never diff", () => {
      assert.equal(diffInputs(reported, inputs({ modelId: "m" })).changes, false);
    });

    it("declaring the value already in force is no change (no needless restart)", () => {
      const next = inputs({
        modelId: "m",
        threadsPerAllocation: 1,
        priority: "normal",
        queueCapacity: 1024,
        numberOfAllocations: 3,
        cacheSize: "10mb",
      });
      assert.equal(diffInputs(reported, next).changes, false);
    });

    it("declaring a different value than the one in force does diff", () => {
      const result = diffInputs(reported, inputs({ modelId: "m", threadsPerAllocation: 4 }));
      assert.equal(result.plan.kind, "replace");
      assert.deepEqual(result.plan.replaceReasons, [{ property: "threadsPerAllocation", from: 1, to: 4 }]);
      assert.equal(result.deleteBeforeReplace, true);
    });

    it("removing a declared start parameter keeps the deployment as it runs", () => {
      const before = outputs(inputs({ modelId: "m", threadsPerAllocation: 2, queueCapacity: 5 }), {
        ...running,
        threadsPerAllocation: 2,
        queueCapacity: 5,
      });
      assert.equal(diffInputs(before, inputs({ modelId: "m" })).changes, false);
    });

    it("falls back to the declared value when the server reported nothing (older state)", () => {
      const before = inputs({ modelId: "m", threadsPerAllocation: 2 }) as Partial<DeploymentOutputs>;
      assert.equal(diffInputs(before, inputs({ modelId: "m", threadsPerAllocation: 2 })).changes, false);
      assert.equal(
        diffInputs(before, inputs({ modelId: "m", threadsPerAllocation: 4 })).plan.kind,
        "replace",
      );
    });
  });

  describe("adaptive allocations", () => {
    const adaptive = { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 8 };
    const declaredAdaptive = inputs({ modelId: "m", adaptiveAllocations: adaptive });
    const scaledTo = (count: number) =>
      outputs(declaredAdaptive, { ...running, adaptiveAllocations: adaptive, numberOfAllocations: count });

    it("numberOfAllocations chosen by the server never diffs while adaptive is on", () => {
      assert.equal(diffInputs(scaledTo(6), declaredAdaptive).changes, false);
    });

    it("an undeclared bound is not compared", () => {
      const next = inputs({
        modelId: "m",
        adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 8 },
      });
      assert.equal(diffInputs(scaledTo(6), next).changes, false);
    });

    it("changing a bound scales in place with the new settings", () => {
      const next = inputs({ modelId: "m", adaptiveAllocations: { ...adaptive, maxNumberOfAllocations: 2 } });
      const result = diffInputs(scaledTo(6), next);
      assert.equal(result.plan.kind, "update-in-place");
      assert.deepEqual(result.plan.scaling, {
        adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 2 },
        leavesAdaptive: false,
      });
      assert.deepEqual(result.replaces, []);
    });

    it("leaving adaptive for a fixed count sends enabled: false with the new count", () => {
      const result = diffInputs(scaledTo(6), inputs({ modelId: "m", numberOfAllocations: 2 }));
      assert.equal(result.plan.kind, "update-in-place");
      assert.deepEqual(result.plan.scaling, {
        adaptiveAllocations: { enabled: false },
        numberOfAllocations: 2,
        leavesAdaptive: true,
      });
      assert.deepEqual(result.plan.differences, [
        { property: "numberOfAllocations", from: 6, to: 2 },
        { property: "adaptiveAllocations", from: adaptive, to: undefined },
      ]);
    });

    it("leaving adaptive at the count it had reached still sends enabled: false", () => {
      const result = diffInputs(scaledTo(2), inputs({ modelId: "m", numberOfAllocations: 2 }));
      assert.deepEqual(result.plan.scaling, {
        adaptiveAllocations: { enabled: false },
        numberOfAllocations: 2,
        leavesAdaptive: true,
      });
    });

    it("enabled: false without a count keeps the count adaptive had reached", () => {
      const result = diffInputs(
        scaledTo(5),
        inputs({ modelId: "m", adaptiveAllocations: { enabled: false } }),
      );
      assert.deepEqual(result.plan.scaling, {
        adaptiveAllocations: { enabled: false },
        numberOfAllocations: 5,
        leavesAdaptive: true,
      });
    });

    it("removing the adaptive block switches adaptive off (no silent autoscaling)", () => {
      const result = diffInputs(scaledTo(4), inputs({ modelId: "m" }));
      assert.equal(result.plan.kind, "update-in-place");
      assert.deepEqual(result.plan.scaling, {
        adaptiveAllocations: { enabled: false },
        numberOfAllocations: 4,
        leavesAdaptive: true,
      });
    });

    it("leaving adaptive from zero allocations asks for 1, so the deployment serves again", () => {
      const result = diffInputs(scaledTo(0), inputs({ modelId: "m" }));
      assert.equal(result.plan.scaling?.numberOfAllocations, 1);
    });

    it("removing the block is only recorded when adaptive is already off on the server", () => {
      const before = outputs(declaredAdaptive, { ...running, numberOfAllocations: 3 });
      assert.equal(diffInputs(before, inputs({ modelId: "m" })).changes, false);
    });

    it("adaptive turned on out of band is left alone unless the user declares a count", () => {
      const before = outputs(inputs({ modelId: "m" }), { ...running, adaptiveAllocations: adaptive });
      assert.equal(diffInputs(before, inputs({ modelId: "m" })).changes, false);
      const result = diffInputs(before, inputs({ modelId: "m", numberOfAllocations: 1 }));
      assert.equal(result.plan.scaling?.leavesAdaptive, true);
    });

    it("entering adaptive from a fixed count sends the adaptive settings only", () => {
      const before = outputs(inputs({ modelId: "m", numberOfAllocations: 2 }), {
        ...running,
        numberOfAllocations: 2,
      });
      const result = diffInputs(before, declaredAdaptive);
      assert.equal(result.plan.kind, "update-in-place");
      assert.deepEqual(result.plan.scaling, { adaptiveAllocations: adaptive, leavesAdaptive: false });
    });
  });

  describe("drift seen by refresh", () => {
    it("an out-of-band scale is scaled back in place", () => {
      const before = outputs(inputs({ modelId: "m", numberOfAllocations: 2 }), {
        ...running,
        numberOfAllocations: 5,
      });
      const result = diffInputs(before, inputs({ modelId: "m", numberOfAllocations: 2 }));
      assert.equal(result.plan.kind, "update-in-place");
      assert.deepEqual(result.plan.differences, [{ property: "numberOfAllocations", from: 5, to: 2 }]);
      assert.deepEqual(result.plan.scaling, { numberOfAllocations: 2, leavesAdaptive: false });
    });

    it("an out-of-band stop is started again", () => {
      const before = outputs(inputs({ modelId: "m" }), { state: "stopped" });
      const result = diffInputs(before, inputs({ modelId: "m" }));
      assert.equal(result.plan.kind, "start");
      assert.deepEqual(result.plan.differences, [{ property: "state", from: "stopped", to: "started" }]);
      assert.equal(result.plan.startsNew, true);
    });

    it("an out-of-band start of a declared-stopped deployment is stopped", () => {
      const before = outputs(inputs({ modelId: "m", state: "stopped" }), running);
      const result = diffInputs(before, inputs({ modelId: "m", state: "stopped" }));
      assert.equal(result.plan.kind, "stop");
      assert.equal(result.plan.stopsRunning, true);
    });

    it("a start-only change while the deployment is stopped out of band starts it with the new value", () => {
      const before = outputs(inputs({ modelId: "m", threadsPerAllocation: 1 }), { state: "stopped" });
      const result = diffInputs(before, inputs({ modelId: "m", threadsPerAllocation: 2 }));
      assert.equal(result.plan.kind, "start");
      assert.deepEqual(result.replaces, []);
    });
  });

  describe("provider settings are recorded without a call", () => {
    it("removing stop.force is a change, so delete does not use a stale flag", () => {
      const before = outputs(inputs({ modelId: "m", stop: { force: true } }), running);
      const result = diffInputs(before, inputs({ modelId: "m" }));
      assert.equal(result.plan.kind, "record-only");
      assert.deepEqual(result.plan.recordOnly, ["stop"]);
      assert.deepEqual(result.plan.differences, [{ property: "stop", from: { force: true }, to: undefined }]);
    });

    it("force false is not the same as unset (unset defers to provider config)", () => {
      const before = outputs(inputs({ modelId: "m" }), running);
      assert.equal(
        diffInputs(before, inputs({ modelId: "m", stop: { force: false } })).plan.kind,
        "record-only",
      );
    });

    it("a stop records the start-only changes it carries for the next start", () => {
      const result = diffInputs(
        old("started"),
        inputs({ ...declared, state: "stopped", threadsPerAllocation: 2, waitFor: "started" }),
      );
      assert.equal(result.plan.kind, "stop");
      assert.deepEqual(result.plan.recordOnly, ["threadsPerAllocation", "waitFor"]);
    });

    it("removing the connection (to the default) is an in-place reconnect, checked by the update", () => {
      const result = diffInputs(old("started"), inputs({ ...declared, connection: undefined }));
      assert.deepEqual(result.replaces, []);
      assert.equal(result.plan.kind, "reconnect");
      assert.deepEqual(result.plan.connection, {
        source: true,
        endpoint: false,
        credentials: false,
        settings: false,
      });
      assert.deepEqual(result.plan.recordOnly, []);
    });
  });

  describe("connection given as settings (issue 15): every change is in place, nothing is replaced", () => {
    const conn = { endpoints: "https://es.example.com:9200", apiKey: "old-key-canary" };
    const before = (connection: unknown) => outputs(inputs({ modelId: "m", connection } as never), running);
    const after = (connection: unknown) => inputs({ modelId: "m", connection } as never);

    it("the same settings: no change", () => {
      assert.equal(diffInputs(before(conn), after({ ...conn })).plan.kind, "none");
    });

    it("a new API key: reconnect, credentials only, and the plan never holds the key", () => {
      const result = diffInputs(before(conn), after({ ...conn, apiKey: "new-key-canary" }));
      assert.equal(result.plan.kind, "reconnect");
      assert.deepEqual(result.replaces, []);
      assert.deepEqual(result.plan.connection, {
        source: false,
        endpoint: false,
        credentials: true,
        settings: false,
      });
      assert.ok(!JSON.stringify(result).includes("key-canary"), JSON.stringify(result));
      assert.deepEqual(result.plan.differences, [
        {
          property: "connection",
          from: { endpoints: "https://es.example.com:9200", apiKey: "[secret]" },
          to: { endpoints: "https://es.example.com:9200", apiKey: "[secret]" },
        },
      ]);
    });

    it("a new endpoint: reconnect, endpoint flagged (the update runs the wrong-cluster guard)", () => {
      const result = diffInputs(before(conn), after({ ...conn, endpoints: "https://other:9200" }));
      assert.equal(result.plan.kind, "reconnect");
      assert.equal(result.plan.connection?.endpoint, true);
      assert.equal(result.plan.connection?.credentials, false);
    });

    it("a name replaced by settings: a change of source, in place", () => {
      const result = diffInputs(before("eu"), after(conn));
      assert.equal(result.plan.kind, "reconnect");
      assert.equal(result.plan.connection?.source, true);
    });

    it("an unknown key (preview): reconnect with every part possibly changed", () => {
      const result = diffInputs(before(conn), after({ ...conn, apiKey: PULUMI_UNKNOWN }));
      assert.equal(result.plan.kind, "reconnect");
      assert.equal(result.plan.connection?.credentials, true);
      assert.deepEqual(result.plan.unknowns, ["connection"]);
    });

    it("a connection change together with a scale: the scale's kind, the connection still flagged", () => {
      const result = diffInputs(
        before(conn),
        inputs({ modelId: "m", numberOfAllocations: 3, connection: { ...conn, apiKey: "k2" } } as never),
      );
      assert.equal(result.plan.kind, "update-in-place");
      assert.equal(result.plan.connection?.credentials, true);
    });

    it("user-info in an endpoint URL is redacted in the plan", () => {
      const result = diffInputs(before(conn), after({ endpoints: "https://u:p4ss-canary@es:9200" }));
      assert.ok(!JSON.stringify(result.plan).includes("p4ss-canary"));
    });
  });

  describe("null means unset, nested too (adaptive bounds, stop flags)", () => {
    const adaptiveRunning = (adaptive: Record<string, unknown>): EffectiveSettings => ({
      ...running,
      adaptiveAllocations: { enabled: true, minNumberOfAllocations: 1, maxNumberOfAllocations: 4 },
      numberOfAllocations: 2,
      ...(adaptive as EffectiveSettings),
    });
    // [name, recorded outputs, new inputs as the program wrote them]
    const same: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        "a null minimum bound against the bounds in force",
        outputs(
          inputs({ modelId: "m", adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } }),
          adaptiveRunning({}),
        ),
        {
          modelId: "m",
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: null, maxNumberOfAllocations: 4 },
        },
      ],
      [
        "both bounds null",
        outputs(inputs({ modelId: "m", adaptiveAllocations: { enabled: true } }), adaptiveRunning({})),
        {
          modelId: "m",
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: null, maxNumberOfAllocations: null },
        },
      ],
      [
        "a null stop flag, none recorded",
        outputs(inputs({ modelId: "m" }), running),
        { modelId: "m", stop: { force: null } },
      ],
      [
        "a null stop flag next to a set one",
        outputs(inputs({ modelId: "m", stop: { allowNoMatch: true } }), running),
        { modelId: "m", stop: { force: null, allowNoMatch: true } },
      ],
      [
        "old state holding a null flag (recorded by an earlier version), none declared now",
        { ...outputs(inputs({ modelId: "m" }), running), stop: { force: null } },
        { modelId: "m" },
      ],
      [
        "old state holding a null bound, the same declaration now",
        {
          ...outputs(inputs({ modelId: "m" }), adaptiveRunning({})),
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: null, maxNumberOfAllocations: 4 },
        },
        {
          modelId: "m",
          adaptiveAllocations: { enabled: true, minNumberOfAllocations: null, maxNumberOfAllocations: 4 },
        },
      ],
      [
        "a null top-level input",
        outputs(inputs({ modelId: "m" }), running),
        {
          modelId: "m",
          numberOfAllocations: null,
          deploymentId: "m",
          state: "started",
          waitFor: "fully_allocated",
          waitTimeoutSeconds: 1200,
        },
      ],
    ];
    for (const [name, before, next] of same) {
      it(`no change: ${name} (after check, and even without it)`, () => {
        assert.deepEqual(diffInputs(before, inputs(next)).plan.differences, []);
        const unchecked = {
          deploymentId: "m",
          state: "started",
          waitFor: "fully_allocated",
          waitTimeoutSeconds: 1200,
          ...next,
        };
        assert.deepEqual(diffInputs(before, unchecked as unknown as DeploymentInputs).plan.differences, []);
      });
    }

    it("a real change next to a null bound scales without sending the null", () => {
      const before = outputs(
        inputs({ modelId: "m", adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 } }),
        adaptiveRunning({}),
      );
      const next = {
        modelId: "m",
        adaptiveAllocations: { enabled: true, minNumberOfAllocations: null, maxNumberOfAllocations: 2 },
      };
      for (const news of [
        inputs(next),
        { ...inputs({ modelId: "m" }), ...next } as unknown as DeploymentInputs,
      ]) {
        const result = diffInputs(before, news);
        assert.equal(result.plan.kind, "update-in-place");
        assert.deepEqual(result.plan.scaling, {
          adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 2 },
          leavesAdaptive: false,
        });
      }
    });
  });

  describe("unknown values during preview", () => {
    const u = PULUMI_UNKNOWN;

    it("an unknown start parameter of a running deployment may replace it", () => {
      const result = diffInputs(old("started"), {
        ...inputs(declared),
        threadsPerAllocation: u as unknown as number,
      });
      assert.equal(result.plan.kind, "replace");
      assert.deepEqual(result.replaces, ["threadsPerAllocation"]);
      assert.equal(result.deleteBeforeReplace, true);
      assert.deepEqual(result.plan.unknowns, ["threadsPerAllocation"]);
    });

    it("an unknown deployment id replaces and deletes first (it may be the same id)", () => {
      const result = diffInputs(old("started"), { ...inputs(declared), deploymentId: u });
      assert.deepEqual(result.replaces, ["deploymentId"]);
      assert.equal(result.deleteBeforeReplace, true);
    });

    it("an unknown count or adaptive setting is an in-place scale", () => {
      const count = diffInputs(old("started"), {
        ...inputs(declared),
        numberOfAllocations: u as unknown as number,
      });
      assert.equal(count.plan.kind, "update-in-place");
      assert.deepEqual(count.plan.unknowns, ["numberOfAllocations"]);
      const adaptive = diffInputs(old("started"), {
        ...inputs({ ...declared, numberOfAllocations: undefined }),
        adaptiveAllocations: { enabled: u as unknown as boolean },
      });
      assert.equal(adaptive.plan.kind, "update-in-place");
      assert.deepEqual(adaptive.plan.unknowns, ["adaptiveAllocations"]);
    });

    it("an unknown state of a running deployment is not reported as record-only", () => {
      const result = diffInputs(old("started"), {
        ...inputs(declared),
        state: u as unknown as DeploymentState,
      });
      assert.equal(result.plan.kind, "update-in-place");
      assert.deepEqual(result.plan.unknowns, ["state"]);
    });

    it("an unknown stop flag is a recorded change", () => {
      const result = diffInputs(old("started"), {
        ...inputs(declared),
        stop: { force: u as unknown as boolean },
      });
      assert.equal(result.plan.kind, "record-only");
      assert.deepEqual(result.plan.unknowns, ["stop"]);
    });
  });
});

describe("diffInputs: a deployment Elasticsearch reported failed (issue 11 item 3)", () => {
  const failed = (extra: Partial<EffectiveSettings> = {}) =>
    outputs(inputs(declared), { state: "failed", numberOfAllocations: 1, threadsPerAllocation: 1, ...extra });

  it("declared started: an in-place repair that stops and starts it", () => {
    const result = diffInputs(failed(), inputs(declared));
    assert.equal(result.plan.kind, "repair");
    assert.deepEqual(result.replaces, []);
    assert.deepEqual(
      result.plan.differences.map((d) => [d.property, d.from, d.to]),
      [["state", "failed", "started"]],
    );
    assert.equal(result.plan.stopsRunning, true);
    assert.equal(result.plan.startsNew, true);
    assert.deepEqual(result.plan.recordOnly, []);
  });

  it("declared stopped: a stop; a start-only change on top: a replacement (which also stops and starts it)", () => {
    assert.equal(diffInputs(failed(), inputs({ ...declared, state: "stopped" })).plan.kind, "stop");
    const threads = diffInputs(failed(), inputs({ ...declared, threadsPerAllocation: 2 }));
    assert.equal(threads.plan.kind, "replace");
    assert.deepEqual(threads.replaces, ["threadsPerAllocation"]);
  });

  it("a scaling change is applied by the repair's start, not by _update", () => {
    const result = diffInputs(failed(), inputs({ ...declared, numberOfAllocations: 3 }));
    assert.equal(result.plan.kind, "repair");
    assert.equal(result.plan.scaling, undefined);
  });
});
