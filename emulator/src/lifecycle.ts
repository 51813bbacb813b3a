/**
 * How deployments change over time: creation with allocation planning, routes going from
 * `starting` to `started` after `startDelayMs`, scaling, rebalancing when capacity frees up or
 * arrives (autoscaling), node removal, and the stop sequence (§3.5). Every change calls
 * `scheduler.notify()` so that waiting requests (`wait_for`, stop) re-evaluate.
 */
import { EsError, statusException } from "./errors";
import { PlanNode, placeAllocations, placeLowPriority, reduceAllocations } from "./planner";
import type { Cluster, MlNode } from "./state/cluster";
import { Deployment, emptyRouteStats, inFlight, plannedAllocations, Route } from "./state/deployments";

/** The start parameters a new deployment is created with (the rest of its state starts empty). */
export type NewDeployment = Pick<
  Deployment,
  | "deploymentId"
  | "modelId"
  | "modelBytes"
  | "threadsPerAllocation"
  | "numberOfAllocations"
  | "queueCapacity"
  | "cacheSize"
  | "priority"
  | "adaptive"
>;

/** Hooks the lifecycle calls into the inference queue (kept apart to avoid a module cycle). */
export interface QueueHooks {
  dispatch(dep: Deployment): void;
  failQueued(dep: Deployment, error: EsError): void;
}

export class Lifecycle {
  private pendingNodes = 0;
  private cancelAutoscale: (() => void) | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly queue: QueueHooks,
  ) {}

  /** Processor usage per ML node from normal priority routes. */
  planNodes(): PlanNode[] {
    const used = new Map<string, number>();
    for (const dep of this.cluster.deployments.values()) {
      if (dep.priority === "low") continue;
      for (const route of dep.routes.values()) {
        if (route.state === "starting" || route.state === "started") {
          used.set(route.nodeId, (used.get(route.nodeId) ?? 0) + route.target * dep.threadsPerAllocation);
        }
      }
    }
    return this.cluster.nodes.map((node) => ({
      id: node.id,
      name: node.name,
      processors: node.processors,
      used: used.get(node.id) ?? 0,
    }));
  }

  /** Whether autoscaling could still add a node big enough for one allocation. */
  canScale(threads: number): boolean {
    const { autoscale, autoscaleMaxNodes, processorsPerNode } = this.cluster.options;
    return (
      autoscale &&
      threads <= processorsPerNode &&
      this.cluster.nodes.length + this.pendingNodes < autoscaleMaxNodes
    );
  }

  /**
   * Creates the assignment. Throws the 429s of §2.3-9 when the allocations cannot be placed and
   * scaling is impossible (8.4+); otherwise keeps whatever could be placed, with a `reason`.
   */
  create(spec: NewDeployment): Deployment {
    const now = Date.now();
    const dep: Deployment = {
      ...spec,
      startTime: now,
      state: "starting",
      routes: new Map(),
      maxAssignedAllocations: 0,
      queue: [],
      cache: new Set(),
      lastActivity: now,
      recentRequests: 0,
    };
    const placement = this.place(dep, spec.numberOfAllocations);
    const threads = spec.priority === "low" ? 1 : spec.threadsPerAllocation;
    const scalable = this.canScale(threads);
    if (placement.missing > 0 && !scalable && this.cluster.profile.has("startCapacityCheck")) {
      const placedCount = spec.numberOfAllocations - placement.missing;
      if (placedCount === 0) {
        throw statusException(
          429,
          "Could not start deployment because no ML nodes with sufficient capacity were found",
          {
            type: "illegal_state_exception",
            reason: `Could not start deployment because no suitable nodes were found, allocation explanation [${placement.explanation}]`,
          },
        );
      }
      throw statusException(
        429,
        "Could not start deployment because there are not enough resources to provide all requested allocations",
      );
    }
    this.cluster.deployments.set(dep.deploymentId, dep);
    this.apply(dep, placement.placed);
    dep.reason = placement.explanation;
    if (placement.missing > 0 && scalable) this.scheduleAutoscale();
    this.cluster.scheduler.notify();
    return dep;
  }

  /**
   * Sets the number of allocations (update API and adaptive scaler). With `strict`, an increase
   * that cannot be placed and cannot be scaled for fails with the update 429, changing nothing.
   */
  setAllocations(dep: Deployment, target: number, strict: boolean): void {
    const planned = plannedAllocations(dep);
    if (target > planned) {
      const placement = this.place(dep, target - planned);
      const scalable = this.canScale(dep.priority === "low" ? 1 : dep.threadsPerAllocation);
      if (strict && placement.missing > 0 && !scalable) {
        throw statusException(
          429,
          "Could not update deployment because there are not enough resources to provide all requested allocations",
        );
      }
      dep.numberOfAllocations = target;
      this.apply(dep, placement.placed);
      dep.reason = placement.explanation;
      if (placement.missing > 0 && scalable) this.scheduleAutoscale();
    } else {
      dep.numberOfAllocations = target;
      if (target < planned) this.shrink(dep, planned - target);
      dep.reason = undefined;
      // Freed processors may complete other deployments.
      this.rebalance();
    }
    this.cluster.scheduler.notify();
  }

  /** Gives deployments that lack allocations whatever capacity is free now, oldest first. */
  rebalance(): void {
    const waiting = [...this.cluster.deployments.values()]
      .filter((dep) => dep.state !== "stopping" && plannedAllocations(dep) < dep.numberOfAllocations)
      .sort((a, b) => a.startTime - b.startTime);
    let needsScaling = false;
    for (const dep of waiting) {
      const placement = this.place(dep, dep.numberOfAllocations - plannedAllocations(dep));
      this.apply(dep, placement.placed);
      dep.reason = placement.explanation;
      if (placement.missing > 0 && this.canScale(dep.priority === "low" ? 1 : dep.threadsPerAllocation)) {
        needsScaling = true;
      }
    }
    if (needsScaling) this.scheduleAutoscale();
    this.cluster.scheduler.notify();
  }

  addNode(processors: number, platform?: string): MlNode {
    const node = this.cluster.addNode(processors, platform);
    this.rebalance();
    return node;
  }

  /** A node leaving: its routes disappear; the planner tries to place them elsewhere. */
  removeNode(nodeId: string): void {
    const index = this.cluster.nodes.findIndex((node) => node.id === nodeId);
    if (index < 0) throw new Error(`removeMlNode: no ML node with id "${nodeId}"`);
    this.cluster.nodes.splice(index, 1);
    for (const dep of this.cluster.deployments.values()) dep.routes.delete(nodeId);
    this.rebalance();
  }

  /**
   * A native process failing on its node (admin fault): the route on `nodeId`, or every route, becomes
   * `failed` with `reason` and serves nothing; it stays in the routing table until the deployment is
   * stopped. When every route failed, the stats report the deployment `failed` (see `reportedState`).
   */
  failRoutes(deploymentId: string, nodeId: string | undefined, reason: string): void {
    const dep = this.cluster.deployments.get(deploymentId);
    if (!dep || dep.state === "stopping") {
      throw new Error(`failDeployment: no running deployment with id "${deploymentId}"`);
    }
    const routes = nodeId === undefined ? [...dep.routes.values()] : [dep.routes.get(nodeId)];
    if (routes.length === 0) {
      throw new Error(`failDeployment: deployment "${deploymentId}" has no route to fail yet`);
    }
    for (const route of routes) {
      if (!route)
        throw new Error(`failDeployment: deployment "${deploymentId}" has no route on node "${nodeId}"`);
      route.state = "failed";
      route.reason = reason;
      route.current = 0;
    }
    this.cluster.scheduler.notify();
  }

  /**
   * The stop sequence: `stopping`, queued inference failed (or drained with
   * `finishPendingWork`), in-flight requests finished, process stopped, assignment removed,
   * rebalance. Resolves when the deployment is gone; a second stop joins the first.
   */
  stop(dep: Deployment, finishPendingWork: boolean): Promise<void> {
    if (dep.stopped) return dep.stopped;
    dep.state = "stopping";
    dep.reason = "client API call";
    dep.stopOptions = { finishPendingWork };
    for (const route of dep.routes.values()) {
      if (route.state === "starting" || route.state === "started") route.state = "stopping";
    }
    const scheduler = this.cluster.scheduler;
    const canDrain = [...dep.routes.values()].some((route) => route.current > 0);
    if (!finishPendingWork || !canDrain) {
      this.queue.failQueued(
        dep,
        new EsError(
          429,
          "es_rejected_execution_exception",
          "unable to process as pytorch_inference worker service has shutdown",
        ),
      );
    } else {
      this.queue.dispatch(dep);
    }
    scheduler.notify();
    dep.stopped = (async () => {
      await scheduler.waitFor(() => (dep.queue.length === 0 && inFlight(dep) === 0 ? true : undefined));
      await scheduler.sleep(this.cluster.options.stopDelayMs);
      for (const route of dep.routes.values()) route.state = "stopped";
      if (this.cluster.deployments.get(dep.deploymentId) === dep)
        this.cluster.deployments.delete(dep.deploymentId);
      this.rebalance();
    })();
    return dep.stopped;
  }

  /** Cancels a pending autoscale (reset/close). */
  cancelPending(): void {
    this.cancelAutoscale?.();
    this.cancelAutoscale = undefined;
    this.pendingNodes = 0;
  }

  private place(
    dep: Deployment,
    wanted: number,
  ): { placed: Map<string, number>; missing: number; explanation?: string } {
    if (wanted <= 0) return { placed: new Map(), missing: 0 };
    const nodes = this.planNodes();
    if (dep.priority === "low") {
      const lowRoutes = new Map<string, number>();
      for (const other of this.cluster.deployments.values()) {
        if (other.priority !== "low") continue;
        for (const nodeId of other.routes.keys()) lowRoutes.set(nodeId, (lowRoutes.get(nodeId) ?? 0) + 1);
      }
      const nodeId = placeLowPriority(nodes, lowRoutes);
      if (nodeId === undefined) {
        return {
          placed: new Map(),
          missing: wanted,
          explanation: "No ML nodes exist in the cluster; waiting for an ML node to join",
        };
      }
      return { placed: new Map([[nodeId, wanted]]), missing: 0 };
    }
    return placeAllocations(nodes, wanted, dep.threadsPerAllocation, new Set(dep.routes.keys()));
  }

  /** Adds allocations to routes; new routes start after `startDelayMs`. */
  private apply(dep: Deployment, placed: Map<string, number>): void {
    for (const [nodeId, count] of placed) {
      const existing = dep.routes.get(nodeId);
      if (existing && existing.state === "started") {
        existing.target += count;
        this.catchUp(dep, existing);
      } else if (existing && existing.state === "starting") {
        existing.target += count;
        existing.current = existing.target;
      } else {
        const route: Route = {
          nodeId,
          current: count,
          target: count,
          state: "starting",
          stats: emptyRouteStats(),
        };
        dep.routes.set(nodeId, route);
        this.scheduleRouteStart(dep, route);
      }
    }
    this.trackMaxAssigned(dep);
  }

  private shrink(dep: Deployment, count: number): void {
    const live = [...dep.routes.values()].filter(
      (route) => route.state === "starting" || route.state === "started",
    );
    const targets = reduceAllocations(live, count);
    for (const route of live) {
      const target = targets.get(route.nodeId) ?? route.target;
      if (target === 0) {
        dep.routes.delete(route.nodeId);
      } else {
        route.target = target;
        route.current = Math.min(route.current, target);
      }
    }
  }

  private scheduleRouteStart(dep: Deployment, route: Route): void {
    this.cluster.scheduler.after(this.cluster.options.startDelayMs, () => {
      if (!this.isLive(dep, route) || route.state !== "starting") return;
      route.state = "started";
      route.current = route.target;
      route.startTime = Date.now();
      if (dep.state === "starting") dep.state = "started";
      this.trackMaxAssigned(dep);
      this.queue.dispatch(dep);
      this.cluster.scheduler.notify();
    });
  }

  /** An increase on a started route: current allocations catch up after the start delay. */
  private catchUp(dep: Deployment, route: Route): void {
    this.cluster.scheduler.after(this.cluster.options.startDelayMs, () => {
      if (!this.isLive(dep, route) || route.state !== "started") return;
      route.current = route.target;
      this.trackMaxAssigned(dep);
      this.queue.dispatch(dep);
      this.cluster.scheduler.notify();
    });
  }

  private isLive(dep: Deployment, route: Route): boolean {
    return (
      this.cluster.deployments.get(dep.deploymentId) === dep &&
      dep.state !== "stopping" &&
      dep.routes.get(route.nodeId) === route
    );
  }

  private trackMaxAssigned(dep: Deployment): void {
    let current = 0;
    for (const route of dep.routes.values()) current += route.current;
    dep.maxAssignedAllocations = Math.max(dep.maxAssignedAllocations, current);
  }

  /** One node at a time joins after `autoscaleDelayMs`; the rebalance decides whether more are needed. */
  private scheduleAutoscale(): void {
    if (this.pendingNodes > 0) return;
    this.pendingNodes = 1;
    this.cancelAutoscale = this.cluster.scheduler.after(this.cluster.options.autoscaleDelayMs, () => {
      this.pendingNodes = 0;
      this.cancelAutoscale = undefined;
      this.addNode(this.cluster.options.processorsPerNode);
    });
  }
}
