/**
 * Shared pieces of the reliability and security suite: real `TrainedModelDeployment`s driven by the real
 * Pulumi engine (through the e2e harness) against the emulator, a record of everything every operation
 * printed (for the "already exists" and canary scans), readings of the emulator's request log, and the
 * figures file the suite reports into.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation";
import type { EmulatorHandle, RequestLogEntry } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment, type TrainedModelDeploymentArgs } from "pulumi-elasticsearch-ml";
import { OperationFailedError, repoRoot, type Operation, type TestStack } from "../e2e/harness";

/** The type token of the resource in state. */
export const DEPLOYMENT_TYPE = "pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment";

/** A program declaring one `TrainedModelDeployment` per entry (key = logical name). */
export function deploymentsProgram(
  declarations: Readonly<Record<string, TrainedModelDeploymentArgs>>,
): PulumiFn {
  return async () => {
    for (const [name, args] of Object.entries(declarations)) new TrainedModelDeployment(name, args);
    return {};
  };
}

/** What one stack operation left behind, successful or not. */
export interface OperationRecord {
  readonly operation: string;
  readonly ok: boolean;
  /** The CLI's stdout and stderr. */
  readonly output: string;
  readonly events: EngineEvent[];
  /** The error's message, when it failed. */
  readonly error?: string;
}

/**
 * Every operation's output, engine events and error, kept for scans across a whole test: "already
 * exists" must never reach the user, and a canary secret must never appear anywhere.
 */
export class Transcript {
  readonly records: OperationRecord[] = [];

  /** Runs an operation that must succeed, recording what it printed. */
  async ok<R>(operation: string, run: () => Promise<Operation<R>>): Promise<Operation<R>> {
    const outcome = await this.attempt(operation, run);
    if (!outcome.ok) throw outcome.failure;
    return outcome.operation;
  }

  /** Runs an operation that must fail, recording what it printed; returns the failure. */
  async fails(operation: string, run: () => Promise<unknown>): Promise<OperationFailedError> {
    const outcome = await this.attempt(operation, run);
    if (outcome.ok) throw new Error(`expected pulumi ${operation} to fail, but it succeeded`);
    return outcome.failure;
  }

  /** Runs an operation that may fail. */
  async attempt<R>(
    operation: string,
    run: () => Promise<Operation<R>> | Promise<unknown>,
  ): Promise<{ ok: true; operation: Operation<R> } | { ok: false; failure: OperationFailedError }> {
    try {
      const done = (await run()) as Operation<R>;
      this.records.push({ operation, ok: true, output: done.output, events: done.events });
      return { ok: true, operation: done };
    } catch (err) {
      if (!(err instanceof OperationFailedError)) throw err;
      this.records.push({
        operation,
        ok: false,
        output: err.output,
        events: err.events,
        error: err.message,
      });
      return { ok: false, failure: err };
    }
  }

  /** Adds text from elsewhere (a shell command's output) to what is scanned. */
  note(operation: string, text: string): void {
    this.records.push({ operation, ok: true, output: text, events: [] });
  }

  /** Everything recorded, as one text. */
  text(): string {
    return this.records.map((r) => [r.output, r.error ?? "", JSON.stringify(r.events)].join("\n")).join("\n");
  }

  /** Lines the provider printed (each once: the CLI's output repeats them), matching `pattern`. */
  providerLines(pattern: RegExp): string[] {
    return this.records.flatMap((r) =>
      diagnosticTexts(r.events)
        .flatMap((text) => text.split("\n"))
        .filter((line) => pattern.test(line)),
    );
  }

  /** Lines (of outputs, errors and diagnostics) matching `pattern`. */
  lines(pattern: RegExp): string[] {
    const out: string[] = [];
    for (const r of this.records) {
      const texts = [r.output, r.error ?? "", ...diagnosticTexts(r.events)];
      for (const text of texts) for (const line of text.split("\n")) if (pattern.test(line)) out.push(line);
    }
    return out;
  }
}

/** The message of every diagnostic event (what provider output and engine errors become). */
export function diagnosticTexts(events: readonly EngineEvent[]): string[] {
  return events.flatMap((e) => (e.diagnosticEvent ? [e.diagnosticEvent.message] : []));
}

/** Error diagnostics (what the user sees as the reasons an operation failed). */
export function errorDiagnostics(events: readonly EngineEvent[]): string[] {
  return events.flatMap((e) =>
    e.diagnosticEvent?.severity === "error"
      ? [`${e.diagnosticEvent.urn ?? ""}: ${e.diagnosticEvent.message}`]
      : [],
  );
}

/** User-visible "already exists" errors in a transcript (the adoption note is not one). */
export function alreadyExistsErrors(transcript: Transcript): string[] {
  return transcript.lines(/already exists/i);
}

/** A `_start` request in the log: the deployment id it is for (the model id when none is given). */
export function startedDeploymentId(entry: RequestLogEntry): string | undefined {
  const match = /^\/_ml\/trained_models\/([^/]+)\/deployment\/_start$/.exec(entry.path);
  if (!match || entry.method !== "POST") return undefined;
  return entry.query.deployment_id ?? decodeURIComponent(match[1] ?? "");
}

/** How many `_start` requests reached the handler (state may have changed), per deployment id. */
export function appliedStarts(log: readonly RequestLogEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of log) {
    const id = startedDeploymentId(entry);
    if (id !== undefined && entry.applied) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Deployment ids that saw more than one applied `_start`. */
export function duplicateStarts(log: readonly RequestLogEntry[]): string[] {
  return [...appliedStarts(log)].filter(([, n]) => n > 1).map(([id]) => id);
}

/** Requests whose fault fired, by kind. */
export function faultCounts(log: readonly RequestLogEntry[]): {
  before: number;
  after: number;
  resets: number;
  delays: number;
} {
  let before = 0;
  let after = 0;
  let resets = 0;
  let delays = 0;
  for (const entry of log) {
    if (!entry.fault) continue;
    if (entry.fault.reset) resets++;
    else if (entry.fault.status === undefined) delays++;
    else if (entry.fault.when === "after") after++;
    else before++;
  }
  return { before, after, resets, delays };
}

/** The deployment resources in a stack's state, by deployment id. */
export async function deploymentsInState(stack: TestStack): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const resource of await stack.resources()) {
    if (resource.type !== DEPLOYMENT_TYPE || !resource.id) continue;
    out.set(resource.id, { ...resource.outputs, __initErrors: resource.initErrors });
  }
  return out;
}

/** The deployment ids the emulator runs. */
export function deploymentsInCluster(es: EmulatorHandle): Set<string> {
  return new Set(es.admin.state().deployments.map((d) => d.deploymentId));
}

/**
 * Figures the suite reports: printed in a marked block of the test output and merged into
 * `build/reliability-figures.json` (one section per test), which docs/reliability.md quotes.
 */
export function reportFigures(section: string, figures: Record<string, unknown>): void {
  const file = path.join(repoRoot(), "build", "reliability-figures.json");
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    // First section of the run (or an unreadable leftover): start afresh.
  }
  all[section] = { ...figures, measuredAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
  const body = Object.entries(figures).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
  process.stdout.write(
    [`==== reliability figures: ${section} ====`, ...body, `==== end of ${section} ====`, ""].join("\n"),
  );
}

/** Waits until `condition` holds, polling; fails with `what` after `deadlineMs` (a generous bound, not a timing claim). */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  deadlineMs = 60_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A running process: its id, parent and command line. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Every process below `rootPid` (children, grandchildren…), from /proc. */
export function descendants(rootPid: number): ProcessInfo[] {
  const all: ProcessInfo[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name (2nd field) is in parentheses and may hold spaces: parse after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim();
      all.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  const out: ProcessInfo[] = [];
  const parents = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const proc of all) {
      if (parents.has(proc.ppid) && !parents.has(proc.pid)) {
        parents.add(proc.pid);
        out.push(proc);
        grew = true;
      }
    }
  }
  return out;
}

/** A TCP proxy in front of the emulator that can be taken down (connections refused) and brought back. */
export interface OutageProxy {
  readonly url: string;
  /** Stop listening and cut open connections: the cluster is unreachable. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startOutageProxy(target: { host: string; port: number }): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  let listening = true;
  const down = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    down,
    up: async () => {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    close: down,
  };
}
