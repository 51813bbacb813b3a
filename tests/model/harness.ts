/**
 * Drives the `TrainedModel` provider as the dynamic-provider host does (check, then create with
 * `__provider`; update/delete/read with the recorded outputs) against an emulator started per test.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "elasticsearch-ml-emulator";
import { collectingProgress, type Timing } from "pulumi-elasticsearch-ml/provider";
import { createModelProvider, type ModelProvider } from "pulumi-elasticsearch-ml/provider/trained-model";
import { FAST } from "../client/fixtures";
import { PROVIDER_TEXT } from "../provider/harness";

export const MODEL_FAST_TIMING: Timing = {
  serverWaitMs: 40,
  pollInitialMs: 5,
  pollMaxMs: 20,
  pollFactor: 1.5,
  heartbeatMs: 60_000,
  // One provider here lives through calls that stand for separate engine operations (a new process each in
  // real use), so each lists afresh; tests/provider/shared-reads.spec.ts measures the sharing itself.
  listingReuseMs: 0,
};

export interface ModelHarness {
  es: EmulatorHandle;
  provider: ModelProvider;
  progress: ReturnType<typeof collectingProgress>;
  env: Record<string, string | undefined>;
  config: Record<string, unknown>;
  reconfigure(): void;
  /** check (failing the test on failures) and `__provider` added. */
  checked(raw: Record<string, unknown>): Promise<Record<string, unknown>>;
  create(raw: Record<string, unknown>): Promise<{ id: string; outs: Record<string, unknown> }>;
  /** `METHOD path?query` of every request to the model APIs since the last clearLog. */
  modelRequests(): string[];
}

export function modelHarness(
  options: { emulator?: EmulatorOptions; chunkBytes?: number; config?: Record<string, unknown> } = {},
): ModelHarness {
  const h = {} as ModelHarness;
  beforeEach(async () => {
    h.es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1, modelDownloadMs: 60, ...options.emulator });
    h.progress = collectingProgress();
    h.env = {};
    h.config = { "elasticsearch-ml:endpoints": h.es.url, ...options.config };
    h.provider = createModelProvider({
      env: () => h.env,
      progress: h.progress,
      timing: MODEL_FAST_TIMING,
      clientOptions: FAST,
      chunkBytes: options.chunkBytes ?? 1024,
    });
    h.reconfigure = () => h.provider.configure((key) => h.config[key]);
    h.reconfigure();
    h.checked = async (raw) => {
      const { inputs, failures } = await h.provider.check({}, raw);
      assert.deepEqual(failures, [], "the test's inputs must pass check");
      return { ...inputs, __provider: PROVIDER_TEXT };
    };
    h.create = async (raw) => h.provider.create(await h.checked(raw));
    h.modelRequests = () =>
      h.es.admin
        .log()
        .filter(
          (e) =>
            /^\/_ml\/trained_models\/[^/]+(\/definition\/\d+|\/vocabulary)?$/.test(e.path) &&
            e.method !== "GET",
        )
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
