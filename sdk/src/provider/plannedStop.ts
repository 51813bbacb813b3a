/**
 * Which stop flags a planned stop will send: the one decision the provider's preview warning and the
 * preview report both use, so what a preview promises is what `up` does. Pure.
 *
 * The resource-level flags come from the side of the change whose method runs the stop:
 * - a replacement's stop runs in `delete` with the **old** outputs (the engine calls `delete` with what it
 *   recorded), and so does a destroy: the new declaration's `stop` never reaches it;
 * - a declared `state: "stopped"` and the stop of a repair run in `update` with the **new** inputs.
 * The environment and stack config then apply as for every stop (see `stopFlags.ts`).
 */
import type { PlanKind } from "./diff";
import { isPlainObject, type StopFlags } from "./inputs";
import type { StopOperation } from "./stopMessages";
import { resolveStopFlags, type ResolvedStopFlags } from "./stopFlags";

/** What runs a stop: a plan kind that stops (`replace`, `stop`, `repair`), or a destroy (`delete`). */
export type StopCause = Extract<PlanKind, "replace" | "stop" | "repair"> | "delete";

/** The flags a stop caused by `cause` will send, and where each comes from. */
export interface PlannedStop {
  /** The provider method that sends the stop (`delete` for a replacement or destroy). */
  operation: StopOperation;
  /** Which side's `stop` input the resource-level flags come from. */
  from: "old" | "new";
  resolved: ResolvedStopFlags;
}

/**
 * Decide the flags of a planned stop.
 *
 * @param oldStop The recorded outputs' `stop` (any shape: only booleans count).
 * @param newStop The new inputs' `stop` (may be unknown or secret in a preview: then nothing is read).
 * @param envFlags From `stopFlagsFromEnv`, the environment the stop will run in.
 * @param configFlags From the stack config's stop flags.
 */
export function plannedStopFlags(
  cause: StopCause,
  oldStop: unknown,
  newStop: unknown,
  envFlags: StopFlags | undefined,
  configFlags: StopFlags | undefined,
): PlannedStop {
  const fromOld = cause === "replace" || cause === "delete";
  const resourceStop = fromOld ? oldStop : newStop;
  return {
    operation: fromOld ? "delete" : "update",
    from: fromOld ? "old" : "new",
    resolved: resolveStopFlags(
      envFlags,
      isPlainObject(resourceStop) ? (resourceStop as StopFlags) : undefined,
      configFlags,
    ),
  };
}
