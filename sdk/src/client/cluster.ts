/**
 * `GET /`: cluster name, uuid and version, which the client reads once to gate versions.
 */
import { InvalidResponseError } from "./errors";
import type { Transport } from "./transport";
import type { ClusterInfo } from "./types";
import { type EsVersion, parseEsVersion } from "./version";

/** `GET /` (needs the `monitor` cluster privilege). */
export async function getClusterInfo(transport: Transport): Promise<ClusterInfo> {
  const res = await transport.request<ClusterInfo>({
    method: "GET",
    path: "/",
    operation: { description: "read the cluster version (GET /)", privileges: ["monitor", "manage", "all"] },
  });
  const info = res.body;
  if (typeof info !== "object" || info === null || typeof info.version?.number !== "string") {
    throw new InvalidResponseError("GET", "/", "no version.number (is this an Elasticsearch endpoint?)");
  }
  return info;
}

/** The version `info` reports. */
export function clusterVersion(info: ClusterInfo): EsVersion {
  const version = parseEsVersion(info.version.number, info.version.build_flavor);
  if (!version) {
    throw new InvalidResponseError(
      "GET",
      "/",
      `version.number ${JSON.stringify(info.version.number)} is not a version`,
    );
  }
  return version;
}
