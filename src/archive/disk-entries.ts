import { constants, type Stats } from "node:fs";
import { lstat, open, readlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { EntryWriter } from "./entry.js";
import { readFileBody, type BodyChange } from "./file-body.js";

/** Why an entry listed earlier could not be archived. */
export type EntryProblem = "missing" | "unreadable";

export class EntryReadError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    /** null: an error no option leaves out (EIO half-way through a file). */
    readonly problem: EntryProblem | null,
    options?: { cause?: unknown },
  ) {
    super(`could not read ${path} (${code})`, options);
  }
}

export interface DiskEntriesInput {
  /** Directory the entry names are relative to ("/" for files backups). */
  root: string;
  /** Entry names relative to root; directories are not recursed into. */
  names: readonly string[];
  /** Return true to leave the entry out (with a warning), false to fail the archive. */
  skip: (problem: EntryProblem) => boolean;
  signal?: AbortSignal | undefined;
}

/**
 * Puts entries from disk into an archive, the same way for every format. Each file is opened
 * once (never through a symlink, never blocking on a FIFO) and its bytes come from that one
 * descriptor, so what is recorded is what was read. Special files (FIFOs, sockets, devices) are
 * left out with a warning; a file that changes while read is archived as read, with a warning.
 */
export async function addDiskEntries(writer: EntryWriter, input: DiskEntriesInput): Promise<{ warnings: string[] }> {
  const warnings: string[] = [];
  // A regular file with more than one name is stored once; the other names become hard links (tar only).
  const linked = new Map<string, string>();
  const fail = (abs: string, err: unknown): void => {
    const code = (err as NodeJS.ErrnoException).code ?? "EIO";
    const problem = problemOf(code);
    if (!problem || !input.skip(problem)) throw new EntryReadError(abs, code, problem ?? null, { cause: err });
    warnings.push(`left out: ${abs} (${code}: ${problem === "missing" ? "vanished since it was listed" : "not readable by this user"})`);
  };
  for (const name of input.names) {
    if (input.signal?.aborted) throw input.signal.reason ?? new Error("interrupted");
    const abs = join(input.root, name);
    let stat: Stats;
    try {
      stat = await lstat(abs);
    } catch (err) {
      fail(abs, err);
      continue;
    }
    if (stat.isDirectory()) await writer.addDirectory(name, stat);
    else if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = await readlink(abs);
      } catch (err) {
        fail(abs, err);
        continue;
      }
      await writer.addSymlink(name, target, stat);
    } else if (stat.isFile()) {
      let handle: FileHandle;
      try {
        // O_NONBLOCK: if the file was swapped for a FIFO since lstat, open must not wait for a writer.
        handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (err) {
        fail(abs, err);
        continue;
      }
      try {
        const opened = await handle.stat();
        if (!opened.isFile()) {
          warnings.push(leftOutSpecial(abs, opened));
          continue;
        }
        const key = `${opened.dev}:${opened.ino}`;
        const first = opened.nlink > 1 ? linked.get(key) : undefined;
        if (first !== undefined && writer.addHardlink) {
          await writer.addHardlink(name, first, opened);
          continue;
        }
        if (opened.nlink > 1) linked.set(key, name);
        await writer.addFile(name, opened, named(abs, readFileBody(handle, opened, (change) => warnings.push(changedWhileRead(abs, opened, change)))));
      } finally {
        await handle.close();
      }
    } else warnings.push(leftOutSpecial(abs, stat));
  }
  return { warnings };
}

/** A read error half-way through a file (EIO) fails the archive, naming the file. */
async function* named(abs: string, body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* body;
  } catch (err) {
    throw new EntryReadError(abs, (err as NodeJS.ErrnoException).code ?? "EIO", null, { cause: err });
  }
}

function problemOf(code: string): EntryProblem | undefined {
  // ENOTDIR / ELOOP: a parent or the file itself was replaced (by a file, by a symlink) since listing.
  if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return "missing";
  if (code === "EACCES" || code === "EPERM") return "unreadable";
  return undefined;
}

function leftOutSpecial(abs: string, stat: Stats): string {
  const kind = stat.isFIFO() ? "a FIFO" : stat.isSocket() ? "a socket" : stat.isCharacterDevice() ? "a character device" : stat.isBlockDevice() ? "a block device" : "not a regular file";
  return `left out: ${abs} (${kind}: only regular files, directories and symlinks are archived)`;
}

function changedWhileRead(abs: string, stat: Stats, change: BodyChange): string {
  switch (change.kind) {
    case "grew":
      return `${abs} grew while being read: archived its first ${stat.size} bytes (its size when opened)`;
    case "shrank":
      return `${abs} shrank while being read: archived the ${change.read} bytes read, padded with zeros to ${stat.size} bytes (its size when opened)`;
    case "modified":
      return `${abs} changed while being read: archived as read, it may mix old and new content`;
  }
}
