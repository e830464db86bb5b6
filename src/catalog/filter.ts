import { parseAgeMs } from "../util/age.js";
import { UsageError } from "../util/errors.js";
import type { CatalogEntry } from "./list.js";
import { pathSegment } from "./naming.js";

export interface CatalogFilter {
  /** Instance ids or names; empty: all. */
  instances: readonly string[];
  /** Database names; empty: all. */
  databases: readonly string[];
  since: Date | null;
  /** Also show archives without a valid sidecar (always shown: corrupt sidecars). */
  all: boolean;
}

/**
 * Applies list's filters and sorts newest first. Corrupt sidecars are always shown (they are
 * problems to know about); archives without a sidecar only with `all`.
 */
export function filterCatalog(entries: readonly CatalogEntry[], filter: CatalogFilter): CatalogEntry[] {
  const kept = entries.filter((entry) => {
    if (entry.state === "incomplete" && !filter.all) return false;
    if (filter.since && Date.parse(entry.time) < filter.since.getTime()) return false;
    const sidecar = entry.sidecar;
    if (!sidecar) {
      // Without a sidecar only the path tells instance and database: match on its segments
      // (as written by this version, or raw as older versions left plain names).
      const segments = entry.key.split("/");
      const inPath = (name: string) => segments.includes(name) || segments.includes(pathSegment(name));
      if (filter.instances.length > 0 && !filter.instances.some(inPath)) return false;
      if (filter.databases.length > 0 && !filter.databases.some(inPath)) return false;
      return true;
    }
    if (filter.instances.length > 0 && !filter.instances.some((i) => i === String(sidecar.instance.id) || i === sidecar.instance.name)) return false;
    if (filter.databases.length > 0 && !filter.databases.includes(sidecar.database ?? "")) return false;
    return true;
  });
  return kept.sort((a, b) => (a.time === b.time ? b.name.localeCompare(a.name) : b.time.localeCompare(a.time)));
}

/** `--since`: an ISO date/time, or an age such as 90m, 36h, 7d, 2w. */
export function parseSince(value: string, now: Date = new Date()): Date {
  const ageMs = parseAgeMs(value);
  if (ageMs !== null) return new Date(now.getTime() - ageMs);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new UsageError(`--since "${value}" is neither a date (2026-01-31, 2026-01-31T12:00Z) nor an age (90m, 36h, 7d, 2w)`);
  return new Date(parsed);
}
