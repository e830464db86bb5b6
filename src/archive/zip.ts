import type { Stats } from "node:fs";
import { Readable, type Writable } from "node:stream";
import { finished } from "node:stream/promises";
import archiver from "archiver";
import type { ContentEntry, EntryWriter } from "./entry.js";

/**
 * A zip written as a stream with archiver: entries are read and deflated one at a time,
 * zip64 is used by itself when an entry or the archive passes 4 GiB.
 */
export class ZipWriter implements EntryWriter {
  private readonly archive: archiver.Archiver;
  private readonly finished: Promise<void>;
  /** Rejects on the first error of the archive, an entry's source or the output; never resolves. */
  private readonly failed: Promise<never>;
  private fail: (err: unknown) => void = () => undefined;
  readonly contents: ContentEntry[] = [];

  constructor(out: Writable, level: number) {
    this.archive = archiver("zip", { zlib: { level }, store: level === 0 });
    this.failed = new Promise<never>((_resolve, reject) => {
      this.fail = reject;
      this.archive.on("error", reject);
      // Warnings (a file gone between listing and reading) are failures here: nothing is skipped silently.
      this.archive.on("warning", reject);
      out.on("error", reject);
    });
    this.failed.catch(() => undefined);
    this.finished = new Promise<void>((resolve) => out.on("finish", resolve));
    this.archive.pipe(out);
  }

  /** A file's bytes, stored as read: the entry's size and CRC are those of the bytes the body gave. */
  async addFile(name: string, stat: Stats, body: AsyncIterable<Buffer>): Promise<void> {
    const source = Readable.from(body, { objectMode: false });
    const entry: ContentEntry = { name, size: 0, type: "file" };
    source.on("data", (chunk: Buffer) => {
      entry.size += chunk.length;
    });
    const consumed = finished(source);
    consumed.catch(() => undefined);
    this.appendSource(source, { name, mode: stat.mode & 0o7777, date: stat.mtime });
    // Wait until archiver has read it all, so the caller can close the file and open the next one.
    await Promise.race([consumed, this.failed]);
    this.contents.push(entry);
  }

  async addDirectory(name: string, stat: Stats): Promise<void> {
    this.archive.append(Buffer.alloc(0), { name: name.endsWith("/") ? name : `${name}/`, type: "directory", mode: stat.mode & 0o7777, date: stat.mtime } as archiver.EntryData);
    this.contents.push({ name: name.replace(/\/+$/, ""), size: 0, type: "directory" });
  }

  async addSymlink(name: string, target: string, stat: Stats): Promise<void> {
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
    this.appendSource(stream, { name, store: options.store ?? false, date: options.date ?? new Date(), mode: options.mode ?? 0o600 });
    this.contents.push(entry);
    return entry;
  }

  /**
   * archiver pipes a source into a PassThrough of its own, and pipe() does not forward errors:
   * a failing source would leave that entry, and finalize(), waiting forever (the event loop
   * then empties and node exits 13 without a word). The writer fails instead, with that error.
   */
  private appendSource(source: Readable, data: archiver.ZipEntryData): void {
    source.once("error", (err) => this.fail(err));
    this.archive.append(source, data);
  }

  abort(): void {
    this.archive.abort();
  }

  /**
   * Writes the central directory and waits until every byte reached the output. archiver's own
   * finalize() never settles when an entry's source failed, so the first failure ends the wait.
   */
  async finalize(): Promise<void> {
    const finalized = this.archive.finalize();
    finalized.catch(() => undefined);
    await Promise.race([Promise.all([finalized, this.finished]), this.failed]);
  }
}
