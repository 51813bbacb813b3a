/**
 * Where a secret may be looked for in what an operation said. The Pulumi Node.js SDK sends the engine a
 * debug-severity diagnostic with each `RegisterResource`/`ReadResource` response (`@pulumi/pulumi`
 * runtime/resource.js), and those responses carry secret outputs in wire form, value included. They are
 * shown only with `--debug` (and kept in an `--event-log`); every resource with a secret output has them,
 * whatever its provider. Everything else the operation said (its other events, the CLI output) must hold
 * no secret; this is what the canaries check, and the README says so.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

const SDK_RPC_DEBUG = /^(RegisterResource|ReadResource) RPC finished: /;

/** The SDK's own debug line about an RPC response (see the file comment). */
export function isSdkRpcDebug(event: EngineEvent): boolean {
  const diagnostic = event.diagnosticEvent;
  // The typings list no "debug" severity, but the engine streams debug diagnostics too.
  return (diagnostic?.severity as string | undefined) === "debug" && SDK_RPC_DEBUG.test(diagnostic!.message);
}

/** An operation's events (without the SDK's RPC debug lines) and CLI output, as one text. */
export function saidOutsideSdkDebug(operation: { events: readonly EngineEvent[]; output: string }): string {
  return `${JSON.stringify(operation.events.filter((e) => !isSdkRpcDebug(e)))}\n${operation.output}`;
}
