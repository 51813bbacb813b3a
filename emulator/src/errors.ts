/**
 * Elasticsearch-shaped errors. Every failure the emulator sends goes through
 * {@link EsError}, so status, `error.type`, `reason` and the envelope
 * (`root_cause`, `caused_by`, `header`) are built in one place.
 */

export interface ErrorCause {
  type: string;
  reason: string;
  caused_by?: ErrorCause;
  /** Extra fields Elasticsearch puts on a cause, e.g. `header` for 401s. */
  [extra: string]: unknown;
}

export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly options: {
      causedBy?: ErrorCause;
      /** Fields added to both the root cause and the top-level error (e.g. `header`). */
      extra?: Record<string, unknown>;
      /** HTTP response headers to send (e.g. WWW-Authenticate). */
      headers?: Record<string, string | string[]>;
    } = {},
  ) {
    super(`${status} ${type}: ${reason}`);
    this.name = "EsError";
  }

  /** The JSON body Elasticsearch sends: `{ error: {...}, status }`. */
  toBody(errorTrace = false): { error: Record<string, unknown>; status: number } {
    const cause: Record<string, unknown> = { type: this.type, reason: this.reason, ...this.options.extra };
    if (errorTrace) cause.stack_trace = `${this.type}: ${this.reason}\n\tat emulator`;
    const error: Record<string, unknown> = { root_cause: [{ ...cause }], ...cause };
    if (this.options.causedBy) error.caused_by = this.options.causedBy;
    return { error, status: this.status };
  }
}

// Constructors named after the Java exceptions they stand for (see the reference's §1.3 table).
export const statusException = (status: number, reason: string, causedBy?: ErrorCause) =>
  new EsError(status, "status_exception", reason, { causedBy });
export const resourceNotFound = (reason: string) => new EsError(404, "resource_not_found_exception", reason);
export const illegalArgument = (reason: string) => new EsError(400, "illegal_argument_exception", reason);
export const validationFailed = (messages: string[]) =>
  new EsError(
    400,
    "action_request_validation_exception",
    `Validation Failed: ${messages.map((m, i) => `${i + 1}: ${m};`).join("")}`,
  );
export const parseException = (reason: string) => new EsError(400, "parse_exception", reason);
export const xContentParseException = (reason: string) =>
  new EsError(400, "x_content_parse_exception", reason);
export const serverError = (reason: string) => new EsError(500, "exception", reason);
