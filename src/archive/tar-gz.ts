import type { Stats } from "node:fs";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { create, ReadEntry } from "tar";
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
}

export interface TarGzResult {
  contents: ContentEntry[];
  /** Paths that could not be read (vanished, unreadable) and were therefore left out. */
  problems: { path: string; reason: string }[];
}

/**
 * Streams a tar.gz of files on disk: node-tar reads each file in chunks (never whole),
 * keeps modes, mtimes, unicode names (PAX) and stores symlinks as symlinks.
 */
export async function writeTarGz(input: TarGzInput): Promise<TarGzResult> {
  const contents: ContentEntry[] = [];
  const problems: TarGzResult["problems"] = [];
  const pack = create(
    {
      cwd: input.root,
      noDirRecurse: true,
      portable: false,
      // node-tar reports unreadable or vanished files as warnings and leaves them out; we decide.
      onwarn: (_code: string, message: string | Error, data?: unknown) => {
        const detail = data as { path?: string; code?: string } | undefined;
        const reason = message instanceof Error ? message.message : message;
        problems.push({ path: detail?.path ?? reason, reason: detail?.code ?? reason });
      },
      filter: (path: string, entry: Stats | ReadEntry) => {
        if (entry instanceof ReadEntry) return true;
        contents.push({ name: path.replace(/^\.\//, ""), size: entry.isFile() ? entry.size : 0, type: entryType(entry) });
        return true;
      },
    },
    input.entries,
  );
  await pipeline(pack as unknown as NodeJS.ReadableStream, createCompressor(input.compression), input.out, { signal: input.signal });
  return { contents, problems };
}

function entryType(stat: Stats): ContentEntry["type"] {
  if (stat.isDirectory()) return "directory";
  if (stat.isSymbolicLink()) return "symlink";
  return "file";
}
