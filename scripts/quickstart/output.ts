/**
 * How the quickstart talks to the reader: a header per step, short notes, and the engine's own output
 * passed through as it arrives.
 */

/** Where the quickstart writes (the process's stdout unless a test passes its own). */
export interface Printer {
  /** A step's header: `=== [2/7] pulumi up: … ===`. */
  header(step: number, total: number, title: string): void;
  /** A line of the quickstart's own (indented, so it stands apart from the engine's output). */
  note(line: string): void;
  /** Engine output, written exactly as it arrives. */
  stream(chunk: string): void;
}

/** A printer on a writable stream. */
export function printerOn(out: { write(text: string): unknown }): Printer {
  return {
    header: (step, total, title) => out.write(`\n=== [${step}/${total}] ${title} ===\n`),
    note: (line) => out.write(`  ${line}\n`),
    stream: (chunk) => out.write(chunk),
  };
}

/** The first line of an error's message (the Automation API puts the whole CLI output after it). */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n").find((line) => line.trim() !== "") ?? text;
}

/** `12.3s` */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
