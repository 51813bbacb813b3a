/**
 * Test helpers for the emulator suite: start an emulator per test file, call it over real HTTP
 * and create a PyTorch model with a complete definition.
 */
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "elasticsearch-ml-emulator";

export interface EsResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body (undefined when empty). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface TestEmulator {
  handle: EmulatorHandle;
  url: string;
  /** Sends a request; objects are JSON-encoded with `Content-Type: application/json`. */
  es(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<EsResponse>;
  close(): Promise<void>;
}

/** Fast defaults for tests: routes start in 20 ms, inference takes 20 ms. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const handle = await startEmulator({ startDelayMs: 20, inferLatencyMs: 20, stopDelayMs: 5, ...options });
  const es = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["Content-Type"] ??= "application/json";
    }
    const response = await fetch(handle.url + path, init);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  return { handle, url: handle.url, es, close: () => handle.close() };
}

export const DEFINITION_BYTES = 1630;

/** PUTs a PyTorch pass_through model, its vocabulary and a complete definition in `parts` parts. */
export async function createPytorchModel(
  em: TestEmulator,
  modelId: string,
  options: { parts?: number; task?: string; bytes?: number } = {},
): Promise<void> {
  const parts = options.parts ?? 1;
  const bytes = options.bytes ?? DEFINITION_BYTES;
  const put = await em.es("PUT", `/_ml/trained_models/${modelId}`, {
    model_type: "pytorch",
    inference_config: { [options.task ?? "pass_through"]: {} },
    input: { field_names: ["text_field"] },
  });
  if (put.status !== 200) throw new Error(`PUT model ${modelId}: ${put.status} ${put.text}`);
  const vocab = await em.es("PUT", `/_ml/trained_models/${modelId}/vocabulary`, {
    vocabulary: ["[PAD]", "[UNK]", "hello"],
  });
  if (vocab.status !== 200) throw new Error(`PUT vocabulary ${modelId}: ${vocab.status} ${vocab.text}`);
  const sizes = splitSizes(bytes, parts);
  for (let part = 0; part < parts; part++) {
    const response = await em.es("PUT", `/_ml/trained_models/${modelId}/definition/${part}`, {
      definition: Buffer.alloc(sizes[part], 7).toString("base64"),
      total_definition_length: bytes,
      total_parts: parts,
    });
    if (response.status !== 200)
      throw new Error(`PUT definition ${modelId}/${part}: ${response.status} ${response.text}`);
  }
}

function splitSizes(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => (i === parts - 1 ? total - base * (parts - 1) : base));
}

/** Starts a deployment and fails the test unless it answers 200. */
export async function startDeployment(em: TestEmulator, modelId: string, query = ""): Promise<EsResponse> {
  const response = await em.es(
    "POST",
    `/_ml/trained_models/${modelId}/deployment/_start${query ? `?${query}` : ""}`,
  );
  if (response.status !== 200)
    throw new Error(`start ${modelId}?${query}: ${response.status} ${response.text}`);
  return response;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 5 ms until it returns true (fails after `timeoutMs`). */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await sleep(5);
  }
}

/** Asserts an Elasticsearch error envelope: status, `error.type`, `error.reason` (string or regex). */
export function expectError(
  response: EsResponse,
  status: number,
  type: string,
  reason?: string | RegExp,
): void {
  const context = `${response.status} ${response.text}`;
  if (response.status !== status) throw new Error(`expected status ${status}, got ${context}`);
  const error = response.body?.error;
  if (!error || error.type !== type) throw new Error(`expected error.type ${type}, got ${context}`);
  if (error.root_cause?.[0]?.type !== type)
    throw new Error(`root_cause[0].type should be ${type}: ${context}`);
  if (response.body.status !== status) throw new Error(`body.status should be ${status}: ${context}`);
  if (
    reason instanceof RegExp ? !reason.test(error.reason) : reason !== undefined && error.reason !== reason
  ) {
    throw new Error(`expected reason ${String(reason)}, got ${error.reason}`);
  }
}
