import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sidecar } from "../catalog/sidecar.js";
import { restoreFiles } from "../restore/files.js";
import { ownerTag } from "../util/owner.js";

/**
 * Extracts a files archive into a private temporary directory with the real restore code,
 * compares every entry the sidecar records (type, and size for files), then removes it.
 */
export async function restoreTestFiles(path: string, sidecar: Sidecar, options: { scratchDir?: string | undefined; signal?: AbortSignal | undefined } = {}): Promise<string> {
  const dir = await mkdtemp(join(options.scratchDir ?? tmpdir(), `vya-restoretest-${ownerTag()}-`));
  try {
    const restored = await restoreFiles({ archivePath: path, format: sidecar.archive.format, recorded: sidecar.contents, target: join(dir, "root"), force: false, signal: options.signal });
    const problems: string[] = [];
    for (const entry of sidecar.contents) {
      const info = await lstat(join(restored.root, entry.name)).catch(() => undefined);
      const type = entry.type ?? "file";
      if (!info) problems.push(`${entry.name} missing`);
      else if (type === "directory" && !info.isDirectory()) problems.push(`${entry.name} is not a directory`);
      else if (type === "symlink" && !info.isSymbolicLink()) problems.push(`${entry.name} is not a symlink`);
      else if (type === "file" && !info.isFile()) problems.push(`${entry.name} is not a file`);
      else if (type === "file" && info.size !== entry.size) problems.push(`${entry.name} has ${info.size} bytes, the sidecar records ${entry.size}`);
    }
    if (problems.length > 0) throw new Error(`restored tree differs: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` and ${problems.length - 5} more` : ""}`);
    return `restored ${restored.files} files, ${restored.directories} directories, ${restored.symlinks} symlinks (${restored.bytes} bytes) into a temporary directory; all ${sidecar.contents.length} entries match, then removed`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
