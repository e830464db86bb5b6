import type { Stats } from "node:fs";
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Pack, ReadEntry } from "tar";
import { createCompressor, type CompressionSpec } from "./compressor.js";
import type { ContentEntry } from "./entry.js";

export interface TarGzInput {
  /** Directory the entry names are relative to ("/" for files backups). */
  root: string;
  /** Entry names relative to root; directories are not recursed into. */
  entries: string[];
  out: Writable;
  compression: CompressionSpec;
  signal?: AbortSignal | undefined;
  /**
   * Called for an entry that cannot be read any more (vanished, unreadable): return true to leave
   * it out, false to fail the archive. Without it, any such entry fails the archive.
   */
  skipUnreadable?: (path: string, code: string) => boolean;
}

export class UnreadableEntryError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`could not read ${path} (${code})`, options);
  }
}

/**
 * Streams a tar.gz of files on disk: node-tar reads each file in chunks (never whole),
 * keeps modes, mtimes, owners, unicode names (PAX) and stores symlinks as symlinks.
 * Entries are fed one at a time, each checked just before, so a file that vanished since the
 * listing is noticed by name rather than as an anonymous stream error.
 */
export async function writeTarGz(input: TarGzInput): Promise<{ contents: ContentEntry[] }> {
  const contents: ContentEntry[] = [];
  const pack = new Pack({
      cwd: input.root,
      noDirRecurse: true,
      portable: false,
      // node-tar reads up to 16 MiB per fs.read by default; 1 MiB keeps peak memory flat at the same speed.
      maxReadSize: 1024 * 1024,
      filter: (path: string, entry: Stats | ReadEntry) => {
        if (entry instanceof ReadEntry) return true;
        contents.push({ name: path.replace(/^\.\//, ""), size: entry.isFile() ? entry.size : 0, type: entryType(entry) });
        return true;
      },
  });
  const written = pipeline(pack as unknown as NodeJS.ReadableStream, createCompressor(input.compression), input.out, { signal: input.signal }).catch(
    (err: NodeJS.ErrnoException) => {
      // A race node-tar lost (the file went away between our check and its read): still name it.
      if ((err.code === "ENOENT" || err.code === "EACCES") && err.path) throw new UnreadableEntryError(err.path, err.code, { cause: err });
      throw err;
    },
  );
  try {
    for (const entry of input.entries) {
      if (input.signal?.aborted) break;
      const code = await lstat(join(input.root, entry)).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err.code ?? "EIO",
      );
      if (code !== undefined) {
        if (input.skipUnreadable?.(entry, code)) continue;
        throw new UnreadableEntryError(join(input.root, entry), code);
      }
      if (!pack.write(entry)) await new Promise<void>((resolve) => pack.once("drain", resolve));
    }
    pack.end();
  } catch (err) {
    pack.destroy?.(err as Error);
    await written.catch(() => undefined);
    throw err;
  }
  await written;
  return { contents };
}

function entryType(stat: Stats): ContentEntry["type"] {
  if (stat.isDirectory()) return "directory";
  if (stat.isSymbolicLink()) return "symlink";
  return "file";
}
