/**
 * The error for a start or scale that was applied but did not reach what was declared (a timeout, a
 * failed route, a lost answer): it carries the outputs to record, `__provider` included, so the engine
 * keeps the deployment in the stack and the next `up` resumes from it.
 */
import { DeploymentFailedError, PartialFailureError, WaitTimeoutError } from "./errors";
import type { DeploymentInputs } from "./inputs";
import { compact, type Observation } from "./observe";
import type { Session } from "./session";

type Props = Record<string, unknown>;

/** The partial failure of an applied start or scale, with the next step for the user. */
export function partialFailure(
  session: Session,
  props: Props,
  observation: Observation,
  err: unknown,
): PartialFailureError {
  const inputs = props as unknown as DeploymentInputs;
  const id = inputs.deploymentId;
  const next =
    err instanceof WaitTimeoutError
      ? "It keeps starting in Elasticsearch and is recorded in the stack: run pulumi up again to keep waiting " +
        "(no second start is sent), or raise waitTimeoutSeconds."
      : err instanceof DeploymentFailedError
        ? observation.effective?.state === "failed"
          ? "It is recorded in the stack as failed: fix the cause, then run pulumi up again (it stops the failed " +
            "deployment and starts it again)."
          : "It is recorded in the stack: fix the cause, then run pulumi up again (it starts the deployment again " +
            "if Elasticsearch removed it)."
        : "Whether it became ready is unknown; it is recorded in the stack, and the next pulumi up checks and keeps waiting.";
  const message = `${(err as Error).message}. ${next}`;
  // `properties` spreads the inputs so `__provider` rides along: without it the state could not be deleted.
  const properties = compact({
    ...props,
    clusterUuid: session.clusterUuid,
    esVersion: session.esVersion,
    ...observation,
  });
  return new PartialFailureError(id, properties, message, { cause: err });
}
