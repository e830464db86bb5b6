import type { Stats } from "node:fs";
import type { Readable, Writable } from "node:stream";
import archiver from "archiver";
import type { ContentEntry } from "./entry.js";

/**
 * A zip written as a stream with archiver: entries are read and deflated one at a time,
 * zip64 is used by itself when an entry or the archive passes 4 GiB.
 */
export class ZipWriter {
  private readonly archive: archiver.Archiver;
  private readonly finished: Promise<void>;
  readonly contents: ContentEntry[] = [];

  constructor(out: Writable, level: number) {
    this.archive = archiver("zip", { zlib: { level }, store: level === 0 });
    this.finished = new Promise<void>((resolve, reject) => {
      this.archive.on("error", reject);
      // Warnings (a file gone between listing and reading) are failures here: nothing is skipped silently.
      this.archive.on("warning", reject);
      out.on("error", reject);
      out.on("finish", resolve);
    });
    this.finished.catch(() => undefined);
    this.archive.pipe(out);
  }

  /** A file from disk, read as a stream when its turn comes. */
  addFile(absPath: string, name: string, stat: Stats): void {
    this.archive.file(absPath, { name, mode: stat.mode & 0o7777, date: stat.mtime, stats: stat });
    this.contents.push({ name, size: stat.size, type: "file" });
  }

  addDirectory(name: string, stat: Stats): void {
    this.archive.append(Buffer.alloc(0), { name: name.endsWith("/") ? name : `${name}/`, type: "directory", mode: stat.mode & 0o7777, date: stat.mtime } as archiver.EntryData);
    this.contents.push({ name, size: 0, type: "directory" });
  }

  addSymlink(name: string, target: string, stat: Stats): void {
    this.archive.symlink(name, target, stat.mode & 0o7777);
    this.contents.push({ name, size: 0, type: "symlink" });
  }

  /**
   * A stream of unknown length (a dump). `store` skips compression for data that is
   * compressed already (pg_dump's custom format). The size is filled in when it has been read.
   */
  addStream(name: string, stream: Readable, options: { store?: boolean; date?: Date; mode?: number } = {}): ContentEntry {
    const entry: ContentEntry = { name, size: 0, type: "file" };
    stream.on("data", (chunk: Buffer) => {
      entry.size += chunk.length;
    });
    this.archive.append(stream, { name, store: options.store ?? false, date: options.date ?? new Date(), mode: options.mode ?? 0o600 });
    this.contents.push(entry);
    return entry;
  }

  abort(): void {
    this.archive.abort();
  }

  /** Writes the central directory and waits until every byte reached the output. */
  async finalize(): Promise<void> {
    await this.archive.finalize();
    await this.finished;
  }
}
