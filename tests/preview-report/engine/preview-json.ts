/**
 * `pulumi preview --json` for an inline program, run the way the Automation API runs its own
 * operations: a language server serving the program inside this process, and the real CLI started
 * with `--client=<addr> --exec-kind auto.inline`. The Automation API has no `--json` option for
 * preview (its result is a change summary), and this host has no Node language host to run a shell
 * preview of a `runtime: nodejs` project, so this is the way to get the exact document
 * `pulumi preview --json` prints for our resource.
 *
 * The language server and the gRPC service definition are internal modules of `@pulumi/pulumi`
 * (`automation/server`, `proto/language_grpc_pb`), loaded as the Automation API loads them; a
 * Pulumi upgrade that moves them fails this helper loudly, not silently.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { CliCommandError, ProgramDidNotRunError, type TestStack } from "../../e2e/harness";

interface LanguageServerLike {
  onPulumiExit(hasError: boolean): void;
}
interface GrpcServerLike {
  addService(service: unknown, implementation: unknown): void;
  bindAsync(address: string, credentials: unknown, callback: (err: Error | null, port: number) => void): void;
  forceShutdown(): void;
}

/* eslint-disable @typescript-eslint/no-require-imports -- untyped internals of @pulumi/pulumi, see the file comment */
const grpc = require("@grpc/grpc-js") as {
  Server: new (options?: unknown) => GrpcServerLike;
  ServerCredentials: { createInsecure(): unknown };
};
const { LanguageServer } = require("@pulumi/pulumi/automation/server") as {
  LanguageServer: new (program: PulumiFn) => LanguageServerLike;
};
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb") as { LanguageRuntimeService: unknown };
const { grpcChannelOptions } = require("@pulumi/pulumi/runtime") as { grpcChannelOptions?: object };
/* eslint-enable @typescript-eslint/no-require-imports */

/** What `pulumi preview --json` printed, parsed, and its raw text. */
export interface PreviewJson {
  json: Record<string, unknown>;
  text: string;
  stderr: string;
  /** False when the preview failed (the CLI exited non-zero but printed its document). */
  ok: boolean;
}

/**
 * Runs `pulumi preview --json` on the stack with `program` (default: the stack's current program).
 *
 * @param extraArgs More CLI flags, e.g. `["--refresh"]`.
 */
export async function previewJson(
  stack: TestStack,
  program?: PulumiFn,
  extraArgs: readonly string[] = [],
): Promise<PreviewJson> {
  const given = program ?? stack.workspace.program;
  if (given === undefined) throw new Error("previewJson: the stack has no inline program; pass one");
  let returned = false;
  const run: PulumiFn = async () => {
    const outputs = await given();
    returned = true;
    return outputs;
  };
  const server = new grpc.Server({ ...(grpcChannelOptions ?? {}) });
  const languageServer = new LanguageServer(run);
  server.addService(langrpc.LanguageRuntimeService, languageServer);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  let failed = true;
  try {
    let stdout: string;
    let stderr: string;
    let ok = true;
    try {
      ({ stdout, stderr } = await stack.runCli([
        "preview",
        "--json",
        "--stack",
        stack.name,
        `--client=127.0.0.1:${port}`,
        "--exec-kind",
        "auto.inline",
        ...extraArgs,
      ]));
    } catch (err) {
      // A failed preview still prints its document (errors as diagnostics) and exits non-zero.
      if (!(err instanceof CliCommandError) || !err.stdout.trim().startsWith("{")) throw err;
      ({ stdout, stderr } = err);
      ok = false;
    }
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch (err) {
      throw new Error(`pulumi preview --json printed no JSON document: ${stdout.slice(0, 500)}`, {
        cause: err,
      });
    }
    failed = !ok;
    if (ok && !returned) {
      // A success without the program having run checked nothing (see ProgramDidNotRunError).
      throw new ProgramDidNotRunError("preview --json", [], `${stdout.slice(0, 1500)}\n${stderr}`);
    }
    return { json: json as Record<string, unknown>, text: stdout, stderr, ok };
  } finally {
    languageServer.onPulumiExit(failed);
    server.forceShutdown();
  }
}
