/**
 * `pulumi-elasticsearch-ml preview-report`: reads `pulumi preview --json` (files or stdin), writes the
 * Markdown report and the JSON summary, and exits with a code a CI job can act on.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ConfigurationError, resolveConnectionSettings } from "../client";
import { createReport, PreviewInputError, type ReportInput, ReportUsageError } from "../report";

/** Exit codes. */
export const EXIT = {
  /** The report was written; nothing risky (or `--fail-on-risk` not given). */
  OK: 0,
  /** Something unexpected failed (e.g. an output file could not be written). */
  FAILURE: 1,
  /** Unreadable or malformed input, or bad command-line flags. */
  INPUT: 2,
  /**
   * `--fail-on-risk` and the preview would break ingest pipelines, a stop would be refused, or an inference
   * endpoint that pipelines or `semantic_text` fields referenced at the last refresh would be deleted.
   */
  RISK: 3,
} as const;

/** What the command reads and writes; the real process's by default, replaced in tests. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
}

export const PREVIEW_REPORT_USAGE = `Usage: pulumi-elasticsearch-ml preview-report [options]

Reads the output of \`pulumi preview --json\` and reports what each TrainedModelDeployment and
InferenceEndpoint will do: the operation, the settings that change, the ML capacity before and after,
deletes of endpoints with recorded references, and (when it can reach Elasticsearch) the ingest
pipelines a stop would break, refused stops and drift.

Options:
  --input <file|->      preview JSON to read; "-" is stdin (the default). Repeat for several stacks.
  --markdown <file|->   write the Markdown report there (default: stdout, unless --json is "-")
  --json <file|->       write the JSON summary there
  --fail-on-risk        exit ${EXIT.RISK} when a stop would be refused or would break ingest pipelines,
                        or a referenced inference endpoint would be deleted
  --endpoints <urls>    Elasticsearch URL(s) of the default connection, comma-separated
                        (default: the stack's elasticsearch-ml:endpoints, then ELASTICSEARCH_ENDPOINTS)
  --offline             do not contact Elasticsearch: operations and capacity only
  -h, --help            show this help

Credentials come from the environment (ELASTICSEARCH_API_KEY, ELASTICSEARCH_USERNAME/PASSWORD,
ELASTICSEARCH_BEARER_TOKEN, ELASTICSEARCH_CA_FILE, ...): secrets in stack config are redacted in the
preview JSON. ELASTICSEARCH_ML_FORCE (and the other stop-flag variables) count as they will for
\`pulumi up\` when set in the same environment.

Exit codes: ${EXIT.OK} report written, nothing risky; ${EXIT.FAILURE} unexpected failure; ${EXIT.INPUT} unreadable input or bad flags;
${EXIT.RISK} risky (only with --fail-on-risk).
`;

/**
 * Runs the command.
 *
 * @param args The arguments after `preview-report`.
 * @returns The exit code.
 */
export async function previewReport(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(args);
  } catch (err) {
    return fail(io, err);
  }
  if (parsed.help) {
    io.stdout.write(PREVIEW_REPORT_USAGE);
    return EXIT.OK;
  }
  try {
    const inputs = await readInputs(parsed.inputs, io);
    const report = await createReport(inputs, {
      env: io.env,
      ...(parsed.offline ? { offline: "--offline" } : {}),
      connection: parsed.endpoints ? { endpoints: parsed.endpoints } : {},
    });
    const json = `${JSON.stringify(report.summary, null, 2)}\n`;
    const markdownTarget = parsed.markdown ?? (parsed.json === "-" ? undefined : "-");
    if (markdownTarget !== undefined) await writeOut(markdownTarget, report.markdown, io);
    if (parsed.json !== undefined) await writeOut(parsed.json, json, io);

    const { counts } = report.summary;
    if (parsed.failOnRisk && report.summary.risky) {
      const parts = [];
      if (counts.stopsRefused > 0)
        parts.push(`${counts.stopsRefused} stop${counts.stopsRefused === 1 ? "" : "s"} would be refused`);
      if (counts.breaksPipelines > 0) {
        parts.push(
          `${counts.breaksPipelines} deployment${counts.breaksPipelines === 1 ? "" : "s"} would break ingest pipelines`,
        );
      }
      const deletes = counts.deletesReferencedEndpoints;
      if (deletes > 0) {
        parts.push(`${deletes} referenced inference endpoint${deletes === 1 ? "" : "s"} would be deleted`);
      }
      io.stderr.write(`preview-report: ${parts.join("; ")} (exit ${EXIT.RISK}, --fail-on-risk)\n`);
      return EXIT.RISK;
    }
    return EXIT.OK;
  } catch (err) {
    return fail(io, err);
  }
}

interface Flags {
  inputs: string[];
  markdown?: string;
  json?: string;
  failOnRisk: boolean;
  endpoints?: string[];
  offline: boolean;
  help: boolean;
}

function parseFlags(args: readonly string[]): Flags {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: "string", multiple: true },
        markdown: { type: "string" },
        json: { type: "string" },
        "fail-on-risk": { type: "boolean", default: false },
        endpoints: { type: "string" },
        offline: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new ReportUsageError(
      `${err instanceof Error ? err.message : String(err)}\n\n${PREVIEW_REPORT_USAGE}`,
    );
  }
  if (values.markdown === "-" && values.json === "-") {
    throw new ReportUsageError(
      '--markdown and --json cannot both write to stdout ("-"); give one of them a file',
    );
  }
  for (const key of ["markdown", "json"] as const) {
    if (values[key] === "") throw new ReportUsageError(`--${key} needs a file path or "-" for stdout`);
  }
  const inputs = values.input ?? ["-"];
  if (inputs.filter((i) => i === "-").length > 1)
    throw new ReportUsageError('--input "-" (stdin) can be given only once');
  if (inputs.some((i) => i === "")) throw new ReportUsageError('--input needs a file path or "-" for stdin');
  let endpoints: string[] | undefined;
  if (values.endpoints !== undefined) {
    endpoints = values.endpoints
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e !== "");
    if (endpoints.length === 0) {
      throw new ReportUsageError(
        `--endpoints: ${JSON.stringify(values.endpoints)} names no URL; e.g. https://localhost:9200`,
      );
    }
    if (values.offline)
      throw new ReportUsageError("--endpoints and --offline contradict each other; give one");
    try {
      // Validated here so a bad flag is a usage error, not a silently offline report.
      resolveConnectionSettings({ endpoints }, {});
    } catch (err) {
      if (!(err instanceof ConfigurationError)) throw err;
      throw new ReportUsageError(`--endpoints: ${err.message}`);
    }
  }
  return {
    inputs,
    ...(values.markdown !== undefined ? { markdown: values.markdown } : {}),
    ...(values.json !== undefined ? { json: values.json } : {}),
    failOnRisk: values["fail-on-risk"] === true,
    ...(endpoints ? { endpoints } : {}),
    offline: values.offline === true,
    help: values.help === true,
  };
}

async function readInputs(paths: readonly string[], io: CommandIo): Promise<ReportInput[]> {
  const inputs: ReportInput[] = [];
  for (const path of paths) {
    if (path === "-") {
      if (io.stdin.isTTY) {
        throw new ReportUsageError(
          "no input: pipe `pulumi preview --json` into this command, or pass --input <file>",
        );
      }
      inputs.push({ text: await readStream(io.stdin), source: "stdin" });
      continue;
    }
    try {
      inputs.push({ text: await readFile(path, "utf8"), source: path });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "no such file"
          : code === "EISDIR"
            ? "is a directory"
            : code === "EACCES"
              ? "permission denied"
              : String((err as Error).message);
      throw new PreviewInputError(path, `cannot read the input: ${why}`, { cause: err });
    }
  }
  return inputs;
}

function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer | string) =>
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk),
    );
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

async function writeOut(target: string, text: string, io: CommandIo): Promise<void> {
  if (target === "-") {
    io.stdout.write(text);
    return;
  }
  await writeFile(target, text, "utf8");
}

function fail(io: CommandIo, err: unknown): number {
  if (err instanceof PreviewInputError || err instanceof ReportUsageError) {
    io.stderr.write(`preview-report: ${err.message}\n`);
    return EXIT.INPUT;
  }
  if (err instanceof ConfigurationError) {
    io.stderr.write(`preview-report: ${err.message}\n`);
    return EXIT.INPUT;
  }
  io.stderr.write(
    `preview-report: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return EXIT.FAILURE;
}
