import { readdir, type Dirent } from "node:fs";
import { lstat } from "node:fs/promises";
import fg from "fast-glob";
import { OperationError } from "../util/errors.js";

export interface MatchedPaths {
  /** Paths to archive, relative to "/", sorted. */
  paths: string[];
  /** Directories whose contents could not be listed and were left out (ignore_unreadable). */
  warnings: string[];
}

/**
 * Expands a files instance's patterns into the exact list of paths to archive, relative to "/".
 * Dot-files are included; symlinks are listed but never followed; a literal directory (no glob
 * characters) means its whole tree. A directory this user may not list fails the listing unless
 * `ignoreUnreadable`, which leaves its contents out with a warning naming it.
 */
export async function listMatchedPaths(patterns: readonly string[], exclude: readonly string[], options: { ignoreUnreadable?: boolean } = {}): Promise<MatchedPaths> {
  const relative = (p: string) => p.replace(/^\/+/, "");
  const expanded: string[] = [];
  for (const pattern of patterns) {
    if (!pattern.startsWith("/")) {
      throw new OperationError(`pattern "${pattern}" is not absolute: files paths must be absolute (or relative to the config file)`);
    }
    expanded.push(relative(pattern));
    if (!fg.isDynamicPattern(pattern)) {
      const stat = await lstat(pattern).catch(() => undefined);
      if (stat?.isDirectory()) expanded.push(`${fg.escapePath(relative(pattern)).replace(/\/$/, "")}/**`);
    }
  }
  const warnings: string[] = [];
  // fast-glob either fails on the first unreadable directory or (suppressErrors) hides them all;
  // this readdir lets through what ignore_unreadable allows and remembers it for the warning.
  const tolerantReaddir = (path: string, opts: { withFileTypes: true }, callback: (err: NodeJS.ErrnoException | null, entries: Dirent[]) => void) =>
    readdir(path, opts, (err, entries) => {
      if (err && options.ignoreUnreadable && (err.code === "EACCES" || err.code === "EPERM")) {
        warnings.push(`left out the contents of ${path} (${err.code}: directory not readable by this user)`);
        callback(null, []);
      } else callback(err, entries);
    });
  let matches: string[];
  try {
    matches = await fg(expanded, {
      cwd: "/",
      dot: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      unique: true,
      suppressErrors: false,
      ignore: exclude.map(relative),
      fs: { readdir: tolerantReaddir as unknown as typeof readdir },
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === "EACCES" || e.code === "EPERM" ? " (set ignore_unreadable: true to leave such directories' contents out with a warning instead)" : "";
    throw new OperationError(`cannot list files${e.path ? ` under ${e.path}` : ""}: ${e.code ?? e.message}${hint}`, { cause: err });
  }
  return { paths: matches.sort(), warnings: warnings.sort() };
}
