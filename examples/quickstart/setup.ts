/**
 * What the quickstart needs in the cluster besides the deployments: an ingest pipeline whose inference
 * processor uses a deployment, the stand-in bytes of the model's definition, and — for programs that deploy
 * a model already in the cluster (the tests' scenarios) — the model uploaded the way eland uploads a PyTorch
 * model (configuration, then the TorchScript definition in base64 parts, then the tokenizer's vocabulary).
 *
 * Plain REST calls, so every step reads like the Elasticsearch API it is. A real model comes from eland or
 * from `scripts/real-cluster/make-tiny-model.py`; against the emulator any bytes do, since it never runs them.
 */
import { INGEST_DEPLOYMENT_ID, MODEL_CONFIG, MODEL_ID } from "./index";

/** Where to send the calls. */
export interface ClusterTarget {
  /** Base URL, e.g. `http://127.0.0.1:9200`. */
  url: string;
  /** Extra headers, e.g. `{ authorization: "ApiKey …" }`. */
  headers?: Record<string, string>;
}

/** A PyTorch model to upload. */
export interface ModelUpload {
  /** Default {@link MODEL_ID}. */
  modelId?: string;
  /** The TorchScript file's bytes. */
  definition: Uint8Array;
  /** The tokenizer's vocabulary (BERT WordPiece: the special tokens first). */
  vocabulary: string[];
  /** Length of each embedding. */
  embeddingSize: number;
  /** Raw bytes per definition part. eland uses 4 MiB (each part is sent base64-encoded). */
  partBytes?: number;
}

/** One call made, for the caller to print. */
export type CallLog = (line: string) => void;

/** The vocabulary of the stand-in model: BERT's special tokens and a few words. */
export const STAND_IN_VOCABULARY = [
  "[PAD]",
  "[UNK]",
  "[CLS]",
  "[SEP]",
  "[MASK]",
  "elastic",
  "search",
  "model",
  "deploy",
  "##s",
];

/** Deterministic stand-in bytes for the definition (the emulator checks lengths and parts, not content). */
export function standInDefinition(bytes = 10 * 1024): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/**
 * Uploads a PyTorch text-embedding model as eland does: `PUT _ml/trained_models/<id>` (configuration),
 * `PUT …/definition/<part>` for each part, then `PUT …/vocabulary`. Afterwards the model can be deployed.
 */
export async function uploadModel(target: ClusterTarget, model: ModelUpload, log?: CallLog): Promise<void> {
  const modelId = model.modelId ?? MODEL_ID;
  const base = `/_ml/trained_models/${encodeURIComponent(modelId)}`;
  await call(target, "PUT", base, log, {
    ...MODEL_CONFIG,
    inference_config: {
      text_embedding: {
        ...MODEL_CONFIG.inference_config.text_embedding,
        embedding_size: model.embeddingSize,
      },
    },
  });
  const partBytes = model.partBytes ?? 4 * 1024 * 1024;
  if (!Number.isInteger(partBytes) || partBytes <= 0) {
    throw new Error(`uploadModel: partBytes must be a positive integer; got ${partBytes}`);
  }
  const totalParts = Math.max(1, Math.ceil(model.definition.length / partBytes));
  for (let part = 0; part < totalParts; part++) {
    const chunk = model.definition.subarray(part * partBytes, (part + 1) * partBytes);
    await call(target, "PUT", `${base}/definition/${part}`, log, {
      definition: Buffer.from(chunk).toString("base64"),
      total_definition_length: model.definition.length,
      total_parts: totalParts,
    });
  }
  await call(target, "PUT", `${base}/vocabulary`, log, { vocabulary: model.vocabulary });
}

/** The quickstart's pipeline: it embeds each document's `text` with the ingest deployment. */
export const INGEST_PIPELINE_ID = "quickstart-embeddings";

/** Creates (or replaces) an ingest pipeline whose inference processor uses `deploymentId`. */
export async function putIngestPipeline(
  target: ClusterTarget,
  options: { pipelineId?: string; deploymentId?: string } = {},
  log?: CallLog,
): Promise<void> {
  const pipelineId = options.pipelineId ?? INGEST_PIPELINE_ID;
  await call(target, "PUT", `/_ingest/pipeline/${encodeURIComponent(pipelineId)}`, log, {
    description: "Embeds the text of each document",
    processors: [
      {
        inference: {
          model_id: options.deploymentId ?? INGEST_DEPLOYMENT_ID,
          input_output: [{ input_field: "text", output_field: "text_embedding" }],
        },
      },
    ],
  });
}

/** Deletes an ingest pipeline; a missing one is fine. */
export async function deleteIngestPipeline(
  target: ClusterTarget,
  pipelineId: string = INGEST_PIPELINE_ID,
  log?: CallLog,
): Promise<void> {
  await call(target, "DELETE", `/_ingest/pipeline/${encodeURIComponent(pipelineId)}`, log, undefined, [404]);
}

/** One REST call; anything but 2xx (or an `accepted` status) throws with Elasticsearch's answer. */
async function call(
  target: ClusterTarget,
  method: string,
  path: string,
  log: CallLog | undefined,
  body?: unknown,
  accepted: number[] = [],
): Promise<void> {
  const response = await fetch(new URL(path, target.url), {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...target.headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok && !accepted.includes(response.status)) {
    throw new Error(`${method} ${path} failed with ${response.status}: ${text.slice(0, 500)}`);
  }
  log?.(`${method} ${path} -> ${response.status}`);
}
