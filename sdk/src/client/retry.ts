/**
 * When to retry, and how long to wait: a pure policy, unit-tested on its own.
 *
 * Retried: failures where nothing reached the server (connect errors, so even a non-idempotent request
 * is safe to resend, on another endpoint when there is one) and — for idempotent requests only —
 * lost connections, timeouts and 408/429/502/503/504 (`Retry-After` honoured up to the backoff cap).
 * Never retried: any other status (a 4xx is an answer, not a glitch), a capacity refusal (a 429 that
 * stands until capacity changes), TLS verification failures (they do not heal), and anything past the
 * deadline.
 */

/** How an attempt failed, as the policy needs to see it. */
export type AttemptFailure =
  /** The server (or a proxy) answered with an error status. */
  | {
      kind: "status";
      statusCode: number;
      retryAfterMs?: number;
      /** Elasticsearch's capacity refusal (`isCapacityRefusal`): final, whatever the status. */
      capacityRefusal?: boolean;
    }
  /** Connecting failed: the request was certainly not sent. */
  | { kind: "connect" }
  /** TLS verification failed. */
  | { kind: "tls" }
  /** The connection broke after the request may have been written. */
  | { kind: "lost" }
  /** No response within the per-request timeout (the request was sent). */
  | { kind: "timeout" }
  /** The overall deadline passed. */
  | { kind: "deadline" }
  /** The client was closed. */
  | { kind: "closed" };

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step. */
  initialBackoffMs: number;
  /** Cap of one backoff step. */
  maxBackoffMs: number;
  /** Overall budget for the call, measured from its first attempt. */
  deadlineMs: number;
}

export const DEFAULT_BACKOFF = { initialBackoffMs: 200, maxBackoffMs: 5_000 } as const;

/**
 * Statuses that mean "try again later" rather than "no". 408 is in: for a request that is safe to resend,
 * a proxy's (or Elasticsearch's) "no answer in time" is worth another attempt.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

export interface RetryContext {
  failure: AttemptFailure;
  /** Attempts made so far, including the one that just failed (>= 1). */
  attempts: number;
  /** Milliseconds since the first attempt started. */
  elapsedMs: number;
  /** Whether sending the request twice is harmless. */
  idempotent: boolean;
  /** Whether another endpoint is currently believed healthy (failover needs no backoff). */
  otherEndpointAvailable: boolean;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/** True when the failure class is worth another attempt for a request of this idempotency. */
export function isRetryableFailure(failure: AttemptFailure, idempotent: boolean): boolean {
  switch (failure.kind) {
    case "connect":
      return true;
    case "status":
      return idempotent && failure.capacityRefusal !== true && RETRYABLE_STATUSES.has(failure.statusCode);
    case "lost":
    case "timeout":
      return idempotent;
    case "tls":
    case "deadline":
    case "closed":
      return false;
  }
}

/**
 * Exponential backoff with "equal jitter": the n-th wait is half of min(cap, initial·2^(n-1)) plus a
 * random share of the other half, so waits grow but concurrent clients spread out.
 *
 * @param retryNumber 1 for the first retry.
 * @param random a number in [0, 1).
 */
export function backoffDelay(retryNumber: number, initialMs: number, maxMs: number, random: number): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(step / 2 + (step / 2) * random);
}

/** Decides whether to retry after a failed attempt, and after how long. */
export function decideRetry(
  policy: RetryPolicy,
  ctx: RetryContext,
  random: () => number = Math.random,
): RetryDecision {
  if (!isRetryableFailure(ctx.failure, ctx.idempotent)) {
    return {
      retry: false,
      reason: `${describeFailure(ctx.failure)} is not retried${ctx.idempotent ? "" : " for this request"}`,
    };
  }
  if (ctx.attempts > policy.maxRetries) {
    return {
      retry: false,
      reason: `maxRetries ${policy.maxRetries} reached`,
    };
  }
  let delayMs =
    ctx.failure.kind === "connect" && ctx.otherEndpointAvailable
      ? 0
      : backoffDelay(ctx.attempts, policy.initialBackoffMs, policy.maxBackoffMs, random());
  if (ctx.failure.kind === "status" && ctx.failure.retryAfterMs !== undefined) {
    // Honour the server's Retry-After, within our own cap.
    delayMs = Math.max(delayMs, Math.min(ctx.failure.retryAfterMs, policy.maxBackoffMs));
  }
  if (ctx.elapsedMs + delayMs >= policy.deadlineMs) {
    return {
      retry: false,
      reason: `the ${policy.deadlineMs} ms deadline leaves no time for another attempt`,
    };
  }
  return { retry: true, delayMs };
}

function describeFailure(failure: AttemptFailure): string {
  switch (failure.kind) {
    case "status":
      return failure.capacityRefusal
        ? `a capacity refusal (HTTP ${failure.statusCode})`
        : `HTTP ${failure.statusCode}`;
    case "connect":
      return "a connect failure";
    case "tls":
      return "a TLS verification failure";
    case "lost":
      return "a lost connection";
    case "timeout":
      return "a timeout";
    case "deadline":
      return "the deadline";
    case "closed":
      return "a closed client";
  }
}

/** Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
