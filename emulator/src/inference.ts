/**
 * The inference queue of each deployment. A request waits in the deployment's queue (bounded
 * by `queue_capacity`, 429 beyond) until a started route has a free slot, then occupies it for
 * `inferLatencyMs` per document and answers with a plausible result. Counters feed `_stats`.
 */
import { EsError, statusException } from "./errors";
import type { Cluster } from "./state/cluster";
import {
  allocationCount,
  Deployment,
  InferenceJob,
  Route,
  RouteStats,
  routeSlots,
} from "./state/deployments";
import type { Model } from "./state/models";
import { predict } from "./predictions";

const MINUTE_MS = 60_000;
const MAX_CACHED_INPUTS = 10_000;

export class InferenceEngine {
  /** Called when a request arrives for an adaptive deployment scaled to zero. */
  onScaleFromZero: (dep: Deployment) => void = () => undefined;

  constructor(private readonly cluster: Cluster) {}

  /** Queues one `_infer` request; resolves with one result per document. */
  submit(
    dep: Deployment,
    model: Model,
    docs: Record<string, unknown>[],
    timeoutMs: number,
    timeoutText: string,
  ): Promise<unknown[]> {
    if (dep.state === "stopping") throw notAllocated(dep);
    dep.lastActivity = Date.now();
    dep.recentRequests++;
    const scalingFromZero = dep.adaptive?.enabled === true && allocationCount(dep) === 0;
    const hasServingRoute = [...dep.routes.values()].some(
      (route) => route.state === "started" && route.current > 0,
    );
    if (!hasServingRoute && !scalingFromZero) throw notAllocated(dep);
    if (dep.queue.length >= dep.queueCapacity) {
      const route = this.leastLoaded(dep) ?? [...dep.routes.values()][0];
      if (route) route.stats.rejectedExecutionCount++;
      throw new EsError(
        429,
        "es_rejected_execution_exception",
        "inference process queue is full. Unable to execute command",
      );
    }
    const cacheKey = JSON.stringify(docs);
    const cacheHit = dep.cacheSize.bytes !== 0 && dep.cache.has(cacheKey);
    if (dep.cacheSize.bytes !== 0) {
      dep.cache.add(cacheKey);
      // Bounded like a real cache: forget the oldest inputs.
      if (dep.cache.size > MAX_CACHED_INPUTS) dep.cache.delete(dep.cache.values().next().value as string);
    }
    return new Promise<unknown[]>((resolve, reject) => {
      let settled = false;
      const cancelTimeout = this.cluster.scheduler.after(timeoutMs, () => {
        if (settled) return;
        settled = true;
        const index = dep.queue.indexOf(job);
        if (index >= 0) dep.queue.splice(index, 1);
        const route = this.leastLoaded(dep);
        if (route) route.stats.timeoutCount++;
        reject(statusException(408, `timeout [${timeoutText}] waiting for inference result`));
      });
      const job: InferenceJob = {
        docs,
        cacheHit,
        enqueuedAt: Date.now(),
        resolve: (results) => {
          if (settled) return;
          settled = true;
          cancelTimeout();
          resolve(results.map((_, i) => predict(model, docs[i] ?? {})));
        },
        reject: (error) => {
          if (settled) return;
          settled = true;
          cancelTimeout();
          reject(error);
        },
        settle: cancelTimeout,
      };
      dep.queue.push(job);
      if (scalingFromZero) this.onScaleFromZero(dep);
      this.dispatch(dep);
    });
  }

  /** Moves queued jobs onto free slots of routes that may serve. */
  dispatch(dep: Deployment): void {
    const draining = dep.state === "stopping" && dep.stopOptions?.finishPendingWork === true;
    if (dep.state === "stopping" && !draining) return;
    while (dep.queue.length > 0) {
      const route = this.freeRoute(dep, draining);
      if (!route) return;
      const job = dep.queue.shift() as InferenceJob;
      this.run(dep, route, job);
    }
  }

  /** Fails every queued (not yet running) job of a deployment. */
  failQueued(dep: Deployment, error: EsError): void {
    const jobs = dep.queue.splice(0, dep.queue.length);
    for (const job of jobs) job.reject(error);
  }

  private run(dep: Deployment, route: Route, job: InferenceJob): void {
    const stats = route.stats;
    stats.inFlight++;
    const latency = job.cacheHit ? 0 : this.cluster.options.inferLatencyMs * Math.max(1, job.docs.length);
    this.cluster.scheduler.after(latency, () => {
      stats.inFlight--;
      record(stats, job, latency);
      job.resolve(job.docs.map(() => undefined));
      this.dispatch(dep);
      this.cluster.scheduler.notify();
    });
  }

  private freeRoute(dep: Deployment, draining: boolean): Route | undefined {
    let best: Route | undefined;
    let bestFree = 0;
    for (const route of dep.routes.values()) {
      const servingState = route.state === "started" || (draining && route.state === "stopping");
      if (!servingState) continue;
      const slots = draining ? route.current * dep.threadsPerAllocation : routeSlots(dep, route);
      const free = slots - route.stats.inFlight;
      if (free > bestFree) {
        best = route;
        bestFree = free;
      }
    }
    return best;
  }

  private leastLoaded(dep: Deployment): Route | undefined {
    return [...dep.routes.values()]
      .filter((route) => route.state === "started")
      .sort((a, b) => a.stats.inFlight - b.stats.inFlight)[0];
  }
}

function record(stats: RouteStats, job: InferenceJob, latency: number): void {
  const now = Date.now();
  const count = Math.max(1, job.docs.length);
  stats.inferenceCount += count;
  stats.totalTimeMs += latency;
  if (job.cacheHit) stats.cacheHitCount += count;
  else stats.totalTimeExcludingCacheHitsMs += latency;
  stats.lastAccess = now;
  for (let i = 0; i < count; i++) stats.recent.push({ at: now, ms: latency / count, cacheHit: job.cacheHit });
  pruneRecent(stats, now);
  stats.peakThroughputPerMinute = Math.max(stats.peakThroughputPerMinute, stats.recent.length);
}

export function pruneRecent(stats: RouteStats, now: number): void {
  while (stats.recent.length > 0 && stats.recent[0].at <= now - MINUTE_MS) stats.recent.shift();
}

export const notAllocated = (dep: Deployment): EsError =>
  statusException(409, `Trained model deployment [${dep.deploymentId}] is not allocated to any nodes`);
