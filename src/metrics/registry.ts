import { addCleanupGauges } from "./cleanup.js";
import { Counter, Gauge, Registry } from "prom-client";
import type { FinishedRun } from "../notify/outcome.js";
import type { NotificationOutcome } from "../notify/notice.js";
import { VERSION } from "../version.js";
import { unitLabels, type CatalogueFacts } from "./series.js";

const SERIES = ["backup_instance", "type", "database"] as const;

export interface MetricsInput {
  run: FinishedRun;
  facts: CatalogueFacts;
  notifications: NotificationOutcome[];
  /** Storages whose catalogue could not be read: their per-storage gauges are missing, and this says so. */
  unreadableStorages: string[];
  now?: Date;
}

/**
 * The run's metrics in a fresh registry (one per push: a push replaces the whole group, so every
 * value must be computed again, never accumulated in a process). Reference: docs/monitoring.md.
 * A later part of the run report (retention's cleanup) adds its gauges in `addRunSections`.
 */
export function buildRegistry(input: MetricsInput): Registry {
  const registry = new Registry();
  const { run, facts } = input;
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] });

  gauge("vya_backupdb_build_info", "Always 1; the tool's version as a label.", ["version"]).set({ version: VERSION }, 1);
  gauge("vya_backupdb_metrics_timestamp_seconds", "When these metrics were computed (a stale value means nothing was pushed or written).").set((input.now ?? new Date()).getTime() / 1000);

  // Derived from the catalogue on every push: the last good backup survives failed runs and gateway restarts.
  const lastSuccess = gauge("vya_backup_last_success_timestamp_seconds", "Completion time of the newest complete backup of this series in any storage (from the sidecars).", SERIES);
  const size = gauge("vya_backup_size_bytes", "Archive size of the newest complete backup of this series (from its sidecar).", SERIES);
  for (const { labels, completedAt, size: bytes } of facts.lastSuccess.values()) {
    lastSuccess.set({ ...labels }, completedAt);
    size.set({ ...labels }, bytes);
  }
  const archives = gauge("vya_backup_archives", "Complete backups of this series in this storage.", ["storage", ...SERIES]);
  const oldest = gauge("vya_backup_oldest_archive_timestamp_seconds", "Start time of the oldest complete backup of this series in this storage.", ["storage", ...SERIES]);
  for (const per of facts.perStorage.values()) {
    archives.set({ storage: per.storage, ...per.labels }, per.count);
    oldest.set({ storage: per.storage, ...per.labels }, per.oldest);
  }
  const unreadable = gauge("vya_backup_storage_unreadable", "1 when this storage's catalogue could not be listed for these metrics.", ["storage"]);
  for (const storage of input.unreadableStorages) unreadable.set({ storage }, 1);

  addRunSections(registry, run, gauge, counter);

  const notifyFailures = gauge("vya_backupdb_notification_failures", "Notifications of this run that failed after their retry.", ["channel", "kind"]);
  const notifySent = gauge("vya_backupdb_notifications_sent", "Notifications of this run that were delivered.", ["channel", "kind"]);
  for (const n of input.notifications) (n.status === "failed" ? notifyFailures : notifySent).inc({ channel: n.channel, kind: n.kind });
  return registry;
}

type GaugeOf = <L extends string>(name: string, help: string, labelNames?: readonly L[]) => Gauge<L>;
type CounterOf = <L extends string>(name: string, help: string, labelNames?: readonly L[]) => Counter<L>;

/** This run's own values: the units it ran (a unit not in this run keeps only its catalogue gauges). */
function addRunSections(registry: Registry, run: FinishedRun, gauge: GaugeOf, counter: CounterOf): void {
  const { report } = run;
  const runEnd = Date.parse(report.completed_at) / 1000;
  gauge("vya_backup_run_timestamp_seconds", "When the last run of this command ended.", ["command"]).set({ command: run.command }, runEnd);
  gauge("vya_backup_run_success", "1 when the last run succeeded (exit code 0), else 0.", ["command"]).set({ command: run.command }, run.exitCode === 0 ? 1 : 0);
  gauge("vya_backup_run_exit_code", "Exit code of the last run.", ["command"]).set({ command: run.command }, run.exitCode);
  gauge("vya_backup_run_duration_seconds", "Duration of the last run.", ["command"]).set({ command: run.command }, report.duration_ms / 1000);
  // Retention's cleanup after this run (absent: no policy, --no-cleanup, or nothing backed up).
  if (report.cleanup) addCleanupGauges(registry, report.cleanup);


  const lastRun = gauge("vya_backup_last_run_timestamp_seconds", "When the last run that included this series ended.", SERIES);
  const lastRunOk = gauge("vya_backup_last_run_success", "1 when this series' unit succeeded in the last run that included it, else 0.", SERIES);
  const duration = gauge("vya_backup_duration_seconds", "Duration of this series' unit in the last run (old tool's name, now per series).", SERIES);
  // The old tool's counters, kept by name: per push they count this run's units.
  const total = counter("vya_backup_total", "Units (archives) of the last run, by status (old tool's name).", ["status"]);
  const errors = counter("vya_backup_errors_total", "Failed units of the last run (old tool's name).");
  total.inc({ status: "success" }, 0);
  total.inc({ status: "failed" }, 0);
  errors.inc(0);
  for (const u of report.units) {
    const labels = unitLabels(u);
    lastRun.set(labels, runEnd);
    lastRunOk.set(labels, u.status === "success" ? 1 : 0);
    duration.set(labels, u.duration_ms / 1000);
    total.inc({ status: u.status === "success" ? "success" : "failed" });
    if (u.status === "failed") errors.inc();
  }
}
