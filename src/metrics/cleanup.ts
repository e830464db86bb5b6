import { Gauge, Registry } from "prom-client";
import type { CleanupSummary } from "../retention/summary.js";
import { VERSION } from "../version.js";

/**
 * Retention's cleanup per storage it cleaned (a storage skipped, e.g. because its upload failed in
 * this run, gets no value). Shared by a backup's metrics and the `cleanup` command's own group.
 */
export function addCleanupGauges(registry: Registry, cleanup: CleanupSummary): void {
  if (cleanup.dry_run) return;
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ["storage"], registers: [registry] });
  const deleted = gauge("vya_backup_cleanup_deleted", "Backups deleted by the last retention cleanup, per storage.");
  const freed = gauge("vya_backup_cleanup_freed_bytes", "Bytes freed by the last retention cleanup, per storage.");
  const kept = gauge("vya_backup_cleanup_kept", "Backups the retention policy kept in the last cleanup, per storage.");
  const errors = gauge("vya_backup_cleanup_errors", "Failures (deletions, listings, a tripped max_delete) of the last cleanup, per storage.");
  for (const st of cleanup.storages) {
    if (st.skipped) continue;
    deleted.set({ storage: st.storage }, st.deleted);
    freed.set({ storage: st.storage }, st.bytes_freed);
    kept.set({ storage: st.storage }, st.kept);
    errors.set({ storage: st.storage }, st.errors.length);
  }
}

/** The `cleanup` command's metrics (its own group: `command="cleanup"`). */
export function cleanupRegistry(cleanup: CleanupSummary, run: { exitCode: number; completedAt: Date }): Registry {
  const registry = new Registry();
  new Gauge({ name: "vya_backupdb_build_info", help: "Always 1; the tool's version as a label.", labelNames: ["version"], registers: [registry] }).set({ version: VERSION }, 1);
  new Gauge({ name: "vya_cleanup_last_timestamp_seconds", help: "When the last cleanup command ended.", registers: [registry] }).set(run.completedAt.getTime() / 1000);
  new Gauge({ name: "vya_cleanup_success", help: "1 when the last cleanup command exited 0, else 0.", registers: [registry] }).set(run.exitCode === 0 ? 1 : 0);
  addCleanupGauges(registry, cleanup);
  return registry;
}
