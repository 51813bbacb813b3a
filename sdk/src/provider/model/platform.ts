/**
 * Which build of a packaged model to download. Pure.
 *
 * `platform: "auto"` follows Kibana's choice (ModelsProvider.getModelDownloads in x-pack/plugins/ml, cited
 * in the emulator README's packaged-model table): the `_linux-x86_64` build, optimized for Intel/AMD Linux,
 * when every ML node reports `os.name` Linux and `os.arch` amd64 (Java's name for x86_64); otherwise, or with
 * no ML node at all (it could be any platform once autoscaling adds one), the portable build. Kibana also
 * picks the optimized build on Elastic Cloud, whose ML nodes are all Linux x86_64: their `_nodes` answer
 * says so too, so the rule above makes the same choice there.
 */
import type { MlNodeOs } from "../../client";
import type { PlatformChoice } from "./inputs";
import { PLATFORM_SPECIFIC_BASES, PLATFORM_SUFFIX } from "./inputs";

export interface PlatformDecision {
  /** The id to download. */
  resolvedModelId: string;
  /** Why, for the progress line. */
  reason: string;
}

/** Whether Java's `os.name`/`os.arch` describe Linux on x86_64. */
function isLinuxX86(node: MlNodeOs): boolean {
  return node.name === "Linux" && (node.arch === "amd64" || node.arch === "x86_64");
}

/** Decide the id to download for `modelId` with the declared `platform`. */
export function choosePackagedBuild(
  modelId: string,
  platform: PlatformChoice | undefined,
  nodes: readonly MlNodeOs[] | undefined,
): PlatformDecision {
  if (platform === undefined) return { resolvedModelId: modelId, reason: "as declared" };
  if (platform === "portable") return { resolvedModelId: modelId, reason: "platform: portable" };
  if (!PLATFORM_SPECIFIC_BASES.includes(modelId)) {
    return { resolvedModelId: modelId, reason: "the model has no platform-specific build" };
  }
  const optimized = `${modelId}${PLATFORM_SUFFIX}`;
  if (platform === "linux-x86_64") return { resolvedModelId: optimized, reason: "platform: linux-x86_64" };
  const list = nodes ?? [];
  if (list.length === 0) {
    return {
      resolvedModelId: modelId,
      reason: "platform auto: no ML node to inspect, so the portable build",
    };
  }
  const other = list.filter((n) => !isLinuxX86(n));
  if (other.length === 0) {
    return {
      resolvedModelId: optimized,
      reason: `platform auto: all ${list.length} ML node(s) run Linux x86_64, so the optimized build`,
    };
  }
  const seen = [...new Set(other.map((n) => `${n.name ?? "?"}/${n.arch ?? "?"}`))].join(", ");
  return {
    resolvedModelId: modelId,
    reason: `platform auto: ML nodes on ${seen} cannot run the ${PLATFORM_SUFFIX.slice(1)} build, so the portable one`,
  };
}

/**
 * The ML nodes that cannot run a `_linux-x86_64` build, described (`Linux/aarch64 (node-2)`), or an empty
 * list. Elasticsearch accepts the download with only a `Warning` header and then fails every start of it
 * (`MlPlatformArchitecturesUtil`), so the provider says so up front.
 */
export function nodesUnfitFor(modelId: string, nodes: readonly MlNodeOs[]): string[] {
  if (!modelId.endsWith(PLATFORM_SUFFIX)) return [];
  return nodes.filter((n) => !isLinuxX86(n)).map((n) => `${n.name ?? "?"}/${n.arch ?? "?"} (${n.nodeId})`);
}
