import type { StatusRow } from "./freshness.js";

/** Nagios/Icinga plugin codes. */
export const NAGIOS = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

/**
 * One plugin line with performance data. CRITICAL: a unit has no backup younger than the
 * threshold (stale, never, or failed with nothing fresh before it); WARNING: the last run
 * failed a unit whose previous backup is still fresh; OK otherwise.
 */
export function nagiosLine(rows: readonly StatusRow[], maxAgeSeconds: number): { code: number; line: string } {
  const fresh = (r: StatusRow) => r.age_seconds !== null && r.age_seconds <= maxAgeSeconds;
  const critical = rows.filter((r) => r.state !== "fresh" && !(r.state === "failed" && fresh(r)));
  const warning = rows.filter((r) => r.state === "failed" && fresh(r));
  const count = (state: StatusRow["state"]) => rows.filter((r) => r.state === state).length;
  const oldest = Math.max(0, ...rows.map((r) => r.age_seconds ?? 0));
  const perf = `fresh=${count("fresh")} stale=${count("stale")} never=${count("never")} failed=${count("failed")} oldest_age=${oldest}s;;${maxAgeSeconds}`;
  const label = (r: StatusRow) => `${r.instance}${r.database ? `/${r.database}` : ""} ${r.state}`;
  if (rows.length === 0) return { code: NAGIOS.unknown, line: "VYA-BACKUPDB UNKNOWN - no enabled instance in the config" };
  if (critical.length > 0) return { code: NAGIOS.critical, line: `VYA-BACKUPDB CRITICAL - ${[...critical, ...warning].map(label).join(", ")} | ${perf}` };
  if (warning.length > 0) return { code: NAGIOS.warning, line: `VYA-BACKUPDB WARNING - ${warning.map(label).join(", ")} | ${perf}` };
  return { code: NAGIOS.ok, line: `VYA-BACKUPDB OK - ${rows.length} backup${rows.length === 1 ? "" : "s"} fresh | ${perf}` };
}
