/**
 * Elasticsearch versions: what the client supports, which parameter arrived when, and the
 * version-dependent limits. Pure; the facts come from the reference's version timeline (§0).
 */
import { InvalidRequestError, UnsupportedVersionError } from "./errors";

export interface EsVersion {
  major: number;
  minor: number;
  patch: number;
  /** As reported, e.g. "8.11.0" or "9.2.0-SNAPSHOT". */
  raw: string;
  /**
   * Serverless projects report a fixed version number (8.11.0) while running the newest code, so
   * version gating is skipped for them: the server is the judge.
   */
  serverless: boolean;
}

/** Deployment ids (8.8) are what this product is built on; older clusters are refused. */
export const MINIMUM_SUPPORTED_VERSION = "8.8.0";

/** Parses "8.11.0", "9.2.0-SNAPSHOT", "8.8"; undefined when it is not a version. */
export function parseEsVersion(raw: string, buildFlavor?: string): EsVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3] ?? 0),
    raw,
    serverless: buildFlavor === "serverless",
  };
}

/** True when `version` is `required` or newer (serverless is always newest). */
export function isAtLeast(version: EsVersion, required: string): boolean {
  if (version.serverless) return true;
  const [major, minor, patch] = required.split(".").map(Number);
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= (patch ?? 0);
}

/**
 * Refuses clusters older than {@link MINIMUM_SUPPORTED_VERSION}.
 * @throws {UnsupportedVersionError} with code `ES_VERSION_UNSUPPORTED`.
 */
export function assertSupportedVersion(version: EsVersion, where: string): void {
  if (isAtLeast(version, MINIMUM_SUPPORTED_VERSION)) return;
  throw new UnsupportedVersionError({
    esVersion: version.raw,
    requiredVersion: MINIMUM_SUPPORTED_VERSION,
    message:
      `Elasticsearch ${version.raw} at ${where} is not supported: pulumi-elasticsearch-ml needs Elasticsearch ` +
      `${MINIMUM_SUPPORTED_VERSION} or later (trained model deployment ids arrived in 8.8); upgrade the cluster`,
  });
}

/** Wire parameters that arrived after 8.0, with the first version that accepts them. */
export const PARAMETER_SINCE = {
  cache_size: "8.4.0",
  priority: "8.6.0",
  deployment_id: "8.8.0",
  finish_pending_work: "8.11.0",
  adaptive_allocations: "8.15.0",
  /** Adaptive allocations scaling to zero (`min_number_of_allocations: 0`). */
  "adaptive_allocations.min_number_of_allocations=0": "8.16.0",
} as const;

export type VersionedParameter = keyof typeof PARAMETER_SINCE;

/** Whether the connected version accepts `parameter`. */
export function supportsParameter(version: EsVersion, parameter: VersionedParameter): boolean {
  return isAtLeast(version, PARAMETER_SINCE[parameter]);
}

/**
 * Refuses a parameter the connected version does not know, when it is set.
 * @throws {UnsupportedVersionError} with code `ES_PARAMETER_UNSUPPORTED`.
 */
export function assertParameterSupported(
  version: EsVersion,
  parameter: VersionedParameter,
  option: string,
): void {
  if (supportsParameter(version, parameter)) return;
  throw new UnsupportedVersionError({
    esVersion: version.raw,
    requiredVersion: PARAMETER_SINCE[parameter],
    parameter: option,
    message:
      `${option} is set, but the connected Elasticsearch ${version.raw} does not support it ` +
      `(${parameter} needs ${PARAMETER_SINCE[parameter]} or later); unset it or upgrade the cluster`,
  });
}

/**
 * Whether `_stop` refuses (409, unless `force`) a deployment an inference endpoint created or uses:
 * elastic/elasticsearch#129325, backported to 8.18 and 9.0 (#129907-#129909), so 8.18.4+ within 8.x and
 * 9.0.4+ (the patch releases are assumed, as in the emulator's table). Before, the stop goes through and
 * the endpoint fails until the deployment runs again.
 */
export function refusesStopOfEndpointDeployment(version: EsVersion): boolean {
  if (version.major === 8) return isAtLeast(version, "8.18.4");
  return isAtLeast(version, "9.0.4");
}

/** Version-dependent limits of the deployment APIs. */
export interface DeploymentLimits {
  /** Largest `queue_capacity` start accepts. */
  queueCapacityMax: number;
  /** Server default of start's `timeout`, in ms. */
  startTimeoutDefaultMs: number;
}

/**
 * Limits for `version`.
 *
 * - `queue_capacity` maximum: 1,000,000 through 8.x; the newest source has 100,000. The reference
 *   leaves the boundary unconfirmed; we apply the lower limit from 9.0 (and for serverless, which runs
 *   the newest code). Where we are wrong the server still has the last word.
 * - start `timeout` default: 30 s since ≈8.7 (20 s before), so 30 s for every supported version. The
 *   client waits for the server's timeout plus a margin before it gives up on a `_start` itself.
 */
export function deploymentLimits(version: EsVersion): DeploymentLimits {
  return {
    queueCapacityMax: isAtLeast(version, "9.0.0") ? 100_000 : 1_000_000,
    startTimeoutDefaultMs: isAtLeast(version, "8.7.0") ? 30_000 : 20_000,
  };
}

const DURATION_UNITS: Record<string, number> = {
  nanos: 1e-6,
  micros: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses an Elasticsearch duration ("30s", "1m", "500ms") or a number of milliseconds into ms.
 * @throws {InvalidRequestError} naming `parameter` when it is neither, or not positive.
 */
export function parseDurationMs(value: string | number, parameter: string): number {
  let ms: number | undefined;
  if (typeof value === "number") {
    ms = value;
  } else {
    const m = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(value.trim());
    if (m) ms = Number(m[1]) * DURATION_UNITS[m[2]];
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new InvalidRequestError(
      parameter,
      `${parameter}: ${JSON.stringify(value)} is not a positive duration; expected milliseconds or an ` +
        'Elasticsearch duration such as "30s", "2m" or "500ms"',
    );
  }
  return ms;
}

/** Formats milliseconds as an Elasticsearch duration. */
export function formatDuration(ms: number): string {
  return Number.isInteger(ms / 1000) ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}
