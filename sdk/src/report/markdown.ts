/**
 * The Markdown report for a pull-request comment, rendered from the JSON summary alone (so the two
 * never disagree). GitHub-flavoured: tables, `<details>`. Deterministic: no times or durations.
 */
import type { PipelineImpact } from "./assess";
import { type CapacityEstimate, isUnknownCapacity, type Range } from "./capacity";
import type { DeploymentSummary, ReportSummary, StackSummary } from "./summary";
import { formatStopFlags, formatValue, shape, signedVcpus, vcpus } from "./wording";

/** The first line of every report; CI jobs find their earlier comment by it. */
export const REPORT_MARKER = "<!-- pulumi-elasticsearch-ml preview-report -->";

/** Renders the report. */
export function renderMarkdown(summary: ReportSummary): string {
  const out: string[] = [REPORT_MARKER, "## Elasticsearch ML deployments in this preview", ""];
  out.push(...modeLines(summary), "");
  for (const stack of summary.stacks) out.push(...renderStack(stack, summary));
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

function modeLines(summary: ReportSummary): string[] {
  if (summary.mode === "not-needed") return [];
  if (summary.mode === "offline") {
    return [
      `> **Offline report**: operations and capacity only. Ingest pipelines, refused stops and drift were not ` +
        `checked (${summary.modeReason ?? "no cluster lookups"}).`,
    ];
  }
  const reached = summary.connections.filter((c) => c.reached);
  const where = reached
    .map((c) => {
      const name = c.clusterName ? ` cluster ${code(c.clusterName)}` : "";
      const version = c.version ? ` ${c.version}` : "";
      return `${c.connection === "default" ? "" : `${code(c.connection)}: `}${(c.endpoints ?? []).map(code).join(", ")}${name}${version}`;
    })
    .join("; ");
  const lines = [
    `Checked against the cluster${reached.length === 1 ? "" : "s"}: ${where || "none reached"}.`,
  ];
  if (summary.mode === "partial")
    lines.push("", `> **Partly checked**: ${summary.modeReason ?? "some lookups failed"}.`);
  return lines;
}

function renderStack(stack: StackSummary, summary: ReportSummary): string[] {
  const title = stack.stack
    ? `### Stack ${code(stack.stack)}${stack.project ? ` (project ${code(stack.project)})` : ""}`
    : `### ${code(stack.source)}`;
  const out = [title, ""];
  if (stack.previewFailed) {
    out.push(
      "> **The preview reported errors**; the list below may be incomplete:",
      ...stack.previewErrors.map((e) => `> - ${oneLine(e)}`),
      "",
    );
  }
  for (const w of stack.warnings) out.push(`> **Warning**: ${oneLine(w)}`, "");
  const quiet = [...stack.deployments, ...stack.endpoints].every(
    (d) => d.operation === "none" && (d.cluster?.drift.length ?? 0) === 0 && d.risk === "none",
  );
  if (stack.previewFailed && quiet) {
    out.push("No `TrainedModelDeployment` changes were listed before the preview failed.", "");
    return out;
  }
  if (stack.nothingToReview) {
    const others =
      stack.otherChanges > 0
        ? ` (${stack.otherChanges} other resource${stack.otherChanges === 1 ? " changes" : "s change"})`
        : "";
    out.push(`No \`TrainedModelDeployment\` changes in this preview: nothing to review${others}.`, "");
    if (stack.deployments.length > 0) out.push(...capacityLines(stack), "");
    else if (stack.capacity.unlistedUnchanged > 0) {
      const n = stack.capacity.unlistedUnchanged;
      out.push(`(${n} unchanged resource${n === 1 ? " is" : "s are"} not listed in the preview JSON.)`, "");
    }
    return out;
  }

  out.push(...capacityLines(stack), "");
  out.push(...riskLines(stack, summary), "");

  if (stack.deployments.length > 0 || stack.endpoints.length === 0) {
    out.push("| Deployment | Operation | ML capacity (vCPUs) | Ingest pipelines |", "|---|---|---|---|");
    for (const d of stack.deployments) {
      out.push(
        `| ${cell(deploymentTitle(d))} | ${cell(emphasise(d))} | ${cell(capacityChange(d.capacity.before, d.capacity.after, d.capacity.change))} | ${cell(pipelineCell(d, summary))} |`,
      );
    }
    out.push("");
  }
  if (stack.endpoints.length > 0) {
    out.push(
      "| Inference endpoint | Operation | ML capacity (vCPUs) | Recorded references |",
      "|---|---|---|---|",
    );
    for (const e of stack.endpoints) {
      out.push(
        `| ${cell(code(e.name))} | ${cell(emphasise(e))} | ${cell(capacityChange(e.capacity.before, e.capacity.after, e.capacity.change))} | ${cell(e.risk === "deletes-referenced-endpoint" ? "**deleted while referenced**" : "—")} |`,
      );
    }
    out.push("");
  }
  const detailed = [...stack.deployments, ...stack.endpoints].filter(
    (d) => d.operation !== "none" || (d.cluster?.drift.length ?? 0) > 0,
  );
  if (detailed.length > 0) {
    out.push("<details><summary>Details</summary>", "");
    for (const d of detailed) out.push(...renderDeployment(d, summary), "");
    out.push("</details>", "");
  }
  return out;
}

function capacityLines(stack: StackSummary): string[] {
  const c = stack.capacity;
  const all = [...stack.deployments, ...stack.endpoints];
  const changing = all.filter((d) => d.operation !== "none").length;
  const countedOf = (list: readonly DeploymentSummary[]): number =>
    list.filter((d) => !c.notCounted.includes(d.name)).length;
  const n = countedOf(stack.deployments);
  const e = countedOf(stack.endpoints);
  const what =
    `${n} deployment${n === 1 ? "" : "s"}` +
    (stack.endpoints.length === 0 ? "" : ` and ${e} inference endpoint${e === 1 ? "" : "s"}`);
  const lines = [
    `**ML capacity: ${signedVcpus(c.change)}** (${vcpus(c.before)} → ${vcpus(c.after)} across ${what} ` +
      `listed; ${changing} change${changing === 1 ? "s" : ""}).`,
  ];
  const notes: string[] = [];
  if (c.adaptive) notes.push("adaptive allocations count from their minimum to their maximum");
  if (c.notCounted.length > 0)
    notes.push(`not counted (values known only after apply): ${c.notCounted.map(code).join(", ")}`);
  if (c.unlistedUnchanged > 0) {
    notes.push(
      `${c.unlistedUnchanged} unchanged resource${c.unlistedUnchanged === 1 ? " is" : "s are"} not in the preview JSON, so ` +
        "unchanged deployments may be missing from the totals (run `pulumi preview --json --show-sames` to include them)",
    );
  }
  if (notes.length > 0) lines.push("", ...notes.map((n) => `- ${capitalise(n)}.`));
  return lines;
}

function riskLines(stack: StackSummary, summary: ReportSummary): string[] {
  const lines: string[] = [];
  const refused = stack.deployments.filter((d) => d.risk === "stop-refused");
  const breaking = stack.deployments.filter((d) => d.risk === "breaks-pipelines");
  const unchecked = stack.deployments.filter((d) => d.risk === "unchecked");
  const drifted = stack.deployments.filter((d) => (d.cluster?.drift.length ?? 0) > 0);
  if (refused.length > 0) {
    lines.push(
      `- :no_entry: **Elasticsearch will refuse to stop ${list(refused)}** (no \`force\`): ingest pipelines or inference ` +
        `endpoints use ${refused.length === 1 ? "it" : "them"}, so \`pulumi up\` would fail there.`,
    );
  }
  if (breaking.length > 0) {
    lines.push(`- :warning: **Stopping ${list(breaking)} breaks ingest pipelines** (see below).`);
  }
  const referenced = stack.endpoints.filter((e) => e.risk === "deletes-referenced-endpoint");
  if (referenced.length > 0) {
    lines.push(
      `- :no_entry: **Deletes inference endpoint${referenced.length === 1 ? "" : "s"} ${list(referenced)} while ` +
        "pipelines or `semantic_text` fields referenced " +
        `${referenced.length === 1 ? "it" : "them"} at the last refresh** (see below).`,
    );
  }
  if (unchecked.length > 0 && summary.mode !== "offline") {
    lines.push(`- :grey_question: Not checked: what stopping ${list(unchecked)} does to ingest pipelines.`);
  }
  if (drifted.length > 0)
    lines.push(
      `- :twisted_rightwards_arrows: **Drift**: ${list(drifted)} ${drifted.length === 1 ? "differs" : "differ"} from the cluster (see below).`,
    );
  const restarts = stack.deployments.filter((d) => d.operation === "replace" && d.stop?.restart);
  if (restarts.length > 0) {
    lines.push(
      `- :arrows_counterclockwise: ${list(restarts)} restart${restarts.length === 1 ? "s" : ""}: in-flight inference is dropped and no inference is served until the new deployment has started.`,
    );
  }
  if (lines.length === 0 && summary.mode !== "offline" && stack.deployments.some((d) => d.stop)) {
    lines.push(
      "- :white_check_mark: No ingest pipeline or inference endpoint depends on the deployments this preview stops.",
    );
  }
  return lines;
}

function renderDeployment(d: DeploymentSummary, summary: ReportSummary): string[] {
  const out = [`#### ${code(d.name)}: ${escapeText(d.headline)}`, ""];
  const ids: string[] = [];
  if (d.deploymentId)
    ids.push(
      `deployment ${code(d.deploymentId)}${d.previousDeploymentId ? ` (was ${code(d.previousDeploymentId)})` : ""}`,
    );
  if (d.modelId) ids.push(`model ${code(d.modelId)}`);
  if (d.connection) ids.push(`connection ${code(d.connection)}`);
  if (ids.length > 0) out.push(`- ${capitalise(ids.join(", "))}; engine step \`${d.stepOp}\`.`);
  const changes = d.changes.filter((c) => !c.recordOnly);
  const recorded = d.changes.filter((c) => c.recordOnly);
  if (changes.length > 0) {
    out.push(d.operation === "create" ? "- Declared:" : "- Changes:");
    for (const c of changes) {
      out.push(
        d.operation === "create"
          ? `  - ${c.label}: ${code(formatValue(c.property, c.to))}`
          : `  - ${c.label}: ${code(formatValue(c.property, c.from))} → ${code(formatValue(c.property, c.to))}${d.replaceReasons.includes(c.property) ? " (forces the replacement)" : ""}`,
      );
    }
  }
  if (recorded.length > 0) {
    out.push(
      `- Recorded only (${d.operation === "stop" ? "applied at the next start" : "no call to Elasticsearch"}): ` +
        recorded
          .map(
            (c) =>
              `${c.label} ${code(formatValue(c.property, c.from))} → ${code(formatValue(c.property, c.to))}`,
          )
          .join(", "),
    );
  }
  out.push(
    `- Capacity: ${capacityDetail(d.capacity.before)} → ${capacityDetail(d.capacity.after)}${d.capacity.change ? ` (${signedVcpus(d.capacity.change)})` : ""}.`,
  );
  if (d.stop) {
    const flags = formatStopFlags(d.stop.flags);
    const sources = Object.entries(d.stop.sources).map(([flag, source]) => `${flag} from ${source}`);
    out.push(
      `- Stop flags sent: ${flags ? code(flags) : "none (Elasticsearch defaults: no force)"}` +
        (sources.length > 0 ? ` (${sources.join(", ")})` : "") +
        ".",
    );
  }
  const f = d.cluster;
  if (f) {
    if (f.pipelines !== undefined && d.stop) {
      if (f.pipelines.length === 0) out.push("- Ingest pipelines using it: none.");
      else {
        out.push("- Ingest pipelines using it:");
        for (const p of f.pipelines) out.push(`  - ${code(p.pipelineId)} ${pipelineEffect(p, d)}`);
      }
    }
    if (f.inferenceEndpoints !== undefined && f.inferenceEndpoints.length > 0) {
      out.push(
        `- Inference endpoints using it: ${f.inferenceEndpoints.map(code).join(", ")}${d.stop?.flags.force === true ? " (a forced stop breaks them)" : f.endpointsRefuseStop === false ? " (this version does not refuse the stop: they break)" : " (they block a stop without force)"}.`,
      );
    }
    if (d.risk === "stop-refused") out.push(`- **The stop will be refused.** ${forceAdvice(d)}`);
    if (d.risk === "breaks-pipelines")
      out.push(
        "- **The stop breaks the pipelines above**: documents sent through them fail until a deployment of the model runs again.",
      );
    if (!f.checked && f.reason) out.push(`- Not checked against the cluster: ${escapeText(f.reason)}.`);
    for (const drift of f.drift) out.push(`- :twisted_rightwards_arrows: ${escapeText(drift)}`);
    for (const note of f.notes) out.push(`- ${escapeText(note)}`);
  } else if (d.stop && summary.mode === "offline") {
    out.push("- Ingest pipelines: not checked (offline).");
  }
  for (const note of d.notes) out.push(`- ${escapeText(note)}`);
  return out;
}

function forceAdvice(d: DeploymentSummary): string {
  if (d.operation === "stop" || d.operation === "repair") {
    return "Remove the pipelines' references first, or set `stop: { force: true }` on the resource (or `pulumi config set elasticsearch-ml:force true`), knowing the pipelines then fail.";
  }
  const replaced =
    d.operation === "replace"
      ? " The replacement stops the old deployment with the stop flags recorded for it: a `stop.force` added in this change does not apply to that stop."
      : "";
  return `Remove the pipelines' references first, or force it: \`ELASTICSEARCH_ML_FORCE=true pulumi up\` (or \`pulumi config set elasticsearch-ml:force true\`), knowing the pipelines then fail.${replaced}`;
}

function pipelineEffect(p: PipelineImpact, d: DeploymentSummary): string {
  const via =
    p.kind === "deployment"
      ? "names the deployment"
      : p.kind === "model"
        ? `names the model ${code(p.references)}`
        : `names the model alias ${code(p.references)}`;
  const effect =
    d.risk === "stop-refused" && p.blocksStop
      ? "blocks the stop"
      : p.breaks
        ? d.stop?.restart
          ? "breaks until the new deployment has started"
          : "breaks"
        : "keeps working (another deployment serves the model)";
  return `${via}: ${effect}`;
}

function pipelineCell(d: DeploymentSummary, summary: ReportSummary): string {
  if (!d.stop) return "—";
  const f = d.cluster;
  if (f === undefined) return summary.mode === "offline" ? "not checked (offline)" : "not checked";
  if (!f.checked || f.pipelines === undefined) return "not checked";
  const endpoints = f.inferenceEndpoints ?? [];
  if (f.pipelines.length === 0 && endpoints.length === 0) return "none";
  const names = [
    ...f.pipelines.map((p) => code(p.pipelineId)),
    ...endpoints.map((e) => `endpoint ${code(e)}`),
  ].join(", ");
  if (d.risk === "stop-refused") return `**stop refused**: ${names}`;
  if (d.risk === "breaks-pipelines") return `**breaks** ${names}`;
  return `${names} (unaffected)`;
}

function emphasise(d: DeploymentSummary): string {
  const text = escapeText(d.headline);
  return d.operation === "stop" ||
    d.operation === "delete" ||
    d.operation === "replace" ||
    d.operation === "repair"
    ? `**${text}**`
    : text;
}

function deploymentTitle(d: DeploymentSummary): string {
  const id = d.deploymentId && d.deploymentId !== d.name ? ` (${code(d.deploymentId)})` : "";
  return `${code(d.name)}${id}`;
}

function capacityChange(
  before: CapacityEstimate,
  after: CapacityEstimate,
  change: Range | undefined,
): string {
  const side = (c: CapacityEstimate): string =>
    isUnknownCapacity(c) ? "?" : vcpus(c.vcpus).replace(/ vCPUs?$/, "");
  const text = `${side(before)} → ${side(after)}`;
  return change && !(change.min === 0 && change.max === 0)
    ? `${text} (${signedVcpus(change).replace(/ vCPUs?( or more)?$/, "$1")})`
    : text;
}

function capacityDetail(c: CapacityEstimate): string {
  if (isUnknownCapacity(c)) return `unknown (${c.reason})`;
  if (!c.running) return "not running";
  return `${shape(c)} = ${vcpus(c.vcpus)}`;
}

function list(ds: readonly DeploymentSummary[]): string {
  return ds.map((d) => code(d.name)).join(", ");
}

/** Inline code that survives backticks inside the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Text from names and messages: no HTML, no accidental tables. */
function escapeText(text: string): string {
  return text.replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function oneLine(text: string): string {
  return escapeText(text.replace(/\s*\n\s*/g, " "));
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
