/**
 * What the deployment provider's steps in modules of their own (`startStep.ts`, `stopStep.ts`) need of
 * the provider: its dependencies, its configuration, and the warnings it gives once per process.
 */
import type { ProviderConfig } from "./config";
import type { OnceWarnings } from "./progress";
import type { ProviderDependencies } from "./provider";

export interface StepContext {
  deps: ProviderDependencies;
  config: ProviderConfig;
  warnings: OnceWarnings;
}
