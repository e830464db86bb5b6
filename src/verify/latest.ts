import type { CatalogEntry } from "../catalog/list.js";

/**
 * The latest backup of an instance: every archive of its newest run (one per database, plus
 * globals), so a database dropped long ago does not drag an old archive in.
 */
export function latestRun(entries: readonly CatalogEntry[], instance: string): CatalogEntry[] {
  const mine = entries.filter((e) => e.sidecar && (String(e.sidecar.instance.id) === instance || e.sidecar.instance.name === instance));
  const newest = [...mine].sort((a, b) => b.time.localeCompare(a.time))[0];
  if (!newest?.sidecar) return [];
  const runId = newest.sidecar.run_id;
  return mine.filter((e) => e.sidecar?.run_id === runId).sort((a, b) => a.name.localeCompare(b.name));
}
