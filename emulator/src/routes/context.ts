/** What every route handler receives. */
import type { AdaptiveScaler } from "../adaptive";
import { JsonBody, parseJson } from "../body";
import type { EmulatorRequest, RouteResult } from "../http/types";
import type { InferenceEngine } from "../inference";
import type { Lifecycle } from "../lifecycle";
import type { QueryParams } from "../params";
import type { Cluster } from "../state/cluster";
import type { Principal, Realm } from "../security/types";

export interface Services {
  cluster: Cluster;
  lifecycle: Lifecycle;
  inference: InferenceEngine;
  scaler: AdaptiveScaler;
}

export interface RouteContext {
  req: EmulatorRequest;
  /** Percent-decoded path parameters. */
  params: Record<string, string>;
  query: QueryParams;
  services: Services;
  /** Major version requested through `compatible-with=` media types, if any. */
  compatMajor?: number;
  /** Deprecation warnings to send as `Warning` headers. */
  warnings: string[];
  /** With security on: the realm and the authenticated principal. */
  realm?: Realm;
  principal?: Principal;
}

/** The parsed body, or undefined when the request had none. */
export function jsonBody(ctx: RouteContext): JsonBody | undefined {
  return ctx.req.rawBody.trim().length === 0 ? undefined : parseJson(ctx.req.rawBody);
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const acknowledged = (): RouteResult => ok({ acknowledged: true });
