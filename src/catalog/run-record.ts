import { posix } from "node:path";
import { z } from "zod";
import type { Storage } from "../storage/storage.js";
import { archiveDirectory, pathSegment, timestampForName, type UnitKind } from "./naming.js";

/**
 * A run record: which units a backup run planned for one instance, written before the first
 * unit starts, to `<server>/.runs/<instance>/<UTC timestamp>_<run id>.json` in every storage the
 * run writes to (beside, not inside, the instance's folder, which holds only archives and sidecars). Sidecars say which units finished; the record says which were meant to, so
 * `verify --latest` can tell a complete run from one that was interrupted or lost a unit.
 * Safety backups taken by a restore write none: they are not runs.
 */
export const RUN_RECORD_VERSION = 1;
export const RUNS_DIR = ".runs";

const recordSchema = z
  .object({
    format_version: z.number().int(),
    run_id: z.string(),
    started_at: z.string(),
    server: z.string(),
    instance: z.object({ id: z.number(), name: z.string(), type: z.string() }),
    units: z.array(z.object({ kind: z.string(), database: z.string().nullable(), directory: z.string() })),
    planning_error: z.string().optional(),
  })
  .loose();

export type RunRecord = z.infer<typeof recordSchema>;
export type PlannedUnit = RunRecord["units"][number];

/** `<server>/<instance>/` : the key prefix of an instance's archives. */
export function instancePrefix(server: string, instance: string): string {
  return `${pathSegment(server)}/${pathSegment(instance)}/`;
}

/** The key directory a unit's archive lands in (naming.archiveDirectory, relative to the storage root). */
export function unitDirectory(server: string, instance: string, database: string | null, kind: UnitKind): string {
  return posix.join(...archiveDirectory("", server, instance, database, kind).split(/[\\/]/));
}

/** `<server>/.runs/<instance>/`: where an instance's run records are. */
function recordsPrefix(server: string, instance: string): string {
  return `${pathSegment(server)}/${RUNS_DIR}/${pathSegment(instance)}/`;
}

export function runRecordKey(server: string, instance: string, startedAt: Date, runId: string): string {
  return `${recordsPrefix(server, instance)}${timestampForName(startedAt)}_${runId}.json`;
}

const KEY_RE = /(?:^|\/)\.runs\/[^/]+\/(\d{8}T\d{9}Z)_([0-9a-z]+)\.json$/;

/** Run id and start time from a record's key (readable even when its content is not). */
export function parseRunRecordKey(key: string): { runId: string; startedAt: string } | null {
  const match = KEY_RE.exec(key);
  if (!match?.[1] || !match[2]) return null;
  return { runId: match[2], startedAt: nameTimestampToIso(match[1]) };
}

/** 20260121T031500123Z -> 2026-01-21T03:15:00.123Z */
export function nameTimestampToIso(stamp: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp);
  if (!m) return stamp;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
}

export type NewestRecord = { key: string; runId: string; startedAt: string } & ({ ok: true; record: RunRecord } | { ok: false; problem: string });

/** The newest run record of an instance in `storage`, or null when it has none (runs of older versions). */
export async function readNewestRunRecord(storage: Storage, server: string, instance: string): Promise<NewestRecord | null> {
  const prefix = recordsPrefix(server, instance);
  const keys = (await storage.list(prefix)).map((o) => o.key).filter((k) => parseRunRecordKey(k) !== null);
  const key = keys.sort((a, b) => posix.basename(b).localeCompare(posix.basename(a)))[0];
  if (!key) return null;
  const parsed = parseRunRecordKey(key);
  if (!parsed) return null;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
    const result = recordSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    if (!result.success) return { key, ...parsed, ok: false, problem: `run record ${storage.describe(key)} does not match the run record format` };
    return { key, ...parsed, ok: true, record: result.data };
  } catch (err) {
    return { key, ...parsed, ok: false, problem: `run record ${storage.describe(key)} cannot be read (${(err as Error).message})` };
  }
}
