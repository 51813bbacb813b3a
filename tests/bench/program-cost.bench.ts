/**
 * The program's own cost per resource: CPU time of declaring N `TrainedModelDeployment`s under Pulumi's
 * mocks (no engine, no provider), next to N of the curl peer's resource and N of a dynamic resource that
 * only declares 20 properties (about as many as a deployment). `npm run bench` shows our preview
 * of 500 unchanged deployments taking longer than the peer's; this separates the part spent in the
 * program, where the Pulumi runtime does work for every declared property (an `Output` and its promises
 * each), from the engine's and the provider's.
 *
 *   npm run build && node build/tests/bench/program-cost.bench.js [--n=500] [--profile]
 *
 * Each side runs in a fresh Node.js process (the runtime's mocks are process-wide). A script with a
 * report, not a test (see docs/benchmarks.md, "Preview of 500").
 */
import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { TrainedModelDeployment } from "pulumi-elasticsearch-ml";
import { CurlCommand, curlCommandsFor } from "./curl-resource";

type Side = "ours" | "peer" | "plain20";

// One provider object for all (Pulumi serializes a provider once per object).
const PLAIN_PROVIDER: pulumi.dynamic.ResourceProvider = { create: async () => ({ id: "plain", outs: {} }) };

/** A dynamic resource that declares 20 properties and nothing else: what the properties alone cost. */
class Plain20 extends pulumi.dynamic.Resource {
  constructor(name: string) {
    const props: Record<string, undefined> = {};
    for (let i = 0; i < 20; i++) props[`p${i}`] = undefined;
    super(PLAIN_PROVIDER, name, props, {}, "bench", "Plain20");
  }
}

/** The child: declare `n` resources of one side under mocks; print CPU and wall time per resource. */
async function child(side: Side, n: number): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs as Record<string, unknown> }),
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "program-cost",
    "bench",
    true,
  );
  const cpu = process.cpuUsage();
  const began = performance.now();
  const resources: pulumi.CustomResource[] = [];
  for (let i = 0; i < n; i++) {
    const id = `d${i}`;
    resources.push(
      side === "ours"
        ? new TrainedModelDeployment(id, { modelId: "m", deploymentId: id, numberOfAllocations: 1 })
        : side === "peer"
          ? new CurlCommand(id, curlCommandsFor("http://127.0.0.1:9200", "m", id))
          : new Plain20(id),
    );
  }
  await Promise.all(resources.map((r) => new Promise<void>((resolve) => r.urn.apply(() => resolve()))));
  const used = process.cpuUsage(cpu);
  const perResource = (ms: number) => (ms / n).toFixed(2);
  process.stdout.write(
    JSON.stringify({
      side,
      cpuMs: perResource((used.user + used.system) / 1000),
      wallMs: perResource(performance.now() - began),
    }) + "\n",
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const side = args.find((a) => a.startsWith("--child="))?.slice("--child=".length) as Side | undefined;
  const nArg = args.find((a) => a.startsWith("--n="))?.slice("--n=".length) ?? "500";
  const n = Number(nArg);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--n: "${nArg}" is not allowed; give a positive integer`);
  if (side !== undefined) {
    void child(side, n);
    return;
  }
  const profile = args.includes("--profile") ? ["--cpu-prof", "--cpu-prof-dir=bench/profiles"] : [];
  const rows = (["ours", "peer", "plain20"] as const).map(
    (s) =>
      JSON.parse(
        execFileSync(process.execPath, [...profile, __filename, `--child=${s}`, `--n=${n}`], {
          encoding: "utf8",
        }),
      ) as { side: Side; cpuMs: string; wallMs: string },
  );
  console.log(`program cost of declaring ${n} resources under Pulumi's mocks, per resource:`);
  for (const r of rows) console.log(`  ${r.side.padEnd(7)}  CPU ${r.cpuMs} ms, wall ${r.wallMs} ms`);
  console.log("(plain20: a dynamic resource declaring 20 properties and nothing else)");
  if (profile.length > 0) console.log("CPU profiles: bench/profiles/");
}

main();
