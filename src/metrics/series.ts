import type { CatalogEntry } from "../catalog/list.js";
import type { UnitOutcome } from "../run/report.js";

/** The labels that name one backup series: which instance, which database (or globals / files). */
export interface SeriesLabels {
  backup_instance: string;
  type: string;
  database: string;
}

/** A database's name; "(globals)", "(files)" or "(instance)" (a failed plan) for the units without one. */
export function databaseLabel(kind: string, database: string | null): string {
  return database ?? `(${kind})`;
}

export function unitLabels(u: Pick<UnitOutcome, "instance" | "kind" | "database">): SeriesLabels {
  return { backup_instance: u.instance.name, type: u.instance.type, database: databaseLabel(u.kind, u.database) };
}

export const seriesKey = (l: SeriesLabels) => `${l.backup_instance}\u0000${l.database}`;

/** Per series: the newest good backup (time, size) across storages, and per storage the count and the oldest. */
export interface CatalogueFacts {
  lastSuccess: Map<string, { labels: SeriesLabels; completedAt: number; size: number }>;
  perStorage: Map<string, { labels: SeriesLabels; storage: string; count: number; oldest: number }>;
}

/**
 * Reads the facts the gauges derive from the catalogue (the sidecars), not from this run: a failed
 * run or a Pushgateway restart can then never reset the time of the last good backup. Only
 * complete backups count; a restore's safety backups are not backup runs.
 */
export function catalogueFacts(entries: CatalogEntry[]): CatalogueFacts {
  const facts: CatalogueFacts = { lastSuccess: new Map(), perStorage: new Map() };
  for (const entry of entries) {
    const sidecar = entry.sidecar;
    if (entry.state !== "complete" || !sidecar || sidecar.purpose === "safety") continue;
    const labels: SeriesLabels = { backup_instance: sidecar.instance.name, type: sidecar.instance.type, database: databaseLabel(sidecar.kind, sidecar.database) };
    const key = seriesKey(labels);
    const completedAt = Date.parse(sidecar.completed_at) / 1000;
    const started = Date.parse(sidecar.started_at) / 1000;
    const last = facts.lastSuccess.get(key);
    if (!last || completedAt > last.completedAt) facts.lastSuccess.set(key, { labels, completedAt, size: sidecar.archive.size_bytes });
    const storageKey = `${entry.storage}\u0000${key}`;
    const per = facts.perStorage.get(storageKey);
    if (!per) facts.perStorage.set(storageKey, { labels, storage: entry.storage, count: 1, oldest: started });
    else {
      per.count++;
      per.oldest = Math.min(per.oldest, started);
    }
  }
  return facts;
}
