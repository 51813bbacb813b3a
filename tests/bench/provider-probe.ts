/**
 * Benchmark instrumentation loaded into the dynamic-provider process with
 * `NODE_OPTIONS=--require <this file>` (the CLI starts that process with the stack's environment).
 *
 * It records when each `create`/`update`/`delete`/`read` of `pulumi-elasticsearch-ml/provider`
 * started and returned, with the process id, as JSON lines in `BENCH_PROBE_JOURNAL`. Nothing in the
 * provider's behaviour changes: the methods are wrapped, called with the same arguments, and their
 * results and errors pass through untouched. The wait-latency figure needs the exact moment the
 * provider returned, which the engine's own events (streamed to the Automation API by polling a file
 * every 200 ms, with whole-second timestamps) cannot give.
 *
 * Every node process started with this environment loads the file (the plugin's shell wrapper runs
 * `node -e` first); only the dynamic-provider host is instrumented.
 */
import { appendFileSync } from "node:fs";
import Module from "node:module";

/** One line of the probe journal. */
export interface ProbeEntry {
  pid: number;
  method: "load" | "create" | "update" | "delete" | "read";
  /** The deployment id (`create`: from the inputs; others: the resource id). */
  id?: string;
  /** Epoch ms. */
  start: number;
  end: number;
  ok?: boolean;
}

export const PROBE_JOURNAL_ENV = "BENCH_PROBE_JOURNAL";
const ENTRY_MODULE = "pulumi-elasticsearch-ml/provider";
const WRAPPED = ["create", "update", "delete", "read"] as const;

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;

function install(journal: string): void {
  const write = (entry: ProbeEntry) => appendFileSync(journal, `${JSON.stringify(entry)}\n`);
  const now = Date.now();
  write({ pid: process.pid, method: "load", start: now, end: now });
  const moduleInternals = Module as unknown as { _load: Loader };
  const original = moduleInternals._load;
  const wrapped = new WeakSet<object>();
  moduleInternals._load = function load(this: unknown, request, parent, isMain) {
    const exports = original.call(this, request, parent, isMain);
    if (
      request === ENTRY_MODULE &&
      typeof exports === "object" &&
      exports !== null &&
      !wrapped.has(exports)
    ) {
      wrapped.add(exports);
      const target = exports as Record<string, unknown>;
      for (const method of WRAPPED) {
        const fn = target[method];
        if (typeof fn !== "function") continue;
        target[method] = async (...args: unknown[]) => {
          const start = Date.now();
          const first = args[0];
          const id =
            method === "create"
              ? String((first as { deploymentId?: unknown } | undefined)?.deploymentId)
              : String(first);
          let ok = false;
          try {
            const result: unknown = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
            ok = true;
            return result;
          } finally {
            write({ pid: process.pid, method, id, start, end: Date.now(), ok });
          }
        };
      }
    }
    return exports;
  };
}

const journal = process.env[PROBE_JOURNAL_ENV];
if (journal && process.argv.some((arg) => arg.includes("dynamic-provider"))) install(journal);
