/**
 * The per-N runs of the resource benchmark (figures 1, 2, 3, 5, 7 and the request count): the direct
 * script, our resource and the curl peer, each creating, previewing and destroying the same N deployments
 * spread over the same clusters (see fleet.ts: at most 100 per cluster).
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { RequestCounts } from "elasticsearch-ml-emulator";
import { TrainedModelDeployment, TYPE_TOKEN } from "pulumi-elasticsearch-ml";
import type { TestStack } from "../e2e/harness";
import { CurlCommand, curlCommandsFor } from "./curl-resource";
import {
  isMutating,
  type PreviewPoint,
  type StateResource,
  stateSize,
  type StateSize,
  type WaitSample,
} from "./figures";
import { directStartAll, directStopAll, expectPlaced, type Fleet, fleetRequestCounts } from "./fleet";
import { connectionName, countsSince, type Placed } from "./placement";
import { ProviderSampler, type ProviderSample } from "./proc";
import {
  type BenchCluster,
  type BenchStack,
  collectWaitSamples,
  expectSteps,
  MODEL_ID,
  PEER_TYPE,
} from "./scenarios";

/** The arguments the program gives each deployment (the "declared inputs" of the state-size figure). */
export function declaredArgs(p: Placed) {
  const connection = connectionName(p.cluster);
  return {
    modelId: MODEL_ID,
    deploymentId: p.id,
    numberOfAllocations: 1,
    ...(connection === undefined ? {} : { connection }),
  };
}

function urlOf(fleet: Fleet, p: Placed): string {
  return (fleet[p.cluster] as BenchCluster).emulator.url;
}

export function oursProgram(placed: readonly Placed[]): PulumiFn {
  return async () => {
    for (const p of placed) new TrainedModelDeployment(p.id, declaredArgs(p));
  };
}

export function peerProgram(fleet: Fleet, placed: readonly Placed[]): PulumiFn {
  return async () => {
    for (const p of placed) new CurlCommand(p.id, curlCommandsFor(urlOf(fleet, p), MODEL_ID, p.id));
  };
}

const elapsed = (started: number) => performance.now() - started;
const idsOf = (placed: readonly Placed[]) => placed.map((p) => p.id);

/** Runs `up` and also notes when the engine's summary event arrived (the rest is the Automation API's own reads). */
async function timedUp(stack: TestStack, parallel: number) {
  let summaryAt: number | undefined;
  const unwatch = stack.watch((event) => {
    if (event.summaryEvent) summaryAt = performance.now();
  });
  const started = performance.now();
  try {
    const up = await stack.up({ parallel });
    const ms = elapsed(started);
    return { up, ms, engineMs: summaryAt === undefined ? ms : summaryAt - started };
  } finally {
    unwatch();
  }
}

export interface DirectRun {
  upMs: number;
  stopMs: number;
}

export async function runDirect(
  fleet: Fleet,
  placed: readonly Placed[],
  parallel: number,
): Promise<DirectRun> {
  const upMs = await directStartAll(fleet, placed, parallel);
  expectPlaced(fleet, placed, true);
  const stopMs = await directStopAll(fleet, placed, parallel);
  expectPlaced(fleet, placed, false);
  return { upMs, stopMs };
}

/** One side's run at one N: `up`, a preview with no changes, the checkpoint's size, `destroy`. */
export interface SideRun {
  upMs: number;
  /** From the start of `up` to the engine's summary event. */
  upEngineMs: number;
  /** Requests the emulators counted during the `up` (all clusters), by method and route template. */
  upRequests: RequestCounts;
  preview: PreviewPoint;
  state: StateSize;
  /** The provider process during the `up`. */
  provider: ProviderSample;
  destroyMs: number;
}

export interface OursRun extends SideRun {
  /** Wait latency of each create (capacity was there: `_start` waited server-side). */
  waitSamples: WaitSample[];
}

type Side = "ours" | "peer";

async function runSide(
  side: Side,
  fleet: Fleet,
  bench: BenchStack,
  placed: readonly Placed[],
  parallel: number,
  afterUp: () => Promise<void> = async () => {},
): Promise<SideRun> {
  const { stack } = bench;
  const type = side === "ours" ? TYPE_TOKEN : PEER_TYPE;
  stack.setProgram(side === "ours" ? oursProgram(placed) : peerProgram(fleet, placed));
  for (const cluster of fleet) cluster.emulator.admin.clearLog();
  bench.probe.clear();

  let counts = fleetRequestCounts(fleet);
  const sampler = new ProviderSampler(stack.workDir).start();
  let timed: Awaited<ReturnType<typeof timedUp>>;
  let provider: ProviderSample;
  try {
    timed = await timedUp(stack, parallel);
  } finally {
    // Stopped in every case, so a failed up leaves no timer behind.
    provider = sampler.stop();
  }
  const upRequests = countsSince(counts, fleetRequestCounts(fleet));
  expectSteps(timed.up.events, "create", type, idsOf(placed));
  expectPlaced(fleet, placed, true);
  await afterUp();

  counts = fleetRequestCounts(fleet);
  let started = performance.now();
  const preview = await stack.preview({ parallel });
  const previewMs = elapsed(started);
  const during = countsSince(counts, fleetRequestCounts(fleet));
  const changes = preview.result.changeSummary;
  if (Object.entries(changes).some(([op, count]) => op !== "same" && (count ?? 0) > 0)) {
    throw new Error(`the preview of an unchanged program planned changes: ${JSON.stringify(changes)}`);
  }

  const checkpoint = (await stack.exportStack()) as { resources?: StateResource[] };
  const declared = new Map<string, unknown>(
    placed.map((p) => [
      p.id,
      side === "ours" ? declaredArgs(p) : curlCommandsFor(urlOf(fleet, p), MODEL_ID, p.id),
    ]),
  );
  const state = stateSize(checkpoint, type, declared);

  started = performance.now();
  const destroy = await stack.destroy({ parallel });
  const destroyMs = elapsed(started);
  expectSteps(destroy.events, "delete", type, idsOf(placed));
  expectPlaced(fleet, placed, false);

  return {
    upMs: timed.ms,
    upEngineMs: timed.engineMs,
    upRequests,
    preview: {
      n: placed.length,
      wallMs: previewMs,
      requests: during.total,
      mutating: Object.entries(during.byRoute)
        .filter(([key]) => isMutating(key.split(" ")[0] ?? ""))
        .reduce((sum, [, count]) => sum + count, 0),
    },
    state,
    provider,
    destroyMs,
  };
}

export async function runOurs(
  fleet: Fleet,
  bench: BenchStack,
  placed: readonly Placed[],
  parallel: number,
): Promise<OursRun> {
  let waitSamples: WaitSample[] = [];
  const run = await runSide("ours", fleet, bench, placed, parallel, async () => {
    waitSamples = [];
    for (let c = 0; c < fleet.length; c++) {
      const ids = placed.filter((p) => p.cluster === c).map((p) => p.id);
      if (ids.length > 0)
        waitSamples.push(...(await collectWaitSamples(fleet[c] as BenchCluster, bench.probe, ids)));
    }
  });
  return { ...run, waitSamples };
}

export function runPeer(
  fleet: Fleet,
  bench: BenchStack,
  placed: readonly Placed[],
  parallel: number,
): Promise<SideRun> {
  return runSide("peer", fleet, bench, placed, parallel);
}
