import type { Readable } from "node:stream";
import type { SFTPWrapper, Stats } from "ssh2";
import { ReadAheadStream, type RandomAccessSource } from "./read-ahead.js";
import { PermanentError } from "./retry.js";

/** An SFTP channel on a live connection; `onLost` registers a callback for when it drops. */
export interface SftpChannel {
  wrapper: SFTPWrapper;
  onLost(fail: (error: Error) => void): () => void;
}

const call = <T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/**
 * A remote file as a ReadAheadStream: pipelined reads, and after a lost connection the file is
 * opened again on a new one (from `reconnect()`) and reading resumes at the failed offset.
 * ssh2 never answers requests pending on a dead connection, so they are failed on `onLost`.
 */
export interface SftpReadOptions {
  /** A channel on a new connection, after the previous one was lost. */
  reconnect: () => Promise<SftpChannel>;
  /** How many times a lost connection may be replaced during one download. */
  reopens: number;
  onReopen?: (reason: Error, attempt: number) => void;
}

export async function openSftpReadStream(first: SftpChannel, path: string, options: SftpReadOptions): Promise<Readable> {
  const pending = new Set<(error: Error) => void>();
  const failPending = (error: Error) => {
    for (const reject of pending) reject(error);
    pending.clear();
  };
  const open = async (ch: SftpChannel) => {
    const unlisten = ch.onLost(failPending);
    try {
      const handle = await call<Buffer>((cb) => ch.wrapper.open(path, "r", cb));
      const { size } = await call<Stats>((cb) => ch.wrapper.fstat(handle, cb));
      return { wrapper: ch.wrapper, handle, size, unlisten };
    } catch (err) {
      unlisten();
      throw err;
    }
  };
  let current = await open(first);
  const size = current.size;
  const source: RandomAccessSource = {
    size,
    read: (offset, length) =>
      new Promise<Buffer>((resolve, reject) => {
        const buffer = Buffer.allocUnsafe(length);
        pending.add(reject);
        current.wrapper.read(current.handle, buffer, 0, length, offset, (err, bytes) => {
          pending.delete(reject);
          if (err) reject(err);
          else resolve(buffer.subarray(0, bytes));
        });
      }),
    close: async () => {
      current.unlisten();
      await call<void>((cb) => current.wrapper.close(current.handle, (err) => cb(err, undefined)));
    },
    reopen: async (reason, attempt) => {
      options.onReopen?.(reason, attempt);
      current.unlisten();
      current.wrapper.close(current.handle, () => undefined); // the old connection may never answer
      current = await open(await options.reconnect());
      if (current.size !== size) throw new PermanentError(`${path} changed size on the server during the download (${size} → ${current.size} bytes)`);
    },
  };
  return new ReadAheadStream(source, 64 * 1024, 32, options.reopens);
}
