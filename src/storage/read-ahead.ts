import { Readable } from "node:stream";
import type { SFTPWrapper, Stats } from "ssh2";

export interface RandomAccessSource {
  size: number;
  /** Reads up to `length` bytes at `offset`; fewer only at the end of the file (0: end). */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A Readable over positional reads that keeps `depth` requests in flight and delivers them in
 * order. Over SFTP one request per round trip would cap a download at chunk / latency (about
 * 3 MB/s at 20 ms); a window of requests fills the link the way uploads do.
 */
export class ReadAheadStream extends Readable {
  private nextOffset = 0;
  private readonly inFlight: Promise<Buffer>[] = [];
  private pumping = false;

  constructor(
    private readonly source: RandomAccessSource,
    private readonly chunk = 64 * 1024,
    private readonly depth = 32,
  ) {
    super({ highWaterMark: chunk * 4 });
  }

  private fill(): void {
    while (this.inFlight.length < this.depth && this.nextOffset < this.source.size) {
      const length = Math.min(this.chunk, this.source.size - this.nextOffset);
      const request = this.readFully(this.nextOffset, length);
      request.catch(() => undefined); // awaited in order later; not an unhandled rejection meanwhile
      this.inFlight.push(request);
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
        const data = await head;
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

/** A remote file on an SFTP channel as a ReadAheadStream (open, fstat for the size, pipelined reads). */
export async function openSftpReadStream(wrapper: SFTPWrapper, path: string): Promise<Readable> {
  const call = <T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
  const handle = await call<Buffer>((cb) => wrapper.open(path, "r", cb));
  try {
    const { size } = await call<Stats>((cb) => wrapper.fstat(handle, cb));
    return new ReadAheadStream({
      size,
      read: (offset, length) =>
        new Promise<Buffer>((resolve, reject) => {
          const buffer = Buffer.allocUnsafe(length);
          wrapper.read(handle, buffer, 0, length, offset, (err, bytes) => (err ? reject(err) : resolve(buffer.subarray(0, bytes))));
        }),
      close: () => call<void>((cb) => wrapper.close(handle, (err) => cb(err, undefined))),
    });
  } catch (err) {
    wrapper.close(handle, () => undefined);
    throw err;
  }
}
