/** Options of the emulator, shared by the CLI flags and `startEmulator()`. */

export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free port. */
  port?: number;
  /** Address to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** Elasticsearch version to emulate, e.g. "9.2.0" (default), "8.7.1", "8.11.0". */
  esVersion?: string;
  /** Number of ML nodes (default 1). 0 with autoscaling means capacity arrives later. */
  mlNodes?: number;
  /** Allocated processors per ML node (default 8). */
  processorsPerNode?: number;
  /**
   * Autoscaling: when a start or update cannot fit, the assignment is kept (routes pending,
   * `reason` set) and a new ML node joins after `autoscaleDelayMs`, up to `autoscaleMaxNodes`.
   */
  autoscale?: boolean;
  autoscaleDelayMs?: number;
  autoscaleMaxNodes?: number;
  /** Time for a route to go from `starting` to `started` (default 50 ms). */
  startDelayMs?: number;
  /** Time one inference request occupies an allocation thread (default 10 ms). */
  inferLatencyMs?: number;
  /** Time a node takes to stop the deployment's process once it is drained (default 10 ms). */
  stopDelayMs?: number;
  /** Period of the adaptive allocations scaler (default 1000 ms). */
  adaptiveIntervalMs?: number;
  /**
   * Idle time after which an adaptive deployment with `min_number_of_allocations: 0` scales
   * to zero (8.16+; default 900000 ms = Elasticsearch's 15 minutes).
   */
  scaleToZeroIdleMs?: number;
  /** Turn security on: requests need credentials (built-in superuser `elastic`). */
  security?: boolean;
  /** Password of the built-in `elastic` superuser (default "changeme"). */
  elasticPassword?: string;
  /** PEM certificate and key (file paths) to serve HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  /** Seed for probabilistic faults and generated ids (default 1). When set, the cluster uuid comes from it too. */
  seed?: number;
  /** Cluster uuid reported by `GET /`. Unset: derived from `seed` when that is set, else random per emulator. */
  clusterUuid?: string;
  /**
   * Platform of the ML nodes, as Elasticsearch names it (`Platforms.platformName`): one of
   * `linux-x86_64` (default), `linux-aarch64`, `darwin-x86_64`, `darwin-aarch64`, `windows-x86_64`.
   */
  mlNodePlatform?: string;
  /** Time a packaged model's download takes from `PUT` to fully defined (default 300 ms). */
  modelDownloadMs?: number;
  /**
   * The model repository (`xpack.ml.model_repository`, by default https://ml-models.elastic.co)
   * cannot be reached, as in an air-gapped cluster: packaged model PUTs fail (default false).
   */
  modelRepositoryUnreachable?: boolean;
  /**
   * A proxy in front of the cluster (Kibana's console, a cloud load balancer) answers
   * `502 Bad Gateway` without `X-Elastic-Product` to any request Elasticsearch has not answered within
   * this many ms, while Elasticsearch goes on with it (e.g. `PUT _inference` downloading and deploying a
   * model). 0 (the default): no proxy.
   */
  proxyTimeoutMs?: number;
  /**
   * Entries the request log keeps, the most recent (default 10,000). The request counters
   * (`admin.requestCounts()`) count every request whatever this is.
   */
  logCapacity?: number;
}
