import type { CleanupSummary } from "../retention/summary.js";
import { formatBytes, formatDuration } from "../cli/table.js";
import type { RunReport, UnitOutcome } from "../run/report.js";
import { TOOL_NAME } from "../version.js";
import type { FinishedRun } from "./outcome.js";

/**
 * One message per run, as plain text and HTML from the same model. The model is a list of
 * sections built from the run report: a new part of the report (retention's cleanup summary)
 * becomes one more entry in `extraSections` and shows up in the e-mail, Slack and test messages alike.
 */
export interface Section {
  title: string;
  lines: string[];
}

const LABEL: Record<FinishedRun["outcome"], string> = { failure: "FAILED", warning: "WARNING", success: "OK" };

export function statusWord(run: Pick<FinishedRun, "outcome" | "recovery">): string {
  return run.recovery ? "RECOVERED" : LABEL[run.outcome];
}

function unitLabel(u: UnitOutcome): string {
  return `${u.instance.name}${u.database ? ` / ${u.database}` : u.kind === "files" ? " (files)" : ""}`;
}

export function renderSubject(run: FinishedRun): string {
  const { report } = run;
  const failed = report.units.filter((u) => u.status === "failed").length;
  const what = report.interrupted
    ? "interrupted"
    : failed > 0
      ? `${failed} of ${report.units.length} failed`
      : `${report.units.length} backed up in ${formatDuration(report.duration_ms)}`;
  return `[${TOOL_NAME}] ${statusWord(run)} ${report.server} ${run.command}: ${what}`;
}

export function summarySection(run: FinishedRun, location?: string): Section {
  const { report } = run;
  return {
    title: "Run",
    lines: [
      `server: ${report.server}${location ? ` (${location})` : ""}`,
      `status: ${statusWord(run)}`,
      `started: ${report.started_at}`,
      `ended: ${report.completed_at}`,
      `duration: ${formatDuration(report.duration_ms)}`,
      `exit code: ${run.exitCode}`,
      `run id: ${report.run_id}`,
      `tool: ${TOOL_NAME} ${report.tool_version}`,
    ],
  };
}

export function unitSection(u: UnitOutcome): Section {
  const lines = [`status: ${u.status === "failed" ? "FAILED" : "ok"}`];
  if (u.archive) lines.push(`archive: ${u.archive}`);
  if (u.size_bytes !== undefined) lines.push(`size: ${formatBytes(u.size_bytes)} (${u.size_bytes} bytes)`);
  if (u.sha256) lines.push(`sha256: ${u.sha256}`);
  lines.push(`duration: ${formatDuration(u.duration_ms)}`);
  for (const r of u.remotes ?? []) lines.push(`copied to ${r.remote}: ${r.status === "success" ? "ok" : `FAILED: ${r.error ?? ""}`}`);
  if (u.local_deleted) lines.push("local copy removed (storage.local.keep: false)");
  for (const w of u.warnings) lines.push(`warning: ${w}`);
  if (u.error) lines.push(`error: ${u.error}`);
  return { title: unitLabel(u), lines };
}

/** Parts of the report beyond the units; retention adds its cleanup summary here. */
export function extraSections(report: RunReport): Section[] {
  const sections: Section[] = [];
  if (report.swept && report.swept.length > 0) {
    sections.push({ title: "Leftovers of interrupted runs removed", lines: report.swept.map((s) => `${s.kind}: ${s.path} (${formatBytes(s.bytes)})`) });
  }
  if (report.cleanup) sections.push(cleanupSection(report.cleanup));
  return sections;
}

/** Retention's cleanup after the backup: per storage what was kept, deleted and freed, and each failure. */
function cleanupSection(cleanup: CleanupSummary): Section {
  const lines = cleanup.storages.map((st) =>
    st.skipped
      ? `${st.storage}: not cleaned (${st.skipped})`
      : `${st.storage}: ${st.kept} kept, ${st.deleted} deleted${cleanup.dry_run ? " (dry run)" : ""}, ${formatBytes(st.bytes_freed)} freed${st.resumed > 0 ? `, ${st.resumed} interrupted deletion(s) finished` : ""}`,
  );
  for (const st of cleanup.storages) for (const e of st.errors) lines.push(`${st.storage}: error: ${e}`);
  return { title: cleanup.ok ? "Cleanup (retention)" : "Cleanup (retention) — FAILED", lines };
}

export function messageSections(run: FinishedRun, location?: string): Section[] {
  return [summarySection(run, location), ...run.report.units.map(unitSection), ...extraSections(run.report)];
}

export function renderText(sections: Section[], logTail: string[] = []): string {
  const parts = sections.map((s) => `${s.title}\n${"-".repeat(Math.min(s.title.length, 72))}\n${s.lines.map((l) => `  ${l}`).join("\n")}`);
  if (logTail.length > 0) parts.push(`Last log lines\n--------------\n${logTail.join("\n")}`);
  return `${parts.join("\n\n")}\n`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderHtml(title: string, sections: Section[], logTail: string[] = []): string {
  const body = sections
    .map((s) => `<h3>${escapeHtml(s.title)}</h3>\n<ul>\n${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("\n")}\n</ul>`)
    .join("\n");
  const log = logTail.length > 0 ? `\n<h3>Last log lines</h3>\n<pre>${escapeHtml(logTail.join("\n"))}</pre>` : "";
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n<h2>${escapeHtml(title)}</h2>\n${body}${log}\n</body></html>\n`;
}
