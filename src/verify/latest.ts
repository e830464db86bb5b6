import { ARCHIVE_SUFFIX_PATTERN } from "../archive/format.js";
import { posix } from "node:path";
import type { CatalogEntry } from "../catalog/list.js";
import { pathSegment } from "../catalog/naming.js";
import { nameTimestampToIso, type NewestRecord } from "../catalog/run-record.js";

/** The newest backup run of an instance, as found in one storage. */
export interface LatestRun {
  runId: string;
  startedAt: string;
  /** Its archives to verify: complete, damaged, with a corrupt sidecar, or missing beside their sidecar. */
  archives: CatalogEntry[];
  /** What is wrong with the run beyond its archives: units it planned and never finished, partial writes. */
  problems: string[];
}

export interface InstanceIdentity {
  id: number | null;
  /** The instance's name as it appears in keys (`<server>/<name>/…`). */
  name: string;
}

const NAME_RE = new RegExp(String.raw`_(\d{8}T\d{9}Z)_([0-9a-z]+)\.(${ARCHIVE_SUFFIX_PATTERN})(\.age)?$`);

/**
 * `verify --latest`: the newest backup run of the instance, all its units. Runs are told apart
 * by run id (from the sidecar, or from the archive name when the sidecar is unreadable or gone);
 * safety backups taken by restores are not runs. The newest run record, when there is one for
 * that run, lists the units it planned: each must have its archive, or the run is reported
 * incomplete, naming the unit.
 */
export function latestRun(entries: readonly CatalogEntry[], instance: InstanceIdentity, record: NewestRecord | null): LatestRun | null {
  const runs = new Map<string, { startedAt: string; entries: CatalogEntry[] }>();
  const add = (runId: string, startedAt: string, entry: CatalogEntry | null) => {
    const run = runs.get(runId) ?? { startedAt, entries: [] };
    if (startedAt < run.startedAt) run.startedAt = startedAt;
    if (entry) run.entries.push(entry);
    runs.set(runId, run);
  };
  for (const entry of entries) {
    const sidecar = entry.sidecar;
    if (sidecar) {
      const mine = sidecar.instance.id === instance.id || sidecar.instance.name === instance.name;
      if (mine && sidecar.purpose !== "safety") add(sidecar.run_id, sidecar.started_at, entry);
      continue;
    }
    // No readable sidecar: the key and the archive name still say whose run it was, and when.
    const named = NAME_RE.exec(entry.name);
    if (entry.key.split("/")[1] !== pathSegment(instance.name) || !named?.[1] || !named[2]) continue;
    add(named[2], nameTimestampToIso(named[1]), entry);
  }
  if (record) add(record.runId, record.startedAt, null);

  const newest = [...runs.entries()].sort((a, b) => b[1].startedAt.localeCompare(a[1].startedAt))[0];
  if (!newest) return null;
  const [runId, run] = newest;
  const problems: string[] = [];
  const archives = run.entries.filter((e) => e.state !== "incomplete").sort((a, b) => a.name.localeCompare(b.name));
  for (const partial of run.entries.filter((e) => e.state === "incomplete")) problems.push(`${partial.name}: ${partial.problem ?? "unfinished"}`);
  if (record?.runId === runId) {
    if (!record.ok) problems.push(`${record.problem}: which units the run planned is unknown`);
    else {
      if (record.record.planning_error) problems.push(`the run could not plan its units: ${record.record.planning_error}`);
      const have = new Set(run.entries.map((e) => posix.dirname(e.key)));
      for (const unit of record.record.units) {
        if (have.has(unit.directory)) continue;
        const what = unit.kind === "database" ? `database ${unit.database ?? ""}` : unit.kind === "globals" ? "the globals" : unit.kind === "basebackup" ? "the base backup" : "the files";
        problems.push(`no archive of ${what} from this run in ${unit.directory}/: the run was interrupted or failed before finishing it`);
      }
    }
  }
  return { runId, startedAt: run.startedAt, archives, problems };
}
