/**
 * Plausible inference results by task type, derived deterministically from the input text so
 * that equal inputs give equal outputs. Shapes follow the `_infer` API's `inference_results`.
 */
import type { Model } from "./state/models";

/** The task type: the single key of `inference_config` (e.g. `text_embedding`). */
export function taskType(model: Model): string {
  const config = model.config.inference_config;
  if (config && typeof config === "object") {
    const keys = Object.keys(config);
    if (keys.length > 0) return keys[0];
  }
  return "pass_through";
}

function inputText(model: Model, doc: Record<string, unknown>): string {
  const input = model.config.input as { field_names?: unknown } | undefined;
  const fields = Array.isArray(input?.field_names) ? (input.field_names as string[]) : ["text_field"];
  for (const field of [...fields, "text_field", "text"]) {
    if (typeof doc[field] === "string") return doc[field] as string;
  }
  return JSON.stringify(doc);
}

/** A stable pseudo-random sequence from a string (FNV-1a seeded xorshift). */
function numbers(text: string, count: number): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    out.push(Math.round(((h / 4294967296) * 2 - 1) * 10000) / 10000);
  }
  return out;
}

export function predict(model: Model, doc: Record<string, unknown>): Record<string, unknown> {
  const text = inputText(model, doc);
  const [a, b] = numbers(text, 2);
  const probability = Math.round((0.5 + Math.abs(a) / 2) * 10000) / 10000;
  switch (taskType(model)) {
    case "text_embedding":
      return { predicted_value: numbers(text, 8) };
    case "text_expansion":
    case "sparse_embedding": {
      const tokens = text.toLowerCase().split(/\W+/).filter(Boolean).slice(0, 8);
      return {
        predicted_value: Object.fromEntries(
          tokens.map((token, i) => [token, Math.abs(numbers(token, i + 1)[i])]),
        ),
      };
    }
    case "text_classification":
      return { predicted_value: a >= 0 ? "POSITIVE" : "NEGATIVE", prediction_probability: probability };
    case "zero_shot_classification":
      return { predicted_value: "yes", prediction_probability: probability };
    case "ner":
      return { predicted_value: text, entities: [] };
    case "fill_mask":
      return { predicted_value: "the", prediction_probability: probability, top_classes: [] };
    case "question_answering":
      return {
        predicted_value: text.split(/\s+/)[0] ?? "",
        prediction_probability: probability,
        start_offset: 0,
        end_offset: 0,
      };
    case "text_similarity":
      return { predicted_value: Math.abs(b) * 10 };
    case "classification":
      return { predicted_value: "en", prediction_probability: probability, prediction_score: probability };
    case "regression":
      return { predicted_value: a };
    default:
      return { predicted_value: [numbers(text, 4)] };
  }
}
