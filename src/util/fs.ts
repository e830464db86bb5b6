import { mkdir, open, rename, rm, chmod, link, lstat, unlink } from "node:fs/promises";
import { OperationError } from "./errors.js";
import { dirname, basename, join } from "node:path";
import { randomBytes } from "node:crypto";
import { ownerTag } from "./owner.js";

/** Creates a directory tree with 0700 directories (backups are private). */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
}

/** fsync a directory so a rename in it survives a crash. */
export async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A temporary name beside `path`, in the same directory so the final rename is atomic:
 * `.<name>.<owner tag>.<random>.partial`, the owner tag telling a later run whether its writer is gone.
 */
export function partialPath(path: string): string {
  return join(dirname(path), partialName(basename(path)));
}

export function partialName(name: string): string {
  return `.${name}.${ownerTag()}.${randomBytes(4).toString("hex")}.partial`;
}

/** Link failures that mean "this file system has no hard links", not "the name is taken". */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"]);

/**
 * Gives `from` the name `to` only if `to` does not exist yet: a clash throws (naming the file)
 * instead of silently replacing an earlier backup. A hard link is the atomic no-replace rename
 * node offers; file systems without hard links fall back to check-then-rename, which names
 * that are unique by construction make safe in practice.
 */
export async function renameNoReplace(from: string, to: string): Promise<void> {
  const taken = () => new OperationError(`${to} already exists: refusing to replace it (two backups were given one name)`);
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw taken();
    if (!code || !NO_HARD_LINKS.has(code)) throw err;
    if (await lstat(to).then(() => true, () => false)) throw taken();
    await rename(from, to);
    return;
  }
  await unlink(from);
}

export interface AtomicWriteOptions {
  /** Fail instead of replacing an existing file. */
  exclusive?: boolean;
}

/** Writes a file under a temporary name, fsyncs it, renames it into place, fsyncs the directory. */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o600, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = partialPath(path);
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode);
    if (options.exclusive) await renameNoReplace(temp, path);
    else await rename(temp, path);
    await fsyncDir(dirname(path));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
