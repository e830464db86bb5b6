import { Duplex, type TransformCallback } from "node:stream";

/** Starts a Web-stream transformation (typage's encrypt/decrypt) on the source it is given. */
export type WebTransformStart = (source: ReadableStream<Uint8Array>) => Promise<ReadableStream<Uint8Array>>;

/**
 * A Node Duplex around a Web-stream transformation, pull-based both ways so memory stays
 * bounded: the Web source asks for the next chunk only when the transformation wants it, and a
 * written chunk is acknowledged only once it was handed over (at most one chunk waits); the
 * output is read only while the Node side wants more. (Readable.toWeb buffers the whole input
 * when the consumer is slower: measured RSS grew to the file size.)
 */
export class WebBridge extends Duplex {
  private waiting: ((result: IteratorResult<Uint8Array, undefined>) => void) | null = null;
  private queued: { chunk: Buffer; callback: TransformCallback } | null = null;
  private ended = false;
  private reading = false;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private readonly ready: Promise<void>;

  constructor(start: WebTransformStart) {
    super();
    const source = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const next = await this.nextInput();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        cancel: (reason) => {
          this.destroy(reason instanceof Error ? reason : undefined);
        },
      },
      { highWaterMark: 0 },
    );
    this.ready = start(source).then((output) => {
      this.reader = output.getReader();
    });
    // A failure to start (no identity matched the header) fails the stream; pump() reports it.
    this.ready.catch((err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))));
  }

  private nextInput(): Promise<IteratorResult<Uint8Array, undefined>> {
    const queued = this.queued;
    if (queued) {
      this.queued = null;
      queued.callback();
      return Promise.resolve({ done: false, value: toBytes(queued.chunk) });
    }
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting({ done: false, value: toBytes(chunk) });
      callback();
    } else this.queued = { chunk, callback };
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ done: true, value: undefined });
    callback();
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      await this.ready;
      const reader = this.reader;
      if (!reader) return;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          this.push(null);
          return;
        }
        if (!this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) {
          this.reading = false;
          return;
        }
      }
    } catch (err) {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.reader?.cancel(error ?? undefined).catch(() => undefined);
    const queued = this.queued;
    this.queued = null;
    queued?.callback(error ?? new Error("stream destroyed"));
    callback(error);
  }
}

function toBytes(chunk: Buffer): Uint8Array {
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
