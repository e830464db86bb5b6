import { instanceName, type Config, type Instance } from "../config/schema.js";
import { newestSegment } from "../pitr/chain.js";
import { parseAnyWalName } from "../pitr/wal-name.js";
import { listArchivedWal, readWalMarker, walPrefix } from "../pitr/wal-store.js";
import type { Storage } from "../storage/storage.js";
import { parseAgeMs } from "../util/age.js";
import { describeError } from "../util/errors.js";
import { formatAge, type StatusRow } from "./freshness.js";

export const DEFAULT_MAX_WAL_AGE_MS = 3_600_000;

export interface NewestWal {
  name: string;
  archived_at: string;
  size_bytes: number;
}

/** Pure: the WAL row of a PITR instance from its newest archived segment (null: none archived). */
export function walRow(instance: string, newest: NewestWal | null, maxAgeMs: number, maxAgeText: string, now: Date): StatusRow {
  const row = { instance, database: "(wal)", kind: "wal" as const };
  if (!newest) return { ...row, state: "never", newest: null, age_seconds: null, detail: "no WAL segment archived: is archive_command set to wal-push? (vya-backupdb check)" };
  const ageMs = Math.max(0, now.getTime() - Date.parse(newest.archived_at));
  const stale = ageMs > maxAgeMs;
  return {
    ...row,
    state: stale ? "stale" : "fresh",
    newest: { archive: newest.name, completed_at: newest.archived_at, size_bytes: newest.size_bytes },
    age_seconds: Math.round(ageMs / 1000),
    detail: stale ? `newest archived WAL segment ${newest.name} is older than ${formatAge(maxAgeMs / 1000)} (pitr.max_wal_age ${maxAgeText}): archiving stopped? see pg_stat_archiver, and archive_timeout on an idle server` : null,
  };
}

/** The newest archived segment of an instance in `storage`, by segment number (the marker says when and how big). */
async function newestWal(storage: Storage, prefix: string, now: Date): Promise<NewestWal | null> {
  const archived = await listArchivedWal(storage, prefix);
  const parsed = archived.flatMap((a) => {
    const file = parseAnyWalName(a.name);
    return file ? [{ file, archivedAt: a.modified }] : [];
  });
  const newest = newestSegment(parsed, now);
  if (!newest) return null;
  const modified = parsed.find((p) => p.file.name === newest.name)?.archivedAt ?? now;
  const marker = await readWalMarker(storage, prefix, newest.name).catch(() => null);
  return { name: newest.name, archived_at: marker?.archived_at ?? modified.toISOString(), size_bytes: marker?.stored.size_bytes ?? 0 };
}

/** One row per enabled PostgreSQL instance with pitr.enabled: the age of its newest archived WAL. */
export async function walRows(config: Config, instances: readonly Instance[], storage: Storage, now: Date): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  for (const instance of instances) {
    if (instance.type !== "postgres" || !instance.enabled || instance.pitr?.enabled !== true) continue;
    const name = instanceName(instance);
    const maxAgeText = instance.pitr.max_wal_age;
    const maxAgeMs = parseAgeMs(maxAgeText) ?? DEFAULT_MAX_WAL_AGE_MS;
    try {
      rows.push(walRow(name, await newestWal(storage, walPrefix(config.server.name, name), now), maxAgeMs, maxAgeText, now));
    } catch (err) {
      rows.push({ instance: name, database: "(wal)", kind: "wal", state: "never", newest: null, age_seconds: null, detail: `the WAL archive could not be listed: ${describeError(err)}` });
    }
  }
  return rows;
}
