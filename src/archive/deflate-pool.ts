import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * Worker threads that deflate blocks (pigz's method): each block is compressed as raw deflate
 * with the previous 32 KiB as its dictionary and ended by a sync flush, so the pieces simply
 * concatenate; the worker also returns the block's CRC-32, combined by the caller. One pool is
 * shared by every entry of an archive, so a zip of many files starts its threads once.
 */
export interface DeflatePoolOptions {
  level: number;
  /** Uncompressed bytes per block (pigz: 128 KiB); larger blocks mean fewer messages. */
  blockSize?: number;
  /** Worker threads (default: the cores Node may use). */
  threads?: number;
}

export interface DeflatedBlock {
  out: Uint8Array;
  crc: number;
  length: number;
}

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
  // One output chunk big enough for the whole block (deflate's bound: a few bytes per 16 KiB
  // stored): no list of 16 KiB chunks concatenated, and that one buffer moves to the main thread
  // instead of being copied (never a pooled one: 64 KiB at least). Garbage in the worker grew
  // its memory by ~50 MiB per thread.
  const options = { level, finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: Math.max(65536, input.length + (input.length >> 8) + 1024) };
  if (dictionary) options.dictionary = dictionary;
  const out = zlib.deflateRawSync(input, options);
  const crc = zlib.crc32(input);
  // The input block goes back too, to be filled again: no new block per message.
  parentPort.postMessage({ id, out, crc, length: input.length, data }, [out.buffer, data.buffer]);
});
`;

interface Reply extends DeflatedBlock {
  id: number;
  data: Uint8Array;
}

export class DeflatePool {
  readonly level: number;
  readonly blockSize: number;
  /** Blocks a stream may have in flight: two per thread keeps every core busy while output is written. */
  readonly maxInFlight: number;
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (block: DeflatedBlock) => void; reject: (err: Error) => void }>();
  /** Input blocks back from the workers, reused: memory stays flat, not one new block per MiB. */
  private readonly free: Uint8Array[] = [];
  private nextId = 0;
  private failure: Error | null = null;

  constructor(options: DeflatePoolOptions) {
    this.level = options.level;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK;
    const threads = Math.max(1, options.threads ?? availableParallelism());
    this.maxInFlight = threads * 2;
    this.workers = Array.from({ length: threads }, () => {
      // Small heaps: a block's buffers are garbage once sent back, and small young generations collect them soon.
      const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } });
      worker.on("message", (reply: Reply) => this.onReply(reply));
      worker.on("error", (err) => this.fail(err));
      return worker;
    });
  }

  /** A block-sized buffer to fill and hand to deflate(). */
  takeBuffer(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(this.blockSize);
  }

  /** Deflates `block` (a view of a buffer from takeBuffer(), which moves to the worker). */
  deflate(block: Uint8Array, dictionary: Buffer | null): Promise<DeflatedBlock> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const promise = new Promise<DeflatedBlock>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // The whole buffer travels; the worker reads the block's view of it.
    (this.workers[id % this.workers.length] as Worker).postMessage({ id, data: block, dictionary, level: this.level }, [block.buffer as ArrayBuffer]);
    return promise;
  }

  close(): void {
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
    this.fail(new Error("the deflate pool was closed"));
  }

  private onReply(reply: Reply): void {
    this.free.push(new Uint8Array(reply.data.buffer));
    const waiter = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    waiter?.resolve({ out: reply.out, crc: reply.crc, length: reply.length });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
