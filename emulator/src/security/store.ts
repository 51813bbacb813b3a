/**
 * The realm's in-memory state: users, roles and API keys, and how credentials are checked against it.
 * No HTTP here; the route handlers and the realm call into it.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A role as `GET _security/role` shows it. Only `cluster` privileges take effect in the emulator. */
export interface RoleDescriptor {
  cluster: string[];
  indices: unknown[];
  applications: unknown[];
  run_as: string[];
  metadata: Record<string, unknown>;
  transient_metadata: { enabled: boolean };
  description?: string;
}

export interface StoredUser {
  username: string;
  roles: string[];
  full_name: string | null;
  email: string | null;
  metadata: Record<string, unknown>;
  enabled: boolean;
  /** Built-in user (`elastic`): its password may change, nothing else. */
  reserved: boolean;
  password: HashedSecret;
}

export interface StoredApiKey {
  id: string;
  name: string;
  secret: HashedSecret;
  /** Owner's username; a key authenticates as its owner. */
  username: string;
  realm: string;
  realmType: string;
  invalidated: boolean;
  /** Epoch ms of invalidation. */
  invalidation?: number;
  creation: number;
  expiration?: number;
  metadata: Record<string, unknown>;
  /**
   * The owner's cluster privileges when the key was made (Elasticsearch stores the owner's role
   * descriptors with the key as `limited_by`, so later role changes do not widen the key).
   */
  limitedBy: string[];
  /** The owner's role descriptors behind {@link limitedBy}, for `GET _security/api_key?with_limited_by`. */
  limitedByRoles: Record<string, RoleDescriptor>;
  /** Union of the `role_descriptors` cluster privileges, when the request gave any. */
  assigned?: string[];
  roleDescriptors?: Record<string, RoleDescriptor>;
}

/** A salted SHA-256: enough for an emulator (fast on every request); not a credential store. */
interface HashedSecret {
  salt: Buffer;
  hash: Buffer;
}

function hashSecret(secret: string, salt: Buffer = randomBytes(16)): HashedSecret {
  return { salt, hash: createHash("sha256").update(salt).update(secret, "utf8").digest() };
}

function secretMatches(stored: HashedSecret, candidate: string): boolean {
  return timingSafeEqual(stored.hash, hashSecret(candidate, stored.salt).hash);
}

const RESERVED_METADATA = { _reserved: true } as const;

function reservedRole(cluster: string[]): RoleDescriptor {
  return {
    cluster,
    indices: [],
    applications: [],
    run_as: [],
    metadata: { ...RESERVED_METADATA },
    transient_metadata: { enabled: true },
  };
}

/**
 * Built-in roles the emulator knows. Elasticsearch's also carry index privileges (e.g. on `.ml-*`),
 * which the emulator does not model.
 */
export const RESERVED_ROLES: Readonly<Record<string, RoleDescriptor>> = {
  superuser: {
    ...reservedRole(["all"]),
    indices: [{ names: ["*"], privileges: ["all"], allow_restricted_indices: true }],
    applications: [{ application: "*", privileges: ["*"], resources: ["*"] }],
    run_as: ["*"],
  },
  machine_learning_admin: reservedRole(["manage_ml"]),
  machine_learning_user: reservedRole(["monitor_ml"]),
  // `ReservedRolesStore`: the inference API's built-in roles.
  inference_admin: reservedRole(["manage_inference"]),
  inference_user: reservedRole(["monitor_inference"]),
};

/** The built-in superuser. */
export const ELASTIC_USER = "elastic";

/** Elasticsearch ids and secrets are URL-safe base64 of random bytes: 20 and 22 characters. */
function newApiKeyId(): string {
  return randomBytes(15).toString("base64url");
}
function newApiKeySecret(): string {
  return randomBytes(16).toString("base64url");
}

/** Why API key credentials failed, in Elasticsearch's words (after the `API key: ` prefix). */
export type ApiKeyCheck = { ok: true; key: StoredApiKey } | { ok: false; detail: string };

export class SecurityStore {
  private readonly users = new Map<string, StoredUser>();
  private readonly roles = new Map<string, RoleDescriptor>();
  private readonly apiKeys = new Map<string, StoredApiKey>();

  private readonly elasticPassword: HashedSecret;

  constructor(
    elasticPassword: string,
    /** Clock for API key creation and expiry (epoch ms). */
    readonly now: () => number = Date.now,
  ) {
    this.elasticPassword = hashSecret(elasticPassword);
    this.reset();
  }

  /** Back to a fresh realm: only `elastic` (with its original password), no roles, no API keys. */
  reset(): void {
    this.users.clear();
    this.roles.clear();
    this.apiKeys.clear();
    this.users.set(ELASTIC_USER, {
      username: ELASTIC_USER,
      roles: ["superuser"],
      full_name: null,
      email: null,
      metadata: { ...RESERVED_METADATA },
      enabled: true,
      reserved: true,
      password: this.elasticPassword,
    });
  }

  // --- users -------------------------------------------------------------------------------

  getUser(username: string): StoredUser | undefined {
    return this.users.get(username);
  }

  listUsers(): StoredUser[] {
    return [...this.users.values()];
  }

  /** Returns the user when the password matches and the user is enabled. */
  checkPassword(username: string, password: string): StoredUser | undefined {
    const user = this.users.get(username);
    if (!user || !user.enabled || !secretMatches(user.password, password)) return undefined;
    return user;
  }

  /** Creates or replaces a user; `password` may be omitted only on update. Returns true when created. */
  putUser(
    username: string,
    fields: Omit<StoredUser, "username" | "password" | "reserved">,
    password: string | undefined,
  ): boolean {
    const existing = this.users.get(username);
    const hashed = password !== undefined ? hashSecret(password) : existing?.password;
    if (!hashed) throw new Error(`putUser(${username}) without a password for a new user`);
    this.users.set(username, { ...fields, username, reserved: false, password: hashed });
    return existing === undefined;
  }

  deleteUser(username: string): boolean {
    return this.users.delete(username);
  }

  // --- roles -------------------------------------------------------------------------------

  /** A reserved or user-defined role. */
  getRole(name: string): RoleDescriptor | undefined {
    return Object.hasOwn(RESERVED_ROLES, name) ? RESERVED_ROLES[name] : this.roles.get(name);
  }

  listRoles(): [string, RoleDescriptor][] {
    return [...Object.entries(RESERVED_ROLES), ...this.roles.entries()];
  }

  isReservedRole(name: string): boolean {
    return Object.hasOwn(RESERVED_ROLES, name);
  }

  /** Returns true when created, false when replaced. */
  putRole(name: string, role: RoleDescriptor): boolean {
    const created = !this.roles.has(name);
    this.roles.set(name, role);
    return created;
  }

  deleteRole(name: string): boolean {
    return this.roles.delete(name);
  }

  /** The names among `roles` that exist (Elasticsearch's "effective roles"), sorted. */
  resolveRoles(roles: readonly string[]): string[] {
    return [...new Set(roles)].filter((r) => this.getRole(r) !== undefined).sort();
  }

  /** The descriptors of the roles that exist, by name (a snapshot for an API key's `limited_by`). */
  roleSnapshot(roles: readonly string[]): Record<string, RoleDescriptor> {
    const snapshot: Record<string, RoleDescriptor> = {};
    for (const name of this.resolveRoles(roles))
      snapshot[name] = structuredClone(this.getRole(name) as RoleDescriptor);
    return snapshot;
  }

  /** Union of the cluster privileges of the roles that exist. */
  clusterPrivilegesOf(roles: readonly string[]): string[] {
    const privileges = new Set<string>();
    for (const name of roles) for (const p of this.getRole(name)?.cluster ?? []) privileges.add(p);
    return [...privileges];
  }

  // --- API keys ----------------------------------------------------------------------------

  /** Stores a new key and returns it with its secret (shown once, as Elasticsearch does). */
  createApiKey(fields: Omit<StoredApiKey, "id" | "secret" | "creation" | "invalidated">): {
    key: StoredApiKey;
    secret: string;
  } {
    let id = newApiKeyId();
    while (this.apiKeys.has(id)) id = newApiKeyId();
    const secret = newApiKeySecret();
    const key: StoredApiKey = {
      ...fields,
      id,
      secret: hashSecret(secret),
      creation: this.now(),
      invalidated: false,
    };
    this.apiKeys.set(id, key);
    return { key, secret };
  }

  getApiKey(id: string): StoredApiKey | undefined {
    return this.apiKeys.get(id);
  }

  listApiKeys(): StoredApiKey[] {
    return [...this.apiKeys.values()];
  }

  /** Marks a key invalidated; false when it already was. */
  invalidateApiKey(key: StoredApiKey): boolean {
    if (key.invalidated) return false;
    key.invalidated = true;
    key.invalidation = this.now();
    return true;
  }

  checkApiKey(id: string, secret: string): ApiKeyCheck {
    const key = this.apiKeys.get(id);
    if (!key) return { ok: false, detail: `unable to find apikey with id ${id}` };
    // Wording for invalidated keys unconfirmed.
    if (key.invalidated) return { ok: false, detail: `api key [${id}] has been invalidated` };
    if (!secretMatches(key.secret, secret))
      return { ok: false, detail: `invalid credentials for API key [${id}]` };
    if (key.expiration !== undefined && key.expiration <= this.now())
      return { ok: false, detail: "api key is expired" };
    return { ok: true, key };
  }
}
