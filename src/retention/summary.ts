import type { WalCleanup } from "./wal.js";

/**
 * What a cleanup did, per storage: the small, stable shape the run report, `cleanup --json`,
 * notifications and metrics share. Counts are backups (an archive with its sidecar).
 */
export interface StorageCleanup {
  /** "local" or the remote's name. */
  storage: string;
  /** Backups the policy keeps (or that are not the policy's to delete: future-dated). */
  kept: number;
  /** Backups deleted (on a dry run: that would be deleted). */
  deleted: number;
  /** Bytes of the deleted archives and sidecars (on a dry run: that would be freed). */
  bytes_freed: number;
  /** Archived WAL files of PITR instances deleted (dry run: to delete) because no kept base backup needs them; absent without PITR. Their bytes are in bytes_freed. */
  wal_deleted?: number;
  /** Interrupted deletions of an earlier cleanup finished by this one. */
  resumed: number;
  /** One line per failure (a deletion, a listing, a tripped max_delete); none when all went well. */
  errors: string[];
  /** Set when this storage was deliberately not cleaned, with the reason (e.g. its upload failed in this run). */
  skipped?: string;
}

export interface CleanupSummary {
  dry_run: boolean;
  /** False when any storage has errors. */
  ok: boolean;
  storages: StorageCleanup[];
}

/** One group's verdicts on one storage (cleanup's detailed output). */
export interface GroupCleanup {
  storage: string;
  instance: { id: number; name: string };
  kind: "database" | "globals" | "files" | "basebackup";
  database: string | null;
  kept: { name: string; started_at: string; reasons: string[] }[];
  deleted: { name: string; started_at: string; size_bytes: number }[];
}

export interface CleanupResult extends CleanupSummary {
  groups: GroupCleanup[];
  /** Per PITR instance and storage: the WAL kept and deleted along with its base backups. */
  wal: WalCleanup[];
}

/** The summary part of a result (what the run report carries). */
export function summaryOf(result: CleanupResult): CleanupSummary {
  return { dry_run: result.dry_run, ok: result.ok, storages: result.storages };
}
