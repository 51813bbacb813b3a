/**
 * Validates emulator responses against the Elasticsearch OpenAPI document (serverless flavour,
 * elasticsearch-specification main, trimmed to the deployment operations; a copy of the
 * project's reference file lives in `fixtures/`).
 *
 * `oneOf` is read as `anyOf` (see below). Object schemas are made strict (`additionalProperties: false`) so that a misspelt or
 * invented field fails too; the one allowed extra is `node` in node stats, which the stack
 * (non-serverless) API sends.
 */
import Ajv, { ValidateFunction } from "ajv";
import * as path from "node:path";
import { readFileSync } from "node:fs";

const DOCUMENT_ID = "ml-openapi";
const ALLOWED_EXTRA: Record<string, string[]> = {
  "ml._types.TrainedModelDeploymentNodesStats": ["node"],
};

type Json = Record<string, unknown>;

function strictify(value: unknown, schemaName?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => strictify(item));
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value as Json)) {
    // Keys under `properties` / `schemas` are names, not schemas: keep them, recurse into values.
    if (key === "properties" || key === "schemas") {
      out[key] = Object.fromEntries(
        Object.entries(child as Json).map(([name, schema]) => [
          name,
          strictify(schema, key === "schemas" ? name : undefined),
        ]),
      );
    } else if (key === "oneOf") {
      // The generator writes TypeScript unions (inclusive) as oneOf: `reason` is
      // oneOf [string, nullable string], which no plain string could pass. anyOf is the intent.
      out.anyOf = strictify(child);
    } else {
      out[key] = strictify(child);
    }
  }
  if (out.type === "object" && out.properties && out.additionalProperties === undefined) {
    const extra = ALLOWED_EXTRA[schemaName ?? ""] ?? [];
    out.properties = { ...(out.properties as Json), ...Object.fromEntries(extra.map((name) => [name, {}])) };
    out.additionalProperties = false;
  }
  return out;
}

export type Operation = "start" | "stop" | "update" | "stats";

export class OpenApiValidator {
  private readonly validators: Record<Operation | "error", ValidateFunction>;
  /** How many responses were checked per operation (so a test can prove it checked something). */
  readonly checked: Record<Operation | "error", number> = {
    start: 0,
    stop: 0,
    update: 0,
    stats: 0,
    error: 0,
  };

  constructor() {
    const file = path.resolve(
      __dirname,
      "../../../tests/emulator/fixtures/openapi-ml-deployments.serverless-main.json",
    );
    const document = strictify(JSON.parse(readFileSync(file, "utf8"))) as Json;
    // OpenAPI 3.0 vocabulary (nullable is built into Ajv); unknown x-* keywords are ignored.
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    const op = (route: string) =>
      `${DOCUMENT_ID}#/paths/${route.replace(/~/g, "~0").replace(/\//g, "~1")}/post/responses/200/content/application~1json/schema`;
    const compile = (ref: string) => ajv.compile({ $ref: ref });
    this.validators = {
      start: compile(op("/_ml/trained_models/{model_id}/deployment/_start")),
      stop: compile(op("/_ml/trained_models/{model_id}/deployment/_stop")),
      update: compile(op("/_ml/trained_models/{model_id}/deployment/_update")),
      stats: compile(
        `${DOCUMENT_ID}#/components/responses/ml.get_trained_models_stats-200/content/application~1json/schema`,
      ),
      error: compile(`${DOCUMENT_ID}#/components/schemas/_types.ErrorResponseBase`),
    };
  }

  /** Throws with Ajv's errors when `body` does not match the operation's 200 schema. */
  check(operation: Operation | "error", body: unknown): void {
    const validate = this.validators[operation];
    if (!validate(body)) {
      throw new Error(
        `${operation} response does not match the OpenAPI schema: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`,
      );
    }
    this.checked[operation]++;
  }

  /** The operation a request path/method belongs to, if it is one of the four. */
  static operationOf(method: string, requestPath: string): Operation | undefined {
    const pathOnly = requestPath.split("?")[0];
    if (method === "POST" && pathOnly.endsWith("/deployment/_start")) return "start";
    if (method === "POST" && pathOnly.endsWith("/deployment/_stop")) return "stop";
    if (method === "POST" && pathOnly.endsWith("/deployment/_update")) return "update";
    if (method === "GET" && pathOnly.endsWith("/_stats")) return "stats";
    return undefined;
  }
}
