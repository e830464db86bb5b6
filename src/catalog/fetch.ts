import { createWriteStream } from "node:fs";
import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { LocalStorage } from "../storage/local.js";
import type { Storage } from "../storage/storage.js";
import { OperationError } from "../util/errors.js";
import { ownerTag } from "../util/owner.js";

/** An archive as a file on this machine (zip needs random access; pg_restore --jobs a file). */
export interface LocalArchive {
  path: string;
  /** Removes the downloaded copy, if one was made. */
  release(): Promise<void>;
}

/** The archive is not there (its sidecar may be): damage to report, exit 1, not a usage error. */
export class ArchiveMissingError extends OperationError {}

/**
 * Local storage is read in place, only from a regular file (a symlink planted in storage could
 * point anywhere: refused); any other storage is downloaded once into a private temporary
 * directory (under `scratchDir`, default the system temp dir).
 */
export async function localArchive(storage: Storage, key: string, scratchDir?: string): Promise<LocalArchive> {
  if (storage instanceof LocalStorage) {
    const path = storage.pathOf(key);
    const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") throw new ArchiveMissingError(`${path} is missing: the archive was deleted or never copied`, { cause: err });
      throw err;
    });
    if (info.isSymbolicLink()) throw new OperationError(`${path} is a symlink: refused (an archive is read only from a regular file, never through a link)`);
    if (!info.isFile()) throw new OperationError(`${path} is not a regular file: refused`);
    return { path, release: async () => undefined };
  }
  const dir = await mkdtemp(join(scratchDir ?? tmpdir(), `vya-fetch-${ownerTag()}-`));
  const path = join(dir, posix.basename(key));
  try {
    await pipeline(await storage.get(key), createWriteStream(path, { flags: "wx", mode: 0o600 }));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "NoSuchKey") throw new ArchiveMissingError(`${storage.describe(key)} is missing: the archive was deleted or never copied`, { cause: err });
    throw new OperationError(`cannot download ${storage.describe(key)}: ${(err as Error).message}`, { cause: err });
  }
  return { path, release: () => rm(dir, { recursive: true, force: true }) };
}
