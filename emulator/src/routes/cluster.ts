/** `GET /`: the cluster banner clients use to detect the version (and the product). */
import { ACTIONS } from "../security/actions";
import type { RouteDef } from "../router";
import type { Cluster } from "../state/cluster";
import { ok } from "./context";

export function clusterInfo(cluster: Cluster): Record<string, unknown> {
  const version = cluster.profile.version;
  const nine = version.major >= 9;
  return {
    name: cluster.nodeName,
    cluster_name: "es-ml-emulator",
    cluster_uuid: cluster.clusterUuid,
    version: {
      number: version.text,
      build_flavor: "default",
      build_type: "docker",
      build_hash: cluster.buildHash,
      build_date: "2025-10-01T00:00:00.000000000Z",
      build_snapshot: false,
      lucene_version: nine ? "10.3.1" : "9.12.0",
      minimum_wire_compatibility_version: nine ? "8.19.0" : "7.17.0",
      minimum_index_compatibility_version: nine ? "8.0.0" : "7.0.0",
    },
    tagline: "You Know, for Search",
  };
}

export const clusterRoutes: RouteDef[] = [
  {
    method: "GET",
    path: "/",
    action: ACTIONS.main,
    handler: (ctx) => () => ok(clusterInfo(ctx.services.cluster)),
  },
];
