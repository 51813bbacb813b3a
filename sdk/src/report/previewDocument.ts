/**
 * Reading `pulumi preview --json`: the document the CLI prints (Pulumi's `PreviewDigest`), validated
 * just enough that every later step can trust its shape, with messages that say what was expected.
 *
 * The document (Pulumi 3.x; every key is optional):
 *
 * ```
 * { config: {key: value, secrets as "[secret]"},
 *   steps: [{ op, urn, provider, oldState, newState, diffReasons, replaceReasons, detailedDiff }],
 *   diagnostics: [{ urn, message, severity }],
 *   duration, changeSummary: {op: count}, maybeCorrupt }
 * ```
 *
 * `oldState`/`newState` are checkpoint resources (`urn`, `type`, `id`, `inputs`, `outputs`, …) with secret
 * values replaced by `"[secret]"` and values not known until apply by Pulumi's unknown sentinel. Steps
 * whose operation is `same` are left out unless the preview ran with `--show-sames`; a replacement is one
 * `replace` step unless it ran with `--show-replacement-steps`.
 */
import { PreviewInputError } from "./errors";

/** A resource's state as a preview step carries it. */
export interface PreviewResourceState {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
  [extra: string]: unknown;
}

/** One step of the preview. */
export interface PreviewStep {
  /** `same`, `create`, `update`, `delete`, `replace`, `create-replacement`, `delete-replaced`, `read`, `refresh`, … */
  op: string;
  urn: string;
  provider?: string;
  oldState?: PreviewResourceState;
  newState?: PreviewResourceState;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, unknown> | null;
}

/** A diagnostic message of the preview (warnings, errors, provider output). */
export interface PreviewDiagnostic {
  urn?: string;
  message: string;
  severity: string;
}

/** A validated preview document. Absent keys are normalised to empty values. */
export interface PreviewDocument {
  /** Stack config: `namespace:key` → value; secret values read `"[secret]"`. */
  config: Record<string, unknown>;
  steps: PreviewStep[];
  diagnostics: PreviewDiagnostic[];
  /** Operation → count, for every resource including the ones left out of `steps`. */
  changeSummary: Record<string, number>;
  maybeCorrupt: boolean;
}

/** What the preview JSON shows in place of a secret value. */
export const SECRET_PLACEHOLDER = "[secret]";

const DOCUMENT_KEYS = ["steps", "changeSummary", "config", "diagnostics", "duration"];

/**
 * Parses and validates the text of `pulumi preview --json`.
 *
 * @param text The whole input.
 * @param source Names the input in messages (`stdin`, a file path).
 * @throws {PreviewInputError} For empty input, invalid JSON, or a document of another shape.
 */
export function parsePreviewDocument(text: string, source: string): PreviewDocument {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") {
    throw new PreviewInputError(
      source,
      "the input is empty; expected the JSON document printed by `pulumi preview --json` " +
        "(did the preview fail before printing anything?)",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    throw new PreviewInputError(source, notJsonMessage(trimmed, err), { cause: err });
  }
  return validateDocument(value, source);
}

function notJsonMessage(text: string, err: unknown): string {
  const firstLine = text.split("\n", 1)[0];
  const reason = err instanceof Error ? err.message : String(err);
  if (/^(Previewing|Updating|Destroying) /.test(firstLine)) {
    return "this is the text output of `pulumi preview`, not JSON; run `pulumi preview --json`";
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length > 1 && lines.every((l) => l.trim().startsWith("{"))) {
    return (
      "this is a stream of engine events (one JSON object per line), not a preview document; " +
      "run `pulumi preview --json` without PULUMI_ENABLE_STREAMING_JSON_PREVIEW"
    );
  }
  return `the input is not valid JSON (${reason}); expected the document printed by \`pulumi preview --json\``;
}

function validateDocument(value: unknown, source: string): PreviewDocument {
  if (!isObject(value)) {
    throw new PreviewInputError(
      source,
      `expected a JSON object (the document printed by \`pulumi preview --json\`); got ${describe(value)}`,
    );
  }
  if (!DOCUMENT_KEYS.some((key) => key in value)) {
    const keys = Object.keys(value);
    throw new PreviewInputError(
      source,
      "this JSON object is not a `pulumi preview --json` document: it has none of the keys " +
        `${DOCUMENT_KEYS.join(", ")}` +
        (keys.length > 0 ? ` (its keys: ${keys.slice(0, 8).join(", ")})` : " (it is empty)"),
    );
  }
  const at = (path: string, message: string): never => {
    throw new PreviewInputError(source, `${path} ${message}`);
  };

  const config = value.config ?? {};
  if (!isObject(config)) at("config", `must be an object of config key → value; got ${describe(config)}`);

  const rawSteps = value.steps ?? [];
  if (!Array.isArray(rawSteps)) at("steps", `must be an array of steps; got ${describe(rawSteps)}`);
  const steps = (rawSteps as unknown[]).map((step, i) => validateStep(step, `steps[${i}]`, at));

  const rawDiagnostics = value.diagnostics ?? [];
  if (!Array.isArray(rawDiagnostics)) {
    at("diagnostics", `must be an array; got ${describe(rawDiagnostics)}`);
  }
  const diagnostics = (rawDiagnostics as unknown[]).map((d, i): PreviewDiagnostic => {
    if (!isObject(d)) return at(`diagnostics[${i}]`, `must be an object; got ${describe(d)}`);
    if (typeof d.message !== "string") {
      at(`diagnostics[${i}].message`, `must be a string; got ${describe(d.message)}`);
    }
    return {
      ...(typeof d.urn === "string" && d.urn !== "" ? { urn: d.urn } : {}),
      message: d.message as string,
      severity: typeof d.severity === "string" ? d.severity : "info",
    };
  });

  const rawSummary = value.changeSummary ?? {};
  if (!isObject(rawSummary))
    at("changeSummary", `must be an object of operation → count; got ${describe(rawSummary)}`);
  const changeSummary: Record<string, number> = {};
  for (const [op, count] of Object.entries(rawSummary as Record<string, unknown>)) {
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      at(`changeSummary.${op}`, `must be a count (an integer >= 0); got ${describe(count)}`);
    }
    changeSummary[op] = count as number;
  }

  return {
    config: config as Record<string, unknown>,
    steps,
    diagnostics,
    changeSummary,
    maybeCorrupt: value.maybeCorrupt === true,
  };
}

function validateStep(
  step: unknown,
  path: string,
  at: (path: string, message: string) => never,
): PreviewStep {
  if (!isObject(step)) return at(path, `must be an object; got ${describe(step)}`);
  if (typeof step.op !== "string" || step.op === "") {
    at(`${path}.op`, `must be the step's operation (e.g. "create", "update"); got ${describe(step.op)}`);
  }
  if (typeof step.urn !== "string" || !step.urn.startsWith("urn:")) {
    at(`${path}.urn`, `must be a resource URN ("urn:pulumi:…"); got ${describe(step.urn)}`);
  }
  const result: PreviewStep = { op: step.op as string, urn: step.urn as string };
  if (typeof step.provider === "string") result.provider = step.provider;
  for (const key of ["oldState", "newState"] as const) {
    const state = step[key];
    if (state === undefined || state === null) continue;
    result[key] = validateState(state, `${path}.${key}`, at);
  }
  for (const key of ["diffReasons", "replaceReasons"] as const) {
    const list = step[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every((k) => typeof k === "string")) {
      at(`${path}.${key}`, `must be an array of property names; got ${describe(list)}`);
    }
    result[key] = list as string[];
  }
  if (isObject(step.detailedDiff)) result.detailedDiff = step.detailedDiff;
  return result;
}

function validateState(
  state: unknown,
  path: string,
  at: (path: string, message: string) => never,
): PreviewResourceState {
  if (!isObject(state)) return at(path, `must be an object; got ${describe(state)}`);
  for (const key of ["inputs", "outputs"]) {
    const props = state[key];
    if (props !== undefined && props !== null && !isObject(props)) {
      at(`${path}.${key}`, `must be an object of properties; got ${describe(props)}`);
    }
  }
  if (typeof state.type !== "string")
    at(`${path}.type`, `must be a resource type; got ${describe(state.type)}`);
  return state as PreviewResourceState;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short description of a value for messages: its type, and the value when it is small. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
}
