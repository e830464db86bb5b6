import { decompressedFile, type CompressionAlgorithm } from "../archive/compressor.js";
import { Parser, type ReadEntry } from "tar";
import { OperationError } from "../util/errors.js";
import type { ArchiveEntry, EntryType, ReadOptions } from "./entries.js";

/**
 * Reads a tar.gz with node-tar's parser in strict mode: a bad header, a bad checksum, a
 * truncated body or a damaged gzip stream is an error, never a warning. Bodies flow with
 * back-pressure: the parser waits until the current entry has been read.
 */
export async function* readTarEntries(path: string, algorithm: CompressionAlgorithm, options: ReadOptions): AsyncGenerator<ArchiveEntry> {
  const label = algorithm === "gzip" ? "tar.gz" : "tar.zst";
  const parser = new Parser({ strict: true });
  const queue: ReadEntry[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  parser.on("entry", (entry: ReadEntry) => {
    queue.push(entry);
    notify();
  });
  // The entry whose body is being read: a damaged or cut archive must end it with an error,
  // or its reader would wait forever for bytes that never come.
  let current: ReadEntry | null = null;
  const abortCurrent = (err: Error) => {
    const entry = current;
    current = null;
    if (entry && !entry.emittedEnd) (entry as unknown as { destroy(er: Error): void }).destroy(err);
  };
  parser.on("end", () => {
    ended = true;
    abortCurrent(new Error("the archive ends inside an entry (truncated)"));
    notify();
  });
  const fail = (err: Error) => {
    failure ??= err;
    abortCurrent(err);
    notify();
  };
  parser.on("error", fail);
  // Decompressed here rather than by the parser: 256 KiB chunks instead of 16 KiB ones.
  const gunzip = decompressedFile(path, algorithm);
  gunzip.on("error", fail);
  gunzip.pipe(parser as unknown as NodeJS.WritableStream);

  try {
    while (true) {
      options.signal?.throwIfAborted();
      if (failure) throw new OperationError(`${label} archive unreadable: ${describeTarError(failure)}`, { cause: failure });
      const entry = queue.shift();
      if (!entry) {
        if (ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      let consumed = false;
      const type = tarType(entry.type);
      yield {
        name: entry.path,
        type,
        mode: typeof entry.mode === "number" ? entry.mode & 0o7777 : null,
        mtime: entry.mtime ?? null,
        size: type === "file" ? (entry.size ?? 0) : 0,
        linkTarget: entry.linkpath ?? null,
        uid: entry.uid ?? null,
        gid: entry.gid ?? null,
        crc32: null,
        body: () => {
          consumed = true;
          current = entry;
          return bodyOf(entry, () => failure, label);
        },
      };
      if (!consumed) entry.resume();
    }
  } finally {
    gunzip.destroy();
  }
}

/** The entry's bytes; a truncated archive ends the body early, so the parser's error is rechecked. */
async function* bodyOf(entry: ReadEntry, failure: () => Error | null, label: string): AsyncGenerator<Buffer> {
  let bytes = 0;
  try {
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      yield chunk;
    }
  } catch (err) {
    const cause = failure() ?? (err as Error);
    throw new OperationError(`${label} archive unreadable: ${describeTarError(cause)}`, { cause });
  }
  const err = failure();
  if (err) throw new OperationError(`${label} archive unreadable: ${describeTarError(err)}`, { cause: err });
  if (bytes !== (entry.size ?? 0)) throw new OperationError(`${label} archive unreadable: ${entry.path} ends after ${bytes} of ${entry.size} bytes (truncated)`);
}

function tarType(type: string): EntryType {
  switch (type) {
    case "File":
    case "OldFile":
    case "ContiguousFile":
      return "file";
    case "Directory":
      return "directory";
    case "SymbolicLink":
      return "symlink";
    case "Link":
      return "hardlink";
    default:
      return "other";
  }
}

function describeTarError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "Z_BUF_ERROR" || /unexpected end/i.test(err.message)) return "the gzip stream ends early (truncated archive)";
  if (code === "Z_DATA_ERROR") return `the gzip stream is damaged (${err.message})`;
  return err.message;
}
