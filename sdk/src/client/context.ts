/** What the endpoint-group modules need from the client. */
import type { Transport } from "./transport";
import type { EsVersion } from "./version";

export interface OperationContext {
  readonly transport: Transport;
  /** The connected cluster's version, read once and checked against the supported minimum. */
  version(): Promise<EsVersion>;
  /** Extra wait beyond the server's start `timeout` before the client gives up on `_start`. */
  readonly startTimeoutMarginMs: number;
}

/** Encodes one path segment. Every id goes through here. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

/** Encodes a comma-separated id list (each id encoded, the commas kept). */
export function idList(ids: string | readonly string[]): string {
  return (typeof ids === "string" ? [ids] : ids).map(segment).join(",");
}
