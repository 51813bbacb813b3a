/**
 * Allocation planning against ML node processors: a deployment needs
 * `threads_per_allocation` processors per allocation on the node that hosts it. Pure
 * functions; the lifecycle applies their result to routes.
 *
 * Simplifications (documented in the README): only processors are planned (no memory), normal
 * priority allocations are spread by always picking the node with the most free processors,
 * and low priority deployments (1 allocation × 1 thread) do not consume processors, as
 * Elasticsearch runs them on spare capacity.
 */

export interface PlanNode {
  id: string;
  name: string;
  processors: number;
  /** Processors already used by normal priority allocations. */
  used: number;
}

export interface Placement {
  /** Additional allocations per node id. */
  placed: Map<string, number>;
  /** How many of the wanted allocations could not be placed. */
  missing: number;
  /** Planner explanation when something is missing (the assignment's `reason`). */
  explanation?: string;
}

/** Places `wanted` more allocations of `threads` processors each, spreading across nodes. */
export function placeAllocations(
  nodes: PlanNode[],
  wanted: number,
  threads: number,
  hosting: Set<string>,
): Placement {
  const free = new Map(nodes.map((node) => [node.id, node.processors - node.used]));
  const placed = new Map<string, number>();
  let missing = wanted;
  while (missing > 0) {
    let best: PlanNode | undefined;
    for (const node of nodes) {
      const available = free.get(node.id) ?? 0;
      if (available < threads) continue;
      if (
        !best ||
        available > (free.get(best.id) ?? 0) ||
        (available === free.get(best.id) && hosting.has(node.id) && !hosting.has(best.id))
      ) {
        best = node;
      }
    }
    if (!best) break;
    free.set(best.id, (free.get(best.id) ?? 0) - threads);
    placed.set(best.id, (placed.get(best.id) ?? 0) + 1);
    missing--;
  }
  return { placed, missing, explanation: missing > 0 ? explain(nodes, free, threads) : undefined };
}

/** A low priority deployment goes to the node hosting the fewest low priority routes. */
export function placeLowPriority(
  nodes: PlanNode[],
  lowPriorityRoutes: Map<string, number>,
): string | undefined {
  let best: PlanNode | undefined;
  for (const node of nodes) {
    if (!best || (lowPriorityRoutes.get(node.id) ?? 0) < (lowPriorityRoutes.get(best.id) ?? 0)) best = node;
  }
  return best?.id;
}

/**
 * Which routes to shrink to remove `count` allocations: routes with the fewest allocations
 * first, so whole nodes are freed (as Elasticsearch's allocation reducer prefers).
 */
export function reduceAllocations(
  routes: { nodeId: string; target: number }[],
  count: number,
): Map<string, number> {
  const newTargets = new Map(routes.map((route) => [route.nodeId, route.target]));
  let remaining = count;
  const order = [...routes].sort((a, b) => a.target - b.target || a.nodeId.localeCompare(b.nodeId));
  for (const route of order) {
    if (remaining <= 0) break;
    const take = Math.min(route.target, remaining);
    newTargets.set(route.nodeId, route.target - take);
    remaining -= take;
  }
  return newTargets;
}

function explain(nodes: PlanNode[], free: Map<string, number>, threads: number): string {
  if (nodes.length === 0) return "No ML nodes exist in the cluster; waiting for an ML node to join";
  return nodes
    .map(
      (node) =>
        `Could not assign (more) allocations on node [${node.name}]. Reason: This node has insufficient allocated processors. ` +
        `Available processors [${node.processors}], free processors [${Math.max(0, free.get(node.id) ?? 0)}], ` +
        `processors required for each allocation of this model [${threads}]`,
    )
    .join("|");
}
