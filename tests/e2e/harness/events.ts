import type { DiagnosticEvent, EngineEvent, OpType, StepEventMetadata } from "@pulumi/pulumi/automation";

/** One resource step as the engine announced it, in engine order. */
export interface Step {
  readonly op: OpType;
  /** The resource's logical name (last URN segment). */
  readonly name: string;
  readonly urn: string;
  /** Property keys the provider's diff reported as changed, when any. */
  readonly diffs: readonly string[];
  /** Property keys that force a replacement, when any. */
  readonly keys: readonly string[];
  readonly metadata: StepEventMetadata;
}

/** The logical name at the end of a URN (`urn:pulumi:stack::project::type::name`). */
export function urnName(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at < 0 ? urn : urn.slice(at + 2);
}

/**
 * Resource steps in the order the engine started them (from `resourcePreEvent`).
 * Pass `name` to keep one resource's steps only. Provider resources
 * (`pulumi:providers:*`) are left out unless `includeProviders` is set.
 */
export function steps(
  events: readonly EngineEvent[],
  filter: { name?: string; includeProviders?: boolean } = {},
): Step[] {
  const out: Step[] = [];
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata) continue;
    if (!filter.includeProviders && metadata.type.startsWith("pulumi:providers:")) continue;
    const name = urnName(metadata.urn);
    if (filter.name !== undefined && name !== filter.name) continue;
    out.push({
      op: metadata.op,
      name,
      urn: metadata.urn,
      diffs: metadata.diffs ?? [],
      keys: metadata.keys ?? [],
      metadata,
    });
  }
  return out;
}

/** The `op` of each step, e.g. `["delete-replaced", "create-replacement", "replace"]`. */
export function stepOps(events: readonly EngineEvent[], filter: { name?: string } = {}): OpType[] {
  return steps(events, filter).map((s) => s.op);
}

/** Diagnostics (what `pulumi.log.*`, provider stderr and engine errors become), optionally of some severities. */
export function diagnostics(
  events: readonly EngineEvent[],
  ...severities: DiagnosticEvent["severity"][]
): DiagnosticEvent[] {
  const out: DiagnosticEvent[] = [];
  for (const event of events) {
    const diag = event.diagnosticEvent;
    if (diag && (severities.length === 0 || severities.includes(diag.severity))) out.push(diag);
  }
  return out;
}

/** The summary event's operation counts (`{ create: 1, same: 2 }`), or undefined when the run ended before it. */
export function changeCounts(events: readonly EngineEvent[]): Partial<Record<OpType, number>> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const summary = events[i]?.summaryEvent;
    if (summary) return summary.resourceChanges;
  }
  return undefined;
}

/** The outputs the engine reported for a resource after its last completed step. */
export function finalOutputs(
  events: readonly EngineEvent[],
  name: string,
): Record<string, unknown> | undefined {
  let outputs: Record<string, unknown> | undefined;
  for (const event of events) {
    const metadata = event.resOutputsEvent?.metadata;
    if (metadata && urnName(metadata.urn) === name) outputs = metadata.new?.outputs;
  }
  return outputs;
}
