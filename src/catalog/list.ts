import { ARCHIVE_SUFFIX_PATTERN } from "../archive/format.js";
import { posix } from "node:path";
import type { Storage, StoredObject } from "../storage/storage.js";
import { mapPool } from "../util/pool.js";
import { SIDECAR_SUFFIX } from "./naming.js";
import { readSidecar } from "./read.js";
import type { Sidecar } from "./sidecar.js";

/**
 * One line of the catalogue. `complete` is a backup (archive + valid sidecar); the others are
 * reported so nothing is hidden: `incomplete` (archive without sidecar, or a partial write),
 * `corrupt` (sidecar unreadable or not matching), `missing-archive` (sidecar alone),
 * `damaged` (a valid sidecar whose archive has another size: seen without reading the archive).
 */
export type CatalogState = "complete" | "incomplete" | "corrupt" | "missing-archive" | "damaged";

export interface CatalogEntry {
  /** The archive's file name: what `list` prints and `--file` accepts. */
  name: string;
  /** Storage key of the archive. */
  key: string;
  storage: string;
  /** Human-readable location (path or URL, no secrets). */
  location: string;
  state: CatalogState;
  /** Size of the stored archive; null when it is missing. */
  size: number | null;
  sidecar: Sidecar | null;
  problem: string | null;
  /** ISO time used for sorting: the sidecar's started_at, else the object's modification time. */
  time: string;
}

const ARCHIVE_RE = new RegExp(String.raw`\.(${ARCHIVE_SUFFIX_PATTERN})(\.age)?$`);
/** `.<archive>.[<owner tag>.]<random>.partial` (util/fs.ts partialName; older versions had no tag). */
const PARTIAL_RE = new RegExp(String.raw`^\.(.+\.(${ARCHIVE_SUFFIX_PATTERN})(?:\.age)?)\.(?:o-[0-9a-f]{8}-[0-9a-f]{8}-\d+-\d+\.)?[0-9a-f]+\.partial$`);

export function isArchiveKey(key: string): boolean {
  return ARCHIVE_RE.test(key) && !posix.basename(key).startsWith(".");
}

/**
 * Every archive, sidecar and partial under `prefix`, classified; sidecars read in parallel.
 * `listed`: the storage's listing when the caller already has it (retention reuses it).
 */
export async function listCatalog(storage: Storage, prefix = "", listed?: readonly StoredObject[]): Promise<CatalogEntry[]> {
  const objects = listed ?? (await storage.list(prefix));
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const entries: CatalogEntry[] = [];
  const archives = objects.filter((o) => isArchiveKey(o.key));

  const read = await mapPool(archives, 32, async (object) => ({ object, result: await readSidecar(storage, object.key) }));
  for (const { object, result } of read) {
    const hasSidecar = byKey.has(`${object.key}${SIDECAR_SUFFIX}`);
    const base = entryBase(storage, object, object.key);
    if (result.ok) entries.push({ ...base, ...sizeCheck(object, result.sidecar), sidecar: result.sidecar, time: result.sidecar.started_at });
    else entries.push({ ...base, state: hasSidecar ? "corrupt" : "incomplete", sidecar: null, problem: result.problem });
  }

  for (const object of objects) {
    const name = posix.basename(object.key);
    if (object.key.endsWith(SIDECAR_SUFFIX)) {
      const archiveKey = object.key.slice(0, -SIDECAR_SUFFIX.length);
      if (isArchiveKey(archiveKey) && !byKey.has(archiveKey)) {
        entries.push({ ...entryBase(storage, object, archiveKey), size: null, state: "missing-archive", sidecar: null, problem: "sidecar without its archive: the archive was deleted or never copied" });
      }
      continue;
    }
    const partial = PARTIAL_RE.exec(name);
    if (partial?.[1]) {
      const key = posix.join(posix.dirname(object.key), partial[1]);
      entries.push({ ...entryBase(storage, object, key), state: "incomplete", sidecar: null, problem: `unfinished write of ${partial[1]} (a run in progress or interrupted)` });
    }
  }
  return entries;
}

/** The one damage visible from a listing: the stored size is not the recorded one. */
function sizeCheck(object: StoredObject, sidecar: Sidecar): { state: CatalogState; problem: string | null } {
  const recorded = sidecar.archive.size_bytes;
  if (object.size === recorded) return { state: "complete", problem: null };
  return { state: "damaged", problem: `the archive is ${object.size} bytes, its sidecar records ${recorded} (truncated or replaced; vya-backupdb verify tells more)` };
}

function entryBase(storage: Storage, object: StoredObject, archiveKey: string) {
  return {
    name: posix.basename(archiveKey),
    key: archiveKey,
    storage: storage.name,
    location: storage.describe(archiveKey),
    size: object.size,
    time: object.modified.toISOString(),
  };
}
