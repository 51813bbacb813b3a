/**
 * When the provider sends `_start` again after a failed one (pure; the caller reads the stats first and
 * starts again only when the failed attempt left nothing behind).
 *
 * Retried, within the connection's `maxRetries` and the wait deadline: "try later" answers (408, 429,
 * 502, 503, 504) and connections lost after sending. The wait is the provider's backoff, or the server's
 * `Retry-After` when that is longer, capped at {@link RETRY_AFTER_CAP_MS}; a `Retry-After` that ends
 * past the deadline makes the failure final, saying so. Never retried: a capacity refusal (it stands until
 * capacity changes), anything applied, and every other answer.
 */
import { ConnectionError, ResponseError, isCapacityRefusal } from "../client";
import type { Timing } from "./wait";

/** Statuses that mean "try later" for a start. */
const RETRYABLE_START_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/** The longest `Retry-After` the provider honours before starting again. */
export const RETRY_AFTER_CAP_MS = 30_000;

export type StartRetryDecision =
  { retry: true; delayMs: number; retryAfter: boolean } | { retry: false; detail?: string };

export interface StartRetryContext {
  /** 1 for the first failed start. */
  attempt: number;
  maxRetries: number;
  now: number;
  /** Epoch ms of the wait deadline. */
  deadline: number;
  timing: Pick<Timing, "pollInitialMs" | "pollMaxMs">;
}

export function decideStartRetry(err: unknown, ctx: StartRetryContext): StartRetryDecision {
  if (isCapacityRefusal(err)) return { retry: false };
  const retryable =
    (err instanceof ResponseError && RETRYABLE_START_STATUSES.has(err.statusCode)) ||
    (err instanceof ConnectionError && err.requestSent && err.code === "ES_CONNECTION_ERROR");
  if (!retryable || (err as { applied?: boolean }).applied === true || ctx.attempt > ctx.maxRetries)
    return { retry: false };
  const backoffMs = Math.min(ctx.timing.pollMaxMs, ctx.timing.pollInitialMs * 2 ** (ctx.attempt - 1));
  const retryAfterMs = err instanceof ResponseError ? err.retryAfterMs : undefined;
  const honoured = retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
  const delayMs = Math.max(backoffMs, honoured ?? 0);
  const retryAfter = honoured !== undefined && honoured >= backoffMs;
  if (ctx.now + delayMs >= ctx.deadline) {
    return retryAfter
      ? {
          retry: false,
          detail:
            `The answer asked to retry after ${Math.round((retryAfterMs ?? 0) / 1000)} s (Retry-After), which ends ` +
            "past the wait deadline (waitTimeoutSeconds); nothing was started, so run pulumi up again later",
        }
      : { retry: false };
  }
  return { retry: true, delayMs, retryAfter };
}
