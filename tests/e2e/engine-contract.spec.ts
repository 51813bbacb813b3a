/**
 * Contract tests: the behaviours of the real Pulumi engine (CLI v3.276, Node
 * SDK 3.276) that the TrainedModelDeployment resource relies on, pinned with a
 * tiny dynamic resource (see harness/toy-provider.ts). Each answer is written
 * up in docs/pulumi-engine-findings.md; when one of these tests fails after a
 * Pulumi upgrade, that document and the resource's teardown recipe need review.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import {
  diagnostics,
  expectOperationFailure,
  getPulumiCli,
  Journal,
  stepOps,
  steps,
  withTestStack,
  type CheckpointResource,
  type TestStack,
} from "./harness";
import { makeToyProvider, Toy, TOY_TYPE, type ToyArgs, type ToyJournalEntry } from "./harness/toy-provider";

const CANARY = "canary-2f9c1e7d-secret-api-key";

describe("engine contract: the real Pulumi engine and a dynamic provider", function () {
  this.timeout(120_000);

  let dir: string;
  let journal: Journal<ToyJournalEntry>;
  let worldPath: string;

  before(async function () {
    // The first run on a host may build the CLI from the Go module proxy (minutes).
    this.timeout(45 * 60_000);
    await getPulumiCli();
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-contract-"));
    journal = Journal.create<ToyJournalEntry>(dir);
    worldPath = path.join(dir, "world.json");
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A program with one toy `toy` (key k1); `args` override its inputs. */
  function toyProgram(args: Partial<ToyArgs> = {}): () => Promise<Record<string, unknown>> {
    const provider = makeToyProvider(journal.path, worldPath);
    return async () => {
      const toy = new Toy("toy", { key: "k1", size: 1, shape: "round", ...args }, provider);
      return { state: toy.state };
    };
  }

  const entries = (method: ToyJournalEntry["method"]): ToyJournalEntry[] =>
    journal.entries().filter((e) => e.method === method);
  const world = (): Record<string, { size: number; shape: string }> =>
    JSON.parse(fs.readFileSync(worldPath, "utf8"));
  const toyState = async (stack: TestStack): Promise<CheckpointResource> => {
    const found = (await stack.resources()).find((r) => r.type === TOY_TYPE);
    assert.ok(found, "the toy is in state");
    return found;
  };

  describe("a. configure", () => {
    it("receives every stack config key (a secret as its plaintext string) while state keeps the secret encrypted", async () => {
      const config = {
        "elasticsearch-ml:force": "true",
        "elasticsearch-ml:apiKey": { value: CANARY, secret: true },
        projectFlag: "in-the-project-namespace",
      };
      await withTestStack({ program: toyProgram(), config }, async (stack) => {
        const up = await stack.up();

        const expected = {
          force: "true",
          apiKey: CANARY,
          projectFlag: "in-the-project-namespace",
          apiKeyType: "string",
        };
        const configures = entries("configure");
        assert.ok(configures.length >= 1, "configure ran");
        for (const entry of configures) assert.deepEqual(entry.config, expected);
        // Methods run after configure, in the same process, and see what it read.
        assert.deepEqual(
          entries("create").map((e) => e.config),
          [expected],
        );

        // The engine passes the *whole* stack config to dynamic providers and keeps it
        // as the default provider's inputs, every namespace included.
        const defaultProvider = (await stack.resources()).find(
          (r) => r.type === "pulumi:providers:pulumi-nodejs",
        );
        assert.ok(defaultProvider?.inputs, "the default provider is in state");
        assert.deepEqual(Object.keys(defaultProvider.inputs).sort(), [
          "e2e:projectFlag",
          "elasticsearch-ml:apiKey",
          "elasticsearch-ml:force",
        ]);
        assert.equal(defaultProvider.inputs["elasticsearch-ml:force"], "true");
        const storedSecret = defaultProvider.inputs["elasticsearch-ml:apiKey"] as Record<string, unknown>;
        assert.equal(
          storedSecret["4dabf18193072939515e22adb298388d"],
          "1b47061264138c4ac30d75fd1eb44270",
          "stored as a secret",
        );
        assert.equal(typeof storedSecret.ciphertext, "string");

        const exported = JSON.stringify(await stack.exportStack());
        assert.ok(!exported.includes(CANARY), "stack export holds no plaintext secret");
        assert.ok(!up.output.includes(CANARY), "up printed no secret");
        assert.ok(!JSON.stringify(up.events).includes(CANARY), "no engine event carries the secret");
      });
    });

    it("cannot tell a secret from plain config (both arrive as plain strings), but the program can", async () => {
      const provider = makeToyProvider(journal.path, worldPath);
      // Internal to @pulumi/pulumi (not in its typings): which config keys were set with --secret.
      const { isConfigSecret } = runtimeConfig as unknown as { isConfigSecret: (key: string) => boolean };
      const program = async () => {
        new Toy("toy", { key: "k1", size: 1, shape: "round" }, provider);
        return {
          apiKeyIsSecret: isConfigSecret("elasticsearch-ml:apiKey"),
          forceIsSecret: isConfigSecret("elasticsearch-ml:force"),
        };
      };
      const config = {
        "elasticsearch-ml:apiKey": CANARY,
        "elasticsearch-ml:force": { value: "true", secret: true },
      };
      await withTestStack({ program, config }, async (stack) => {
        const up = await stack.up();
        const [configure] = entries("configure");
        assert.deepEqual(configure?.config, {
          force: "true",
          apiKey: CANARY,
          projectFlag: null,
          apiKeyType: "string",
        });
        assert.equal(up.result.outputs.apiKeyIsSecret?.value, false);
        assert.equal(up.result.outputs.forceIsSecret?.value, true);
        // Set without --secret, the value sits in state in plaintext (the README must say so).
        const defaultProvider = (await stack.resources()).find(
          (r) => r.type === "pulumi:providers:pulumi-nodejs",
        );
        assert.equal(defaultProvider?.inputs?.["elasticsearch-ml:apiKey"], CANARY);
      });
    });
  });

  describe("b. what teardown sees", () => {
    it("plain destroy configures the provider with the config of the last up, but methods see the environment of the destroy", async () => {
      await withTestStack(
        {
          program: toyProgram(),
          config: { "elasticsearch-ml:force": "set-before-up" },
          env: { TOY_FLAG: "env-of-up" },
        },
        async (stack) => {
          await stack.up();
          journal.clear();
          await stack.setConfig("elasticsearch-ml:force", "set-before-destroy");
          stack.setEnv({ TOY_FLAG: "env-of-destroy" });

          await stack.destroy();

          const configures = entries("configure");
          assert.ok(configures.length >= 1);
          for (const entry of configures) {
            assert.equal(
              entry.config?.force,
              "set-before-up",
              "configure got the config stored at the last up",
            );
            assert.equal(
              entry.env,
              "env-of-destroy",
              "the provider process inherits the destroy's environment",
            );
          }
          const deletes = entries("delete");
          assert.deepEqual(
            deletes.map((e) => [e.key, e.config?.force, e.env]),
            [["k1", "set-before-up", "env-of-destroy"]],
          );
          assert.deepEqual(world(), {}, "the toy was deleted");
        },
      );
    });

    it("destroy --run-program configures the provider with the current config", async () => {
      await withTestStack(
        { program: toyProgram(), config: { "elasticsearch-ml:force": "set-before-up" } },
        async (stack) => {
          await stack.up();
          journal.clear();
          await stack.setConfig("elasticsearch-ml:force", "set-before-destroy");

          const destroy = await stack.destroy({ runProgram: true });

          for (const entry of entries("configure")) assert.equal(entry.config?.force, "set-before-destroy");
          assert.deepEqual(
            entries("delete").map((e) => [e.key, e.config?.force]),
            [["k1", "set-before-destroy"]],
          );
          // The program's run updates the default provider with the new config before the deletes.
          const ops = steps(destroy.events, { includeProviders: true }).map((s) => `${s.op} ${s.name}`);
          assert.ok(
            ops.indexOf("update default") >= 0 && ops.indexOf("update default") < ops.indexOf("delete toy"),
            ops.join(", "),
          );
        },
      );
    });

    it("plain refresh reads with the config of the last up; refresh --run-program with the current one", async () => {
      await withTestStack(
        { program: toyProgram(), config: { "elasticsearch-ml:force": "set-before-up" } },
        async (stack) => {
          await stack.up();
          await stack.setConfig("elasticsearch-ml:force", "changed");

          journal.clear();
          await stack.refresh();
          assert.deepEqual(
            entries("read").map((e) => e.config?.force),
            ["set-before-up"],
          );

          journal.clear();
          await stack.refresh({ runProgram: true });
          assert.deepEqual(
            entries("read").map((e) => e.config?.force),
            ["changed"],
          );
        },
      );
    });

    it("a config change alone updates only the default provider; after that up, a plain destroy sees the new config", async () => {
      await withTestStack(
        { program: toyProgram(), config: { "elasticsearch-ml:force": "false" } },
        async (stack) => {
          await stack.up();
          await stack.setConfig("elasticsearch-ml:force", "true");

          const preview = await stack.preview({ diff: true });
          assert.deepEqual(
            steps(preview.events, { includeProviders: true }).map((s) => `${s.op} ${s.name}`),
            ["same e2e-test", "update default", "same toy"],
            "no resource is replaced or updated because provider config changed",
          );
          assert.match(preview.result.stdout, /2 unchanged/);

          const up = await stack.up();
          assert.deepEqual(stepOps(up.events, { name: "toy" }), ["same"]);
          assert.deepEqual(entries("update"), [], "the toy was not touched");

          journal.clear();
          await stack.destroy();
          assert.deepEqual(
            entries("delete").map((e) => e.config?.force),
            ["true"],
          );
        },
      );
    });
    it("from a shell, a plain `pulumi destroy` runs without the Node language host and honours the environment", async () => {
      await withTestStack(
        { program: toyProgram(), config: { "elasticsearch-ml:force": "set-before-up" } },
        async (stack) => {
          await stack.up();
          journal.clear();
          await stack.runCli([
            "config",
            "set",
            "elasticsearch-ml:force",
            "set-in-shell",
            "--stack",
            stack.name,
          ]);

          const { stdout } = await stack.runCli(["destroy", "--yes", "--stack", stack.name], {
            TOY_FLAG: "shell-env",
          });

          assert.match(stdout, /2 deleted/);
          assert.deepEqual(
            entries("delete").map((e) => [e.key, e.config?.force, e.env]),
            [["k1", "set-before-up", "shell-env"]],
          );
        },
      );
    });
  });

  describe("c. partial failure from create", () => {
    it("an error with id, properties spreading the inputs and reasons records the resource with __provider; destroy then deletes it", async () => {
      await withTestStack({ program: toyProgram({ failCreate: "spreading-inputs" }) }, async (stack) => {
        const failure = await expectOperationFailure(stack.up());
        const errors = diagnostics(failure.events, "error").filter((d) => d.urn?.endsWith("::toy"));
        assert.equal(errors.length, 1);
        // The engine shows the reasons, not the error's message.
        assert.match(errors[0]!.message, /toy k1 did not become ready before the deadline/);
        assert.doesNotMatch(errors[0]!.message, /is still starting/);

        const state = await toyState(stack);
        assert.equal(state.id, "k1");
        assert.deepEqual(state.initErrors, ["toy k1 did not become ready before the deadline"]);
        assert.equal(state.outputs?.state, "starting", "outputs are the error's properties");
        assert.equal(typeof state.outputs?.__provider, "string");
        assert.equal(state.outputs?.__provider, state.inputs?.__provider, "__provider survived");

        journal.clear();
        await stack.destroy();
        assert.deepEqual(
          entries("delete").map((e) => e.key),
          ["k1"],
        );
      });
    });

    it("the next up with unchanged inputs calls update (not create) even though diff reports no change, and clears the failure", async () => {
      await withTestStack({ program: toyProgram({ failCreate: "spreading-inputs" }) }, async (stack) => {
        await expectOperationFailure(stack.up());
        journal.clear();

        const up = await stack.up();

        assert.deepEqual(stepOps(up.events, { name: "toy" }), ["update"]);
        assert.deepEqual(
          journal
            .entries()
            .filter((e) => e.method !== "configure")
            .map((e) => [e.method, e.detail?.changes]),
          [
            ["diff", false],
            ["update", undefined],
          ],
        );
        const state = await toyState(stack);
        assert.equal(state.initErrors, undefined);
        assert.equal(state.outputs?.state, "started");
      });
    });

    it("properties without __provider leave state that destroy cannot use, until an up repairs it", async () => {
      await withTestStack({ program: toyProgram({ failCreate: "without-provider" }) }, async (stack) => {
        await expectOperationFailure(stack.up());
        const state = await toyState(stack);
        assert.equal(
          state.outputs?.__provider,
          undefined,
          "the host does not add __provider to a partial failure",
        );
        assert.equal(typeof state.inputs?.__provider, "string");

        const failedDestroy = await expectOperationFailure(stack.destroy());
        assert.match(failedDestroy.output, /code must be a string, not undefined/);
        assert.deepEqual(entries("delete"), []);

        journal.clear();
        const up = await stack.up();
        assert.deepEqual(stepOps(up.events, { name: "toy" }), ["update"]);
        assert.equal(
          typeof (await toyState(stack)).outputs?.__provider,
          "string",
          "update's result carries __provider again",
        );
        await stack.destroy();
        assert.deepEqual(
          entries("delete").map((e) => e.key),
          ["k1"],
        );
      });
    });
  });

  describe("d. progress messages", () => {
    it("stdout and stderr of the provider process stream to the user as diagnostics of the stack while the call runs", async () => {
      const ackFile = path.join(dir, "seen");
      await withTestStack({ program: toyProgram({ progress: { ackFile } }) }, async (stack) => {
        const seenLive: string[] = [];
        stack.watch((event) => {
          const message = event.diagnosticEvent?.message;
          if (message?.includes("toy-progress-k1")) {
            seenLive.push(message);
            fs.writeFileSync(ackFile, "");
          }
        });

        const up = await stack.up();

        // create waited until the test had seen a message: it streamed while create still ran.
        assert.deepEqual(
          entries("create").map((e) => e.detail?.acked),
          [undefined, true],
        );
        assert.ok(seenLive.length >= 1);
        const progress = diagnostics(up.events)
          .filter((d) => d.message.includes("toy-progress-k1"))
          .map((d) => ({ severity: d.severity, message: d.message.trim(), urn: d.urn ?? null }))
          // stdout and stderr are separate pipes: their relative order is not kept.
          .sort((x, y) => x.message.localeCompare(y.message));
        assert.deepEqual(progress, [
          // pulumi.log has no engine connection in the provider process: it falls back to console.log.
          { severity: "info", message: "info: [runtime] toy-progress-k1 via pulumi.log.info", urn: null },
          { severity: "info#err", message: "toy-progress-k1 via console.error", urn: null },
          { severity: "info", message: "toy-progress-k1 via console.log", urn: null },
        ]);
        // The CLI prints them live next to the stack's row and again under Diagnostics.
        assert.match(
          up.output,
          /pulumi:pulumi:Stack e2e-test creating \(\d+s\) toy-progress-k1 via console\.log/,
        );
        assert.match(
          up.output,
          /Diagnostics:\n {2}pulumi:pulumi:Stack \(e2e-test\):\n[\s\S]*toy-progress-k1 via console\.error/,
        );
      });
    });

    it("the host gets the engine's address as its last argument: a log message sent there is a warning of the stack", async () => {
      // The dynamic-provider host never connects to that address itself (pulumi.log.warn there is an
      // info line, above); the package's provider does (sdk/src/provider/engineLog.ts). This resource's
      // create uses that route directly.
      /* eslint-disable @typescript-eslint/no-require-imports -- requires stay inside the serialized body */
      const warner: pulumi.dynamic.ResourceProvider = {
        async create() {
          const entry = require("pulumi-elasticsearch-ml/provider");
          const delivery = entry.warnThroughEngine("contract-warning-k1: sent to the engine");
          if (delivery === undefined) {
            throw new Error(`the host was given no engine address: ${JSON.stringify(process.argv.slice(1))}`);
          }
          await delivery;
          return { id: "w1", outs: {} };
        },
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
      class Warner extends pulumi.dynamic.Resource {
        constructor(name: string) {
          super(warner, name, {}, undefined, "contract", "Warner");
        }
      }
      const program = async (): Promise<void> => {
        new Warner("warner");
      };
      await withTestStack({ program }, async (stack) => {
        const up = await stack.up();
        // (Debug messages quote the serialized provider, this text included: left out.)
        const sent = diagnostics(up.events, "warning", "info", "info#err", "error").filter((d) =>
          d.message.includes("contract-warning-k1"),
        );
        assert.deepEqual(
          sent.map((d) => ({ severity: d.severity, message: d.message.trim(), urn: d.urn ?? null })),
          [{ severity: "warning", message: "contract-warning-k1: sent to the engine", urn: null }],
        );
        // Shown as a warning, live and under Diagnostics.
        assert.match(up.output, /warning: contract-warning-k1: sent to the engine/);
        assert.match(up.output, /Diagnostics:[\s\S]*warning: contract-warning-k1/);
      });
    });
  });

  describe("e. refresh and drift", () => {
    async function driftAfterRefresh(omitReadInputs: boolean) {
      return withTestStack({ program: toyProgram({ omitReadInputs }) }, async (stack) => {
        await stack.up();
        fs.writeFileSync(worldPath, JSON.stringify({ k1: { size: 3, shape: "round" } })); // scaled out of band
        const refresh = await stack.refresh();
        const state = await toyState(stack);
        const preview = await stack.preview({ diff: true });
        return { refresh, state, preview };
      });
    }

    it("read returning inputs makes the next preview show exactly the drift", async () => {
      const { refresh, state, preview } = await driftAfterRefresh(false);
      assert.match(refresh.output, /toy updated \([\d.]+s\) \[diff: ~size\]/);
      assert.equal(state.inputs?.size, 3, "refresh replaced the recorded inputs");
      assert.equal(state.outputs?.size, 3);

      assert.deepEqual(preview.result.changeSummary, { same: 1, update: 1 });
      const [step] = steps(preview.events, { name: "toy" });
      assert.equal(step?.op, "update");
      assert.equal(step?.metadata.old?.inputs.size, 3);
      assert.equal(step?.metadata.new?.inputs.size, 1);
      const diffText = preview.result.stdout.split("Resources:")[0] ?? "";
      const changedLines = diffText.split("\n").filter((line) => /^\s+[~+-] /.test(line));
      assert.deepEqual(
        changedLines.map((l) => l.trim().replace(/\s+/g, " ")),
        ["~ pulumi-nodejs:dynamic/toy:Toy: (update)", "~ size : 3 => 1"],
      );
    });

    it("without inputs from read, preview still updates but cannot show what changed", async () => {
      const { state, preview } = await driftAfterRefresh(true);
      assert.equal(state.inputs?.size, 1, "inputs keep the declared value");
      assert.equal(state.outputs?.size, 3);
      assert.deepEqual(preview.result.changeSummary, { same: 1, update: 1 });
      assert.doesNotMatch(preview.result.stdout, /~ size/);
    });
  });

  describe("f. replacement", () => {
    it("replaces + deleteBeforeReplace delete then create on the same id; dependents are diffed with unknowns first; no detailed diff reaches the engine", async () => {
      const provider = makeToyProvider(journal.path, worldPath);
      const program = (shape: string) => async () => {
        const toy = new Toy("toy", { key: "k1", size: 1, shape }, provider);
        const follower = new Toy("follower", { key: "k2", size: toy.size, shape: "round" }, provider);
        return { follower: follower.state };
      };
      await withTestStack({ program: program("round") }, async (stack) => {
        await stack.up();
        stack.setProgram(program("square"));

        const preview = await stack.preview({ diff: true });
        const previewSteps = steps(preview.events, { name: "toy" });
        assert.deepEqual(
          previewSteps.map((s) => s.op),
          ["delete-replaced", "replace", "create-replacement"],
        );
        for (const step of previewSteps) {
          // The dynamic host forwards only changes/replaces/deleteBeforeReplace: no detailed diff, no stables.
          assert.equal(step.metadata.detailedDiff ?? undefined, undefined);
          assert.deepEqual(step.diffs, []);
        }
        assert.deepEqual(previewSteps.find((s) => s.op === "replace")?.keys, ["shape"]);
        assert.match(preview.result.stdout, /\+-pulumi-nodejs:dynamic\/toy:Toy: \(replace\)/);
        assert.deepEqual(stepOps(preview.events, { name: "follower" }), ["same"]);

        journal.clear();
        const up = await stack.up();

        assert.deepEqual(stepOps(up.events, { name: "toy" }), [
          "delete-replaced",
          "replace",
          "create-replacement",
        ]);
        const calls = journal.entries().filter((e) => e.method !== "configure");
        assert.deepEqual(
          calls.map((e) => `${e.method} ${e.key}`),
          ["diff k1", "diff k2", "delete k1", "create k1", "diff k2"],
        );
        // Before deleting, the engine asks each dependent whether it must go too, with the
        // replaced resource's outputs unknown: diff must accept unknowns without failing.
        assert.equal(calls[1]?.detail?.newSize, pulumi.runtime.unknownValue);
        assert.equal(calls[4]?.detail?.newSize, 1);
        assert.deepEqual(world(), { k1: { size: 1, shape: "square" }, k2: { size: 1, shape: "round" } });
      });
    });
  });
});
