import type { Stats } from "node:fs";

/** One entry of an archive as the sidecar records it. */
export interface ContentEntry {
  name: string;
  size: number;
  type: "file" | "directory" | "symlink" | "hardlink";
}

/**
 * What both archive formats offer to put entries from disk in. Each writer records in `contents`
 * exactly what it wrote, so the sidecar never describes an entry the archive does not hold.
 */
export interface EntryWriter {
  readonly contents: ContentEntry[];
  addDirectory(name: string, stat: Stats): Promise<void>;
  addSymlink(name: string, target: string, stat: Stats): Promise<void>;
  /**
   * A regular file whose `body` yields exactly `stat.size` bytes (the size is fixed before the
   * first byte is read: tar writes it in the header). Resolves once the body is consumed, so the
   * caller may close the file then.
   */
  addFile(name: string, stat: Stats, body: AsyncIterable<Buffer>): Promise<void>;
  /** A further name of a file stored earlier as `target`; formats without hard links leave it undefined (the file is stored again). */
  addHardlink?(name: string, target: string, stat: Stats): Promise<void>;
  finalize(): Promise<void>;
  abort(): void;
}
