/**
 * The request log: the most recent entries (bounded so long benchmarks do not grow memory), and beside it
 * counters of every request by method and route template, which cannot overflow: a benchmark of 500
 * deployments that poll can send more requests than the log keeps, and must still count them all.
 */
import type { RequestCounts, RequestLogEntry } from "./types";

/** The default of the `logCapacity` option. */
export const LOG_CAPACITY = 10_000;
/** The counters' key of a request that matched no route (400 or 405). */
export const NO_ROUTE = "(no route)";

export class RequestLog {
  /** `capacity`: how many of the most recent entries are kept (the counters keep counting past it). */
  constructor(private readonly capacity = LOG_CAPACITY) {}

  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private counts = new Map<string, number>();
  private total = 0;

  nextSeq(): number {
    this.seq++;
    return this.seq;
  }

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    const key = `${entry.method} ${entry.route ?? NO_ROUTE}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total++;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** Totals since the emulator started or the counters were last cleared, keys sorted. */
  requestCounts(): RequestCounts {
    const byRoute = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { total: this.total, byRoute };
  }

  /** Empties the log only: the counters go on (a reader diffs two snapshots, or clears them explicitly). */
  clear(): void {
    this.entries = [];
  }

  clearCounts(): void {
    this.counts = new Map();
    this.total = 0;
  }
}
