/**
 * Whether a deployment this operation did not start may be taken over. A deployment id is a name on a
 * shared cluster: two stacks of one program (dev and staging with the same literal `deploymentId`) would
 * otherwise share one deployment, and destroying either would stop the other's. So a create (or a start
 * of a resource recorded stopped) that finds a deployment with its id refuses by default, even when model
 * and parameters match, and names the ways out. Pure: the provider passes in what it read.
 */
import { parseConfigBoolean } from "./stopFlags";

/** The one-time override that adopts deployments matching the declaration (the resume after a crash). */
export const ADOPT_EXISTING_ENV_VAR = "ELASTICSEARCH_ML_ADOPT_EXISTING";

/**
 * How a deployment with the id came to exist when the provider looked:
 * - `found`: it was there before this operation sent a `_start` (create, start, or the `_start` answered
 *   "already exists");
 * - `own-start`: this operation's own `_start` failed ambiguously and the stats then showed the deployment,
 *   so the start was applied after all (it is ours).
 */
export type AdoptionOrigin = "found" | "own-start";

/** Why an identical deployment may be adopted, or undefined when it must be refused. */
export type AdoptionGrant = "own-start" | "adoptExisting" | "environment";

/**
 * Decide whether a deployment that matches the declaration is adopted.
 *
 * @throws {ProviderConfigError} When `ELASTICSEARCH_ML_ADOPT_EXISTING` is set to something not boolean.
 */
export function grantAdoption(
  origin: AdoptionOrigin,
  adoptExisting: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): AdoptionGrant | undefined {
  if (origin === "own-start") return "own-start";
  if (adoptExisting === true) return "adoptExisting";
  if (adoptFromEnv(env)) return "environment";
  return undefined;
}

/** `ELASTICSEARCH_ML_ADOPT_EXISTING` read with the provider's boolean parser; blank counts as unset. */
export function adoptFromEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  const raw = env[ADOPT_EXISTING_ENV_VAR]?.trim();
  return parseConfigBoolean(ADOPT_EXISTING_ENV_VAR, raw === "" ? undefined : raw) === true;
}

/** The three ways to proceed when a deployment with the id exists and this stack did not start it. */
export function adoptionWaysOut(): string {
  return (
    "To take it over (scaling a differing one in place), set adoptExisting: true on the resource. To resume " +
    "a create of this stack that was interrupted (after pulumi cancel, or pulumi refresh " +
    `--clear-pending-creates), run once: ${ADOPT_EXISTING_ENV_VAR}=true pulumi up (it adopts deployments that ` +
    "match the declaration only). To give each stack its own deployment, use a per-stack id such as " +
    "deploymentId: `${pulumi.getStack()}-<name>`."
  );
}

/** The refusal for a deployment that matches the declaration but was not started by this stack. */
export function notOursMessage(deploymentId: string, clusterUuid: string): string {
  return (
    `Deployment [${deploymentId}] already runs on cluster [${clusterUuid}] with the declared model and ` +
    "parameters, but this operation did not start it: another stack (or someone else) may own it, and taking " +
    "it over would let a destroy of this stack stop it under them. Nothing was changed. " +
    adoptionWaysOut()
  );
}
