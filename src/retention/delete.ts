import { posix } from "node:path";
import { Readable } from "node:stream";
import { isArchiveKey } from "../catalog/list.js";
import { DELETING_SUFFIX, SIDECAR_SUFFIX } from "../catalog/naming.js";
import type { Storage, StoredObject } from "../storage/storage.js";
import { describeError } from "../util/errors.js";

/**
 * Deletes one backup in an order a crash cannot turn into a lie: first a `<archive>.deleting`
 * marker (from then on the catalogue no longer counts it as a backup), then the sidecar, then
 * the archive, then the marker. A crash at any step leaves the marker, and the next cleanup
 * finishes the deletion (`resumeDeletions`). Missing objects are success (every backend's
 * delete treats ENOENT / 404 as done). Returns the failure's text, or null.
 */
export async function deleteBackup(storage: Storage, archiveKey: string, now: Date): Promise<string | null> {
  try {
    const marker = Buffer.from(JSON.stringify({ deleting: posix.basename(archiveKey), since: now.toISOString() }), "utf8");
    await storage.put(`${archiveKey}${DELETING_SUFFIX}`, { stream: Readable.from([marker]), size: marker.length }, { contentType: "application/json" });
  } catch (err) {
    return `${storage.describe(archiveKey)}: marking it as being deleted failed, nothing was deleted: ${describeError(err)}`;
  }
  return finishDeletion(storage, archiveKey);
}

/** Sidecar, archive, marker: the rest of a deletion whose marker is in place. */
export async function finishDeletion(storage: Storage, archiveKey: string): Promise<string | null> {
  for (const key of [`${archiveKey}${SIDECAR_SUFFIX}`, archiveKey, `${archiveKey}${DELETING_SUFFIX}`]) {
    try {
      await storage.delete(key);
    } catch (err) {
      return `${storage.describe(key)}: delete failed: ${describeError(err)}`;
    }
  }
  return null;
}

/** The archives whose deletion an earlier cleanup started (a marker beside a name this tool makes). */
export function interruptedDeletions(objects: readonly StoredObject[]): string[] {
  return objects
    .filter((o) => o.key.endsWith(DELETING_SUFFIX))
    .map((o) => o.key.slice(0, -DELETING_SUFFIX.length))
    .filter((archiveKey) => isArchiveKey(archiveKey));
}
