import { Transform, type TransformCallback, type Writable } from "node:stream";
import { TRAILER_WINDOW } from "./dump-trailer.js";

/**
 * Passes a dump through unchanged on its way to the archive, keeping only its last bytes (where
 * the completion line is) and, when given `copy`, handing every chunk to a second reader as well
 * (pg_restore checking a custom-format dump) at the pace that reader accepts. Never buffers the dump.
 */
export class DumpWatch extends Transform {
  private kept: Buffer = Buffer.alloc(0);

  constructor(private readonly copy?: Writable) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.kept = chunk.length >= TRAILER_WINDOW ? chunk.subarray(chunk.length - TRAILER_WINDOW) : Buffer.concat([this.kept, chunk]).subarray(-TRAILER_WINDOW);
    // Copy the kept window out of the chunk so a large chunk is not retained whole.
    if (chunk.length >= TRAILER_WINDOW) this.kept = Buffer.from(this.kept);
    const copy = this.copy;
    if (!copy || copy.destroyed || copy.writableEnded) return callback(null, chunk);
    if (copy.write(chunk)) return callback(null, chunk);
    // A reader that stopped (exited, failed) never drains: its exit status tells what happened.
    const go = () => {
      copy.off("drain", go);
      copy.off("close", go);
      callback(null, chunk);
    };
    copy.on("drain", go);
    copy.on("close", go);
  }

  override _flush(callback: TransformCallback): void {
    if (this.copy && !this.copy.destroyed) this.copy.end();
    callback();
  }

  /** The last bytes seen (up to TRAILER_WINDOW). */
  tail(): Buffer {
    return this.kept;
  }
}
