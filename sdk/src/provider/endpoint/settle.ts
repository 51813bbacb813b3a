/**
 * After an `InferenceEndpoint`'s create or update: wait, bounded by `waitTimeoutSeconds`, until the
 * deployment it owns or uses is allocated, and report what the cluster says (the outputs). An endpoint
 * whose deployment did not get there is a partial failure recorded `ready: false`.
 */
import { type InferenceEndpoint, ResponseError } from "../../client";
import { type EndpointReferences, PartialFailureError, ProviderError, WaitTimeoutError } from "../errors";
import type { Progress } from "../progress";
import type { Session } from "../session";
import { type Clock, type Timing, waitForDeployment } from "../wait";
import {
  endpointDeploymentId,
  type EndpointInputs,
  type EndpointOutputs,
  isMlService,
  type MlServiceSettings,
} from "./inputs";
import { allocationOf, compact, reportedEndpoint } from "./outputs";
import { lookUpReferences } from "./references";

type Props = Record<string, unknown>;

/** What the wait needs from the provider. */
export interface SettleDependencies {
  progress: Progress;
  timing: Timing;
  clock: Clock;
}

/**
 * Wait for the deployment to be allocated, then report. An endpoint that exists but did not get there is
 * a partial failure recorded `ready: false`, so the next `up` waits again rather than creating it twice.
 */
export async function settleEndpoint(
  deps: SettleDependencies,
  session: Session,
  props: Props,
  endpoint: InferenceEndpoint,
  deadline: number,
): Promise<Props> {
  const inputs = props as unknown as EndpointInputs;
  if (isMlService(inputs.service)) {
    const settings = inputs.serviceSettings as MlServiceSettings | undefined;
    const fixed = settings?.adaptiveAllocations?.enabled === true ? undefined : settings?.numAllocations;
    const scaleToZero = settings?.adaptiveAllocations?.minNumberOfAllocations === 0;
    try {
      await untilDeploymentExists(deps, session, endpointDeploymentId(inputs), inputs, deadline);
      await waitForDeployment({
        client: session.client,
        deploymentId: endpointDeploymentId(inputs),
        target: scaleToZero
          ? { waitFor: "starting" }
          : fixed !== undefined
            ? { waitFor: "fully_allocated", expectedAllocations: fixed }
            : { waitFor: "started" },
        deadline,
        waitTimeoutSeconds: inputs.waitTimeoutSeconds,
        timing: deps.timing,
        clock: deps.clock,
        progress: deps.progress,
      });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      const outs = await reportEndpoint(session, props, endpoint, false);
      throw new PartialFailureError(
        inputs.inferenceId,
        outs,
        `${err.message}. Inference endpoint [${inputs.inferenceId}] exists; the next pulumi up waits for its ` +
          "deployment again (it does not create the endpoint a second time)",
        { cause: err },
      );
    }
  }
  return reportEndpoint(session, props, endpoint, true);
}

/**
 * After a create settled by GET, Elasticsearch may still be downloading the model: no deployment exists
 * yet, which is not a failure (the shared wait takes an absent deployment as one). Bounded by the deadline.
 */
async function untilDeploymentExists(
  deps: SettleDependencies,
  session: Session,
  deploymentId: string,
  inputs: EndpointInputs,
  deadline: number,
): Promise<void> {
  const { clock, timing, progress } = deps;
  let interval = timing.pollInitialMs;
  let said = false;
  while ((await session.client.getDeploymentStats(deploymentId)) === undefined) {
    if (!said) {
      progress.info(
        `${deploymentId}: no deployment yet (Elasticsearch is downloading the model or starting it)`,
      );
      said = true;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new WaitTimeoutError(
        `Deployment [${deploymentId}] of inference endpoint [${inputs.inferenceId}] did not appear within ` +
          `waitTimeoutSeconds (${inputs.waitTimeoutSeconds} s)`,
      );
    }
    await clock.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * timing.pollFactor, timing.pollMaxMs);
  }
}

/** The outputs: inputs, the endpoint as reported, its deployment's allocation, the references now. */
export async function reportEndpoint(
  session: Session,
  props: Props,
  endpoint: InferenceEndpoint,
  ready: boolean,
): Promise<Props> {
  const inputs = props as unknown as EndpointInputs;
  const { client } = session;
  const ml = isMlService(inputs.service);
  const deploymentId = ml ? endpointDeploymentId(inputs) : undefined;
  const stats = deploymentId === undefined ? undefined : await client.getDeploymentStats(deploymentId);
  let references: EndpointReferences | undefined;
  try {
    references = await lookUpReferences(client, inputs.taskType, inputs.inferenceId);
  } catch (err) {
    // Informative only: without manage_inference (the dry run is a DELETE) the last record stays.
    if (!(err instanceof ResponseError)) throw err;
    references = (props as Partial<EndpointOutputs>).references;
  }
  const version = await client.version();
  return compact({
    ...props,
    clusterUuid: session.clusterUuid,
    esVersion: version.raw,
    endpoint: reportedEndpoint(endpoint),
    deploymentId,
    ownsDeployment: ml
      ? (inputs.serviceSettings as MlServiceSettings | undefined)?.deploymentId === undefined
      : undefined,
    allocation: ml ? allocationOf(stats) : undefined,
    ready,
    references,
  });
}
