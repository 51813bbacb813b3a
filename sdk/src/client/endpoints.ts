/**
 * Which endpoint gets the next request: round-robin over the healthy ones; an endpoint that failed to
 * connect is skipped for a while (longer after each consecutive failure) and tried again afterwards.
 * When every endpoint is marked down, the one due back soonest is tried anyway: a call never fails
 * just because of bookkeeping. Pure apart from its own state; the clock is passed in.
 */

export interface EndpointHealthOptions {
  /** How long an endpoint is skipped after its first failure (doubles per consecutive failure). */
  downBaseMs: number;
  /** Cap of the skip time. */
  downMaxMs: number;
}

export const DEFAULT_ENDPOINT_HEALTH: EndpointHealthOptions = { downBaseMs: 5_000, downMaxMs: 120_000 };

interface Health {
  failures: number;
  downUntil: number;
}

export class EndpointSelector<T> {
  readonly #items: readonly T[];
  readonly #health: Health[];
  readonly #options: EndpointHealthOptions;
  #next = 0;

  constructor(items: readonly T[], options: EndpointHealthOptions = DEFAULT_ENDPOINT_HEALTH) {
    if (items.length === 0) throw new Error("EndpointSelector needs at least one endpoint");
    this.#items = items;
    this.#health = items.map(() => ({ failures: 0, downUntil: 0 }));
    this.#options = options;
  }

  /** The endpoint for the next attempt. */
  pick(now: number): T {
    const n = this.#items.length;
    for (let i = 0; i < n; i++) {
      const index = (this.#next + i) % n;
      if (this.#health[index].downUntil <= now) {
        this.#next = (index + 1) % n;
        return this.#items[index];
      }
    }
    let soonest = 0;
    for (let i = 1; i < n; i++) if (this.#health[i].downUntil < this.#health[soonest].downUntil) soonest = i;
    return this.#items[soonest];
  }

  /** Records a connect failure: the endpoint is skipped until `now + downBaseMs·2^(failures-1)` (capped). */
  markDown(item: T, now: number): void {
    const h = this.#health[this.#indexOf(item)];
    h.failures += 1;
    h.downUntil = now + Math.min(this.#options.downMaxMs, this.#options.downBaseMs * 2 ** (h.failures - 1));
  }

  /** Records a successful exchange. */
  markUp(item: T): void {
    const h = this.#health[this.#indexOf(item)];
    h.failures = 0;
    h.downUntil = 0;
  }

  /** Whether an endpoint other than `item` is currently healthy. */
  hasHealthyOtherThan(item: T, now: number): boolean {
    return this.#items.some((other, i) => other !== item && this.#health[i].downUntil <= now);
  }

  /** Whether `item` is currently marked down. */
  isDown(item: T, now: number): boolean {
    return this.#health[this.#indexOf(item)].downUntil > now;
  }

  #indexOf(item: T): number {
    const index = this.#items.indexOf(item);
    if (index < 0) throw new Error("unknown endpoint");
    return index;
  }
}
