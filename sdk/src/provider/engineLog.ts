/**
 * Warnings the engine counts, from the dynamic-provider process.
 *
 * The engine starts every resource plugin with the address of its own gRPC service (which takes log
 * messages) as the plugin's last argument, after optional `--logtostderr`, `-v=<n>` and
 * `--tracing <endpoint>` (Go SDK `plugin.go`, `buildPluginArguments`). `@pulumi/pulumi`'s provider host
 * for real providers (`provider/server.js`) connects to it, so `pulumi.log.warn` there is a warning
 * diagnostic; its dynamic-provider host (`cmd/dynamic-provider`) checks that the argument is there and
 * never connects, so `pulumi.log.warn` falls back to stderr and shows as an info line. This module points
 * `@pulumi/pulumi`'s runtime at that address, the way `provider/server.js` does (`runtime.resetOptions`),
 * so a warning is a warning. Pinned by the engine contract (tests/e2e/engine-contract.spec.ts, "d.").
 *
 * Outside that host (tests, embedding) nothing is connected and callers print to stderr as before.
 */

/** The engine address among a resource plugin's arguments: the first one that is not a logging or tracing flag. */
export function engineAddressFromArgs(args: readonly string[]): string | undefined {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--logtostderr" || arg.startsWith("-v=")) continue;
    if (arg === "--tracing") {
      i++; // its value
      continue;
    }
    rest.push(arg);
  }
  const address = rest[0];
  // host:port, as the engine's host server listens (e.g. 127.0.0.1:41235).
  return address !== undefined && /^[^\s/]+:\d+$/.test(address) ? address : undefined;
}

/** Whether this process is `@pulumi/pulumi`'s dynamic-provider host (its script is the entry point). */
export function isDynamicProviderHost(argv: readonly string[] = process.argv): boolean {
  const script = argv[1] ?? "";
  return /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider([\\/]index(\.js)?)?$/.test(script);
}

interface PulumiLike {
  getProject(): string;
  getStack(): string;
  getOrganization(): string;
  runtime: {
    isDryRun(): boolean;
    resetOptions(
      project: string,
      stack: string,
      parallel: number,
      engineAddr: string,
      monitorAddr: string,
      preview: boolean,
      organization: string,
    ): void;
  };
  log: { warn(message: string): Promise<void> };
}

let engineLog: PulumiLike["log"] | null | undefined;
const deliveries = new Set<Promise<void>>();

/**
 * `@pulumi/pulumi`'s log, connected to the engine, when this is the dynamic-provider host and the engine
 * gave its address; otherwise `null`. Connects once per process.
 */
function connectedLog(): PulumiLike["log"] | null {
  if (engineLog !== undefined) return engineLog;
  engineLog = null;
  const address = isDynamicProviderHost() ? engineAddressFromArgs(process.argv.slice(2)) : undefined;
  if (address === undefined) return engineLog;
  // Loaded only here: the provider otherwise has no need of @pulumi/pulumi (the host has loaded it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pulumi = require("@pulumi/pulumi") as PulumiLike;
  let organization = "";
  try {
    organization = pulumi.getOrganization();
  } catch {
    // The host is never told the organization; the engine does not need it for a log message.
  }
  // Keeps the project and stack the host already holds; only the engine address is new.
  pulumi.runtime.resetOptions(
    pulumi.getProject(),
    pulumi.getStack(),
    -1,
    address,
    "",
    pulumi.runtime.isDryRun(),
    organization,
  );
  engineLog = pulumi.log;
  return engineLog;
}

/**
 * Sends `message` to the engine as a warning (counted in the operation's summary) when this process can,
 * and returns its delivery; returns `undefined` when it cannot, so the caller prints it instead. A failed
 * delivery is printed to stderr by `@pulumi/pulumi` itself.
 */
export function warnThroughEngine(message: string): Promise<void> | undefined {
  const log = connectedLog();
  if (log === null) return undefined;
  // Callers are synchronous; the provider entry awaits every delivery (warningsDelivered) before it
  // answers the engine, so the warning is shown before the operation can end.
  const delivery = log.warn(message).finally(() => deliveries.delete(delivery));
  deliveries.add(delivery);
  return delivery;
}

/** Resolves once every warning sent so far has reached the engine (or failed to). */
export async function warningsDelivered(): Promise<void> {
  await Promise.allSettled([...deliveries]);
}
