import { execFile } from "node:child_process";
import { mkdir, statfs } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A small tmpfs mounted at `dir` (root only): a disk that fills up for real, so ENOSPC comes
 * from the kernel, not from a mock. Returns the unmount, or why it cannot be mounted here.
 */
export async function mountSmallDisk(dir: string, size: string): Promise<{ unmount: () => Promise<void> } | { unavailable: string }> {
  await mkdir(dir, { recursive: true });
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]);
  } catch (err) {
    return { unavailable: `cannot mount a tmpfs here (root needed): ${(err as Error).message}` };
  }
  return { unmount: async () => void (await run("umount", ["--lazy", dir])) };
}

/** Bytes still free on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}
