/**
 * Reading the engine's steps for one resource (any of this package's types): which step carries the
 * change, the user's inputs without the serialized provider, and who each side names. Pure.
 */
import { isPlainObject, isUnknown, PROVIDER_KEY } from "../provider/inputs";
import type { DeploymentIdentity } from "./changes";
import { ARGUMENT_CONNECTION } from "./connections";
import { type PreviewStep, SECRET_PLACEHOLDER } from "./previewDocument";

/** Steps that say nothing about what the stack will run. */
export const IGNORED_OPS = new Set([
  "read",
  "read-replacement",
  "refresh",
  "read-discard",
  "discard",
  "discard-replaced",
]);

/** The user's inputs without the serialized provider. */
export function userProps(props: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!isPlainObject(props)) return {};
  const { [PROVIDER_KEY]: _provider, ...rest } = props;
  return rest;
}

/** The step that carries a resource's change (a replacement shown as two steps merged), and the ops joined. */
export function pickSteps(
  steps: readonly PreviewStep[],
): { main: PreviewStep; replace?: PreviewStep; stepOp: string } | undefined {
  const find = (op: string): PreviewStep | undefined => steps.find((s) => s.op === op);
  const replace =
    find("replace") ??
    (find("create-replacement") || find("delete-replaced")
      ? mergeReplacement(find("create-replacement"), find("delete-replaced"))
      : undefined);
  const main = replace ?? find("update") ?? find("create") ?? find("delete") ?? find("same");
  if (main === undefined) return undefined;
  const stepOp =
    steps
      .map((s) => s.op)
      .filter((op) => !IGNORED_OPS.has(op))
      .join("+") || main.op;
  return { main, ...(replace ? { replace } : {}), stepOp };
}

/** `create-replacement` and `delete-replaced` shown separately (`--show-replacement-steps`) as one step. */
function mergeReplacement(create: PreviewStep | undefined, del: PreviewStep | undefined): PreviewStep {
  return {
    op: "replace",
    urn: (create ?? del)!.urn,
    ...((del?.oldState ?? create?.oldState) ? { oldState: del?.oldState ?? create?.oldState } : {}),
    ...(create?.newState ? { newState: create.newState } : {}),
    replaceReasons: create?.replaceReasons ?? del?.replaceReasons ?? [],
  };
}

/** Who a side of a change names: deployment id, model id and connection, when known at preview. */
export function identity(
  props: { deploymentId?: unknown; modelId?: unknown; connection?: unknown },
  running: boolean | undefined,
): DeploymentIdentity {
  const id: DeploymentIdentity = {};
  if (typeof props.deploymentId === "string" && !isUnknown(props.deploymentId))
    id.deploymentId = props.deploymentId;
  if (typeof props.modelId === "string" && !isUnknown(props.modelId)) id.modelId = props.modelId;
  // Settings (an object, or a whole secret the preview JSON masks) are not a connection name.
  if (isPlainObject(props.connection) || props.connection === SECRET_PLACEHOLDER)
    id.connection = ARGUMENT_CONNECTION;
  else if (typeof props.connection === "string" && !isUnknown(props.connection))
    id.connection = props.connection;
  if (running !== undefined) id.running = running;
  return id;
}
