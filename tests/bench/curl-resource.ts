/**
 * The peer: what Pulumi users do today to manage an ML deployment, a command resource running curl
 * (`@pulumi/command`'s `local.Command` with `create` and `delete` commands). Its provider plugin cannot
 * be built here (the Go module proxy refuses `github.com/pulumi/pulumi-command/provider`: 403), so this is
 * the fallback the benchmark issue names: a minimal dynamic resource that runs each command through
 * `/bin/sh -c`, as `local.Command` does, and fails when the command fails.
 *
 * Everything the provider needs is inside its methods (it is serialized into state).
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of a {@link CurlCommand}: shell commands, like `local.Command`'s. */
export interface CurlCommandInputs {
  /** Runs on create. */
  create: string;
  /** Runs on delete. */
  delete: string;
}

/* eslint-disable @typescript-eslint/no-require-imports -- requires stay inside the serialized bodies */
const provider: pulumi.dynamic.ResourceProvider<CurlCommandInputs, CurlCommandInputs & { stdout: string }> = {
  async create(inputs) {
    const { execFile } = require("node:child_process");
    const { randomUUID } = require("node:crypto");
    const stdout: string = await new Promise((resolve, reject) =>
      execFile("/bin/sh", ["-c", inputs.create], (err: Error | null, out: string, errOut: string) =>
        err ? reject(new Error(`${inputs.create} failed: ${err.message} ${errOut}`)) : resolve(out),
      ),
    );
    return { id: randomUUID(), outs: { ...inputs, stdout } };
  },
  async delete(_id, props) {
    const { execFile } = require("node:child_process");
    await new Promise<void>((resolve, reject) =>
      execFile("/bin/sh", ["-c", props.delete], (err: Error | null, _out: string, errOut: string) =>
        err ? reject(new Error(`${props.delete} failed: ${err.message} ${errOut}`)) : resolve(),
      ),
    );
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** A shell command pair run by curl, the way `local.Command` users start and stop deployments. */
export class CurlCommand extends pulumi.dynamic.Resource {
  constructor(name: string, args: CurlCommandInputs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, stdout: undefined }, opts, "bench", "CurlCommand");
  }
}

/** The commands a user writes for one deployment (start waiting for `fully_allocated`, stop). */
export function curlCommandsFor(url: string, modelId: string, deploymentId: string): CurlCommandInputs {
  const base = `${url}/_ml/trained_models`;
  return {
    create:
      `curl -sS --fail-with-body -X POST '${base}/${modelId}/deployment/_start?deployment_id=${deploymentId}` +
      "&number_of_allocations=1&wait_for=fully_allocated&timeout=60s'",
    delete: `curl -sS --fail-with-body -X POST '${base}/${deploymentId}/deployment/_stop'`,
  };
}
