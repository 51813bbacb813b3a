/**
 * Timers and state-change waits in one place, so that `close()` can cancel every pending timer
 * and no test leaks a handle. Waiting mirrors Elasticsearch's cluster-state observers: a
 * predicate is re-evaluated after every state change until it yields a value or time runs out.
 */

export const TIMED_OUT: unique symbol = Symbol("timed out");

export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  /** Runs `fn` after `ms` unless cancelled or closed. Returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Tells every waiter that state changed. */
  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Resolves with the first non-undefined value of `check` (evaluated now and after every
   * {@link notify}), or {@link TIMED_OUT} after `timeoutMs` (never when undefined). A throw
   * from `check` rejects.
   */
  waitFor<T>(check: () => T | undefined, timeoutMs?: number): Promise<T | typeof TIMED_OUT> {
    return new Promise((resolve, reject) => {
      let cancelTimer = (): void => undefined;
      const finish = (outcome: () => void): void => {
        this.waiters.delete(evaluate);
        cancelTimer();
        outcome();
      };
      const evaluate = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish(() => reject(error));
          return;
        }
        if (value !== undefined) finish(() => resolve(value));
      };
      this.waiters.add(evaluate);
      if (timeoutMs !== undefined)
        cancelTimer = this.after(timeoutMs, () => finish(() => resolve(TIMED_OUT)));
      evaluate();
    });
  }

  /** Cancels all timers and forgets all waiters (their promises stay pending forever). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiters.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
