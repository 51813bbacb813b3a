/**
 * Trained model configurations, their definition parts and model aliases, with the id rules
 * (reference §6) and the id expansion shared by GET, `_stats`, start and pre-8.8 stop (§5.1).
 */
import { resourceNotFound } from "../errors";

export type ModelType = "pytorch" | "tree_ensemble" | "lang_ident";

export interface DefinitionPart {
  /** Decoded length of this part's `definition`. */
  bytes: number;
  totalDefinitionLength: number;
  totalParts: number;
}

export interface Model {
  modelId: string;
  modelType: ModelType;
  /** The stored configuration fields (description, tags, input, inference_config, metadata, ...). */
  config: Record<string, unknown>;
  createTime: number;
  createdBy: string;
  parts: Map<number, DefinitionPart>;
  hasVocabulary: boolean;
  /** Size of an inline (tree) definition or the built-in model. */
  inlineSizeBytes: number;
  /** An inline definition given as JSON (tree models). */
  definition?: Record<string, unknown>;
  /** An inline definition given as base64 gzip JSON, kept as uploaded. */
  compressedDefinition?: string;
  builtIn: boolean;
}

export type DefinitionStatus = "complete" | "missing" | "truncated" | "inconsistent";

export const LANG_IDENT_MODEL_ID = "lang_ident_model_1";

const MODEL_ID_PATTERN = /^[a-z0-9](?:[a-z0-9_\-.]*[a-z0-9])?$/;
const MODEL_ALIAS_PATTERN = /^[a-z0-9](?:[a-z0-9_\-.]*[a-z])?$/;

/** Validation messages for a model id (`MlStrings` / `Messages` templates); empty when valid. */
export function modelIdErrors(id: string): string[] {
  const errors: string[] = [];
  if (!MODEL_ID_PATTERN.test(id) || id === "_all") {
    errors.push(
      `Invalid model_id; '${id}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric`,
    );
  }
  if (id.length > 64) errors.push(`Invalid model_id; '${id}' cannot contain more than 64 characters.`);
  return errors;
}

export function modelAliasErrors(alias: string): string[] {
  return MODEL_ALIAS_PATTERN.test(alias)
    ? []
    : [
        `Invalid model_alias; '${alias}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start with alphanumeric and cannot end with numbers`,
      ];
}

export const isWildcard = (token: string): boolean => token.includes("*");

export function wildcardRegex(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

/** Splits an id expression; empty, `_all` and `*` select everything. */
export function splitIds(expression: string | undefined): string[] {
  if (expression === undefined) return ["*"];
  const tokens = expression
    .split(",")
    .map((token) => token.trim())
    .filter((token) => token.length > 0)
    .map((token) => (token === "_all" ? "*" : token));
  return tokens.length === 0 ? ["*"] : tokens;
}

export const missingModel = (ids: string) =>
  resourceNotFound(`No known trained model with model_id [${ids}]`);

/** Result of an expansion: model ids (sorted) and, per model, the deployments selected. */
export interface Expansion {
  modelIds: string[];
  /** "all" when the model matched by id/alias; otherwise the deployment ids that matched. */
  deployments: Map<string, "all" | Set<string>>;
}

export class ModelStore {
  readonly models = new Map<string, Model>();
  /** alias → model id */
  readonly aliases = new Map<string, string>();

  get(id: string): Model | undefined {
    return this.models.get(id);
  }

  aliasesOf(modelId: string): string[] {
    return [...this.aliases]
      .filter(([, target]) => target === modelId)
      .map(([alias]) => alias)
      .sort();
  }

  /** Completeness of a PyTorch definition, per the start checks in §2.3-8. */
  definitionStatus(model: Model): DefinitionStatus {
    if (model.modelType !== "pytorch") return "complete";
    if (model.parts.size === 0) return "missing";
    const parts = [...model.parts.values()];
    const { totalDefinitionLength, totalParts } = parts[0];
    if (parts.some((p) => p.totalDefinitionLength !== totalDefinitionLength || p.totalParts !== totalParts)) {
      return "inconsistent";
    }
    const sum = parts.reduce((total, part) => total + part.bytes, 0);
    return model.parts.size === totalParts && sum === totalDefinitionLength ? "complete" : "truncated";
  }

  /** `model_bytes`: the declared total definition length (PyTorch) or the inline size. */
  modelBytes(model: Model): number {
    const first = model.parts.values().next().value;
    return first ? first.totalDefinitionLength : model.inlineSizeBytes;
  }

  /**
   * Expands an id expression. `deploymentsByModel` (8.8+ `_stats`) lets tokens match deployment
   * ids too. Explicit ids that match nothing are always a 404; wildcards only with
   * `allowNoMatch: false`.
   */
  expand(
    expression: string | undefined,
    options: { allowNoMatch: boolean; deployments?: { deploymentId: string; modelId: string }[] },
  ): Expansion {
    const deployments = new Map<string, "all" | Set<string>>();
    const selectModel = (modelId: string): void => {
      deployments.set(modelId, "all");
    };
    const selectDeployment = (modelId: string, deploymentId: string): void => {
      const current = deployments.get(modelId);
      if (current === "all") return;
      deployments.set(modelId, new Set([...(current ?? []), deploymentId]));
    };
    const unmatched: string[] = [];
    for (const token of splitIds(expression)) {
      let matched = false;
      if (isWildcard(token)) {
        const regex = wildcardRegex(token);
        for (const id of this.models.keys()) {
          if (regex.test(id)) {
            selectModel(id);
            matched = true;
          }
        }
        for (const dep of options.deployments ?? []) {
          if (regex.test(dep.deploymentId) && this.models.has(dep.modelId)) {
            selectDeployment(dep.modelId, dep.deploymentId);
            matched = true;
          }
        }
        if (!matched && !options.allowNoMatch) unmatched.push(token);
        continue;
      }
      if (this.models.has(token)) {
        selectModel(token);
        continue;
      }
      const target = this.aliases.get(token);
      if (target !== undefined && this.models.has(target)) {
        selectModel(target);
        continue;
      }
      const dep = options.deployments?.find((d) => d.deploymentId === token);
      if (dep && this.models.has(dep.modelId)) {
        selectDeployment(dep.modelId, dep.deploymentId);
        continue;
      }
      unmatched.push(token);
    }
    if (unmatched.length > 0) throw missingModel(unmatched.join(","));
    // A model matched both by id and through one of its deployments keeps all deployments.
    return { modelIds: [...deployments.keys()].sort(), deployments };
  }
}
