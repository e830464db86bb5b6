import { lstat } from "node:fs/promises";
import fg from "fast-glob";
import { OperationError } from "../util/errors.js";

/**
 * Expands a files instance's patterns into the exact list of paths to archive, relative to "/".
 * Dot-files are included; symlinks are listed but never followed; a literal directory (no glob
 * characters) means its whole tree.
 */
export async function listMatchedPaths(patterns: readonly string[], exclude: readonly string[]): Promise<string[]> {
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
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new OperationError(`cannot list files${e.path ? ` under ${e.path}` : ""}: ${e.code ?? e.message}`, { cause: err });
  }
  return matches.sort();
}
