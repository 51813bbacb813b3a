/**
 * Drives the `InferenceEndpoint` provider as the dynamic-provider host does (check, then create with
 * `__provider`; update/delete/read with the recorded outputs) against an emulator started per test.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "elasticsearch-ml-emulator";
import { collectingProgress } from "pulumi-elasticsearch-ml/provider";
import {
  createEndpointProvider,
  type EndpointProvider,
} from "pulumi-elasticsearch-ml/provider/inference-endpoint";
import { FAST } from "../client/fixtures";
import { FAST_TIMING, PROVIDER_TEXT } from "../provider/harness";

export interface EndpointHarness {
  es: EmulatorHandle;
  provider: EndpointProvider;
  progress: ReturnType<typeof collectingProgress>;
  env: Record<string, string | undefined>;
  config: Record<string, unknown>;
  reconfigure(): void;
  checked(raw: Record<string, unknown>): Promise<Record<string, unknown>>;
  create(raw: Record<string, unknown>): Promise<{ id: string; outs: Record<string, unknown> }>;
  /** `METHOD path?query` of every non-GET request to `_inference` since the last clearLog (and GETs with `gets`). */
  inferenceRequests(gets?: boolean): string[];
}

export function endpointHarness(options: { emulator?: EmulatorOptions } = {}): EndpointHarness {
  const h = {} as EndpointHarness;
  beforeEach(async () => {
    h.es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1, modelDownloadMs: 20, ...options.emulator });
    h.progress = collectingProgress();
    h.env = {};
    h.config = { "elasticsearch-ml:endpoints": h.es.url };
    h.provider = createEndpointProvider({
      env: () => h.env,
      progress: h.progress,
      timing: FAST_TIMING,
      clientOptions: FAST,
    });
    h.reconfigure = () => h.provider.configure((key) => h.config[key]);
    h.reconfigure();
    h.checked = async (raw) => {
      const { inputs, failures } = await h.provider.check({}, raw);
      assert.deepEqual(failures, [], "the test's inputs must pass check");
      return { ...inputs, __provider: PROVIDER_TEXT };
    };
    h.create = async (raw) => h.provider.create(await h.checked(raw));
    h.inferenceRequests = (gets = false) =>
      h.es.admin
        .log()
        .filter((e) => e.path.startsWith("/_inference/") && (gets || e.method !== "GET"))
        .map((e) => {
          const query = new URLSearchParams(e.query).toString();
          return `${e.method} ${e.path}${query ? `?${query}` : ""}`;
        });
  });
  afterEach(async () => {
    await h.provider?.close();
    await h.es?.close();
  });
  return h;
}
