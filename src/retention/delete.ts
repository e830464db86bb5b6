import { posix } from "node:path";
import { Readable } from "node:stream";
import { isArchiveKey } from "../catalog/list.js";
import { readWhole } from "../catalog/read.js";
import { SIDECAR_SUFFIX, pathSegment, timestampForName } from "../catalog/naming.js";
import { isWalObjectKey, walDeletionKeys } from "../pitr/wal-store.js";
import type { Storage, StoredObject } from "../storage/storage.js";
import { describeError } from "../util/errors.js";

/**
 * How a cleanup deletes, so that a crash never leaves a lie and is finished by the next run:
 * 1. one journal `<server>/.cleanup/<UTC>_<pid>.json` listing every archive (and archived WAL
 *    file, `…/_wal/<name>.gz`) to delete is stored
 *    (one write per storage, not one per backup: 10,000 deletions stay fast);
 * 2. per backup the sidecar goes first, then the archive: a sidecar never points at nothing,
 *    and an archive without its sidecar is not a backup to anyone (list shows it incomplete);
 *    per WAL file likewise its marker, then the object;
 * 3. the journal goes last, and only when every deletion in it succeeded.
 * The next cleanup finishes whatever journal it finds (`finishJournals`). Missing objects are
 * success: every backend's delete treats ENOENT / 404 as done.
 */
export const JOURNAL_DIR = ".cleanup";

const journalPrefix = (server: string) => `${pathSegment(server)}/${JOURNAL_DIR}/`;

export function isJournalKey(key: string, server: string): boolean {
  return key.startsWith(journalPrefix(server)) && key.endsWith(".json") && !posix.basename(key).startsWith(".");
}

/** Stores the journal of the deletions about to start; returns its key. */
export async function writeJournal(storage: Storage, server: string, archiveKeys: readonly string[], now: Date): Promise<string> {
  const key = `${journalPrefix(server)}${timestampForName(now)}_${process.pid}.json`;
  const body = Buffer.from(JSON.stringify({ format_version: 1, started_at: now.toISOString(), delete: archiveKeys }), "utf8");
  await storage.put(key, { stream: Readable.from([body]), size: body.length }, { contentType: "application/json" });
  return key;
}

/**
 * The objects a journal entry stands for, in deletion order: an archive's sidecar, then the
 * archive; an archived WAL file's marker, then its object (plain or encrypted).
 */
export function deletionKeys(journalKey: string): string[] {
  return isWalObjectKey(journalKey) ? walDeletionKeys(journalKey) : [`${journalKey}${SIDECAR_SUFFIX}`, journalKey];
}

/** Sidecar (or WAL marker) first, then the rest. Returns the failure's text, or null. */
export async function deleteBackup(storage: Storage, archiveKey: string): Promise<string | null> {
  for (const key of deletionKeys(archiveKey)) {
    try {
      await storage.delete(key);
    } catch (err) {
      return `${storage.describe(key)}: delete failed: ${describeError(err)}`;
    }
  }
  return null;
}

/** The archive (and WAL) keys a journal lists: only names this tool makes, below this server's folder. */
export async function readJournal(storage: Storage, key: string, server: string): Promise<string[]> {
  const parsed = JSON.parse((await readWhole(storage, key)).toString("utf8")) as { delete?: unknown };
  const keys = Array.isArray(parsed.delete) ? parsed.delete : [];
  return keys.filter((k): k is string => typeof k === "string" && (isArchiveKey(k) || isWalObjectKey(k)) && k.startsWith(`${pathSegment(server)}/`) && !k.split("/").includes(".."));
}

export function journalsIn(objects: readonly StoredObject[], server: string): string[] {
  return objects.filter((o) => isJournalKey(o.key, server)).map((o) => o.key).sort();
}
