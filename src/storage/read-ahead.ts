import { Readable } from "node:stream";
import { isTransient } from "./retry.js";

export interface RandomAccessSource {
  size: number;
  /** Reads up to `length` bytes at `offset`; fewer only at the end of the file (0: end). */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
  /** Re-opens after the transient failure `reason` (e.g. on a new connection); throws when it cannot. */
  reopen?(reason: Error, attempt: number): Promise<void>;
}

interface Request {
  offset: number;
  data: Promise<Buffer>;
}

/**
 * A Readable over positional reads that keeps `depth` requests in flight and delivers them in
 * order. Over SFTP one request per round trip would cap a download at chunk / latency (about
 * 3 MB/s at 20 ms); a window of requests fills the link the way uploads do. After a transient
 * failure the source is re-opened (up to `reopens` times) and reading resumes where it failed.
 */
export class ReadAheadStream extends Readable {
  private nextOffset = 0;
  private inFlight: Request[] = [];
  private pumping = false;
  private reopened = 0;

  constructor(
    private readonly source: RandomAccessSource,
    private readonly chunk = 64 * 1024,
    private readonly depth = 32,
    private readonly reopens = 0,
  ) {
    super({ highWaterMark: chunk * 4 });
  }

  private fill(): void {
    while (this.inFlight.length < this.depth && this.nextOffset < this.source.size) {
      const length = Math.min(this.chunk, this.source.size - this.nextOffset);
      const data = this.readFully(this.nextOffset, length);
      data.catch(() => undefined); // awaited in order later; not an unhandled rejection meanwhile
      this.inFlight.push({ offset: this.nextOffset, data });
      this.nextOffset += length;
    }
  }

  /** A server may answer with less than asked: ask again for the rest. */
  private async readFully(offset: number, length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < length) {
      const part = await this.source.read(offset + got, length - got);
      if (part.length === 0) break; // the file ended early (it shrank): deliver what there is
      parts.push(part);
      got += part.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        this.fill();
        const head = this.inFlight.shift();
        if (!head) {
          this.push(null);
          return;
        }
        let data: Buffer;
        try {
          data = await head.data;
        } catch (err) {
          if (!this.source.reopen || this.reopened >= this.reopens || !isTransient(err)) throw err;
          this.reopened++;
          // Drop the outstanding requests and ask again, from the failed one, once re-opened.
          this.inFlight = [];
          this.nextOffset = head.offset;
          await this.source.reopen(err as Error, this.reopened);
          continue;
        }
        if (this.destroyed) return;
        if (data.length > 0 && !this.push(data)) return; // resumed by the next _read
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.pumping = false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Not awaited: on a dead connection the close would never be answered, and the stream must
    // still end (with its error) for the reader.
    this.source.close().catch(() => undefined);
    callback(error);
  }
}
