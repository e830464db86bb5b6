import type { SidecarTable } from "../catalog/sidecar.js";

export interface TableComparison {
  /** Reasons the restore test fails. */
  problems: string[];
  /** Differences worth showing that are within what an estimate allows. */
  notes: string[];
}

/**
 * Restored tables against what the sidecar recorded at backup time. The set of tables must be
 * identical. Row counts are compared with the server's *estimate* (pg_class.reltuples,
 * information_schema.TABLES.TABLE_ROWS), which can be stale or rough: a restored table holding
 * less than half the estimate (beyond 10 rows) fails; other differences are noted.
 */
export function compareTables(recorded: readonly SidecarTable[], restored: ReadonlyMap<string, number>): TableComparison {
  const key = (t: SidecarTable) => (t.schema ? `${t.schema}.${t.name}` : t.name);
  const problems: string[] = [];
  const notes: string[] = [];
  const expected = new Set(recorded.map(key));
  const missing = [...expected].filter((k) => !restored.has(k));
  const extra = [...restored.keys()].filter((k) => !expected.has(k));
  if (missing.length > 0) problems.push(`missing after restore: ${missing.join(", ")}`);
  if (extra.length > 0) problems.push(`not recorded at backup: ${extra.join(", ")}`);
  for (const table of recorded) {
    const count = restored.get(key(table));
    const estimate = table.rows_estimate;
    if (count === undefined || estimate === null || count === estimate) continue;
    if (count < estimate / 2 - 10) problems.push(`${key(table)}: ${count} rows restored, about ${estimate} at backup`);
    else notes.push(`${key(table)}: ${count} rows (estimate at backup ${estimate})`);
  }
  return { problems, notes };
}
