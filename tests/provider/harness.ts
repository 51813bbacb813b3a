/**
 * Drives the provider's methods the way the dynamic-provider host does (check, then create with
 * `__provider` in the inputs; update/delete/read with the recorded outputs), against an emulator started
 * per test on port 0. Timings are shrunk so every wait takes milliseconds.
 */
import * as assert from "node:assert/strict";
import {
  startEmulator,
  type EmulatorHandle,
  type EmulatorOptions,
  type RequestLogEntry,
} from "elasticsearch-ml-emulator";
import {
  collectingProgress,
  createProvider,
  type DeploymentProvider,
  type Timing,
} from "pulumi-elasticsearch-ml/provider";
import { FAST, putTinyPytorchModel } from "../client/fixtures";

/** What the host puts under `__provider`; any string works for the provider itself. */
export const PROVIDER_TEXT = "exports.handler = function () { /* serialized provider */ };";

export const FAST_TIMING: Timing = {
  serverWaitMs: 40,
  pollInitialMs: 5,
  pollMaxMs: 20,
  pollFactor: 1.5,
  heartbeatMs: 60_000,
  // One provider here lives through calls that stand for separate engine operations (a new process each in
  // real use), so each lists afresh; tests/provider/shared-reads.spec.ts measures the sharing itself.
  listingReuseMs: 0,
};

export interface Harness {
  es: EmulatorHandle;
  provider: DeploymentProvider;
  progress: ReturnType<typeof collectingProgress>;
  /** The provider's environment; tests set stop-flag overrides here. */
  env: Record<string, string | undefined>;
  /** Stack config the provider was configured with (full keys). */
  config: Record<string, unknown>;
  /** Re-run `configure` with `config` (after a test changed it). */
  reconfigure(): void;
  /** check + create, as the host runs them; returns the create result with the checked inputs. */
  create(
    raw: Record<string, unknown>,
  ): Promise<{ id: string; outs: Record<string, unknown>; inputs: Record<string, unknown> }>;
  /** check, as the host runs it, failing the test on check failures; `__provider` added. */
  checked(raw: Record<string, unknown>): Record<string, unknown>;
  /** Requests that may have changed something (start, stop, update), as `METHOD path`. */
  mutations(): RequestLogEntry[];
}

export interface HarnessOptions {
  emulator?: EmulatorOptions;
  /** Models to create before each test (default `["tiny"]`). */
  models?: string[];
  /** Extra stack config (merged over `elasticsearch-ml:endpoints`). */
  config?: Record<string, unknown>;
  timing?: Partial<Timing>;
}

/** Registers beforeEach/afterEach that start an emulator and a provider, and close both. */
export function providerHarness(options: HarnessOptions = {}): Harness {
  const h = {} as Harness;
  beforeEach(async () => {
    h.es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1, ...options.emulator });
    for (const model of options.models ?? ["tiny"]) await putTinyPytorchModel(h.es, model);
    // Tests assert on what the provider sent: the set-up calls are not part of it.
    h.es.admin.clearLog();
    h.progress = collectingProgress();
    h.env = {};
    h.config = { "elasticsearch-ml:endpoints": h.es.url, ...options.config };
    h.provider = createProvider({
      env: () => h.env,
      progress: h.progress,
      timing: { ...FAST_TIMING, ...options.timing },
      clientOptions: FAST,
    });
    h.reconfigure = () => h.provider.configure((key) => h.config[key]);
    h.reconfigure();
    h.checked = (raw) => {
      const { inputs, failures } = h.provider.check({}, raw);
      assert.deepEqual(failures, [], "the test's inputs must pass check");
      return { ...inputs, __provider: PROVIDER_TEXT };
    };
    h.create = async (raw) => {
      const inputs = h.checked(raw);
      const result = await h.provider.create(inputs);
      return { ...result, inputs };
    };
    h.mutations = () => h.es.admin.log().filter((e) => /\/deployment\/_(start|stop|update)$/.test(e.path));
  });
  afterEach(async () => {
    await h.provider?.close();
    await h.es?.close();
  });
  return h;
}

/** Requests to paths matching `pattern`. */
export function requests(es: EmulatorHandle, pattern: RegExp): RequestLogEntry[] {
  return es.admin.log().filter((e) => pattern.test(e.path));
}

/** Start a deployment directly (as someone else would), bypassing the provider. */
export async function startDirectly(
  es: EmulatorHandle,
  modelId: string,
  query: Record<string, string>,
): Promise<void> {
  const qs = new URLSearchParams({ wait_for: "fully_allocated", ...query }).toString();
  const res = await fetch(`${es.url}/_ml/trained_models/${modelId}/deployment/_start?${qs}`, {
    method: "POST",
  });
  const text = await res.text();
  assert.equal(res.status, 200, `direct start failed: ${text}`);
}

/** Run an Elasticsearch call directly; fails the test unless 2xx. */
export async function esDirect(
  es: EmulatorHandle,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${es.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path} failed: ${res.status} ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

/** Asserts `promise` rejects, and returns the error for further assertions. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  assert.fail("expected the operation to fail");
}
