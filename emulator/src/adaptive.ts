/**
 * A deliberately simple adaptive allocations scaler (8.15+), run every `adaptiveIntervalMs`
 * for deployments with `adaptive_allocations.enabled`:
 *
 * - requests waiting in the queue → one allocation more (up to `max_number_of_allocations`);
 * - no request during the last interval → one allocation less (down to max(min, 1));
 * - `min_number_of_allocations: 0` (8.16+) and idle for `scaleToZeroIdleMs` → 0 allocations;
 * - a request arriving at 0 allocations is queued and scales the deployment back to
 *   max(min, 1) at once (elastic/elasticsearch#114575).
 *
 * Elasticsearch's real scaler estimates load from inference times and request rates; this one
 * only needs to exercise the same states.
 */
import type { Lifecycle } from "./lifecycle";
import type { Cluster } from "./state/cluster";
import { Deployment, inFlight } from "./state/deployments";

export class AdaptiveScaler {
  private cancelTick: (() => void) | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly lifecycle: Lifecycle,
  ) {}

  /** Starts the periodic check if an adaptive deployment exists (idempotent). */
  ensureRunning(): void {
    if (this.cancelTick || !this.anyAdaptive()) return;
    this.cancelTick = this.cluster.scheduler.after(this.cluster.options.adaptiveIntervalMs, () => {
      this.cancelTick = undefined;
      this.tick();
      this.ensureRunning();
    });
  }

  stop(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  /** A request reached a deployment with no allocation: scale up now. */
  scaleFromZero(dep: Deployment): void {
    if (dep.state !== "started" || dep.numberOfAllocations > 0) return;
    const min = dep.adaptive?.min_number_of_allocations ?? 0;
    this.lifecycle.setAllocations(dep, Math.max(1, min), false);
  }

  private anyAdaptive(): boolean {
    return [...this.cluster.deployments.values()].some(
      (dep) => dep.adaptive?.enabled && dep.state !== "stopping",
    );
  }

  private tick(): void {
    const now = Date.now();
    const scaleToZero = this.cluster.profile.has("scaleToZero");
    for (const dep of this.cluster.deployments.values()) {
      const settings = dep.adaptive;
      if (!settings?.enabled || dep.state !== "started") continue;
      const min = settings.min_number_of_allocations ?? 1;
      const max = settings.max_number_of_allocations ?? Number.MAX_SAFE_INTEGER;
      const current = dep.numberOfAllocations;
      let desired = current;
      if (dep.queue.length > 0) desired = current + 1;
      else if (dep.recentRequests === 0 && inFlight(dep) === 0) {
        const idleLongEnough = now - dep.lastActivity >= this.cluster.options.scaleToZeroIdleMs;
        desired = min === 0 && scaleToZero && idleLongEnough ? 0 : Math.max(1, current - 1);
      }
      desired = Math.min(Math.max(desired, min), max);
      dep.recentRequests = 0;
      if (desired !== current) this.lifecycle.setAllocations(dep, desired, false);
    }
  }
}
