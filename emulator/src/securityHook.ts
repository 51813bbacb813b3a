/** Creates the security realm (`security/realm.ts`, implementing `security/types.ts`). */
import { createRealm } from "./security/realm";
import type { Realm } from "./security/types";

export function loadRealm(elasticPassword: string): Realm {
  return createRealm({ elasticPassword });
}
