import type { ArchiveFormat } from "../archive/format.js";
import { readLoneEntry } from "./lone-entry.js";
import { readTarEntries } from "./tar-entries.js";
import { readZipEntries } from "./zip-entries.js";

export type EntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

/**
 * One entry of an archive as read back, the same shape for zip and tar.gz. Entries come one at
 * a time: read `body()` to the end (or not at all) before asking for the next one.
 */
export interface ArchiveEntry {
  /** The name exactly as stored (checked by entry-path.ts before anything is written). */
  name: string;
  type: EntryType;
  /** Permission bits (0o7777), null when the archive does not record them. */
  mode: number | null;
  mtime: Date | null;
  /** Uncompressed size of the body. */
  size: number;
  /** Symlink target as stored, or the archive name a hard link points to. */
  linkTarget: string | null;
  uid: number | null;
  gid: number | null;
  /** Zip only: the CRC-32 recorded for the entry; body() checks it before yielding its last chunk. */
  crc32: number | null;
  body(): AsyncIterable<Buffer>;
}

export type { ArchiveFormat };

export interface ReadOptions {
  signal?: AbortSignal | undefined;
  /**
   * What the sidecar records (name and size of each entry): a lone compressed stream (`zst`)
   * stores neither, so its one entry is named and bounded by this.
   */
  recorded?: readonly { name: string; size: number; type?: string | undefined }[] | undefined;
}

/** Streams an archive's entries in stored order; malformed or truncated archives throw. */
export function readEntries(path: string, format: ArchiveFormat, options: ReadOptions = {}): AsyncGenerator<ArchiveEntry> {
  switch (format) {
    case "zip":
      return readZipEntries(path, options);
    case "tar.gz":
      return readTarEntries(path, "gzip", options);
    case "tar.zst":
      return readTarEntries(path, "zstd", options);
    case "zst":
      return readLoneEntry(path, "zstd", options);
  }
}
