import type { CatalogEntry } from "../catalog/list.js";
import { unitDirectory, type NewestRecord } from "../catalog/run-record.js";
import { instanceName, type Instance } from "../config/schema.js";
import type { InstanceState } from "../state/last-run.js";

/**
 * fresh: the newest completed backup is younger than the threshold; stale: older; never: none;
 * failed: the newest run planned this unit and did not finish it (or could not plan at all),
 * whatever the age of the backup before it.
 */
export type Freshness = "fresh" | "stale" | "never" | "failed";

export interface StatusRow {
  instance: string;
  /** The database, "(globals)", or null for a files instance. */
  database: string | null;
  kind: "database" | "globals" | "files" | "basebackup" | "instance" | "wal";
  state: Freshness;
  /** The newest completed backup. */
  newest: { archive: string; completed_at: string; size_bytes: number } | null;
  age_seconds: number | null;
  /** Why the state is not fresh, in words. */
  detail: string | null;
}

export interface StatusInput {
  server: string;
  instances: readonly Instance[];
  entries: readonly CatalogEntry[];
  /** The newest run record of each instance, by instance name. */
  records: ReadonlyMap<string, NewestRecord | null>;
  /** A backup run holds the lock now: units its record planned are in progress, not failed. */
  running: boolean;
  now: Date;
  maxAgeMs: number;
  /** The last-run state file (options.state_dir), when there is one: each instance's last outcome. */
  lastRun?: { file: string; instances: Readonly<Record<string, InstanceState>> } | null;
  /** A stale row's detail when the threshold is not status.max_age (the schedule's missed run). */
  staleDetail?: string;
}

interface Unit {
  kind: Exclude<StatusRow["kind"], "wal">;
  database: string | null;
}

const unitId = (u: Unit) => `${u.kind}\0${u.database ?? ""}`;

/** One row per instance × unit it backs up (from its backups, its newest run, its config). */
export function computeStatus(input: StatusInput): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const instance of input.instances.filter((i) => i.enabled)) {
    const first = rows.length;
    const name = instanceName(instance);
    const mine = input.entries.filter((e) => e.state === "complete" && e.sidecar && e.sidecar.purpose !== "safety" && e.sidecar.instance.name === name);
    const record = input.records.get(name) ?? null;
    const units = new Map<string, Unit>();
    const add = (unit: Unit) => units.set(unitId(unit), unit);
    if (instance.type === "files") add({ kind: "files", database: null });
    else for (const db of instance.databases) add({ kind: "database", database: db });
    for (const entry of mine) add({ kind: entry.sidecar!.kind, database: entry.sidecar!.database });
    if (record?.ok) for (const unit of record.record.units) add({ kind: unit.kind as Unit["kind"], database: unit.database });

    const planningError = record?.ok && record.record.planning_error && !input.running ? record.record.planning_error : null;
    if (units.size === 0) {
      rows.push({ instance: name, database: null, kind: "instance", state: planningError ? "failed" : "never", newest: null, age_seconds: null, detail: planningError ? `the newest run could not plan its units: ${planningError}` : "no backup in storage" });
      continue;
    }
    for (const unit of units.values()) {
      const newest = mine
        .filter((e) => e.sidecar!.kind === unit.kind && e.sidecar!.database === unit.database)
        .sort((a, b) => b.sidecar!.completed_at.localeCompare(a.sidecar!.completed_at))[0];
      const completedAt = newest?.sidecar?.completed_at;
      const ageMs = completedAt ? input.now.getTime() - Date.parse(completedAt) : null;
      const failure = planningError ? `the newest run (${record?.startedAt}) could not plan its units: ${planningError}` : unfinished(input, record, unit, name);
      const state: Freshness = failure ? "failed" : ageMs === null ? "never" : ageMs > input.maxAgeMs ? "stale" : "fresh";
      const detail = failure ?? (state === "never" ? "no backup in storage" : state === "stale" ? (input.staleDetail ?? `older than ${formatAge(input.maxAgeMs / 1000)} (status.max_age)`) : null);
      rows.push({
        instance: name,
        database: unit.kind === "globals" ? "(globals)" : unit.database,
        kind: unit.kind,
        state,
        newest: newest?.sidecar ? { archive: newest.name, completed_at: newest.sidecar.completed_at, size_bytes: newest.sidecar.archive.size_bytes } : null,
        age_seconds: ageMs === null ? null : Math.round(ageMs / 1000),
        detail,
      });
    }
    markFailedRun(input, rows.slice(first), record, name);
  }
  return rows;
}

/**
 * The state file says this instance's last run failed, and that run is the newest one: when the
 * run record could not say which unit (every planned unit has its archive, yet an upload or the
 * run itself failed; or no record was written), every row of the instance shows the failure.
 */
function markFailedRun(input: StatusInput, rows: StatusRow[], record: NewestRecord | null, name: string): void {
  const state = input.lastRun?.instances[name];
  if (!state || state.outcome !== "failure" || input.running || rows.some((r) => r.state === "failed")) return;
  const newest = !record || record.runId === state.run_id || Date.parse(state.completed_at) >= Date.parse(record.startedAt);
  if (!newest) return;
  for (const row of rows) {
    row.state = "failed";
    row.detail = `the last run (${state.completed_at}, run ${state.run_id}) failed: ${input.lastRun?.file} says so; its log or e-mail says why`;
  }
}

/** Why the newest run left this unit unfinished, or null when it finished it (or did not plan it, or still runs). */
function unfinished(input: StatusInput, record: NewestRecord | null, unit: Unit, name: string): string | null {
  if (!record?.ok || input.running) return null;
  const directory = unitDirectory(input.server, name, unit.database, unit.kind === "instance" ? "database" : unit.kind);
  const planned = record.record.units.some((u) => u.directory === directory);
  if (!planned) return null;
  const finished = input.entries.some((e) => e.sidecar?.run_id === record.runId && e.state === "complete" && e.sidecar.kind === unit.kind && e.sidecar.database === unit.database);
  return finished ? null : `the last run (${record.startedAt}) did not complete it`;
}

/** 90 → "1m 30s", 93784 → "1d 2h"; two units at most. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const parts: [number, string][] = [
    [Math.floor(s / 86400), "d"],
    [Math.floor((s % 86400) / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return "0s";
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(" ");
}
