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
export function runtimeDirCandidates(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? -1, runExists = existsSync("/run")): { path: string; create: boolean }[] {
  const systemd = env.RUNTIME_DIRECTORY?.split(":")[0];
  if (systemd) return [{ path: systemd, create: false }];
  const candidates: { path: string; create: boolean }[] = [];
  if (env.XDG_RUNTIME_DIR) candidates.push({ path: join(env.XDG_RUNTIME_DIR, "vya-backupdb"), create: true });
  if (uid === 0 && runExists) candidates.push({ path: "/run/vya-backupdb", create: true });
  candidates.push({ path: join(env.TMPDIR || tmpdir(), `vya-backupdb-${uid}`), create: true });
  return candidates;
}

/**
 * The runtime directory, created 0700 if needed and checked to be a private directory of ours.
 * A place that cannot be created (read-only /run in a container) gives way to the next; one that
 * exists but is not private is refused, never silently worked around.
 */
export async function runtimeDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = runtimeDirCandidates(env);
  for (const [index, { path, create }] of candidates.entries()) {
    const last = index === candidates.length - 1;
    if (create) {
      try {
        await mkdir(path, { recursive: true, mode: 0o700 });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!last && (code === "EACCES" || code === "EROFS" || code === "ENOENT" || code === "EPERM")) continue;
        throw new OperationError(`cannot create the runtime directory ${path} for credential files: ${code ?? String(err)}`, { cause: err });
      }
    }
    const info = await lstat(path).catch((err: unknown) => {
      throw new OperationError(`cannot use the runtime directory ${path} for credential files: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    });
    const uid = process.getuid?.();
    if (!info.isDirectory() || (create && ((uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0))) {
      throw new OperationError(`${path} is not a private directory of this user (mode 0700), so credential files cannot go there: remove it, or set XDG_RUNTIME_DIR`);
    }
    return path;
  }
  throw new OperationError("no runtime directory for credential files");
}
