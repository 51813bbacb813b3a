/**
 * Which failures of a refresh mean "the cluster did not answer" (so the advice is to refresh again once it
 * does) and which are answers that say what is wrong (TLS trust, version, an unexpected response, a closed
 * client, a refusal): those are reported as they are, never as an outage.
 */
import { ConnectionError, ResponseError, TimeoutError, TlsError } from "../client";

/**
 * True for reachability failures: connect errors and connections lost mid-request, timeouts, 5xx (after
 * the client's retries) and any 408 (a proxy's or Elasticsearch's "no answer in time": refreshing later
 * may well work). False for everything else, including TLS verification failures (a trust problem, which
 * refreshing again does not fix).
 */
export function isReachabilityFailure(err: unknown): boolean {
  if (err instanceof TlsError) return false;
  if (err instanceof ConnectionError || err instanceof TimeoutError) return true;
  if (err instanceof ResponseError) return err.statusCode >= 500 || err.statusCode === 408;
  return false;
}
