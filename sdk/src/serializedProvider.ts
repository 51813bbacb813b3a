/**
 * What each resource hands Pulumi as its dynamic provider, which Pulumi serializes into the state twice
 * per resource (`__provider` in the inputs, and in the outputs where the dynamic-provider host adds it).
 *
 * Installed from a registry, the package's stable entry (`pulumi-elasticsearch-ml/provider`, …) is itself
 * the provider: its exports are the seven methods. Pulumi's closure serializer writes a module it finds
 * under `node_modules` as `require("<its export name>")`, so the state holds about 270 bytes per copy
 * instead of the ~2 KB that seven forwarding methods serialize to (issue 16: state is rewritten after each
 * step, so its size is time at 500 deployments).
 *
 * The serializer only does that when it can map the file back to an export name: the file must be under
 * `node_modules`, and `@pulumi/pulumi` must resolve the package to the same file (it reads the package's
 * `exports` from there). Otherwise (this workspace, where the package is a link to `sdk/`; pnpm's strict
 * layout, where `@pulumi/pulumi` cannot see the package) it would serialize the whole module by value, so
 * the forwarding methods are used instead. Both forms require the stable entry where the state is used,
 * so each reads the other's state.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

const chosenProviders = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * The stable entry's module when Pulumi will serialize it as one `require`, else `forwarders`.
 *
 * @param entry The stable entry's export name, e.g. `pulumi-elasticsearch-ml/provider`.
 * @param forwarders Methods that each `require(entry)` when they run (the portable form).
 */
export function providerForState(
  entry: string,
  forwarders: pulumi.dynamic.ResourceProvider,
): pulumi.dynamic.ResourceProvider {
  // Decided once per entry: Pulumi serializes a provider once per object, so every resource must get the same one.
  let chosen = chosenProviders.get(entry);
  if (chosen === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself is the point
    chosen = capturedAsRequire(entry) ? (require(entry) as pulumi.dynamic.ResourceProvider) : forwarders;
    chosenProviders.set(entry, chosen);
  }
  return chosen;
}

/** Whether the closure serializer will write `entry`'s module as `require(entry)` (see above). */
export function capturedAsRequire(entry: string): boolean {
  try {
    const file = require.resolve(entry);
    if (!file.split(path.sep).includes("node_modules")) return false;
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    return require.resolve(entry, { paths: [pulumiDir] }) === file;
  } catch {
    return false;
  }
}
