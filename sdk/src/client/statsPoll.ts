/**
 * One `_stats` request for every deployment being waited on at once (issue 16): a `pulumi up` of many
 * deployments waits on up to `--parallel` of them in one provider process, and polling each on its own
 * costs a request per deployment per interval. Reads that ask while a request is in flight (or in the
 * same tick) are answered together by the next request, `GET _ml/trained_models/<id>,<id>,…/_stats`.
 *
 * Every answer comes from a request sent after it was asked for, so it is as fresh as a request of its
 * own. Only for deployments expected to exist (polls after `_start` and `_update`, recorded deployments
 * before a stop, an update or a refresh): an explicit id that
 * matches nothing fails the whole request with 404 whatever `allow_no_match` says (reference §5.1), so a
 * batch that fails in any way is repeated id by id, which gives each caller its own answer and its own
 * error object (callers add details to errors, so one must never be shared).
 */
import type { DeploymentStats, TrainedModelStatsResponse } from "./types";

/**
 * Elasticsearch reads at most `http.max_initial_line_length` (4kb by default) of the request line, so a
 * batch keeps its encoded id list well under that.
 */
export const MAX_BATCH_PATH_CHARS = 3_000;
/**
 * `_stats` pages over models, 100 by default; every id in a batch adds at most one model (a deployment id
 * may not be another model's id), so 100 ids always fit one page.
 */
export const MAX_BATCH_IDS = 100;

interface Waiter {
  id: string;
  resolve(stats: DeploymentStats | undefined): void;
  reject(err: unknown): void;
}

export interface StatsPollRequests {
  /** `GET _ml/trained_models/<ids>/_stats` for the given deployment ids. */
  statsOf(ids: readonly string[]): Promise<TrainedModelStatsResponse>;
  /** One deployment's stats, or undefined when it does not exist (the unbatched read). */
  one(id: string): Promise<DeploymentStats | undefined>;
  /** The encoded length an id takes in the path (with its comma). */
  encodedLength(id: string): number;
}

export class DeploymentStatsPoll {
  #waiting: Waiter[] = [];
  #busy = false;

  constructor(private readonly requests: StatsPollRequests) {}

  /** The deployment's stats from a request sent after this call, or undefined when it does not exist. */
  read(id: string): Promise<DeploymentStats | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ id, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#busy) return;
    this.#busy = true;
    // setImmediate: reads asked in the same tick (a wave of waits starting together) join this request.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    const batch = takeBatch(this.#waiting, (id) => this.requests.encodedLength(id));
    try {
      await this.#answer(batch);
    } finally {
      this.#busy = false;
      if (this.#waiting.length > 0) this.#schedule();
    }
  }

  async #answer(batch: Waiter[]): Promise<void> {
    const ids = [...new Set(batch.map((w) => w.id))];
    if (ids.length > 1) {
      let response: TrainedModelStatsResponse | undefined;
      try {
        response = await this.requests.statsOf(ids);
      } catch {
        // One id gone (404) or the request failed: each caller gets its own read below.
      }
      if (response !== undefined) {
        for (const waiter of batch) waiter.resolve(deploymentStatsIn(response, waiter.id));
        return;
      }
    }
    await Promise.all(
      batch.map((waiter) => this.requests.one(waiter.id).then(waiter.resolve, waiter.reject)),
    );
  }
}

/** Removes and returns the oldest waiters that fit one request. */
export function takeBatch(waiting: Waiter[], encodedLength: (id: string) => number): Waiter[] {
  const ids = new Set<string>();
  let chars = 0;
  let count = 0;
  for (const waiter of waiting) {
    if (!ids.has(waiter.id)) {
      const length = encodedLength(waiter.id);
      if (ids.size > 0 && (ids.size >= MAX_BATCH_IDS || chars + length > MAX_BATCH_PATH_CHARS)) break;
      ids.add(waiter.id);
      chars += length;
    }
    count++;
  }
  return waiting.splice(0, count);
}

/** The `deployment_stats` of one deployment in a `_stats` answer (entries are per deployment). */
export function deploymentStatsIn(
  response: TrainedModelStatsResponse,
  deploymentId: string,
): DeploymentStats | undefined {
  return response.trained_model_stats.find((s) => s.deployment_stats?.deployment_id === deploymentId)
    ?.deployment_stats;
}
