/**
 * Public entry point of the emulator package: {@link startEmulator} starts an HTTP(S) server
 * that behaves like an Elasticsearch cluster with ML nodes for the trained model deployment
 * APIs, and returns its URL, an admin handle and `close()`.
 */
export type { EmulatorOptions } from "./options";
export type {
  EmulatorAdmin,
  Fault,
  FaultSpec,
  RequestCounts,
  RequestLogEntry,
  EmulatorStateSnapshot,
} from "./admin/types";

import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { AdaptiveScaler } from "./adaptive";
import { createAdmin } from "./admin/admin";
import { FaultManager } from "./admin/faults";
import { RequestLog } from "./admin/log";
import type { EmulatorAdmin } from "./admin/types";
import { InferenceEngine } from "./inference";
import { Lifecycle } from "./lifecycle";
import type { EmulatorOptions } from "./options";
import { Router } from "./router";
import { ROUTES } from "./routes";
import { loadRealm } from "./securityHook";
import { createRequestListener } from "./server";
import { Cluster, resolveOptions } from "./state/cluster";

export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234` (https with TLS). */
  url: string;
  port: number;
  admin: EmulatorAdmin;
  /** Stops listening, ends open connections and pending timers. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts an emulator. Rejects with an Error naming the option when an option is invalid, or
 * when the port cannot be bound.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const resolved = resolveOptions(options);
  const cluster = new Cluster(resolved);
  const inference = new InferenceEngine(cluster);
  const lifecycle = new Lifecycle(cluster, inference);
  const scaler = new AdaptiveScaler(cluster, lifecycle);
  inference.onScaleFromZero = (dep) => scaler.scaleFromZero(dep);
  const realm = resolved.security ? loadRealm(resolved.elasticPassword) : undefined;
  const faults = new FaultManager(resolved.seed);
  const log = new RequestLog(resolved.logCapacity);
  const admin = createAdmin({ cluster, lifecycle, scaler, faults, log, realm });
  const listener = createRequestListener({
    services: { cluster, lifecycle, inference, scaler },
    router: new Router(ROUTES, cluster.profile),
    faults,
    log,
    admin,
    realm,
  });

  const tls = resolved.tlsCert && resolved.tlsKey;
  const server = tls
    ? https.createServer(
        { cert: readFileSync(resolved.tlsCert as string), key: readFileSync(resolved.tlsKey as string) },
        listener,
      )
    : http.createServer(listener);
  // Short idle keep-alive so clients' pooled sockets do not outlive tests for long.
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const wildcardHost = resolved.host === "0.0.0.0" || resolved.host === "::";
  const host = wildcardHost
    ? "127.0.0.1"
    : resolved.host.includes(":")
      ? `[${resolved.host}]`
      : resolved.host;
  const url = `${tls ? "https" : "http"}://${host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      cluster.scheduler.close();
      lifecycle.cancelPending();
      scaler.stop();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return { url, port, admin, close };
}
