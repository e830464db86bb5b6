import type { Stats } from "node:fs";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Header, Pax, type HeaderData } from "tar";
import { createCompressor, type CompressionSpec } from "./compressor.js";
import { addDiskEntries, type EntryProblem } from "./disk-entries.js";
import type { ContentEntry, EntryWriter } from "./entry.js";

const BLOCK = 512;

/**
 * A tar.gz written as a stream: node-tar encodes the headers (ustar, PAX for long or unicode
 * names, modes, mtimes, owners), the bodies come from the caller, exactly the size each header
 * announced. Writes wait for the compressor to drain, and give up as soon as the output fails.
 */
export class TarGzWriter implements EntryWriter {
  readonly contents: ContentEntry[] = [];
  private readonly gzip;
  private readonly done: Promise<void>;
  private readonly failed: Promise<never>;

  constructor(out: Writable, compression: CompressionSpec, signal?: AbortSignal) {
    this.gzip = createCompressor(compression);
    this.done = pipeline(this.gzip, out, signal ? { signal } : {});
    this.failed = this.done.then(() => new Promise<never>(() => undefined));
    this.done.catch(() => undefined);
    this.failed.catch(() => undefined);
  }

  async addDirectory(name: string, stat: Stats): Promise<void> {
    await this.header(name.endsWith("/") ? name : `${name}/`, stat, { type: "Directory", size: 0, mode: dirMode(stat.mode) });
    this.contents.push({ name: name.replace(/\/+$/, ""), size: 0, type: "directory" });
  }

  async addSymlink(name: string, target: string, stat: Stats): Promise<void> {
    await this.header(name, stat, { type: "SymbolicLink", size: 0, linkpath: target });
    this.contents.push({ name, size: 0, type: "symlink" });
  }

  async addHardlink(name: string, target: string, stat: Stats): Promise<void> {
    await this.header(name, stat, { type: "Link", size: 0, linkpath: target });
    this.contents.push({ name, size: 0, type: "hardlink" });
  }

  async addFile(name: string, stat: Stats, body: AsyncIterable<Buffer>): Promise<void> {
    await this.header(name, stat, { type: "File", size: stat.size });
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      await this.write(chunk);
    }
    // The body contract says exactly stat.size bytes; anything else would shift every later header.
    if (written !== stat.size) throw new Error(`tar entry ${name}: body gave ${written} bytes, header says ${stat.size}`);
    const pad = (BLOCK - (written % BLOCK)) % BLOCK;
    if (pad > 0) await this.write(Buffer.alloc(pad));
    this.contents.push({ name, size: written, type: "file" });
  }

  /** Two zero blocks end the tar; then waits until every byte reached the output. */
  async finalize(): Promise<void> {
    await this.write(Buffer.alloc(2 * BLOCK));
    this.gzip.end();
    await this.done;
  }

  abort(): void {
    this.gzip.destroy();
  }

  private async header(path: string, stat: Stats, data: HeaderData): Promise<void> {
    const fields: HeaderData = {
      path,
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
      mtime: stat.mtime,
      atime: stat.atime,
      ctime: stat.ctime,
      uname: stat.uid === process.getuid?.() ? (process.env.USER ?? "") : "",
      ...data,
    };
    const header = new Header(fields);
    if (header.encode()) {
      await this.write(new Pax({ ...fields, size: header.size, dev: stat.dev, ino: stat.ino, nlink: stat.nlink }).encode());
    }
    if (!header.block) throw new Error(`tar header for ${path} could not be encoded`);
    await this.write(header.block);
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.gzip.write(chunk)) return;
    await Promise.race([new Promise<void>((resolve) => this.gzip.once("drain", resolve)), this.failed]);
  }
}

/** Readable directories are listable, as node-tar stores them. */
function dirMode(mode: number): number {
  let m = mode & 0o7777;
  if (m & 0o400) m |= 0o100;
  if (m & 0o40) m |= 0o10;
  if (m & 0o4) m |= 0o1;
  return m;
}

export interface TarGzInput {
  /** Directory the entry names are relative to. */
  root: string;
  /** Entry names relative to root; directories are not recursed into. */
  entries: string[];
  out: Writable;
  compression: CompressionSpec;
  signal?: AbortSignal | undefined;
  /** Return true to leave out an entry that vanished or is unreadable; without it, such an entry fails the archive. */
  skip?: (problem: EntryProblem) => boolean;
}

/** A tar.gz of files on disk (a spooled dump, a files instance). */
export async function writeTarGz(input: TarGzInput): Promise<{ contents: ContentEntry[]; warnings: string[] }> {
  const tar = new TarGzWriter(input.out, input.compression, input.signal);
  try {
    const { warnings } = await addDiskEntries(tar, { root: input.root, names: input.entries, skip: input.skip ?? (() => false), signal: input.signal });
    await tar.finalize();
    return { contents: tar.contents, warnings };
  } catch (err) {
    tar.abort();
    throw err;
  }
}
