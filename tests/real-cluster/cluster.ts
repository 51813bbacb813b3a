/**
 * The real cluster the tier runs against, from the environment variables the resource itself reads, and
 * plain REST calls to check what the cluster holds (independent of the resource's own client, so a client
 * bug cannot make a check pass).
 */
import * as fs from "node:fs";
import { Agent, request } from "undici";

/** Where the tier's own checks go. */
export interface RealCluster {
  url: string;
  headers: Record<string, string>;
  dispatcher?: Agent;
}

/** The line printed when the tier is skipped. */
export const HOW_TO_ENABLE =
  "real-cluster tier skipped: set ELASTICSEARCH_ENDPOINTS (and ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME " +
  "and ELASTICSEARCH_PASSWORD) to a cluster with ML nodes to run it; see tests/real-cluster/README.md";

/** The cluster named by `ELASTICSEARCH_ENDPOINTS`, or undefined when the tier is not enabled. */
export function realClusterFromEnv(env: NodeJS.ProcessEnv = process.env): RealCluster | undefined {
  const raw = env.ELASTICSEARCH_ENDPOINTS?.trim();
  if (!raw) return undefined;
  const first = raw.startsWith("[") ? (JSON.parse(raw) as string[])[0] : raw.split(",")[0];
  const url = first?.trim();
  if (!url || !/^https?:\/\//.test(url)) {
    throw new Error(`ELASTICSEARCH_ENDPOINTS must start with an http(s) URL; got ${JSON.stringify(raw)}`);
  }
  const headers: Record<string, string> = {};
  if (env.ELASTICSEARCH_API_KEY) {
    const key = env.ELASTICSEARCH_API_KEY;
    headers.authorization = `ApiKey ${key.includes(":") ? Buffer.from(key).toString("base64") : key}`;
  } else if (env.ELASTICSEARCH_USERNAME) {
    const basic = Buffer.from(`${env.ELASTICSEARCH_USERNAME}:${env.ELASTICSEARCH_PASSWORD ?? ""}`);
    headers.authorization = `Basic ${basic.toString("base64")}`;
  } else if (env.ELASTICSEARCH_BEARER_TOKEN) {
    headers.authorization = `Bearer ${env.ELASTICSEARCH_BEARER_TOKEN}`;
  }
  const insecure = env.ELASTICSEARCH_INSECURE === "true";
  const ca = env.ELASTICSEARCH_CA_FILE ? fs.readFileSync(env.ELASTICSEARCH_CA_FILE, "utf8") : undefined;
  const dispatcher =
    url.startsWith("https:") && (insecure || ca)
      ? new Agent({ connect: { ca, rejectUnauthorized: !insecure } })
      : undefined;
  return { url: url.replace(/\/+$/, ""), headers, dispatcher };
}

/** One call; anything but 2xx or a listed status throws with the cluster's answer. */
export async function esRequest(
  cluster: RealCluster,
  method: string,
  path: string,
  body?: unknown,
  accepted: number[] = [],
): Promise<{ status: number; json: unknown }> {
  const res = await request(`${cluster.url}${path}`, {
    method: method as "GET",
    headers: { ...cluster.headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: cluster.dispatcher,
  });
  const text = await res.body.text();
  if ((res.statusCode < 200 || res.statusCode >= 300) && !accepted.includes(res.statusCode)) {
    throw new Error(`${method} ${path} failed with ${res.statusCode}: ${text.slice(0, 500)}`);
  }
  return { status: res.statusCode, json: text === "" ? undefined : JSON.parse(text) };
}

/** What `_stats` says about one deployment. */
export interface DeploymentStats {
  deployment_id: string;
  state?: string;
  priority?: string;
  number_of_allocations?: number;
  threads_per_allocation?: number;
  allocation_status?: { state?: string; allocation_count?: number; target_allocation_count?: number };
}

/** The deployments of `modelId` the cluster runs, by deployment id (Elasticsearch 8.8+: one entry per deployment). */
export async function deploymentsOf(
  cluster: RealCluster,
  modelId: string,
): Promise<Map<string, DeploymentStats>> {
  const { json } = await esRequest(
    cluster,
    "GET",
    `/_ml/trained_models/${encodeURIComponent(modelId)}/_stats`,
  );
  const stats =
    (json as { trained_model_stats?: { deployment_stats?: DeploymentStats }[] }).trained_model_stats ?? [];
  const out = new Map<string, DeploymentStats>();
  for (const entry of stats) {
    if (entry.deployment_stats) out.set(entry.deployment_stats.deployment_id, entry.deployment_stats);
  }
  return out;
}
