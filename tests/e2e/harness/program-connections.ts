/**
 * Every inline program this process runs gets gRPC connections of its own to the engine and the
 * resource monitor (docs/pulumi-engine-findings.md, "Many inline programs in one process").
 *
 * Why: `@pulumi/pulumi` never closes a run's engine and monitor clients, and `@grpc/grpc-js` shares
 * one connection ("subchannel") per address across the whole process. After an operation fails or
 * its CLI is killed, the dead run's client keeps retrying the CLI's old port with a growing backoff,
 * and the shared connection stays in TRANSIENT_FAILURE meanwhile. When a later CLI happens to listen
 * on that port, the later program's first call fails at once with
 * `14 UNAVAILABLE: No connection established`, which the Node runtime takes for "the engine is
 * shutting down": the program stops before registering anything and the run may still report
 * success, so a preview of an invalid input passes without its resource ever being checked.
 *
 * The Node runtime builds both clients from one exported options object
 * (`runtime/settings.js`: `grpcClientOptions`), so adding `grpc.use_local_subchannel_pool` there
 * gives each client its own connection. The object is internal to `@pulumi/pulumi`; when it is
 * missing (an upgrade moved it) {@link isolateProgramConnections} throws rather than silently
 * leaving the tests exposed.
 */

/** The grpc-js channel option that gives a client connections of its own. */
export const LOCAL_SUBCHANNEL_POOL = "grpc.use_local_subchannel_pool";

/* eslint-disable @typescript-eslint/no-require-imports -- an untyped internal of @pulumi/pulumi, see the file comment */
const settings = require("@pulumi/pulumi/runtime/settings") as {
  grpcClientOptions?: Record<string, unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Makes every engine and monitor client created from now on use its own connections. Idempotent. */
export function isolateProgramConnections(): void {
  const options = settings.grpcClientOptions;
  if (typeof options !== "object" || options === null) {
    throw new Error(
      "@pulumi/pulumi/runtime/settings no longer exports grpcClientOptions: the inline programs' " +
        "connections cannot be isolated (see tests/e2e/harness/program-connections.ts)",
    );
  }
  options[LOCAL_SUBCHANNEL_POOL] = 1;
}

/** Whether {@link isolateProgramConnections} is in force. */
export function programConnectionsIsolated(): boolean {
  return settings.grpcClientOptions?.[LOCAL_SUBCHANNEL_POOL] === 1;
}

isolateProgramConnections();
