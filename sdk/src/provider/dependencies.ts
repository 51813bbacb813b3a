/**
 * What every resource's provider depends on, with the production defaults: tests and embedders replace
 * any of them (a collecting progress sink, a fake clock, shrunken timings, client tuning).
 */
import type { ClientOptions } from "../client";
import { consoleProgress, type Progress } from "./progress";
import { type Clock, realClock, type Timing } from "./wait";

/** What a provider instance depends on; every field has a production default. */
export interface ProviderDependencies {
  /** The environment, read when each operation runs (never captured at load). Default `process.env`. */
  env: () => Readonly<Record<string, string | undefined>>;
  progress: Progress;
  timing: Timing;
  clock: Clock;
  /** Transport tuning for the clients (tests shrink backoffs and keep-alive). */
  clientOptions: ClientOptions;
}

/** The given dependencies, the production default for each one left out (`timing` per resource). */
export function withDefaults(deps: Partial<ProviderDependencies>, timing: Timing): ProviderDependencies {
  return {
    env: deps.env ?? (() => process.env),
    progress: deps.progress ?? consoleProgress,
    timing: deps.timing ?? timing,
    clock: deps.clock ?? realClock,
    clientOptions: deps.clientOptions ?? {},
  };
}
