import type { RunReport } from "../run/report.js";
import { LAST_RUN_FORMAT_VERSION, type LastRun, type RunOutcome } from "../state/last-run.js";
import type { NotifyEvent } from "../config/monitoring-schema.js";

/** A finished run as notifiers and metrics see it: the report plus what the CLI decided. */
export interface FinishedRun {
  command: "backup";
  report: RunReport;
  exitCode: number;
  outcome: RunOutcome;
  /** A good run after a failed one of any instance it ran (needs the last-run state). */
  recovery: boolean;
  /** The run's own log lines (redacted), newest last; for the failure e-mail. */
  logLines: string[];
}

/** failure: exit code not 0; warning: succeeded with warnings; success otherwise. */
export function classifyRun(report: RunReport, exitCode: number): RunOutcome {
  if (exitCode !== 0 || !report.ok) return "failure";
  return report.units.some((u) => u.warnings.length > 0) ? "warning" : "success";
}

/** Each instance's outcome in this run (a unit failing fails its instance). */
export function instanceOutcomes(report: RunReport): Map<string, RunOutcome> {
  const out = new Map<string, RunOutcome>();
  for (const unit of report.units) {
    const own: RunOutcome = unit.status === "failed" ? "failure" : unit.warnings.length > 0 ? "warning" : "success";
    const before = out.get(unit.instance.name);
    out.set(unit.instance.name, before === "failure" || own === "failure" ? "failure" : before === "warning" || own === "warning" ? "warning" : "success");
  }
  if (report.interrupted) for (const name of out.keys()) out.set(name, "failure");
  return out;
}

/** Whether this run recovers: it went well and an instance it ran had failed last time. */
export function isRecovery(previous: LastRun | undefined, report: RunReport, outcome: RunOutcome): boolean {
  if (!previous || outcome === "failure") return false;
  return [...instanceOutcomes(report).keys()].some((name) => previous.instances[name]?.outcome === "failure");
}

/** The state after this run: this run's instances updated, the others kept as they were. */
export function nextLastRun(previous: LastRun | undefined, run: Omit<FinishedRun, "logLines" | "recovery">, notificationFailures: number): LastRun {
  const { report } = run;
  const instances = { ...(previous?.instances ?? {}) };
  for (const [name, outcome] of instanceOutcomes(report)) {
    instances[name] = {
      outcome,
      run_id: report.run_id,
      completed_at: report.completed_at,
      last_success_at: outcome === "failure" ? (previous?.instances[name]?.last_success_at ?? null) : report.completed_at,
    };
  }
  return {
    format_version: LAST_RUN_FORMAT_VERSION,
    server: report.server,
    run_id: report.run_id,
    command: run.command,
    started_at: report.started_at,
    completed_at: report.completed_at,
    outcome: run.outcome,
    exit_code: run.exitCode,
    units: { total: report.units.length, failed: report.units.filter((u) => u.status === "failed").length },
    notification_failures: notificationFailures,
    instances,
  };
}

/** The events a finished run raises; a channel reports it when its `on` names one of them. */
export function runEvents(run: Pick<FinishedRun, "outcome" | "recovery">): NotifyEvent[] {
  return run.recovery ? [run.outcome, "recovery"] : [run.outcome];
}

export function wants(on: readonly NotifyEvent[], events: readonly NotifyEvent[]): boolean {
  return events.some((e) => on.includes(e));
}
