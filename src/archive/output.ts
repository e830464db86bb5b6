import { createWriteStream } from "node:fs";
import { open, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { Duplex, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fsyncDir, partialPath, renameNoReplace } from "../util/fs.js";
import { ioFailure } from "../util/io-error.js";
import { HashCounter } from "./hash-counter.js";

export interface CommittedArchive {
  path: string;
  size_bytes: number;
  sha256: string;
}

/**
 * Where an archive's bytes go: a hidden temporary file beside the destination, hashed and
 * counted on the way. Only commit() gives it its final name (after fsync, never replacing an
 * existing file); abort() removes it.
 */
export interface ArchiveOutput {
  /** Write the archive's bytes here and end it. */
  readonly sink: Writable;
  readonly path: string;
  readonly partial: string;
  /** Bytes written so far (for progress lines). */
  readonly bytesWritten: number;
  commit(): Promise<CommittedArchive>;
  abort(): Promise<void>;
}

/**
 * `stages`: streams the archive's bytes pass through before they are hashed and stored (the
 * encryption stage: compressed archive → age → hash → file), so the stored file's hash is the
 * one recorded and no earlier form of the bytes reaches the disk.
 */
export function openArchiveOutput(path: string, stages: readonly Duplex[] = []): ArchiveOutput {
  const partial = partialPath(path);
  const hasher = new HashCounter();
  const file = createWriteStream(partial, { flags: "wx", mode: 0o600 });
  // A write error (ENOSPC) fails the sink the archive writer writes to, named, before pipeline()
  // passes on the bare one: the writer stops, and the error says which file and what phase.
  let failure: Error | undefined;
  file.on("error", (err) => {
    failure = ioFailure("writing the archive", partial, err);
    hasher.destroy(failure);
  });
  const flushed = pipeline([...stages, hasher, file]).catch((err: unknown) => {
    throw failure ?? err;
  });
  // Keep an early failure (e.g. ENOSPC) from being unhandled before commit/abort looks at it.
  flushed.catch(() => undefined);
  let done = false;
  return {
    sink: stages[0] ?? hasher,
    path,
    partial,
    get bytesWritten() {
      return hasher.bytes;
    },
    async commit() {
      await flushed;
      const handle = await open(partial, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      // Never over an existing file: a name clash fails this unit, it does not erase a backup.
      await renameNoReplace(partial, path);
      done = true;
      await fsyncDir(dirname(path));
      return { path, size_bytes: hasher.bytes, sha256: hasher.digest() };
    },
    async abort() {
      if (done) return;
      hasher.destroy();
      await flushed.catch(() => undefined);
      await rm(partial, { force: true });
    },
  };
}
