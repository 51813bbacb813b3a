/**
 * A queued inference load for the destroy figure: per deployment, `perDeployment` closed-loop senders
 * each keep one `_infer` request outstanding. With one allocation of one thread, one request runs and the
 * others wait in the deployment's queue, so a stop always meets queued work: a plain stop fails it (429),
 * `finish_pending_work` drains it first. A sender ends at its first non-200 answer (the deployment is
 * stopping or gone), or at the deadline, so the load is bounded in count and time.
 */
import type { EmulatorAdmin } from "elasticsearch-ml-emulator";
import type { DirectClient } from "./direct";

export interface LoadSummary {
  completed: number;
  /** Answers other than 200 (the stop failing queued work, or refusing new requests). */
  refused: number;
  /** Statuses of the refused requests. */
  statuses: Record<string, number>;
}

export class InferenceLoad {
  #stopped = false;
  #workers: Promise<void>[] = [];
  #sequence = 0;
  readonly #summary: LoadSummary = { completed: 0, refused: 0, statuses: {} };
  #deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: DirectClient,
    private readonly deploymentIds: readonly string[],
    private readonly perDeployment: number,
    private readonly deadlineMs: number,
  ) {}

  start(): void {
    this.#deadlineTimer = setTimeout(() => (this.#stopped = true), this.deadlineMs);
    for (const id of this.deploymentIds) {
      for (let i = 0; i < this.perDeployment; i++) this.#workers.push(this.#send(id));
    }
  }

  async #send(id: string): Promise<void> {
    while (!this.#stopped) {
      // Distinct inputs: the emulator answers repeated inputs from its cache at no cost.
      const text = `load ${id} ${this.#sequence++}`;
      const res = await this.client.call("POST", `/_ml/trained_models/${id}/_infer`, {
        docs: [{ text_field: text }],
      });
      if (res.status === 200) {
        this.#summary.completed++;
        continue;
      }
      this.#summary.refused++;
      this.#summary.statuses[res.status] = (this.#summary.statuses[res.status] ?? 0) + 1;
      return;
    }
  }

  /**
   * Waits until every deployment has queued work (`pendingInference` counts queued and running
   * requests), so the stop that follows meets a full queue.
   */
  async waitUntilQueued(admin: EmulatorAdmin, timeoutMs = 30_000): Promise<number> {
    const wanted = new Set(this.deploymentIds);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = admin
        .state()
        .deployments.filter((d) => wanted.has(d.deploymentId))
        .map((d) => d.pendingInference);
      if (pending.length === wanted.size && pending.every((p) => p >= this.perDeployment)) {
        return pending.reduce((sum, p) => sum + p, 0);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `inference load: after ${timeoutMs} ms the deployments hold ${pending.join(",")} pending requests; ` +
            `expected ${this.perDeployment} each`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits for every sender to end (they end once their deployment stops) and summarizes. */
  async finish(): Promise<LoadSummary> {
    await Promise.all(this.#workers);
    clearTimeout(this.#deadlineTimer);
    return { ...this.#summary, statuses: { ...this.#summary.statuses } };
  }

  /** Ends the senders now (cleanup after a failure). */
  abort(): void {
    this.#stopped = true;
  }
}
