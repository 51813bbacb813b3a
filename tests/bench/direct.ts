/**
 * The baseline: the same Elasticsearch calls the resource exists to make, sent directly over HTTP with a
 * fixed parallelism and nothing else (no engine, no provider). Also seeds the emulator's model and sends
 * the inference load.
 */
import { Agent, request } from "undici";

/** Runs `work` over `items` with at most `parallel` in flight (a worker pool, like the engine's). */
export async function runPool<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new Error(`runPool: parallel must be a positive integer, got ${parallel}`);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

/** Stop flags as query parameters. */
export interface DirectStopFlags {
  finishPendingWork?: boolean;
}

/** A response read in full. */
export interface DirectResponse {
  status: number;
  body: unknown;
}

/** A small HTTP client for the emulator with its own connection pool. */
export class DirectClient {
  readonly #agent = new Agent({ connections: 256, keepAliveTimeout: 2_000 });

  constructor(readonly url: string) {}

  async call(method: "GET" | "PUT" | "POST", path: string, body?: unknown): Promise<DirectResponse> {
    const res = await request(`${this.url}${path}`, {
      method,
      dispatcher: this.#agent,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: res.statusCode, body: parsed };
  }

  /** Like {@link call}, but anything other than 200 is an error naming the call. */
  async ok(method: "GET" | "PUT" | "POST", path: string, body?: unknown): Promise<unknown> {
    const res = await this.call(method, path, body);
    if (res.status !== 200) {
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 400)}`);
    }
    return res.body;
  }

  /**
   * Starts each deployment as the resource does for `numberOfAllocations: 1` (`_start` waiting for
   * `fully_allocated`), then reads its stats once; `parallel` deployments at a time. Returns the wall time.
   */
  async startAll(modelId: string, ids: readonly string[], parallel: number): Promise<number> {
    const started = performance.now();
    await runPool(ids, parallel, async (id) => {
      await this.ok(
        "POST",
        `/_ml/trained_models/${modelId}/deployment/_start?deployment_id=${id}` +
          "&number_of_allocations=1&wait_for=fully_allocated&timeout=60s",
      );
      await this.ok("GET", `/_ml/trained_models/${id}/_stats`);
    });
    return performance.now() - started;
  }

  /** Stops each deployment (`_stop`, blocking until it is gone); returns the wall time. */
  async stopAll(ids: readonly string[], parallel: number, flags: DirectStopFlags = {}): Promise<number> {
    const query = flags.finishPendingWork ? "?finish_pending_work=true" : "";
    const started = performance.now();
    await runPool(ids, parallel, async (id) => {
      await this.ok("POST", `/_ml/trained_models/${id}/deployment/_stop${query}`);
    });
    return performance.now() - started;
  }

  /** Creates a tiny, fully defined PyTorch model that deployments can start from. */
  async seedModel(modelId: string): Promise<void> {
    const definition = Buffer.from("bench-model-definition".repeat(8));
    await this.ok("PUT", `/_ml/trained_models/${modelId}`, {
      model_type: "pytorch",
      inference_config: { pass_through: {} },
      input: { field_names: ["text_field"] },
    });
    await this.ok("PUT", `/_ml/trained_models/${modelId}/definition/0`, {
      definition: definition.toString("base64"),
      total_definition_length: definition.length,
      total_parts: 1,
    });
    await this.ok("PUT", `/_ml/trained_models/${modelId}/vocabulary`, {
      vocabulary: ["[PAD]", "[UNK]", "bench"],
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
