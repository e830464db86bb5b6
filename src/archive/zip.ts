import type { Stats } from "node:fs";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import { DeflatePool } from "./deflate-pool.js";
import type { ContentEntry, EntryWriter } from "./entry.js";
import { ParallelDeflate } from "./parallel-deflate.js";
import { centralHeader, dataDescriptor, endRecords, localHeader, type ZipEntryRecord } from "./zip-records.js";

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** A file known to be smaller than this gets a plain local header: its deflated size cannot reach 4 GiB. */
const SURELY_SMALL = 0xf0000000;

export interface ZipWriterOptions {
  /** Deflate threads (default: the cores Node may use). */
  threads?: number;
  /** Uncompressed bytes per deflate block. */
  blockSize?: number;
  /** ZIP64 records for every entry and the end, whatever the sizes (tests of the layout). */
  forceZip64?: boolean;
}

/**
 * A zip written as a stream, entry after entry: each file's bytes are deflated on every core
 * (blocks on the pool's threads, pigz's method) and written as they come, never held whole;
 * CRC-32 and sizes follow in a data descriptor and the central directory. ZIP64 records appear
 * where a size, offset or count needs them; names beyond ASCII are flagged UTF-8; Unix modes,
 * symlinks and mtimes (DOS time in UTC plus the extended timestamp) are kept.
 */
export class ZipWriter implements EntryWriter {
  readonly contents: ContentEntry[] = [];
  private readonly records: ZipEntryRecord[] = [];
  private readonly level: number;
  private pool: DeflatePool | null = null;
  private position = 0;
  /** Entries are written one after the other, in the order they were added. */
  private chain: Promise<void> = Promise.resolve();
  /** Rejects on the first failure of the output, an entry's source or abort(); never resolves. */
  private readonly failed: Promise<never>;
  private fail: (err: Error) => void = () => undefined;
  private failure: Error | null = null;
  private readonly finished: Promise<void>;

  constructor(
    private readonly out: Writable,
    level: number,
    private readonly options: ZipWriterOptions = {},
  ) {
    this.level = level;
    this.failed = new Promise<never>((_resolve, reject) => {
      this.fail = (err) => {
        this.failure ??= err;
        this.closePool();
        reject(err);
      };
    });
    this.failed.catch(() => undefined);
    out.on("error", (err) => this.fail(err));
    this.finished = new Promise<void>((resolve) => out.on("finish", resolve));
  }

  /** A file's bytes, stored as read: the entry's size and CRC are those of the bytes the body gave. */
  async addFile(name: string, stat: Stats, body: AsyncIterable<Buffer>): Promise<void> {
    const entry: ContentEntry = { name, size: 0, type: "file" };
    await this.enqueue(async () => {
      await this.writeEntry(name, body, entry, { method: this.level === 0 ? 0 : 8, mtime: stat.mtime, unixMode: S_IFREG | (stat.mode & 0o7777), zip64: stat.size >= SURELY_SMALL });
      this.contents.push(entry);
    });
  }

  async addDirectory(name: string, stat: Stats): Promise<void> {
    const dir = name.endsWith("/") ? name : `${name}/`;
    await this.enqueue(() => this.writeWhole(dir, Buffer.alloc(0), stat.mtime, S_IFDIR | (stat.mode & 0o7777)));
    this.contents.push({ name: name.replace(/\/+$/, ""), size: 0, type: "directory" });
  }

  /** Stored as Info-ZIP does: the target is the entry's data, the type is in the mode. */
  async addSymlink(name: string, target: string, stat: Stats): Promise<void> {
    await this.enqueue(() => this.writeWhole(name, Buffer.from(target, "utf8"), stat.mtime, S_IFLNK | (stat.mode & 0o7777)));
    this.contents.push({ name, size: 0, type: "symlink" });
  }

  /**
   * A stream of unknown length (a dump). `store` skips compression for data that is
   * compressed already (pg_dump's custom format). The size is filled in as it is read.
   */
  addStream(name: string, stream: Readable, options: { store?: boolean; date?: Date; mode?: number } = {}): ContentEntry {
    const entry: ContentEntry = { name, size: 0, type: "file" };
    // A source failing before its turn still fails the archive (nothing would read it).
    stream.once("error", (err) => this.fail(err));
    const method = options.store || this.level === 0 ? 0 : 8;
    this.enqueue(() => this.writeEntry(name, stream, entry, { method, mtime: options.date ?? new Date(), unixMode: S_IFREG | (options.mode ?? 0o600), zip64: true })).catch(() => undefined);
    this.contents.push(entry);
    return entry;
  }

  abort(): void {
    this.fail(new Error("the zip archive was aborted"));
  }

  /** Writes the central directory and end records, ends the output and waits until every byte reached it. */
  async finalize(): Promise<void> {
    await this.enqueue(async () => {
      this.closePool();
      const force = this.options.forceZip64 ?? false;
      const start = this.position;
      for (const record of this.records) await this.write(centralHeader(record, force));
      await this.write(endRecords(this.records.length, start, this.position - start, force));
      this.out.end();
    });
    await Promise.race([this.finished, this.failed]);
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.chain.then(() => {
      if (this.failure) throw this.failure;
      return Promise.race([op(), this.failed]);
    });
    this.chain = next.catch(() => undefined).then(() => {
      if (this.failure) throw this.failure;
    });
    this.chain.catch(() => undefined);
    return next;
  }

  private async writeEntry(name: string, body: AsyncIterable<Buffer>, entry: ContentEntry, how: { method: 0 | 8; mtime: Date; unixMode: number; zip64: boolean }): Promise<void> {
    const record: ZipEntryRecord = { name, method: how.method, crc: 0, size: 0, compressedSize: 0, offset: this.position, mtime: how.mtime, unixMode: how.unixMode, dataDescriptor: true, zip64Local: how.zip64 || (this.options.forceZip64 ?? false) };
    await this.write(localHeader(record));
    const counted = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        entry.size += chunk.length;
        yield chunk;
      }
    };
    const dataStart = this.position;
    const sink = new Writable({
      highWaterMark: 1024 * 1024,
      write: (chunk: Buffer, _encoding, callback) => this.write(chunk).then(() => callback(), callback),
    });
    if (how.method === 8) {
      const deflate = new ParallelDeflate(this.ensurePool());
      await pipeline(counted(body), deflate, sink);
      record.crc = deflate.crc;
      record.size = deflate.size;
    } else {
      let crc = 0;
      let size = 0;
      await pipeline(
        counted(body),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            crc = crc32(chunk, crc);
            size += chunk.length;
            yield chunk;
          }
        },
        sink,
      );
      record.crc = crc;
      record.size = size;
    }
    record.compressedSize = this.position - dataStart;
    await this.write(dataDescriptor(record));
    this.records.push(record);
  }

  /** An entry whose bytes are at hand (directories, symlinks): stored, sizes in the local header. */
  private async writeWhole(name: string, data: Buffer, mtime: Date, unixMode: number): Promise<void> {
    const record: ZipEntryRecord = { name, method: 0, crc: crc32(data), size: data.length, compressedSize: data.length, offset: this.position, mtime, unixMode, dataDescriptor: false, zip64Local: this.options.forceZip64 ?? false };
    await this.write(localHeader(record));
    if (data.length > 0) await this.write(data);
    this.records.push(record);
  }

  private ensurePool(): DeflatePool {
    this.pool ??= new DeflatePool({ level: this.level, ...(this.options.threads ? { threads: this.options.threads } : {}), ...(this.options.blockSize ? { blockSize: this.options.blockSize } : {}) });
    return this.pool;
  }

  private closePool(): void {
    this.pool?.close();
    this.pool = null;
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.position += chunk.length;
    if (this.out.write(chunk)) return;
    await Promise.race([new Promise<void>((resolve) => this.out.once("drain", resolve)), this.failed]);
  }
}
