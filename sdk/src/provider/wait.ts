/**
 * Waiting for a deployment: poll its stats with backoff until it reaches the target, fails, or the
 * provider's own deadline passes. Intervals and the clock are parameters, so tests run in milliseconds.
 */
import type { DeploymentStats, ElasticsearchClient } from "../client";
import { DeploymentFailedError, WaitTimeoutError } from "./errors";
import { assessReadiness, WaitTarget } from "./observe";
import type { Progress } from "./progress";

/** Polling and server-wait timings. */
export interface Timing {
  /** Server-side wait given to `_start` (`timeout`), before polling takes over. Default 10 s. */
  serverWaitMs: number;
  /** First poll interval. Default 500 ms. */
  pollInitialMs: number;
  /**
   * Longest poll interval. Default 750 ms: a deployment that becomes ready while the provider polls (e.g. once
   * autoscaled capacity arrives) is noticed within it, so `up` returns within a second of Elasticsearch
   * (measured by `npm run bench`, figure 6). The price is about 1.3 `_stats` requests per second per waiting
   * deployment; the engine runs at most `--parallel` of them at once.
   */
  pollMaxMs: number;
  /** Growth of the interval after each poll. Default 1.5. */
  pollFactor: number;
  /** A progress line is repeated after this long without a change, so a long wait shows it is alive. Default 60 s. */
  heartbeatMs: number;
  /**
   * The `referencingPipelines` and `inferenceEndpoints` outputs come from whole-cluster listings; one that
   * started less than this long ago answers every deployment that asks (issue 16: one listing for many
   * creates instead of two requests each). Default 10 s, so those outputs are at most that much older than
   * the operation that records them. Explanations of a refused stop always list afresh.
   */
  listingReuseMs: number;
}

export const DEFAULT_TIMING: Timing = Object.freeze({
  serverWaitMs: 10_000,
  pollInitialMs: 500,
  pollMaxMs: 750,
  pollFactor: 1.5,
  heartbeatMs: 60_000,
  listingReuseMs: 10_000,
});

/** Clock and sleep, injectable. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface WaitOptions {
  client: ElasticsearchClient;
  deploymentId: string;
  target: WaitTarget;
  /** Epoch ms after which the wait gives up. */
  deadline: number;
  /** The `waitTimeoutSeconds` the deadline came from, for the message. */
  waitTimeoutSeconds: number;
  timing: Timing;
  clock: Clock;
  progress: Progress;
  /** Receives each stats read, so a caller that fails can still record the latest facts. */
  onStats?: (stats: DeploymentStats | undefined) => void;
}

/**
 * Poll until the deployment reaches `target`.
 *
 * @returns The stats that satisfied the target.
 * @throws {DeploymentFailedError} When Elasticsearch reports it failed (or a route failed), or it vanished.
 * @throws {WaitTimeoutError} When the deadline passes first.
 * @throws Any client error from reading the stats (after the client's own retries).
 */
export async function waitForDeployment(options: WaitOptions): Promise<DeploymentStats> {
  const { client, deploymentId, target, deadline, timing, clock, progress } = options;
  let interval = timing.pollInitialMs;
  let lastLine = "";
  let lastLineAt = 0;
  for (;;) {
    // It was started or scaled, so it exists: the read joins the other waiting deployments' (statsPoll.ts).
    const stats = await client.pollDeploymentStats(deploymentId);
    options.onStats?.(stats);
    const readiness = assessReadiness(stats, target);
    const line = `${deploymentId}: ${readiness.summary}`;
    const now = clock.now();
    if (line !== lastLine || now - lastLineAt >= timing.heartbeatMs) {
      progress.info(readiness.status === "reached" ? `${line} — ${target.waitFor} reached` : line);
      lastLine = line;
      lastLineAt = now;
    }
    switch (readiness.status) {
      case "reached":
        return stats as DeploymentStats;
      case "failed":
        throw new DeploymentFailedError(
          `Deployment [${deploymentId}] failed while waiting for ${target.waitFor}: ${readiness.reason}`,
        );
      case "absent":
        throw new DeploymentFailedError(
          `Deployment [${deploymentId}] disappeared while waiting for ${target.waitFor} ` +
            "(Elasticsearch removes a deployment that fails to start, and someone may have stopped it)",
        );
      case "waiting":
        break;
    }
    const remaining = deadline - now;
    if (remaining <= 0) {
      throw new WaitTimeoutError(
        `Deployment [${deploymentId}] did not reach ${target.waitFor}` +
          `${target.expectedAllocations === undefined ? "" : ` with ${target.expectedAllocations} allocations`}` +
          ` within waitTimeoutSeconds (${options.waitTimeoutSeconds} s); last seen: ${readiness.summary}`,
      );
    }
    await clock.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * timing.pollFactor, timing.pollMaxMs);
  }
}

/**
 * Poll until no deployment with the id exists: one that is stopping must finish before a new start
 * (`before-start`, the default), and a stop Elasticsearch answered with `stopped: false` is confirmed only
 * once the deployment is gone (`after-stop`).
 */
export async function waitUntilGone(
  options: Omit<WaitOptions, "target"> & { why?: "before-start" | "after-stop" },
): Promise<void> {
  const { client, deploymentId, deadline, timing, clock, progress } = options;
  const afterStop = options.why === "after-stop";
  let interval = timing.pollInitialMs;
  progress.info(
    afterStop
      ? `${deploymentId}: Elasticsearch answered the stop with stopped: false; waiting until the deployment is gone`
      : `${deploymentId}: waiting for the stopping deployment to go away before starting it`,
  );
  for (;;) {
    const stats = await client.getDeploymentStats(deploymentId);
    if (stats === undefined) return;
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new WaitTimeoutError(
        afterStop
          ? `Elasticsearch answered the stop of deployment [${deploymentId}] with stopped: false, and it was still ` +
              `${stats.state ?? "present"} after waitTimeoutSeconds (${options.waitTimeoutSeconds} s), so it is not ` +
              "confirmed stopped"
          : `Deployment [${deploymentId}] was still ${stats.state ?? "present"} after waitTimeoutSeconds ` +
              `(${options.waitTimeoutSeconds} s); it must be gone before it can be started again`,
      );
    }
    await clock.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * timing.pollFactor, timing.pollMaxMs);
  }
}
