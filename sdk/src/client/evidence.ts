/**
 * When the client may say a failed request was NOT applied (`EsClientError.applied === false`).
 *
 * `false` is a promise to the caller that resending is safe, so it needs evidence:
 * - nothing was written: the connection could not be made, or TLS verification failed during the
 *   handshake (or the fingerprint pin, checked before the socket is handed over); or
 * - Elasticsearch itself answered with a refusal it only gives before acting. "Itself" means the answer
 *   carries `X-Elastic-Product: Elasticsearch`, which every Elasticsearch answer has since 7.14; an error
 *   status without it comes from a proxy or load balancer, which may have forwarded the request first.
 * Everything else is `undefined` (unknown): a socket closed after the request may have been written, a
 * timeout, any 408, any 5xx, a closed client, and any status/type pair not on the list below.
 */

/**
 * Elasticsearch answers (status and `error.type`) that are only given before the request changed
 * anything. Each entry says why; a type that Elasticsearch also raises after acting is left out.
 */
const REFUSED_BEFORE_ACTING: ReadonlyMap<number, ReadonlyMap<string, string>> = new Map([
  [
    400,
    new Map([
      // `ActionRequest.validate()` runs before the transport action executes.
      ["action_request_validation_exception", "request validation runs before the action"],
      // The update path's `ValidationException` checks the request against the current deployment
      // (e.g. allocations with adaptive allocations enabled) before changing it.
      ["validation_exception", "checked against the deployment before changing it"],
      // The body or a parameter could not be parsed: there was no request to act on.
      ["x_content_parse_exception", "the body could not be parsed"],
      ["parse_exception", "a value could not be parsed"],
      // REST-layer parameter checks (unrecognized parameters, enum values) and the start's model checks
      // ("cannot deploy more than one model", "Only PyTorch models can be deployed").
      ["illegal_argument_exception", "an argument was refused while the request was read or checked"],
      // The assignment (or an object the request creates) already exists: the create was refused.
      ["resource_already_exists_exception", "the object to create already exists"],
      // Left out: 400 `status_exception`, because `_start` also answers 400 "The trained model assignment
      // was removed while waiting" AFTER it created the assignment.
    ]),
  ],
  // Authentication happens before the request is dispatched.
  [401, new Map([["security_exception", "authentication failed before dispatch"]])],
  // Authorization (and the ML licence check) happen before the action's own code runs.
  [403, new Map([["security_exception", "the action was not authorized"]])],
  // The model or deployment named does not exist: there was nothing to act on.
  [404, new Map([["resource_not_found_exception", "the target does not exist"]])],
  // Conflict refusals of the deployment APIs, all decided before any change: stop of a deployment used by
  // ingest pipelines or inference endpoints, update of a deployment not `started` or owned by an inference
  // endpoint, a start during a feature reset, and the `_start` "has already been started" race.
  [409, new Map([["status_exception", "a conflict refused the change"]])],
  [
    429,
    new Map([
      // Capacity refusals of start/update ("Could not start|update deployment because …"): no assignment is
      // left behind and the allocation count is unchanged (PyTorchModelIT testStartDeployment_TooManyAllocations,
      // the update 429 test), and the 100-deployments limit is checked first.
      ["status_exception", "capacity was refused before anything was assigned"],
      // A full thread-pool queue rejected the task before it ran.
      ["es_rejected_execution_exception", "the task was rejected before it ran"],
      // Left out: `circuit_breaking_exception`, which can trip while the answer is built, after acting.
    ]),
  ],
]);

/** The header every Elasticsearch (7.14+) answer carries, lower-cased as Node gives it. */
export const ELASTIC_PRODUCT_HEADER = "x-elastic-product";

/** Whether an error answer is Elasticsearch's own refusal given before acting (see the table above). */
export function isRefusalBeforeActing(
  statusCode: number,
  type: string | undefined,
  fromElasticsearch: boolean,
): boolean {
  return fromElasticsearch && type !== undefined && REFUSED_BEFORE_ACTING.get(statusCode)?.has(type) === true;
}
