/**
 * The preview report's `InferenceEndpoint`s, as {@link DeploymentChange}s so the summary, the capacity sums
 * and the risk gate treat them like deployments: the operation in plain words, the ML capacity of the
 * deployment the endpoint creates (allocations × threads; one it only uses is counted by its own resource,
 * if any), and the delete of an endpoint that pipelines or `semantic_text` fields referenced at the last
 * create or refresh (`references` in its outputs) as a risk. Pure; the endpoint's own `diffEndpointInputs`
 * says what an update does, so the report never re-derives in place vs. replacement.
 */
import { diffEndpointInputs } from "../provider/endpoint/diff";
import { resolveEndpointForceDelete } from "../provider/endpoint/forceDelete";
import {
  endpointDeploymentId,
  type EndpointInputs,
  type EndpointOutputs,
  isMlService,
  type MlServiceSettings,
} from "../provider/endpoint/inputs";
import { containsUnknown, isPlainObject, isUnknown } from "../provider/inputs";
import { parseConfigBoolean, ProviderConfigError } from "../provider/stopFlags";
import { FORCE_DELETE_ENDPOINTS_KEY } from "../provider/config";
import { type CapacityEstimate, capacityFrom, isUnknownCapacity, notRunning } from "./capacity";
import type { DeploymentChange } from "./changes";
import type { PreviewStep } from "./previewDocument";
import { identity, pickSteps, userProps } from "./steps";
import { parseUrn } from "./urn";
import { shape } from "./wording";

/** The type token of `InferenceEndpoint`. */
export const ENDPOINT_TYPE = "pulumi-nodejs:dynamic/elasticsearch-ml:InferenceEndpoint";

/** Where the endpoints' force-delete flag comes from outside the resource. */
export interface EndpointFlagSources {
  env: Readonly<Record<string, string | undefined>>;
  config: Record<string, unknown>;
  warnings: string[];
}

/** The change one `InferenceEndpoint`'s steps make. */
export function describeEndpointSteps(
  urn: string,
  steps: readonly PreviewStep[],
  flags: EndpointFlagSources,
): DeploymentChange | undefined {
  const picked = pickSteps(steps);
  if (picked === undefined) return undefined;
  const { main, replace, stepOp } = picked;
  const olds = main.oldState
    ? (userProps(main.oldState.outputs ?? main.oldState.inputs) as Partial<EndpointOutputs>)
    : undefined;
  const news = main.newState ? (userProps(main.newState.inputs) as unknown as EndpointInputs) : undefined;
  const side = (p: Partial<EndpointInputs>) =>
    identity(
      {
        deploymentId:
          isMlService(p.service) && !containsUnknown(p.serviceSettings)
            ? endpointDeploymentId(p as EndpointInputs)
            : undefined,
        modelId: (p.serviceSettings as MlServiceSettings | undefined)?.modelId,
        connection: p.connection,
      },
      undefined,
    );
  const base = {
    urn,
    name: parseUrn(urn)?.name ?? urn,
    stepOp,
    resource: "InferenceEndpoint" as const,
    ...(olds ? { old: side(olds) } : {}),
    ...(news ? { new: side(news) } : {}),
    ...(typeof olds?.clusterUuid === "string" ? { recorded: { clusterUuid: olds.clusterUuid } } : {}),
    changes: [],
  };
  const before = olds ? endpointCapacity(olds) : notRunning();
  const after = news ? endpointCapacity(news) : notRunning();
  const id = news?.inferenceId ?? olds?.inferenceId ?? base.name;

  if (replace !== undefined || main.op === "update") {
    if (olds === undefined || news === undefined) return undefined;
    const diff = diffEndpointInputs(olds, news);
    if (replace !== undefined) {
      return {
        ...base,
        operation: "replace",
        headline: `replaces: deletes endpoint \`${id}\` and creates it again${ownsNote(olds, " (its deployment restarts)")}`,
        replaceReasons: replace.replaceReasons ?? diff.replaces,
        capacity: { before, after },
        ...deleteRisk(olds),
        notes: [...diff.reasons, ...deleteNotes(olds, flags)],
      };
    }
    const scales = diff.scaleInPlace && !isUnknownCapacity(before) && !isUnknownCapacity(after);
    return {
      ...base,
      operation: "update",
      headline: scales
        ? `updates in place: ${shape(before)} → ${shape(after)} (inference _update)`
        : "updates in place (inference _update)",
      replaceReasons: [],
      capacity: { before, after },
      notes: diff.reasons,
    };
  }
  if (main.op === "create") {
    if (news === undefined) return undefined;
    const uses = (news.serviceSettings as MlServiceSettings | undefined)?.deploymentId;
    const headline = !isMlService(news.service)
      ? `creates endpoint \`${id}\` (service ${String(news.service)}: no ML capacity)`
      : typeof uses === "string"
        ? `creates endpoint \`${id}\` on the existing deployment \`${uses}\``
        : isUnknownCapacity(after)
          ? `creates endpoint \`${id}\` and its deployment (${after.reason})`
          : `creates endpoint \`${id}\` and its deployment: ${shape(after)}`;
    return {
      ...base,
      operation: "create",
      headline,
      replaceReasons: [],
      capacity: { before, after },
      notes: [],
    };
  }
  if (main.op === "delete") {
    if (olds === undefined) return undefined;
    return {
      ...base,
      operation: "delete",
      headline: `deletes endpoint \`${id}\`${ownsNote(olds, " and stops the deployment it owns")}`,
      replaceReasons: [],
      capacity: { before, after: notRunning() },
      ...deleteRisk(olds),
      notes: deleteNotes(olds, flags),
    };
  }
  return {
    ...base,
    operation: "none",
    headline: "no change",
    replaceReasons: [],
    capacity: { before, after: before },
    notes: [],
  };
}

/**
 * The capacity of the deployment an endpoint creates and owns; none for one that uses a named deployment
 * (`serviceSettings.deploymentId`) or for another service.
 */
export function endpointCapacity(props: Partial<EndpointInputs>): CapacityEstimate {
  if (isUnknown(props.service) || isUnknown(props.serviceSettings)) {
    return { unknown: true, reason: "service settings known after apply" };
  }
  if (!isMlService(props.service)) return notRunning();
  const settings = isPlainObject(props.serviceSettings) ? (props.serviceSettings as MlServiceSettings) : {};
  if (settings.deploymentId !== undefined) return notRunning();
  return capacityFrom(settings.adaptiveAllocations, settings.numAllocations, settings.numThreads);
}

function ownsNote(olds: Partial<EndpointOutputs>, text: string): string {
  return olds.ownsDeployment === true ? text : "";
}

/** The references recorded at the last create or refresh, when there are any. */
function recordedReferences(
  olds: Partial<EndpointOutputs>,
): { pipelines: string[]; indexes: string[] } | undefined {
  const r = olds.references;
  if (!isPlainObject(r)) return undefined;
  const pipelines = Array.isArray(r.pipelines) ? r.pipelines : [];
  const indexes = Array.isArray(r.indexes) ? r.indexes : [];
  return pipelines.length + indexes.length > 0 ? { pipelines, indexes } : undefined;
}

function deleteRisk(olds: Partial<EndpointOutputs>): Pick<DeploymentChange, "risk"> {
  return recordedReferences(olds) === undefined ? {} : { risk: "deletes-referenced-endpoint" };
}

/** What the delete meets: refused unless forced, or forced and the references break. */
function deleteNotes(olds: Partial<EndpointOutputs>, flags: EndpointFlagSources): string[] {
  const refs = recordedReferences(olds);
  if (refs === undefined) return [];
  const names = [
    ...refs.pipelines.map((p) => `ingest pipeline \`${p}\``),
    ...refs.indexes.map((i) => `\`semantic_text\` fields of index \`${i}\``),
  ].join(", ");
  const forced = forceDeleteOf(olds, flags);
  return [
    `At the last refresh ${names} referenced the endpoint: ` +
      (forced
        ? "the delete is forced (forceDelete), so they fail until an endpoint of that id exists again."
        : "Elasticsearch refuses the delete unless forced (forceDelete, elasticsearch-ml:forceDeleteEndpoints or " +
          "ELASTICSEARCH_ML_FORCE_DELETE_ENDPOINTS=true); remove the references first."),
  ];
}

/** The provider's own precedence (environment > resource > stack config); a malformed value is reported, not forced. */
function forceDeleteOf(olds: Partial<EndpointOutputs>, flags: EndpointFlagSources): boolean {
  try {
    const config = parseConfigBoolean(FORCE_DELETE_ENDPOINTS_KEY, flags.config[FORCE_DELETE_ENDPOINTS_KEY]);
    return resolveEndpointForceDelete(flags.env, olds.forceDelete, config).force;
  } catch (err) {
    if (!(err instanceof ProviderConfigError)) throw err;
    flags.warnings.push(`${err.message}; the endpoints' delete is reported as not forced.`);
    return false;
  }
}
