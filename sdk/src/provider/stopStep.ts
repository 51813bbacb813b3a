/**
 * The stop step every path that stops a deployment shares (a declared `state: stopped`, a repair, a
 * delete or the delete half of a replacement): which flags it sends, what a refusal or a lost answer says,
 * and a `stopped: false` answer that counts only once the deployment is gone.
 */
import { isEsClientError, isNotFound, ResponseError } from "../client";
import { endpointStopVerdict, nameEndpoints } from "./endpointUse";
import { StopRefusedError, WaitTimeoutError } from "./errors";
import { DEFAULT_WAIT_TIMEOUT_SECONDS, type DeploymentOutputs } from "./inputs";
import { plannedStopFlags, type StopCause } from "./plannedStop";
import type { Session } from "./session";
import type { StepContext } from "./stepContext";
import { describeFlags, stopRefusedMessage } from "./stopMessages";
import { stopFlagsFromEnv } from "./stopFlags";
import { waitUntilGone } from "./wait";

/**
 * Stop a deployment with env > resource > config flags, the resource's `stop` taken from the side `cause` names (see
 * `plannedStop.ts`); gone is success with a warning.
 */
export async function stopDeploymentStep(
  ctx: StepContext,
  session: Session,
  deploymentId: string,
  cause: StopCause,
  old: Partial<DeploymentOutputs>,
  newStop: unknown,
  waitTimeoutSeconds: number | undefined,
): Promise<void> {
  const { config } = ctx;
  // The same decision the preview warning and the preview report make (plannedStop.ts).
  const { operation, resolved } = plannedStopFlags(
    cause,
    old.stop,
    newStop,
    stopFlagsFromEnv(ctx.deps.env()),
    config.stopFlags,
  );
  const { client } = session;
  const gone = (): void =>
    ctx.deps.progress.warn(
      `${deploymentId}: already gone from the cluster (someone stopped it); nothing to stop`,
    );
  // A recorded deployment is expected to exist: the read joins the other stops' (statsPoll.ts).
  if ((await client.pollDeploymentStats(deploymentId)) === undefined) return gone();
  ctx.deps.progress.info(`${deploymentId}: stopping with ${describeFlags(resolved.flags)}`);
  const endpoints = old.inferenceEndpoints ?? [];
  if (endpoints.length > 0 && endpointStopVerdict(session.esVersion) === "goes-through") {
    // Nothing will refuse this stop: say now what it breaks (the preview said so from the recorded version).
    ctx.deps.progress.warn(
      `${deploymentId}: ${nameEndpoints(endpoints)} owned or used it at the last refresh; Elasticsearch ` +
        `${session.esVersion} does not refuse the stop, so ${endpoints.length === 1 ? "that endpoint fails" : "those endpoints fail"} ` +
        "until the deployment runs again",
    );
  }
  const seconds = waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS;
  const deadline = ctx.deps.clock.now() + seconds * 1000;
  let answer: { stopped: boolean };
  try {
    answer = await client.stopDeployment({ deploymentId, ...resolved.flags, timeoutMs: seconds * 1000 });
  } catch (err) {
    if (isNotFound(err)) return gone();
    if (err instanceof ResponseError && err.statusCode === 409) {
      throw new StopRefusedError(
        stopRefusedMessage(operation, deploymentId, err, resolved, endpoints),
        err.referencingPipelines,
        {
          cause: err,
        },
      );
    }
    if (isEsClientError(err)) {
      // Any other failure leaves the deployment recorded (the engine keeps a resource whose delete or
      // update failed): say so, and that running again is safe.
      const again =
        operation === "delete" ? "pulumi destroy (or the pulumi up that replaces it)" : "pulumi up";
      err.addDetail(
        `Deployment [${deploymentId}] was not confirmed stopped, so it stays in the stack. Once the cause is ` +
          `fixed, run ${again} again (a deployment that is gone by then counts as stopped)`,
      );
    }
    throw err;
  }
  if (!answer.stopped) {
    // Elasticsearch did not confirm the stop: it counts only once the deployment is gone.
    try {
      await waitUntilGone({
        client,
        deploymentId,
        deadline,
        waitTimeoutSeconds: seconds,
        timing: ctx.deps.timing,
        clock: ctx.deps.clock,
        progress: ctx.deps.progress,
        why: "after-stop",
      });
    } catch (err) {
      if (err instanceof WaitTimeoutError) {
        const again =
          operation === "delete" ? "pulumi destroy (or the pulumi up that replaces it)" : "pulumi up";
        throw new WaitTimeoutError(
          `${err.message}. It stays in the stack; check the deployment in Elasticsearch, then run ${again} ` +
            "again (a deployment that is gone by then counts as stopped)",
          { cause: err },
        );
      }
      throw err;
    }
  }
  ctx.deps.progress.info(`${deploymentId}: stopped`);
}
