import type { Transform, TransformCallback } from "node:stream";
import { DeflatePool, type DeflatePoolOptions } from "./deflate-pool.js";
import { ParallelDeflate } from "./parallel-deflate.js";

/**
 * gzip on every core, pigz's method: raw deflate from the pool's threads (parallel-deflate.ts)
 * between a gzip header and a trailer with the combined CRC-32. One standard gzip stream comes
 * out: gzip, tar, unzip and zlib read it as any other.
 */
export type ParallelGzipOptions = DeflatePoolOptions;

/** gzip header: no name, no mtime (reproducible), OS unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

export function createParallelGzip(options: ParallelGzipOptions): Transform {
  return new ParallelGzip(new DeflatePool(options));
}

class ParallelGzip extends ParallelDeflate {
  private headerWritten = false;

  constructor(private readonly ownPool: DeflatePool) {
    super(ownPool);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    this.writeHeader();
    super._transform(chunk, encoding, callback);
  }

  protected override async finish(): Promise<void> {
    this.writeHeader();
    await super.finish();
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size % 2 ** 32, 4);
    this.push(trailer);
    this.ownPool.close();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.ownPool.close();
    callback(err);
  }

  private writeHeader(): void {
    if (this.headerWritten) return;
    this.headerWritten = true;
    this.push(HEADER);
  }
}
