import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
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

/**
 * Local storage is read in place; any other storage is downloaded once into a private
 * temporary directory (under `scratchDir`, default the system temp dir).
 */
export async function localArchive(storage: Storage, key: string, scratchDir?: string): Promise<LocalArchive> {
  if (storage instanceof LocalStorage) return { path: storage.pathOf(key), release: async () => undefined };
  const dir = await mkdtemp(join(scratchDir ?? tmpdir(), `vya-fetch-${ownerTag()}-`));
  const path = join(dir, posix.basename(key));
  try {
    await pipeline(await storage.get(key), createWriteStream(path, { flags: "wx", mode: 0o600 }));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new OperationError(`cannot download ${storage.describe(key)}: ${(err as Error).message}`, { cause: err });
  }
  return { path, release: () => rm(dir, { recursive: true, force: true }) };
}
