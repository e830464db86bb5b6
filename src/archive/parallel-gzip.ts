import { availableParallelism } from "node:os";
import { Transform, type TransformCallback } from "node:stream";
import { Worker } from "node:worker_threads";
import { crc32Combine } from "./crc32-combine.js";

/**
 * gzip on every core, pigz's method: the input is cut into blocks, each deflated on a worker
 * thread with the previous 32 KiB as its dictionary and ended by a sync flush (so the raw
 * deflate pieces simply concatenate), the CRC-32 of each block computed there and combined
 * here. One standard gzip stream comes out: gzip, tar, unzip and zlib read it as any other.
 */
export interface ParallelGzipOptions {
  level: number;
  /** Uncompressed bytes per block (pigz: 128 KiB); larger blocks mean fewer messages. */
  blockSize?: number;
  /** Worker threads (default: the cores Node may use). */
  threads?: number;
}

const DICTIONARY = 32 * 1024;
const DEFAULT_BLOCK = 1024 * 1024;

/**
 * The worker's whole code, run with `eval: true`: it needs no file on disk, so it works from
 * `dist/cli.js` and from one bundled CommonJS file (the single executable) alike.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
parentPort.on("message", ({ id, data, dictionary, level }) => {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const options = { level, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (dictionary) options.dictionary = dictionary;
  const out = zlib.deflateRawSync(input, options);
  const crc = zlib.crc32(input);
  const copy = new Uint8Array(out.length);
  copy.set(out);
  // The input block goes back too, to be filled again: no new block per message.
  parentPort.postMessage({ id, out: copy, crc, length: input.length, data }, [copy.buffer, data.buffer]);
});
`;

/** gzip header: no name, no mtime (reproducible), OS unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
/** An empty final deflate block (fixed Huffman, BFINAL set): ends the sync-flushed pieces. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

interface Done {
  id: number;
  out: Uint8Array;
  crc: number;
  length: number;
  /** The input block, handed back for reuse. */
  data: Uint8Array;
}

export function createParallelGzip(options: ParallelGzipOptions): Transform {
  return new ParallelGzip(options);
}

class ParallelGzip extends Transform {
  private readonly level: number;
  private readonly blockSize: number;
  private readonly workers: Worker[];
  /** Blocks sent and not yet written out, at most 2 per worker (bounded memory). */
  private readonly inFlight = new Map<number, Done | null>();
  private readonly maxInFlight: number;
  private pending: Buffer[] = [];
  /** Input blocks back from the workers, reused: memory stays flat, not one new block per MiB. */
  private readonly free: Uint8Array[] = [];
  private pendingBytes = 0;
  private dictionary: Buffer | null = null;
  private nextId = 0;
  private nextOut = 0;
  private crc = 0;
  private size = 0;
  private headerWritten = false;
  /** Called when a slot frees up (the writer waits on it). */
  private waiting: (() => void) | null = null;
  private failed: Error | null = null;

  constructor(options: ParallelGzipOptions) {
    super();
    this.level = options.level;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK;
    const threads = Math.max(1, options.threads ?? availableParallelism());
    this.maxInFlight = threads * 2;
    this.workers = Array.from({ length: threads }, () => {
      // Small heaps: a block's buffers are garbage once sent back, and small young generations collect them soon.
      const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } });
      worker.on("message", (done: Done) => this.onDone(done));
      worker.on("error", (err) => this.fail(err));
      return worker;
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drainBlocks(false).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.drainBlocks(true)
      .then(() => this.whenIdle())
      .then(() => {
        this.writeHeader();
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(this.crc >>> 0, 0);
        trailer.writeUInt32LE(this.size % 2 ** 32, 4);
        this.push(Buffer.concat([FINAL_BLOCK, trailer]));
        this.stopWorkers();
        callback();
      }, callback);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.stopWorkers();
    callback(err);
  }

  /** Sends whole blocks (and, at the end, the rest); waits while the in-flight window is full. */
  private async drainBlocks(end: boolean): Promise<void> {
    while (this.pendingBytes >= this.blockSize || (end && this.pendingBytes > 0)) {
      if (this.failed) throw this.failed;
      await this.slot();
      const take = Math.min(this.blockSize, this.pendingBytes);
      // Its own memory (it moves to the worker): a reused block, filled from the pending chunks.
      const whole = this.free.pop() ?? new Uint8Array(this.blockSize);
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
      const id = this.nextId++;
      this.inFlight.set(id, null);
      const dictionary = this.dictionary;
      this.dictionary = Buffer.from(block.subarray(Math.max(0, take - DICTIONARY)));
      // The whole buffer travels; the worker reads the block's view of it.
      (this.workers[id % this.workers.length] as Worker).postMessage({ id, data: block, dictionary, level: this.level }, [block.buffer as ArrayBuffer]);
    }
  }

  private slot(): Promise<void> {
    if (this.inFlight.size < this.maxInFlight) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private whenIdle(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.waiting = resolve)).then(() => this.whenIdle());
  }

  /** Blocks come back in any order; they are written in input order. */
  private onDone(done: Done): void {
    this.inFlight.set(done.id, done);
    this.free.push(new Uint8Array(done.data.buffer));
    this.writeHeader();
    for (let next = this.inFlight.get(this.nextOut); next; next = this.inFlight.get(this.nextOut)) {
      this.inFlight.delete(this.nextOut);
      this.nextOut++;
      this.crc = crc32Combine(this.crc, next.crc, next.length);
      this.size += next.length;
      this.push(Buffer.from(next.out.buffer, next.out.byteOffset, next.out.byteLength));
    }
    const wake = this.waiting;
    this.waiting = null;
    wake?.();
  }

  private writeHeader(): void {
    if (this.headerWritten) return;
    this.headerWritten = true;
    this.push(HEADER);
  }

  private fail(err: Error): void {
    this.failed ??= err;
    const wake = this.waiting;
    this.waiting = null;
    wake?.();
    this.destroy(err);
  }

  private stopWorkers(): void {
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
  }
}
