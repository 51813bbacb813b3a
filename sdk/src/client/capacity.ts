/**
 * ML capacity: `GET _ml/info` limits, and the explanation added to Elasticsearch's capacity refusal of a
 * start or update (429 `status_exception` "Could not start|update deployment because …").
 *
 * Such a refusal is final (the transport and the provider do not retry it: it stands until capacity
 * changes), so its one message has to say everything: Elasticsearch's reason (the error's own message),
 * its allocation explanation (`caused_by`), and the request in processors (allocations × threads) against
 * the cluster's ML processor limits. Those limits are in `_ml/info` from Elasticsearch 8.12, and only when
 * Elasticsearch can compute them (not while autoscaling may still grow ML nodes).
 */
import type { OperationContext } from "./context";
import type { ResponseError } from "./errors";

/** `GET _ml/info` as far as this client reads it. */
export interface MlInfo {
  limits?: {
    /** Allocated processors over all ML nodes (plus nodes autoscaling can still add). 8.12+. */
    total_ml_processors?: number;
    /** Allocated processors of the largest ML node (or of one autoscaling can add). 8.12+. */
    max_single_ml_node_processors?: number;
    max_model_memory_limit?: string;
    effective_max_model_memory_limit?: string;
    total_ml_memory?: string;
    [extra: string]: unknown;
  };
  upgrade_mode?: boolean;
  [extra: string]: unknown;
}

/** `GET _ml/info` (needs `monitor_ml`). */
export async function getMlInfo(ctx: OperationContext): Promise<MlInfo> {
  await ctx.version();
  const res = await ctx.transport.request<MlInfo>({
    method: "GET",
    path: "/_ml/info",
    operation: { description: "read the ML limits (GET _ml/info)", privileges: ["monitor_ml"] },
  });
  return res.body ?? {};
}

/** What was asked of the cluster, in the terms of the capacity check. */
export interface CapacityRequest {
  /** "start" or "update". */
  operation: "start" | "update";
  allocations: number;
  /** Threads per allocation (a `low` priority deployment uses one). */
  threadsPerAllocation: number;
}

/** The processor limits, or why they are unknown. */
export type ProcessorLimits =
  { known: true; total?: number; maxSingleNode?: number } | { known: false; why: string };

/** Reads the processor limits from `_ml/info`; never throws (the refusal is reported either way). */
export async function readProcessorLimits(ctx: OperationContext): Promise<ProcessorLimits> {
  try {
    const limits = (await getMlInfo(ctx)).limits ?? {};
    const total = positive(limits.total_ml_processors);
    const maxSingleNode = positive(limits.max_single_ml_node_processors);
    if (total === undefined && maxSingleNode === undefined) {
      return {
        known: false,
        why:
          "GET _ml/info reports no processor limits (Elasticsearch before 8.12, or autoscaling may still add " +
          "or grow ML nodes)",
      };
    }
    return { known: true, total, maxSingleNode };
  } catch (err) {
    return { known: false, why: `GET _ml/info failed: ${(err as Error).message}` };
  }
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The sentences added to a capacity refusal (pure). `explanation` is Elasticsearch's `caused_by` reason
 * when it differs from the error's own reason.
 */
export function describeCapacityRefusal(
  request: CapacityRequest,
  limits: ProcessorLimits,
  explanation: string | undefined,
): string {
  const { allocations, threadsPerAllocation: threads } = request;
  const parts: string[] = [];
  if (explanation) parts.push(`Elasticsearch's explanation: ${explanation}`);
  const asked =
    `The ${request.operation} asks for ${allocations} allocation${allocations === 1 ? "" : "s"} × ${threads} ` +
    `thread${threads === 1 ? "" : "s"} = ${allocations * threads} processors, each allocation's ${threads} on one ML node`;
  if (!limits.known) {
    parts.push(`${asked}; ${limits.why}`);
  } else {
    const have = [
      limits.total === undefined ? undefined : `total_ml_processors ${limits.total}`,
      limits.maxSingleNode === undefined
        ? undefined
        : `max_single_ml_node_processors ${limits.maxSingleNode}`,
    ].filter((p) => p !== undefined);
    let verdict: string;
    if (limits.maxSingleNode !== undefined && threads > limits.maxSingleNode) {
      verdict = `no ML node is large enough for one allocation: lower threadsPerAllocation to at most ${limits.maxSingleNode}`;
    } else if (limits.total !== undefined && allocations * threads > limits.total) {
      verdict =
        `that is more than all ML nodes have: lower numberOfAllocations to at most ${Math.floor(limits.total / threads)}` +
        " or add ML capacity";
    } else {
      verdict =
        "that is within the cluster's limits, so other deployments hold the rest: free capacity, lower the request, " +
        "or add ML capacity";
    }
    parts.push(`${asked}; the cluster has ${have.join(", ")} (GET _ml/info): ${verdict}`);
  }
  parts.push("Not retried: a capacity refusal stands until capacity changes");
  return parts.join(". ");
}

/** Adds the explanation to a capacity refusal, in place (one message, nothing repeated). */
export async function explainCapacityRefusal(
  ctx: OperationContext,
  err: ResponseError,
  request: CapacityRequest,
): Promise<void> {
  const cause = err.causedBy?.reason;
  const explanation = typeof cause === "string" && cause !== err.reason ? cause : undefined;
  // The 100-deployments limit is about the count, not processors.
  const aboutProcessors = /capacity|resources/.test(err.reason ?? "");
  if (!aboutProcessors) {
    err.addDetail(
      [explanation && `Elasticsearch's explanation: ${explanation}`, "Not retried: stop a deployment first"]
        .filter(Boolean)
        .join(". "),
    );
    return;
  }
  err.addDetail(describeCapacityRefusal(request, await readProcessorLimits(ctx), explanation));
}
