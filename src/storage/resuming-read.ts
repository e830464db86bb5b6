import { Readable } from "node:stream";
import { isTransient } from "./retry.js";

export interface RangeOpener {
  /** The content from `offset` to the end (a new request each time). */
  open(offset: number): Promise<Readable>;
  size: number;
  /** How many times a broken response may be resumed. */
  resumes: number;
  /** Waits before resuming (backoff); attempt is 1-based. */
  delay(attempt: number): Promise<void>;
  onResume?: (reason: Error, attempt: number) => void;
}

/**
 * A download that survives its connection breaking: when the response stream fails with a
 * transient error (or ends early), the rest is requested again from the byte where it stopped.
 */
export class ResumingReadStream extends Readable {
  private offset = 0;
  private body: Readable | undefined;
  private opening = false;
  private resumed = 0;

  constructor(private readonly opener: RangeOpener) {
    super();
  }

  override _read(): void {
    if (this.body) this.body.resume();
    else if (!this.opening) void this.start();
  }

  private async start(): Promise<void> {
    this.opening = true;
    try {
      const body = await this.opener.open(this.offset);
      this.opening = false;
      if (this.destroyed) {
        body.destroy();
        return;
      }
      this.body = body;
      body.on("data", (chunk: Buffer) => {
        if (this.body !== body) return;
        this.offset += chunk.length;
        if (!this.push(chunk)) body.pause();
      });
      body.once("end", () => {
        if (this.body !== body) return;
        this.body = undefined;
        if (this.offset >= this.opener.size) this.push(null);
        else void this.failed(Object.assign(new Error(`the response ended at byte ${this.offset} of ${this.opener.size}`), { code: "ECONNRESET" }));
      });
      body.once("error", (err) => {
        if (this.body !== body) return;
        this.body = undefined;
        void this.failed(err);
      });
    } catch (err) {
      this.opening = false;
      await this.failed(err as Error);
    }
  }

  private async failed(err: Error): Promise<void> {
    if (this.destroyed) return;
    if (this.resumed >= this.opener.resumes || !isTransient(err)) {
      this.destroy(err);
      return;
    }
    this.resumed++;
    this.opener.onResume?.(err, this.resumed);
    // "opening" through the backoff too, so a _read meanwhile does not start a second request.
    this.opening = true;
    await this.opener.delay(this.resumed);
    if (!this.destroyed) await this.start();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.body?.destroy();
    callback(error);
  }
}
