import type { Sidecar } from "../catalog/sidecar.js";
import { UsageError } from "../util/errors.js";

/**
 * `--target` is a database name for a database archive and a directory for a files archive.
 * A mix-up would create a database called "/tmp/restored" or a directory called "mydb", so
 * it is refused from the sidecar alone, before the archive is read or anything touched.
 * A path is what contains a separator or starts like one ("./x", "../x", "~/x", "/x").
 */
export function checkTargetKind(target: string | undefined, sidecar: Sidecar): void {
  if (target === undefined) return;
  const shown = JSON.stringify(target);
  if (sidecar.kind === "files") {
    if (!looksLikePath(target)) {
      throw new UsageError(`--target ${shown} is not a path, but ${sidecar.archive.file} is a files archive: --target takes a directory (write ./${target} for one here)`);
    }
    return;
  }
  if (looksLikePath(target)) {
    throw new UsageError(`--target ${shown} looks like a path, but ${sidecar.archive.file} is a database archive: --target takes a database name`);
  }
}

export function looksLikePath(value: string): boolean {
  return value.includes("/") || value.includes("\\") || value === "." || value === ".." || value === "~" || value.startsWith("~");
}
