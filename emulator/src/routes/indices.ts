/**
 * Just enough of the index APIs to hold `semantic_text` references to inference endpoints:
 * `PUT <index>` (`settings`, `mappings`, `aliases` accepted; only mappings are kept), `GET <index>/_mapping`
 * and `DELETE <index>`. Index names follow `MetadataCreateIndexService.validateIndexOrAliasName`.
 * `semantic_text` (`SemanticTextFieldMapper`) exists from 8.15; from 8.16 its `inference_id` defaults to
 * `.elser-2-elasticsearch` (`DEFAULT_ELSER_2_INFERENCE_ID`) and is always printed.
 */
import { EsError } from "../errors";
import type { Execute, RouteDef } from "../router";
import { ACTIONS } from "../security/actions";
import type { Cluster } from "../state/cluster";
import { DEFAULT_ELSER_ID } from "../state/inferenceEndpoints";
import { acknowledged, jsonBody, ok, RouteContext } from "./context";

const INVALID_CHARS = ["\\", "/", "*", "?", '"', "<", ">", "|", " ", ",", "#", ":"];

function invalidName(name: string, why: string): EsError {
  return new EsError(400, "invalid_index_name_exception", `Invalid index name [${name}], ${why}`, {
    extra: { index_uuid: "_na_", index: name },
  });
}

function checkIndexName(name: string): void {
  if (name !== name.toLowerCase()) throw invalidName(name, "must be lowercase");
  const bad = INVALID_CHARS.find((c) => name.includes(c));
  if (bad) throw invalidName(name, `must not contain the following characters [${INVALID_CHARS.join(", ")}]`);
  if (/^[-_+]/.test(name)) throw invalidName(name, "must not start with '_', '-', or '+'");
  if (name === "." || name === "..") throw invalidName(name, "must not be '.' or '..'");
}

const indexNotFound = (name: string): EsError =>
  new EsError(404, "index_not_found_exception", `no such index [${name}]`, {
    extra: { "resource.type": "index_or_alias", "resource.id": name, index_uuid: "_na_", index: name },
  });

const mapperParsing = (reason: string): EsError =>
  new EsError(400, "mapper_parsing_exception", `Failed to parse mapping: ${reason}`, {
    causedBy: { type: "mapper_parsing_exception", reason },
  });

/** Checks and fills in the `semantic_text` fields of a mapping's `properties` (recursively). */
function prepareProperties(cluster: Cluster, properties: unknown): void {
  if (properties === null || typeof properties !== "object") return;
  for (const [name, field] of Object.entries(properties as Record<string, unknown>)) {
    if (field === null || typeof field !== "object") continue;
    const body = field as Record<string, unknown>;
    if (body.type === "semantic_text") {
      if (!cluster.profile.has("semanticText")) {
        throw mapperParsing(`No handler for type [semantic_text] declared on field [${name}]`);
      }
      const problem = (param: string, why: string) =>
        mapperParsing(`[${param}] on mapper [${name}] of type [semantic_text] ${why}`);
      if (body.inference_id === null) throw problem("inference_id", "must not have a [null] value");
      if (body.inference_id === "") throw problem("inference_id", "must not be empty");
      if (body.inference_id === undefined) {
        // 8.15 required it; from 8.16 it defaults to the preconfigured ELSER endpoint (always printed).
        if (!cluster.profile.has("inferenceDeploymentId")) throw problem("inference_id", "must not be empty");
        body.inference_id = DEFAULT_ELSER_ID;
      }
      if (body.search_inference_id === "") throw problem("search_inference_id", "must not be empty");
    }
    prepareProperties(cluster, body.properties);
  }
}

function createIndex(ctx: RouteContext): Execute {
  const name = ctx.params.index;
  ctx.query.duration("timeout");
  ctx.query.duration("master_timeout");
  ctx.query.str("wait_for_active_shards");
  const body = jsonBody(ctx);
  return () => {
    const cluster = ctx.services.cluster;
    checkIndexName(name);
    const value = (body?.value ?? {}) as Record<string, unknown>;
    const mappings = structuredClone((value.mappings ?? {}) as Record<string, unknown>);
    prepareProperties(cluster, mappings.properties);
    const existing = cluster.indices.indices.get(name);
    if (existing) {
      throw new EsError(
        400,
        "resource_already_exists_exception",
        `index [${name}/${existing.uuid}] already exists`,
        {
          extra: { index_uuid: existing.uuid, index: name },
        },
      );
    }
    cluster.indices.indices.set(name, {
      name,
      uuid: cluster.random.id(22),
      mappings,
      settings: (value.settings ?? {}) as Record<string, unknown>,
    });
    return ok({ acknowledged: true, shards_acknowledged: true, index: name });
  };
}

function getMapping(ctx: RouteContext): Execute {
  const name = ctx.params.index;
  return () => {
    const index = ctx.services.cluster.indices.indices.get(name);
    if (!index) throw indexNotFound(name);
    return ok({ [name]: { mappings: structuredClone(index.mappings) } });
  };
}

function deleteIndex(ctx: RouteContext): Execute {
  const name = ctx.params.index;
  ctx.query.duration("timeout");
  ctx.query.duration("master_timeout");
  return () => {
    const cluster = ctx.services.cluster;
    if (!cluster.indices.indices.delete(name)) throw indexNotFound(name);
    return acknowledged();
  };
}

export const indexRoutes: RouteDef[] = [
  { method: "PUT", path: "/{index}", action: ACTIONS.createIndex, handler: createIndex },
  { method: "GET", path: "/{index}/_mapping", action: ACTIONS.getMappings, handler: getMapping },
  { method: "DELETE", path: "/{index}", action: ACTIONS.deleteIndex, handler: deleteIndex },
];
