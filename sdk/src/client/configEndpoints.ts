/**
 * Endpoints and Elastic Cloud IDs: the `endpoints` option or `ELASTICSEARCH_ENDPOINTS`, or a Cloud ID,
 * parsed into {@link Endpoint}s (credentials in a URL are split off and never kept in its display form).
 */
import { inspect } from "node:util";
import { type Endpoint, type ConnectionOptions, ENV_VARS } from "./configOptions";
import { type Env, type Sourced, fromEnv, fromExplicit, show } from "./configSources";
import { ConfigurationError } from "./errors";
import { redactUrlUserInfo } from "./secret";

export interface EndpointWithUserInfo {
  endpoint: Endpoint;
  userInfo?: { username: string; password: string };
}

export function resolveEndpoints(explicit: ConnectionOptions, env: Env): EndpointWithUserInfo[] {
  const explicitList = normaliseEndpointList(explicit.endpoints, "endpoints");
  const explicitCloud = fromExplicit(explicit.cloudId, "cloudId");
  if (explicitList && explicitCloud) {
    throw new ConfigurationError(
      "cloudId",
      "endpoints and cloudId are both set; set one of them (a Cloud ID is decoded to the Elasticsearch endpoint)",
    );
  }
  let list = explicitList;
  let cloud = explicitCloud;
  if (!list && !cloud) {
    const envEndpoints = fromEnv(env, ENV_VARS.endpoints);
    list = envEndpoints
      ? envEndpoints.value
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
          .map((value) => ({ value, setting: ENV_VARS.endpoints }))
      : undefined;
    cloud = fromEnv(env, ENV_VARS.cloudId);
    if (list && list.length > 0 && cloud) {
      throw new ConfigurationError(
        ENV_VARS.cloudId,
        `${ENV_VARS.endpoints} and ${ENV_VARS.cloudId} are both set; set one of them`,
      );
    }
  }
  if (cloud) {
    if (typeof cloud.value !== "string") {
      throw new ConfigurationError(
        cloud.setting,
        `${cloud.setting} must be a string, got ${typeof cloud.value}`,
      );
    }
    const decoded = decodeCloudId(cloud.value, cloud.setting);
    return [{ endpoint: parseEndpoint(decoded.url, cloud.setting).endpoint }];
  }
  if (!list || list.length === 0) {
    throw new ConfigurationError(
      "endpoints",
      `No Elasticsearch endpoint: set endpoints or cloudId (or ${ENV_VARS.endpoints} / ${ENV_VARS.cloudId})`,
    );
  }
  const parsed = list.map(({ value, setting }) => parseEndpoint(value, setting));
  const withUserInfo = parsed.filter((p) => p.userInfo);
  if (withUserInfo.length > 0) {
    const first = withUserInfo[0];
    const differs = parsed.some(
      (p) =>
        !p.userInfo ||
        p.userInfo.username !== first.userInfo?.username ||
        p.userInfo.password !== first.userInfo?.password,
    );
    if (differs) {
      throw new ConfigurationError(
        first.endpoint.source,
        `${first.endpoint.source}: credentials in endpoint URLs must be the same on every endpoint; ` +
          "prefer username/password or an API key over credentials in URLs",
      );
    }
  }
  // The same endpoint twice would only skew round-robin; drop duplicates.
  const seen = new Set<string>();
  return parsed.filter((p) => (seen.has(p.endpoint.url) ? false : (seen.add(p.endpoint.url), true)));
}

function normaliseEndpointList(value: unknown, setting: string): Sourced<string>[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items)) {
    throw new ConfigurationError(
      setting,
      `${setting} must be a URL string or an array of URL strings, got ${typeof value}`,
    );
  }
  const list = items.map((item, i) => {
    const name = typeof value === "string" ? setting : `${setting}[${i}]`;
    if (typeof item !== "string") {
      throw new ConfigurationError(name, `${name} must be a URL string, got ${inspect(item)}`);
    }
    return { value: item.trim(), setting: name };
  });
  const nonBlank = list.filter((e) => e.value !== "");
  return nonBlank.length === 0 ? undefined : nonBlank;
}

/** Parses one endpoint URL; user-info is split off (and never kept in the display URL). */
export function parseEndpoint(value: string, setting: string): EndpointWithUserInfo {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(redactUrlUserInfo(value))} is not a valid URL; expected e.g. https://elasticsearch.example.com:9200`,
    );
  }
  const display = redactUrlUserInfo(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(display)} uses ${url.protocol.replace(/:$/, "")}; only http and https URLs are allowed`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(display)} has a query or fragment; an endpoint is scheme, host, port and an optional path prefix`,
    );
  }
  const pathPrefix = url.pathname.replace(/\/+$/, "");
  const endpoint: Endpoint = {
    url: `${url.origin}${pathPrefix}`,
    origin: url.origin,
    pathPrefix,
    protocol: url.protocol,
    source: setting,
  };
  if (url.username === "" && url.password === "") return { endpoint };
  if (url.password === "") {
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(display)} has a user name but no password in its URL`,
    );
  }
  return {
    endpoint,
    userInfo: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
  };
}

/** A decoded Elastic Cloud ID. */
export interface DecodedCloudId {
  /** The deployment name (the part before the colon). */
  name: string;
  /** `https://<es_uuid>.<host>:<port>` */
  url: string;
  /** `https://<kibana_uuid>.<host>:<port>` when the ID carries a Kibana part. */
  kibanaUrl?: string;
}

/**
 * Decodes an Elastic Cloud ID `<name>:<base64(host[:port]$es_uuid[:port]$kibana_uuid[:port])>`.
 * The port comes from the Elasticsearch part, else from the host part, else 443.
 *
 * @throws {ConfigurationError} naming `setting` when the ID is malformed.
 */
export function decodeCloudId(cloudId: string, setting = "cloudId"): DecodedCloudId {
  const expected =
    "expected <name>:<base64 of host$es_uuid$kibana_uuid> as shown in the Elastic Cloud console";
  const fail = (problem: string): never => {
    throw new ConfigurationError(setting, `${setting}: ${show(cloudId)} ${problem}; ${expected}`);
  };
  const colon = cloudId.lastIndexOf(":");
  if (colon < 0) fail("has no ':' separating the name from the encoded part");
  const name = cloudId.slice(0, colon);
  const encoded = cloudId.slice(colon + 1).trim();
  if (encoded === "" || !/^[A-Za-z0-9+/_-]+=*$/.test(encoded))
    fail("is not valid: the part after ':' is not base64");
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const parts = decoded.split("$");
  if (parts.length < 2 || parts.length > 3)
    fail("is not valid: the decoded value does not have 2 or 3 '$'-separated parts");
  const [hostPart, esPart, kibanaPart] = parts;
  const splitPort = (text: string): [string, number | undefined] => {
    const m = /^(.*?)(?::(\d+))?$/.exec(text) as RegExpExecArray;
    const port = m[2] === undefined ? undefined : Number(m[2]);
    if (port !== undefined && (port < 1 || port > 65535)) fail(`is not valid: port ${port} is out of range`);
    return [m[1], port];
  };
  const [host, hostPort] = splitPort(hostPart);
  const [esUuid, esPort] = splitPort(esPart);
  if (!/^[A-Za-z0-9.-]+$/.test(host)) fail("is not valid: the decoded host is empty or malformed");
  if (!/^[A-Za-z0-9-]+$/.test(esUuid))
    fail("is not valid: the decoded Elasticsearch id is empty or malformed");
  const port = esPort ?? hostPort ?? 443;
  const result: DecodedCloudId = { name, url: `https://${esUuid}.${host}${port === 443 ? "" : `:${port}`}` };
  if (kibanaPart) {
    const [kibanaUuid, kibanaPort] = splitPort(kibanaPart);
    if (/^[A-Za-z0-9-]+$/.test(kibanaUuid)) {
      const kp = kibanaPort ?? hostPort ?? 443;
      result.kibanaUrl = `https://${kibanaUuid}.${host}${kp === 443 ? "" : `:${kp}`}`;
    }
  }
  return result;
}
