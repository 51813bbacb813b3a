/**
 * The quickstart's stack: the Automation API driving the real Pulumi CLI with an inline program, a local
 * file backend and a private `PULUMI_HOME` in the run's temp folder, and the offline settings the e2e
 * harness uses (no login, no update check, no plugin download).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { getPulumiCli } from "../../tests/e2e/harness/cli";
import { offlineEnv } from "../../tests/e2e/harness/env";
import { repoRoot } from "../../tests/e2e/harness/repo";

/** What {@link createStack} needs. */
export interface StackOptions {
  /** Absolute temp folder of this run; `project/`, `backend/` and `home/` are made inside it. */
  dir: string;
  projectName: string;
  stackName: string;
  program: PulumiFn;
}

/** A fresh stack on a file backend under `options.dir`, with the Pulumi CLI `scripts/get-pulumi.sh` found. */
export async function createStack(options: StackOptions): Promise<Stack> {
  if (!path.isAbsolute(options.dir)) {
    throw new Error(`createStack: dir must be an absolute path; got ${JSON.stringify(options.dir)}`);
  }
  const workDir = path.join(options.dir, "project");
  const backendDir = path.join(options.dir, "backend");
  const pulumiHome = path.join(options.dir, "home");
  for (const dir of [workDir, backendDir, pulumiHome]) fs.mkdirSync(dir, { recursive: true });
  const cli = await getPulumiCli();
  // The work dir is outside the repository: offlineEnv's NODE_PATH lets the provider process find
  // @pulumi/pulumi and pulumi-elasticsearch-ml there.
  const envVars = offlineEnv({
    repoRoot: repoRoot(),
    backendDir,
    passphrase: crypto.randomBytes(12).toString("hex"),
  });
  return LocalWorkspace.createOrSelectStack(
    { projectName: options.projectName, stackName: options.stackName, program: options.program },
    {
      workDir,
      pulumiHome,
      envVars,
      pulumiCommand: cli.command,
      projectSettings: {
        name: options.projectName,
        runtime: "nodejs",
        backend: { url: envVars.PULUMI_BACKEND_URL },
      },
    },
  );
}
