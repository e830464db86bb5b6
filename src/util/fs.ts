import { mkdir, open, rename, rm, chmod } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { randomBytes } from "node:crypto";

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

/** A temporary name beside `path`, in the same directory so the final rename is atomic. */
export function partialPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.partial`);
}

/** Writes a file under a temporary name, fsyncs it, renames it into place, fsyncs the directory. */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
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
    await rename(temp, path);
    await fsyncDir(dirname(path));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
