/**
 * Shared pieces of the end-to-end scenarios: an emulator per spec file with tiny models, what the
 * emulator saw on the wire (mutating calls per deployment), and what the engine reported (the
 * printed diff, the resources of a `stack export`).
 *
 * The scenarios assert both sides: Pulumi's view (operation counts, old/new inputs, the printed
 * diff, outputs, the checkpoint) and the cluster's (`admin.state()`, `admin.log()`).
 */
import * as assert from "node:assert/strict";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import {
  startEmulator,
  type EmulatorHandle,
  type EmulatorOptions,
  type EmulatorStateSnapshot,
  type RequestLogEntry,
} from "elasticsearch-ml-emulator";
import { TYPE_TOKEN } from "pulumi-elasticsearch-ml";
import { putTinyPytorchModel, type SetupTarget } from "../../client/fixtures";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { urnName, type CheckpointResource, type StackCheckpoint, type TestStackOptions } from "../harness";

/** Fast starts and stops: scenarios wait on conditions, never on these delays. */
export const FAST_EMULATOR: EmulatorOptions = { startDelayMs: 5, stopDelayMs: 1 };

/** An emulator for one spec file; `models` are uploaded before each scenario by {@link freshCluster}. */
export async function startScenarioEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ ...FAST_EMULATOR, ...options });
}

/**
 * Back to a fresh cluster (no deployments, no pipelines, empty log) with `models` uploaded, so each
 * scenario starts from the same place on a shared emulator. The set-up requests are cleared from the
 * log: scenarios assert on what Pulumi sent.
 */
export async function freshCluster(
  es: EmulatorHandle,
  models: readonly string[],
  target: SetupTarget = { url: es.url },
): Promise<void> {
  es.admin.reset();
  for (const model of models) await putTinyPytorchModel(target, model);
  es.admin.clearLog();
}

/** Options of a test stack whose default connection is the emulator; `config` adds stack config. */
export function stackOn(
  es: EmulatorHandle,
  program: PulumiFn,
  options: Omit<TestStackOptions, "program"> = {},
): TestStackOptions {
  return {
    ...options,
    program,
    config: { "elasticsearch-ml:endpoints": es.url, ...options.config },
  };
}

export type Deployment = EmulatorStateSnapshot["deployments"][number];

/** The deployments the emulator holds, by deployment id. */
export function deploymentsOnCluster(es: EmulatorHandle): Map<string, Deployment> {
  return new Map(es.admin.state().deployments.map((d) => [d.deploymentId, d]));
}

/** One deployment the emulator holds; fails the test when it is absent. */
export function deploymentOnCluster(es: EmulatorHandle, deploymentId: string): Deployment {
  const found = deploymentsOnCluster(es).get(deploymentId);
  assert.ok(found, `the emulator holds deployment ${deploymentId}`);
  return found;
}

/** Every route of the deployment is `started` (the emulator's view of "fully running"). */
export function routeStates(deployment: Deployment): string[] {
  return Object.values(deployment.routes).map((r) => r.state);
}

/** A deployment call as the emulator logged it. */
export interface WireCall {
  readonly kind: "_start" | "_stop" | "_update";
  /** For `_start`, the `deployment_id` query parameter (or the model id when absent); else the path's id. */
  readonly deploymentId: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
  readonly status: number;
  /** The handler ran (state may have changed). */
  readonly applied: boolean;
  readonly seq: number;
  readonly time: number;
  readonly durationMs: number;
}

const DEPLOYMENT_CALL = /^\/_ml\/trained_models\/([^/]+)\/deployment\/(_start|_stop|_update)$/;

/** `_start`, `_stop` and `_update` calls in log order, optionally only one kind or one deployment. */
export function deploymentCalls(
  log: readonly RequestLogEntry[],
  filter: { kind?: WireCall["kind"]; deploymentId?: string; succeeded?: boolean } = {},
): WireCall[] {
  const calls: WireCall[] = [];
  for (const entry of log) {
    const match = DEPLOYMENT_CALL.exec(entry.path);
    if (!match || entry.method !== "POST") continue;
    const kind = match[2] as WireCall["kind"];
    const pathId = decodeURIComponent(match[1]!);
    const deploymentId = kind === "_start" ? (entry.query.deployment_id ?? pathId) : pathId;
    calls.push({
      kind,
      deploymentId,
      query: entry.query,
      body: entry.body,
      status: entry.status,
      applied: entry.applied,
      seq: entry.seq,
      time: entry.time,
      durationMs: entry.durationMs,
    });
  }
  return calls.filter(
    (c) =>
      (filter.kind === undefined || c.kind === filter.kind) &&
      (filter.deploymentId === undefined || c.deploymentId === filter.deploymentId) &&
      (filter.succeeded === undefined || filter.succeeded === (c.applied && c.status < 300)),
  );
}

/**
 * `_start` calls that created a deployment, per deployment id: 2xx, or 408 (the deployment exists and
 * keeps starting; only the server-side wait ran out). `applied` alone is not enough: a refused start
 * (400 "already exists", 429 no capacity) also reached its handler.
 */
export function appliedStarts(log: readonly RequestLogEntry[], deploymentId?: string): WireCall[] {
  return deploymentCalls(log, { kind: "_start", deploymentId }).filter(
    (c) => c.applied && (c.status < 300 || c.status === 408),
  );
}

/** Requests that may change the cluster: everything but GET and HEAD. */
export function mutatingRequests(log: readonly RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((e) => e.method !== "GET" && e.method !== "HEAD");
}

/** `METHOD path?query → status` per request, for assertion messages. */
export function describeLog(log: readonly RequestLogEntry[]): string {
  return log
    .map((e) => {
      const query = new URLSearchParams(e.query).toString();
      return `${e.method} ${e.path}${query ? `?${query}` : ""} → ${e.status}`;
    })
    .join("\n");
}

/** The `TrainedModelDeployment` resources of a checkpoint, by logical name. */
export function deploymentResources(checkpoint: StackCheckpoint): Map<string, CheckpointResource> {
  return new Map(
    (checkpoint.resources ?? []).filter((r) => r.type === TYPE_TOKEN).map((r) => [urnName(r.urn), r]),
  );
}

/** One deployment resource of a checkpoint; fails the test when it is absent. */
export function deploymentResource(checkpoint: StackCheckpoint, name: string): CheckpointResource {
  const found = deploymentResources(checkpoint).get(name);
  assert.ok(found, `stack export holds the deployment resource ${name}`);
  return found;
}

/**
 * The property lines of a printed diff (`preview --diff`), trimmed and with padding folded:
 * `~ numberOfAllocations: 1 => 2`, `+-pulumi-nodejs:dynamic/…: (replace)`. Only the resources' part (before
 * the stack outputs and the `Resources:` summary); unchanged context lines (no marker) are left out.
 */
export function printedChanges(stdout: string): string[] {
  // Stack outputs that depend on a changing resource are printed after it (`--outputs:--`): not a change.
  const body = stdout.split(/\nResources:\n/)[0]?.split(/^\s*--outputs:--$/m)[0] ?? "";
  return (
    body
      .split("\n")
      .filter((line) => /^\s*(\+-|[~+-]) ?\S/.test(line) && !/^\s*[+-]{3}/.test(line))
      // Keys are padded to the longest one printed: fold the padding so the lines do not depend on it.
      .map((line) => line.trim().replace(/\s+/g, " ").replace(/ : /g, ": "))
  );
}

/** Every text the engine produced for one operation: engine events and the CLI's own output. */
export function everythingSaid(operation: { events: readonly EngineEvent[]; output: string }): string {
  return `${JSON.stringify(operation.events)}\n${operation.output}`;
}

/**
 * Waits until `condition` holds, polling every `intervalMs`; fails with `what` after `timeoutMs`. A
 * generous deadline, not a timing assertion: a busy machine only makes it take longer.
 */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** How `preview --diff` heads an in-place update and a replacement of a deployment. */
export const UPDATE_HEADER = "~ pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment: (update)";
export const REPLACE_HEADER = "+-pulumi-nodejs:dynamic/elasticsearch-ml:TrainedModelDeployment: (replace)";
