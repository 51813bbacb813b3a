/**
 * Loads the security realm (`security/realm.ts`, written separately against
 * `security/types.ts`).
 *
 * ADAPTER: the realm module is required dynamically so this package builds before the realm
 * lands; once `security/realm.ts` exists this can become a plain import.
 */
import type { Realm } from "./security/types";

export function loadRealm(elasticPassword: string): Realm {
  let module: { createRealm?: (opts: { elasticPassword: string }) => Realm };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require("./security/realm");
  } catch (error) {
    throw new Error(`security: the security realm module is not available (${(error as Error).message})`);
  }
  if (typeof module.createRealm !== "function")
    throw new Error("security: ./security/realm does not export createRealm()");
  return module.createRealm({ elasticPassword });
}
