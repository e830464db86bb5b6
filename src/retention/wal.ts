import type { StoredObject } from "../storage/storage.js";
import { walNeededBy, type BaseBackupWal } from "../pitr/chain.js";
import { parseWalName } from "../pitr/wal-name.js";
import { walInListing, walObjectKey, walPrefix } from "../pitr/wal-store.js";
import type { GroupMember } from "./groups.js";

/**
 * Retention of a PITR instance's archived WAL (docs/pitr.md): once the policy has judged the
 * instance's base backups (a group like any other), the WAL files none of the kept ones needs
 * go too — never a segment from the oldest kept base's start on, never a history file
 * (`walNeededBy`, src/pitr/chain.ts). Pure: the listing in, the journal keys out.
 */
export interface WalCleanup {
  storage: string;
  instance: { id: number; name: string };
  /** Archived WAL names kept. */
  kept: number;
  /** WAL names (archived, or a killed push's leftover) deleted, or to be deleted on a dry run; sorted. */
  deleted: string[];
  bytes: number;
}

export interface WalVerdict {
  detail: WalCleanup;
  /** Plain object keys (`…/_wal/<name>.gz`) for the journal: `walDeletionKeys` deletes each. */
  doomed: string[];
}

/**
 * The WAL of one instance on one storage, given its base backups the policy keeps. None kept
 * (cannot happen: the newest is always kept) or a base backup without its `pitr` facts: nothing
 * is judged, nothing deleted.
 */
export function judgeWal(storage: string, server: string, instance: { id: number; name: string }, keptBases: readonly GroupMember[], objects: readonly StoredObject[]): WalVerdict | null {
  const bases: BaseBackupWal[] = [];
  for (const member of keptBases) {
    const pitr = member.entry.sidecar.pitr;
    if (!pitr) return null;
    bases.push({ name: member.entry.name, timeline: pitr.timeline, start_lsn: pitr.start_lsn, stop_lsn: pitr.stop_lsn, segment_size: pitr.segment_size });
  }
  if (bases.length === 0) return null;
  const prefix = walPrefix(server, instance.name);
  const listing = walInListing(objects, prefix);
  const segmentSize = bases[0]?.segment_size;
  const parsed = listing.flatMap((w) => {
    const file = parseWalName(w.name, segmentSize);
    return file ? [{ file, listing: w }] : [];
  });
  const { remove } = walNeededBy(bases, parsed.map((p) => p.file));
  const removable = new Set(remove.map((f) => f.name));
  const doomed = parsed.filter((p) => removable.has(p.file.name));
  return {
    detail: {
      storage,
      instance,
      kept: parsed.filter((p) => p.listing.archived && !removable.has(p.file.name)).length,
      deleted: doomed.map((p) => p.file.name).sort(),
      bytes: doomed.reduce((n, p) => n + p.listing.bytes, 0),
    },
    doomed: doomed.map((p) => walObjectKey(prefix, p.file.name)).sort(),
  };
}
