/**
 * Test fixtures for the client's integration tests: emulator set-up calls the client does not
 * offer (PUT a model, a pipeline, users and API keys), certificates, and a trace collector.
 * Set-up goes through undici directly, so a client bug cannot make the fixtures pass.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";

/** Basic `Authorization` header value. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export interface SetupTarget {
  url: string;
  /** `Authorization` header for set-up calls (security on). */
  authorization?: string;
  /** Dispatcher trusting the emulator's certificate (TLS). */
  dispatcher?: Agent;
}

/** Sends one set-up request; fails the test with the response text unless it is 2xx. */
export async function esCall(
  target: SetupTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (target.authorization) headers.authorization = target.authorization;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await request(`${target.url}${path}`, {
    method: method as "GET",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: target.dispatcher,
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`set-up ${method} ${path} failed: ${res.statusCode} ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

/**
 * Creates a tiny PyTorch model the way the Elasticsearch REST tests do: a `pass_through` config, one
 * definition part whose length is the declared total, and a vocabulary. It can then be deployed.
 */
export async function putTinyPytorchModel(target: SetupTarget, modelId: string): Promise<void> {
  await esCall(target, "PUT", `/_ml/trained_models/${encodeURIComponent(modelId)}`, {
    description: "tiny test model",
    model_type: "pytorch",
    inference_config: { pass_through: {} },
    input: { field_names: ["text_field"] },
  });
  const definition = Buffer.alloc(1630, 7).toString("base64");
  await esCall(target, "PUT", `/_ml/trained_models/${encodeURIComponent(modelId)}/definition/0`, {
    definition,
    total_definition_length: 1630,
    total_parts: 1,
  });
  await esCall(target, "PUT", `/_ml/trained_models/${encodeURIComponent(modelId)}/vocabulary`, {
    vocabulary: ["[PAD]", "[UNK]", "these", "are", "my", "words"],
  });
}

/** An ingest pipeline with one inference processor on `modelId`, optionally inside `foreach`. */
export async function putInferencePipeline(
  target: SetupTarget,
  id: string,
  modelId: string,
  nested = false,
): Promise<void> {
  const processor = { inference: { model_id: modelId, target_field: "ml" } };
  await esCall(target, "PUT", `/_ingest/pipeline/${encodeURIComponent(id)}`, {
    processors: nested ? [{ foreach: { field: "items", processor } }] : [processor],
  });
}

/** A native user with `roles`. */
export async function putUser(
  target: SetupTarget,
  username: string,
  password: string,
  roles: string[],
): Promise<void> {
  await esCall(target, "PUT", `/_security/user/${encodeURIComponent(username)}`, { password, roles });
}

/** An API key limited to `cluster` privileges; returns `{ id, api_key, encoded }`. */
export async function createApiKey(
  target: SetupTarget,
  name: string,
  cluster: string[],
): Promise<{ id: string; api_key: string; encoded: string }> {
  return (await esCall(target, "POST", "/_security/api_key", {
    name,
    role_descriptors: { limited: { cluster } },
  })) as { id: string; api_key: string; encoded: string };
}

export { selfSignedCertificate } from "../support/certificates";

/** A temporary directory removed by `cleanup()`. */
export function tempDir(prefix: string): {
  dir: string;
  write(name: string, text: string): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Collects trace lines. */
export function traceCollector(): { lines: string[]; sink: (line: string) => void } {
  const lines: string[] = [];
  return { lines, sink: (line) => lines.push(line) };
}

/** Options that keep retries fast in tests. */
export const FAST = { initialBackoffMs: 5, maxBackoffMs: 20, keepAliveTimeoutMs: 500 } as const;
