/**
 * How the provider talks to the user while an operation runs: progress lines and warnings.
 *
 * Progress lines go to stdout, which the engine streams live to the user as info diagnostics of the
 * stack (checked with the real engine, docs/pulumi-engine-findings.md §d). Warnings go to the engine's
 * log service as warnings, counted in the summary (`./engineLog`); where the process has no engine
 * address (tests, embedding) they go to stderr. A dynamic provider never learns its resource's URN, so
 * every line names the deployment id. This module is the one place that decides the channel.
 */
import { warnThroughEngine } from "./engineLog";

/** The sink the provider writes to. */
export interface Progress {
  /** A progress line (stdout: shown as an info diagnostic). */
  info(message: string): void;
  /** A warning (a warning diagnostic of the stack; stderr, prefixed `warning:`, without an engine). */
  warn(message: string): void;
}

/** The prefix of every line, so users can grep for them in CI logs. */
export const PROGRESS_PREFIX = "elasticsearch-ml:";

/** Writes to the provider process's stdout/stderr, which the engine streams to the user. */
export const consoleProgress: Progress = {
  info: (message) => process.stdout.write(`${PROGRESS_PREFIX} ${message}\n`),
  warn: (message) => {
    if (warnThroughEngine(`${PROGRESS_PREFIX} ${message}`) === undefined) {
      process.stderr.write(`${PROGRESS_PREFIX} warning: ${message}\n`);
    }
  },
};

/** Collects lines instead of printing them (tests, embedding). */
export function collectingProgress(): Progress & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return {
    infos,
    warnings,
    info: (message) => infos.push(message),
    warn: (message) => warnings.push(message),
  };
}

/** Warnings that should be said once per provider process (one per key), however many resources hit them. */
export class OnceWarnings {
  readonly #said = new Set<string>();

  constructor(private readonly progress: Progress) {}

  /** Warn unless a warning with this key was already given; returns whether it warned. */
  warn(key: string, message: string): boolean {
    if (this.#said.has(key)) return false;
    this.#said.add(key);
    this.progress.warn(message);
    return true;
  }
}
