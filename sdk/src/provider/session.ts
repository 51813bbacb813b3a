/**
 * A connected client with the uuid of the cluster it answers as, and the wrong-cluster guard: every
 * operation on a recorded resource (deployment or model) first checks that its endpoint still answers as
 * the cluster the resource was created on. Shared by both resources' providers.
 */
import type { ProviderConfig } from "./config";
import type { Connection, Connections } from "./connections";
import type { CheckFailure } from "./check";
import { type ConnectionArgument, isConnectionPath } from "./connectionInput";
import { WrongClusterError } from "./errors";

/** A connected client, with the uuid of the cluster it answers as. */
export interface Session extends Connection {
  clusterUuid: string;
  /**
   * `version.number` as `GET /` reported it (`… (serverless)` on serverless), recorded so a preview (which
   * sends nothing) can judge by it.
   */
  esVersion: string;
}

/** What an operation acts on, for the refusal message: `deployment [e5]`, `model [.elser_model_2]`. */
export interface SessionSubject {
  /** `create`, `delete`, `refresh`, … */
  operation: string;
  kind: "deployment" | "model" | "inference endpoint";
  id: string;
}

/**
 * Connect, read the cluster's identity, and refuse a cluster other than the recorded one. `connection` is
 * the one the operation must use: the NEW one in an update (so `GET /` checks the new credentials and that
 * the new endpoint answers as the recorded cluster before the new settings are recorded), the recorded one
 * in `delete` and `read`.
 *
 * @throws {WrongClusterError} When a uuid was recorded and the endpoint now answers with another one.
 */
export async function connectSession(
  connections: Connections,
  config: ProviderConfig,
  env: Readonly<Record<string, string | undefined>>,
  connection: ConnectionArgument,
  recordedUuid: string | undefined,
  subject: SessionSubject,
): Promise<Session> {
  const conn = connections.connect(config, connection, env);
  const info = await conn.client.info();
  if (typeof recordedUuid === "string" && recordedUuid !== "" && info.cluster_uuid !== recordedUuid) {
    const endpoints = conn.client.settings.endpoints.map((e) => e.url).join(", ");
    const { operation, kind, id } = subject;
    throw new WrongClusterError(
      `Refusing to ${operation} ${kind} [${id}]: ${endpoints} (${conn.label}) now answers as cluster ` +
        `[${info.cluster_name}] with uuid [${info.cluster_uuid}], but the ${kind} was created on the cluster ` +
        `with uuid [${recordedUuid}]. Point the connection back at that cluster; if it is gone for good, remove ` +
        "the resource from the stack with `pulumi state delete <urn>` (nothing is " +
        `${kind === "deployment" ? "stopped" : "deleted"} then).`,
      recordedUuid,
      info.cluster_uuid,
    );
  }
  // Serverless reports a fixed number while running the newest code: the record says so (see endpointUse.ts).
  const serverless = info.version.build_flavor === "serverless";
  return {
    ...conn,
    clusterUuid: info.cluster_uuid,
    esVersion: serverless ? `${info.version.number} (serverless)` : info.version.number,
  };
}

/**
 * `check`'s rules for a resource's `connection` beyond its own shape (`checkConnectionArgument`), nothing
 * sent: a name must be defined in stack config, and the settings it selects (or the object's) must be usable
 * together. Skipped when the argument already failed (`failures` names it or one of its settings).
 *
 * @throws {ProviderConfigError} When the stack config the connection selects is unusable.
 */
export function connectionFailures(
  config: ProviderConfig,
  connections: Connections,
  connection: unknown,
  failures: readonly CheckFailure[],
  env: Readonly<Record<string, string | undefined>>,
): CheckFailure[] {
  if (failures.some((f) => isConnectionPath(f.property))) return [];
  return connections.check(config, connection as ConnectionArgument, env);
}
