/**
 * The quickstart's steps, run by `scripts/quickstart.sh` once the emulator listens:
 * write the model's file, create a stack, `up` (the model is uploaded, then deployed twice), an ingest
 * pipeline starts using a deployment, `preview --diff` of a scaling change, `up` again, a `destroy` the
 * pipeline makes Elasticsearch refuse, and the teardown recipe the refusal names. Each step prints a header, then the engine's own output as it arrives.
 *
 *   node build/scripts/quickstart/run.js --endpoint http://127.0.0.1:9200 --dir /tmp/quickstart-run
 *
 * Exit status: 0 when every step did what it says, 1 when one did not, 130 when interrupted.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { INGEST_DEPLOYMENT_ID, MODEL_ID, program, SEARCH_DEPLOYMENT_ID } from "example-quickstart";
import {
  INGEST_PIPELINE_ID,
  putIngestPipeline,
  standInDefinition,
  type ClusterTarget,
} from "example-quickstart/dist/setup";
import { firstLine, printerOn, seconds, type Printer } from "./output";
import { createStack } from "./stack";

const PROJECT = "elasticsearch-ml-quickstart";
const STACK = "dev";
const FORCE_ENV = "ELASTICSEARCH_ML_FORCE";

/** What every step gets. */
interface Context {
  es: ClusterTarget;
  dir: string;
  print: Printer;
  signal: AbortSignal;
  /** Set by the stack step. */
  stack?: Stack;
  color: "always" | "never";
}

interface Step {
  title: string;
  run(ctx: Context): Promise<void>;
}

/** Where step 1 writes the model's TorchScript file (in the run's temp folder). */
const definitionIn = (dir: string): string => join(dir, `${MODEL_ID}.pt`);

const withAllocations =
  (ctx: Context, searchAllocations: number): PulumiFn =>
  () =>
    program({ searchAllocations, modelDefinition: definitionIn(ctx.dir) });

function stackOf(ctx: Context): Stack {
  if (!ctx.stack) throw new Error("the stack was not created");
  return ctx.stack;
}

/** Options every engine operation gets: stream its output, stop when interrupted. */
function live(ctx: Context) {
  return { onOutput: ctx.print.stream, onError: ctx.print.stream, signal: ctx.signal, color: ctx.color };
}

const STEPS: Step[] = [
  {
    title: `Write the TorchScript file of ${MODEL_ID}: the cluster does not have the model`,
    async run(ctx) {
      const file = definitionIn(ctx.dir);
      writeFileSync(file, standInDefinition(64 * 1024));
      ctx.print.note(`${file} (a stand-in: the emulator checks its parts, it does not run it)`);
      ctx.print.note("The program declares the model (a TrainedModel): pulumi up uploads it as eland does.");
    },
  },
  {
    title: "Create a stack and point it at the cluster",
    async run(ctx) {
      ctx.stack = await createStack({
        dir: ctx.dir,
        projectName: PROJECT,
        stackName: STACK,
        program: withAllocations(ctx, 1),
      });
      ctx.print.note(`pulumi stack init ${STACK}          (local file backend in ${ctx.dir})`);
      await ctx.stack.setConfig("elasticsearch-ml:endpoints", { value: ctx.es.url });
      ctx.print.note(`pulumi config set elasticsearch-ml:endpoints ${ctx.es.url}`);
      // Every stop lets queued inference requests finish instead of failing them with 429.
      await ctx.stack.setConfig("elasticsearch-ml:finishPendingWork", { value: "true" });
      ctx.print.note("pulumi config set elasticsearch-ml:finishPendingWork true");
    },
  },
  {
    title: `pulumi up: upload ${MODEL_ID}, then deploy it twice (${SEARCH_DEPLOYMENT_ID}, ${INGEST_DEPLOYMENT_ID})`,
    async run(ctx) {
      await stackOf(ctx).up({ ...live(ctx), program: withAllocations(ctx, 1) });
    },
  },
  {
    title: `An ingest pipeline starts using ${INGEST_DEPLOYMENT_ID} (created outside Pulumi)`,
    async run(ctx) {
      await putIngestPipeline(ctx.es, {}, ctx.print.note);
    },
  },
  {
    title: `pulumi preview --diff: scale ${SEARCH_DEPLOYMENT_ID} from 1 to 2 allocations`,
    async run(ctx) {
      await stackOf(ctx).preview({ ...live(ctx), diff: true, program: withAllocations(ctx, 2) });
    },
  },
  {
    title: "pulumi up: apply it (an in-place _update, no restart)",
    async run(ctx) {
      await stackOf(ctx).up({ ...live(ctx), program: withAllocations(ctx, 2) });
    },
  },
  {
    title: `pulumi destroy: Elasticsearch refuses to stop ${INGEST_DEPLOYMENT_ID} while ${INGEST_PIPELINE_ID} uses it`,
    async run(ctx) {
      let refusal: unknown;
      try {
        await stackOf(ctx).destroy(live(ctx));
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        refusal = err;
      }
      if (refusal === undefined)
        throw new Error("destroy succeeded, but the pipeline should have blocked the stop");
      const text = refusal instanceof Error ? refusal.message : String(refusal);
      if (!text.includes(INGEST_PIPELINE_ID) || !text.includes(FORCE_ENV)) {
        throw new Error(`destroy failed for another reason than the pipeline: ${firstLine(refusal)}`);
      }
      ctx.print.note(
        `As expected: ${SEARCH_DEPLOYMENT_ID} is gone, ${INGEST_DEPLOYMENT_ID} stays in the stack.`,
      );
      ctx.print.note("The message names the levers; the next step uses the first one.");
    },
  },
  {
    title: `${FORCE_ENV}=true pulumi destroy: the teardown recipe, without editing the program`,
    async run(ctx) {
      const stack = stackOf(ctx);
      // The provider process inherits the command's environment, and the environment wins over stack config.
      stack.workspace.envVars[FORCE_ENV] = "true";
      await stack.destroy(live(ctx));
      await showStops(ctx);
    },
  },
];

/** Prints the `_stop` calls the cluster received (from the emulator's request log) and checks nothing runs. */
async function showStops(ctx: Context): Promise<void> {
  const log = (await getJson(ctx, "/_emulator/log")) as {
    entries: { method: string; path: string; query: Record<string, string>; status: number }[];
  };
  ctx.print.note("The stops the cluster received (from the emulator's request log):");
  for (const entry of log.entries.filter((e) => e.path.endsWith("/deployment/_stop"))) {
    const query = new URLSearchParams(entry.query).toString();
    ctx.print.note(`  ${entry.method} ${entry.path}${query ? `?${query}` : ""} -> ${entry.status}`);
  }
  const state = (await getJson(ctx, "/_emulator/state")) as {
    deployments: { deploymentId: string }[];
    models: { modelId: string }[];
  };
  if (state.deployments.length > 0) {
    throw new Error(`deployments still run: ${state.deployments.map((d) => d.deploymentId).join(", ")}`);
  }
  if (state.models.some((m) => m.modelId === MODEL_ID)) throw new Error(`model ${MODEL_ID} is still there`);
  ctx.print.note(`No deployment runs any more, and ${MODEL_ID} was deleted after both stopped.`);
}

async function getJson(ctx: Context, path: string): Promise<unknown> {
  const response = await fetch(new URL(path, ctx.es.url), { signal: ctx.signal });
  if (!response.ok) throw new Error(`GET ${path} failed with ${response.status}: ${await response.text()}`);
  return response.json();
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { endpoint: { type: "string" }, dir: { type: "string" } },
    strict: true,
  });
  if (!values.endpoint || !values.dir) {
    process.stderr.write("usage: run.js --endpoint <emulator URL> --dir <absolute temp folder>\n");
    return 2;
  }
  const abort = new AbortController();
  // Keep handling signals after the first: the Pulumi CLI passes Ctrl-C on while it cancels, and the default
  // action would kill this process before it reports how the run ended.
  const interrupt = (signal: string) => {
    if (abort.signal.aborted) return;
    process.stderr.write(`\nquickstart: ${signal}: cancelling the running step\n`);
    abort.abort();
  };
  process.on("SIGINT", () => interrupt("SIGINT"));
  process.on("SIGTERM", () => interrupt("SIGTERM"));

  const ctx: Context = {
    es: { url: values.endpoint },
    dir: values.dir,
    print: printerOn(process.stdout),
    signal: abort.signal,
    color: process.stdout.isTTY ? "always" : "never",
  };
  const started = Date.now();
  for (const [index, step] of STEPS.entries()) {
    ctx.print.header(index + 1, STEPS.length, step.title);
    try {
      await step.run(ctx);
    } catch (err) {
      if (abort.signal.aborted) {
        process.stderr.write(`quickstart: interrupted during step ${index + 1}\n`);
        return 130;
      }
      process.stderr.write(`\nquickstart: step ${index + 1} failed: ${firstLine(err)}\n`);
      return 1;
    }
  }
  ctx.print.stream(`\nquickstart: all ${STEPS.length} steps done in ${seconds(Date.now() - started)}\n`);
  return 0;
}

// Exit explicitly: idle keep-alive sockets would hold the process open for seconds (stdout is synchronous
// on Linux pipes and terminals, so nothing printed is lost).
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`quickstart: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
