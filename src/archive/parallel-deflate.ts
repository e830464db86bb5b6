import { Transform, type TransformCallback } from "node:stream";
import { crc32Combine } from "./crc32-combine.js";
import type { DeflatedBlock, DeflatePool } from "./deflate-pool.js";

const DICTIONARY = 32 * 1024;
/** An empty final deflate block (fixed Huffman, BFINAL set): ends the sync-flushed pieces. */
export const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * One raw deflate stream from blocks deflated on the pool's threads, written in input order,
 * at most `pool.maxInFlight` blocks in flight (bounded memory). Once it has ended, `crc` and
 * `size` describe the uncompressed bytes: what a gzip trailer or a zip entry records.
 */
export class ParallelDeflate extends Transform {
  crc = 0;
  size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private dictionary: Buffer | null = null;
  /** Blocks sent, oldest first. */
  private readonly queue: Promise<DeflatedBlock>[] = [];

  constructor(private readonly pool: DeflatePool) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.send(false).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.finish().then(() => callback(), callback);
  }

  /** Sends whole blocks, then, at the end, writes out everything in flight and the final block. */
  protected async finish(): Promise<void> {
    await this.send(true);
    while (this.queue.length > 0) await this.writeOldest();
    this.push(FINAL_BLOCK);
  }

  /** Sends whole blocks (and, at the end, the rest); writes out the oldest while the window is full. */
  private async send(end: boolean): Promise<void> {
    const size = this.pool.blockSize;
    while (this.pendingBytes >= size || (end && this.pendingBytes > 0)) {
      if (this.queue.length >= this.pool.maxInFlight) await this.writeOldest();
      const take = Math.min(size, this.pendingBytes);
      const whole = this.pool.takeBuffer();
      let filled = 0;
      while (filled < take) {
        const chunk = this.pending[0] as Buffer;
        const part = Math.min(chunk.length, take - filled);
        whole.set(chunk.subarray(0, part), filled);
        filled += part;
        if (part === chunk.length) this.pending.shift();
        else this.pending[0] = chunk.subarray(part);
      }
      this.pendingBytes -= take;
      const block = whole.subarray(0, take);
      const dictionary = this.dictionary;
      // A copy: the block's memory moves to the worker.
      this.dictionary = Buffer.from(block.subarray(Math.max(0, take - DICTIONARY)));
      const sent = this.pool.deflate(block, dictionary);
      // Awaited in order later; a failure before then must not count as unhandled.
      sent.catch(() => undefined);
      this.queue.push(sent);
    }
  }

  private async writeOldest(): Promise<void> {
    const done = await (this.queue.shift() as Promise<DeflatedBlock>);
    this.crc = crc32Combine(this.crc, done.crc, done.length);
    this.size += done.length;
    this.push(Buffer.from(done.out.buffer, done.out.byteOffset, done.out.byteLength));
  }
}
