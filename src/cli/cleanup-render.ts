import type { CleanupResult, CleanupSummary, GroupCleanup } from "../retention/summary.js";
import type { WalCleanup } from "../retention/wal.js";
import { formatBytes, renderTable } from "./table.js";

/** Per group what is kept (with the reasons) and deleted, then the per-storage summary. */
export function renderCleanup(result: CleanupResult): string {
  const groups = [...result.groups.filter((g) => g.kept.length + g.deleted.length > 0).map(renderGroup), ...result.wal.map(renderWal)];
  return `${groups.join("\n\n")}${groups.length > 0 ? "\n\n" : ""}${renderCleanupSummary(result)}`;
}

function renderGroup(group: GroupCleanup): string {
  const what = group.kind === "files" ? "(files)" : group.kind === "globals" ? "(globals)" : (group.database ?? "-");
  const rows = [
    ...group.kept.map((k) => ["keep", k.started_at, k.name, k.reasons.join(", ")]),
    ...group.deleted.map((d) => ["delete", d.started_at, d.name, formatBytes(d.size_bytes)]),
  ].sort((a, b) => ((b[1] ?? "") < (a[1] ?? "") ? -1 : (b[1] ?? "") > (a[1] ?? "") ? 1 : 0));
  return `${group.storage}: ${group.instance.name} ${what}: keep ${group.kept.length}, delete ${group.deleted.length}\n${renderTable(["action", "started (UTC)", "archive", "reasons / size"], rows)}`;
}

/** A PITR instance's WAL: how many kept, and every name deleted (dry run: to delete), one per line. */
function renderWal(wal: WalCleanup): string {
  const head = `${wal.storage}: ${wal.instance.name} WAL: keep ${wal.kept} (needed by the kept base backups), delete ${wal.deleted.length} (${formatBytes(wal.bytes)})`;
  return [head, ...wal.deleted.map((name) => `  delete WAL ${name}`)].join("\n");
}

/** One line per storage: what was kept, deleted and freed, or why it was left alone. */
export function renderCleanupSummary(summary: CleanupSummary): string {
  const verb = summary.dry_run ? "would delete" : "deleted";
  const lines = summary.storages.map((s) => {
    if (s.skipped) return `cleanup ${s.storage}: skipped: ${s.skipped}`;
    const resumed = s.resumed > 0 ? `, ${summary.dry_run ? "would finish" : "finished"} ${s.resumed} interrupted deletion${s.resumed === 1 ? "" : "s"}` : "";
    const errors = s.errors.map((e) => `\n  error: ${e}`).join("");
    const wal = s.wal_deleted !== undefined ? `, ${verb} ${s.wal_deleted} WAL file${s.wal_deleted === 1 ? "" : "s"}` : "";
    return `cleanup ${s.storage}: kept ${s.kept}, ${verb} ${s.deleted}${wal} (${formatBytes(s.bytes_freed)} ${summary.dry_run ? "to free" : "freed"})${resumed}${errors}`;
  });
  return `${summary.dry_run ? "dry run: nothing was deleted\n" : ""}${lines.join("\n")}`;
}
