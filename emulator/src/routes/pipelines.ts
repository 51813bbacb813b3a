/**
 * Ingest pipelines: `PUT/GET/DELETE _ingest/pipeline/<id>`. Pipelines are stored, validated
 * lightly (processor types, `inference.model_id`) and read by the ML "in use" checks and
 * `_stats.pipeline_count`; documents are never run through them.
 */
import { ACTIONS } from "../security/actions";
import { bodyRequired, readObject } from "../body";
import { EsError, resourceNotFound } from "../errors";
import type { Execute, RouteDef } from "../router";
import { isWildcard, splitIds, wildcardRegex } from "../state/models";
import { acknowledged, jsonBody, ok, RouteContext } from "./context";

const PROCESSOR_TYPES = new Set(
  (
    "append attachment bytes circle community_id convert csv date date_index_name dissect dot_expander drop enrich fail " +
    "fingerprint foreach geo_grid geoip grok gsub html_strip inference ip_location join json kv lowercase network_direction " +
    "pipeline redact registered_domain remove rename reroute script set set_security_user sort split terminate trim " +
    "uppercase uri_parts urldecode user_agent"
  ).split(" "),
);

function configError(reason: string, processorType?: string, property?: string): EsError {
  const extra: Record<string, unknown> = {};
  if (processorType) extra.processor_type = processorType;
  if (property) extra.property_name = property;
  return new EsError(400, "parse_exception", reason, { extra });
}

function validateProcessors(list: unknown, property: string, depth = 0): void {
  if (list === undefined && property === "on_failure") return;
  if (!Array.isArray(list))
    throw configError(`[${property}] required property is missing`, undefined, property);
  for (const processor of list) validateProcessor(processor, depth);
}

function validateProcessor(processor: unknown, depth: number): void {
  if (
    processor === null ||
    typeof processor !== "object" ||
    Array.isArray(processor) ||
    Object.keys(processor).length !== 1
  ) {
    throw configError("processor definition must be an object with exactly one processor type");
  }
  const [type, config] = Object.entries(processor as Record<string, unknown>)[0];
  if (!PROCESSOR_TYPES.has(type)) throw configError(`No processor type exists with name [${type}]`, type);
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw configError(`[${type}] processor configuration must be an object`, type);
  }
  const body = config as Record<string, unknown>;
  if (type === "inference" && typeof body.model_id !== "string") {
    throw configError("[model_id] required property is missing", type, "model_id");
  }
  if (type === "foreach") {
    if (body.processor === undefined)
      throw configError("[processor] required property is missing", type, "processor");
    validateProcessor(body.processor, depth + 1);
  }
  if (body.on_failure !== undefined) validateProcessors(body.on_failure, "on_failure", depth + 1);
}

function putPipeline(ctx: RouteContext): Execute {
  ctx.query.duration("timeout");
  ctx.query.duration("master_timeout");
  ctx.query.int("if_version");
  const body = jsonBody(ctx);
  if (!body) throw bodyRequired();
  const values = readObject(body, "pipeline", {
    description: "string",
    processors: "any",
    on_failure: "any",
    version: "int",
    _meta: "object",
    deprecated: "bool",
    field_access_pattern: "string",
  });
  validateProcessors(values.processors, "processors");
  validateProcessors(values.on_failure, "on_failure");
  const id = ctx.params.id;
  return () => {
    ctx.services.cluster.pipelines.pipelines.set(id, body.value as Record<string, unknown>);
    return acknowledged();
  };
}

function matchingPipelines(ids: string[], known: string[]): string[] {
  return known.filter((id) =>
    ids.some((token) => (isWildcard(token) ? wildcardRegex(token).test(id) : token === id)),
  );
}

function getPipelines(ctx: RouteContext): Execute {
  ctx.query.duration("master_timeout");
  ctx.query.bool("summary");
  const ids = splitIds(ctx.params.id);
  return () => {
    const store = ctx.services.cluster.pipelines.pipelines;
    const found = matchingPipelines(ids, [...store.keys()].sort());
    // Elasticsearch answers an unknown pipeline with 404 and an empty object.
    if (found.length === 0 && ctx.params.id !== undefined) return { status: 404, body: {} };
    return ok(Object.fromEntries(found.map((id) => [id, store.get(id)])));
  };
}

function deletePipeline(ctx: RouteContext): Execute {
  ctx.query.duration("timeout");
  ctx.query.duration("master_timeout");
  const ids = splitIds(ctx.params.id);
  return () => {
    const store = ctx.services.cluster.pipelines.pipelines;
    const found = matchingPipelines(ids, [...store.keys()]);
    if (found.length === 0) throw resourceNotFound(`pipeline [${ctx.params.id}] is missing`);
    for (const id of found) store.delete(id);
    return acknowledged();
  };
}

export const pipelineRoutes: RouteDef[] = [
  { method: "GET", path: "/_ingest/pipeline", action: ACTIONS.getPipeline, handler: getPipelines },
  { method: "GET", path: "/_ingest/pipeline/{id}", action: ACTIONS.getPipeline, handler: getPipelines },
  { method: "PUT", path: "/_ingest/pipeline/{id}", action: ACTIONS.putPipeline, handler: putPipeline },
  {
    method: "DELETE",
    path: "/_ingest/pipeline/{id}",
    action: ACTIONS.deletePipeline,
    handler: deletePipeline,
  },
];
