import { existsSync } from "node:fs";
import { lstat, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OperationError } from "./errors.js";

/**
 * Where credential files go: a private directory the tool finds again at every run (so the next
 * run can remove what a killed one left), never a shared /tmp directly. In order:
 *   1. $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=; emptied by systemd when the service stops)
 *   2. $XDG_RUNTIME_DIR/vya-backupdb (a user session's tmpfs, /run/user/<uid>)
 *   3. /run/vya-backupdb when running as root (tmpfs: gone after a power loss)
 *   4. <system temp dir>/vya-backupdb-<uid>, 0700, refused unless it is ours and private
 * Each credential file still gets its own 0700 folder inside.
 */
export function runtimeDirCandidate(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? -1, runExists = existsSync("/run")): { path: string; create: boolean } {
  const systemd = env.RUNTIME_DIRECTORY?.split(":")[0];
  if (systemd) return { path: systemd, create: false };
  if (env.XDG_RUNTIME_DIR) return { path: join(env.XDG_RUNTIME_DIR, "vya-backupdb"), create: true };
  if (uid === 0 && runExists) return { path: "/run/vya-backupdb", create: true };
  return { path: join(env.TMPDIR || tmpdir(), `vya-backupdb-${uid}`), create: true };
}

/** The runtime directory, created 0700 if needed and checked to be a private directory of ours. */
export async function runtimeDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { path, create } = runtimeDirCandidate(env);
  if (create) await mkdir(path, { recursive: true, mode: 0o700 });
  const info = await lstat(path).catch((err: unknown) => {
    throw new OperationError(`cannot use the runtime directory ${path} for credential files: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  });
  const uid = process.getuid?.();
  if (!info.isDirectory() || (create && ((uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0))) {
    throw new OperationError(`${path} is not a private directory of this user (mode 0700), so credential files cannot go there: remove it, or set XDG_RUNTIME_DIR`);
  }
  return path;
}
