/**
 * Errors of the preview report. Each has a stable `code`; the command maps them to exit codes.
 */

/** The input is not a readable `pulumi preview --json` document. Exit code 2. */
export class PreviewInputError extends Error {
  override readonly name = "PreviewInputError";
  readonly code = "ERR_PREVIEW_INPUT";
  /** Where the input came from, e.g. `stdin` or a file path. */
  readonly source: string;

  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.source = source;
  }
}

/** A command-line flag is missing, unknown or has a bad value. Exit code 2. */
export class ReportUsageError extends Error {
  override readonly name = "ReportUsageError";
  readonly code = "ERR_REPORT_USAGE";
}
