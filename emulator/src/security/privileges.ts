/**
 * Cluster privileges: the one table that says which privilege grants which action, and the pure
 * functions built on it (does a set of privileges grant an action, which privileges would).
 *
 * Like Elasticsearch, a privilege is a set of action-name patterns (minus exclusions), so an action
 * the table never names explicitly is still granted or denied correctly (e.g. every
 * `cluster:monitor/xpack/ml/*` action is granted by `monitor_ml`).
 */
interface ClusterPrivilegeDefinition {
  /** Action-name patterns (`*` matches any run of characters, `/` included). */
  grants: readonly string[];
  /** Patterns carved out of `grants`. */
  except?: readonly string[];
  /**
   * How many other built-in privileges this one implies in Elasticsearch. The "granted by" list in a
   * 403 is sorted by it, then by name, so it reads from least to most powerful as Elasticsearch's
   * `ClusterPrivilegeResolver.sortByAccessLevel` does. The counts are those of Elasticsearch's full
   * privilege set (approximate where many privileges tie), not of the subset modelled here.
   */
  rank: number;
}

const SECURITY = "cluster:admin/xpack/security/*";

/**
 * The cluster privileges the emulator knows, with the action patterns Elasticsearch gives them.
 * `manage` deliberately excludes security actions (only `manage_security` and `all` manage users,
 * roles and others' API keys), as in Elasticsearch.
 */
export const CLUSTER_PRIVILEGES: Readonly<Record<string, ClusterPrivilegeDefinition>> = {
  none: { grants: [], rank: 0 },
  // Index privileges are not modelled: index actions (creating indices that hold `semantic_text` fields)
  // are granted with `all`, standing for the `superuser` role's `indices: [{names: "*", privileges: all}]`.
  all: { grants: ["cluster:*", "indices:*"], rank: 45 },
  monitor: { grants: ["cluster:monitor/*"], rank: 9 },
  manage: { grants: ["cluster:*"], except: [SECURITY], rank: 35 },
  monitor_ml: { grants: ["cluster:monitor/xpack/ml/*"], rank: 1 },
  manage_ml: { grants: ["cluster:admin/xpack/ml/*", "cluster:monitor/xpack/ml/*"], rank: 2 },
  // `ClusterPrivilegeResolver.MONITOR_INFERENCE_PATTERN` / `MANAGE_INFERENCE_PATTERN`: `inference*` (no
  // slash) also matches the inference action itself (`cluster:monitor/xpack/inference`); managing covers
  // starting and stopping the deployments endpoints create.
  monitor_inference: {
    grants: ["cluster:monitor/xpack/inference*", "cluster:monitor/xpack/ml/trained_models/deployment/infer"],
    rank: 1,
  },
  manage_inference: {
    grants: [
      "cluster:admin/xpack/inference/*",
      "cluster:monitor/xpack/inference*",
      "cluster:admin/xpack/ml/trained_models/deployment/start",
      "cluster:admin/xpack/ml/trained_models/deployment/stop",
      "cluster:monitor/xpack/ml/trained_models/deployment/infer",
    ],
    rank: 2,
  },
  read_pipeline: {
    grants: ["cluster:admin/ingest/pipeline/get", "cluster:admin/ingest/pipeline/simulate"],
    rank: 1,
  },
  manage_ingest_pipelines: { grants: ["cluster:admin/ingest/pipeline/*"], rank: 3 },
  manage_pipeline: { grants: ["cluster:admin/ingest/pipeline/*"], rank: 3 },
  manage_security: { grants: [SECURITY], rank: 16 },
  read_security: {
    grants: [
      "cluster:admin/xpack/security/user/get",
      "cluster:admin/xpack/security/role/get",
      "cluster:admin/xpack/security/role_mapping/get",
      "cluster:admin/xpack/security/api_key/get",
      "cluster:admin/xpack/security/api_key/query",
      "cluster:admin/xpack/security/user/has_privileges",
    ],
    rank: 1,
  },
  manage_api_key: { grants: ["cluster:admin/xpack/security/api_key/*"], rank: 3 },
  // In Elasticsearch this one is restricted to the caller's own keys; the emulator only serves key
  // creation, which always creates the caller's own key, so the restriction has nothing to act on.
  manage_own_api_key: {
    grants: [
      "cluster:admin/xpack/security/api_key/create",
      "cluster:admin/xpack/security/api_key/get",
      "cluster:admin/xpack/security/api_key/query",
      "cluster:admin/xpack/security/api_key/invalidate",
    ],
    rank: 1,
  },
};

/** Privilege names in Elasticsearch's least-to-most-powerful order. */
export const CLUSTER_PRIVILEGE_NAMES: readonly string[] = Object.keys(CLUSTER_PRIVILEGES).sort(byAccessLevel);

function byAccessLevel(a: string, b: string): number {
  return CLUSTER_PRIVILEGES[a].rank - CLUSTER_PRIVILEGES[b].rank || (a < b ? -1 : a > b ? 1 : 0);
}

const patternCache = new Map<string, RegExp>();

/** Matches an action name against an Elasticsearch action pattern (`*` is the only wildcard). */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${source}$`);
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

/** True when a raw action pattern (rather than a named privilege) is given, e.g. `cluster:admin/xpack/ml/*`. */
function isActionPattern(privilege: string): boolean {
  return privilege.startsWith("cluster:");
}

/** Does this one privilege (a name from the table, or a `cluster:` action pattern) grant `action`? */
export function privilegeGrants(privilege: string, action: string): boolean {
  if (isActionPattern(privilege)) {
    // Elasticsearch turns an action used as a privilege into the pattern `<action>*`.
    return actionMatches(privilege.endsWith("*") ? privilege : `${privilege}*`, action);
  }
  if (!Object.hasOwn(CLUSTER_PRIVILEGES, privilege)) return false;
  const definition = CLUSTER_PRIVILEGES[privilege];
  return (
    definition.grants.some((p) => actionMatches(p, action)) &&
    !(definition.except ?? []).some((p) => actionMatches(p, action))
  );
}

/** Does any privilege of the set grant `action`? */
export function privilegesGrant(privileges: Iterable<string>, action: string): boolean {
  for (const privilege of privileges) if (privilegeGrants(privilege, action)) return true;
  return false;
}

/**
 * The named privileges that would grant `action`, least powerful first: the list a 403 quotes in
 * `this action is granted by the cluster privileges [...]`. For the ML deployment actions this gives
 * `[manage_ml,manage,all]`; for `_stats` `[monitor_ml,manage_ml,monitor,manage,all]`.
 */
export function privilegesGranting(action: string): string[] {
  return CLUSTER_PRIVILEGE_NAMES.filter((name) => privilegeGrants(name, action));
}

/**
 * The message Elasticsearch's request validation gives for a role naming an unknown cluster privilege
 * (the list of names it quotes is the emulator's subset), or undefined when the privilege is known.
 */
export function unknownClusterPrivilege(privilege: string): string | undefined {
  const name = privilege.toLowerCase();
  if (isActionPattern(name) || Object.hasOwn(CLUSTER_PRIVILEGES, name)) return undefined;
  return (
    `unknown cluster privilege [${name}]. a privilege must be either one of the predefined cluster privilege ` +
    `names [${CLUSTER_PRIVILEGE_NAMES.join(",")}] or a pattern over one of the available cluster actions`
  );
}
