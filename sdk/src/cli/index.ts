#!/usr/bin/env node
/**
 * The `pulumi-elasticsearch-ml` command. Subcommands:
 *
 * - `preview-report`: a pull-request report of a `pulumi preview --json` (see `docs/preview-report.md`).
 */
import { EXIT, previewReport, PREVIEW_REPORT_USAGE, type CommandIo } from "./previewReport";

export { EXIT, previewReport, PREVIEW_REPORT_USAGE, type CommandIo };

const USAGE = `Usage: pulumi-elasticsearch-ml <command> [options]

Commands:
  preview-report   report what a \`pulumi preview --json\` does to ML deployments (--help for options)
`;

/**
 * Runs the command line (without the node and script arguments).
 *
 * @returns The exit code.
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "preview-report") return previewReport(rest, io);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? EXIT.INPUT : EXIT.OK;
  }
  io.stderr.write(`pulumi-elasticsearch-ml: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  return EXIT.INPUT;
}

/**
 * Runs the command in this process: its arguments, standard streams and environment; sets the exit
 * code. Called by the package's bin (`bin/pulumi-elasticsearch-ml.js`) and by `node dist/cli/index.js`.
 */
export function run(): void {
  main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `pulumi-elasticsearch-ml: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = EXIT.FAILURE;
    },
  );
}

if (require.main === module) run();
