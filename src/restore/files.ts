import { isTar } from "../archive/format.js";
import { mkdir, realpath, rmdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { OperationError, UsageError } from "../util/errors.js";
import type { Sidecar } from "../catalog/sidecar.js";
import { checkEntrySize, recordedSizes } from "./entry-bounds.js";
import { readEntries, type ArchiveFormat } from "./entries.js";
import { checkTargetOnDisk, planEntries, type EntryMeta } from "./files-plan.js";
import { finishDirectories, removeCreated, writeEntry, type WriteState } from "./files-write.js";
import { checkFreeSpace } from "./free-space.js";

export interface FilesRestoreOptions {
  archivePath: string;
  format: ArchiveFormat;
  /** The sidecar's entries: no file entry may hold more than recorded here (bombs, forged archives). */
  recorded: Sidecar["contents"];
  /** A directory to restore below; null: the original locations (below "/"). */
  target: string | null;
  force: boolean;
  signal?: AbortSignal | undefined;
  /** Called with (bytes done, bytes total) as file contents are written. */
  onProgress?: (done: number, total: number) => void;
}

export interface FilesRestoreResult {
  root: string;
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  bytes: number;
  /** Existing files replaced (only with --force). */
  replaced: number;
  warnings: string[];
}

const SHOWN = 10;

/**
 * Restores a files archive in two passes: first every entry is checked (its size against the
 * sidecar, at its header, before its body is decompressed; names, symlinks, what exists on disk;
 * free space) and nothing is written if any check fails; then entries are written in order,
 * none read past its checked size. A failure midway removes what this restore had created.
 */
export async function restoreFiles(options: FilesRestoreOptions): Promise<FilesRestoreResult> {
  const root = await targetRoot(options.target);
  const metas: EntryMeta[] = [];
  const recorded = recordedSizes(options.recorded);
  for await (const entry of readEntries(options.archivePath, options.format, { signal: options.signal })) {
    checkEntrySize(entry, recorded, "refused; nothing was restored");
    metas.push({ name: entry.name, type: entry.type, linkTarget: entry.linkTarget, size: entry.size });
  }
  const plan = planEntries(metas, root);
  const disk = await checkTargetOnDisk(plan);
  if (disk.blocking.length > 0) {
    throw new OperationError(`cannot restore into ${root}: ${listOf(disk.blocking)}; nothing was restored`);
  }
  if (disk.existing.length > 0 && !options.force) {
    throw new OperationError(
      `${disk.existing.length} file${disk.existing.length === 1 ? "" : "s"} of the archive exist already (${listOf(disk.existing)}): ` +
        `pass --force to overwrite them, or --target DIR to restore elsewhere; nothing was restored`,
    );
  }
  await checkFreeSpace(plan);

  // The first directory this made (root or a parent of it): removed again if the restore fails.
  const madeRoot = await mkdir(root, { recursive: true, mode: 0o700 });
  const state: WriteState = {
    root,
    force: options.force,
    owners: isTar(options.format) && process.getuid?.() === 0,
    onBytes: () => undefined,
    created: [],
    createdSet: new Set(),
    directories: [],
    safeDirs: new Set([root]),
    warnings: [],
    replaced: 0,
  };
  let done = 0;
  state.onBytes = (bytes) => {
    done += bytes;
    options.onProgress?.(done, plan.totalBytes);
  };
  const counts = { files: 0, directories: 0, symlinks: 0, hardlinks: 0 };
  try {
    let index = 0;
    for await (const entry of readEntries(options.archivePath, options.format, { signal: options.signal })) {
      const planned = plan.entries[index++];
      // The archive was checked as a whole above; it must not differ on the second read.
      if (!planned || planned.name !== entry.name) throw new OperationError(`the archive changed while it was being restored (entry ${index})`);
      await writeEntry(entry, planned, state);
      if (planned.skip) continue;
      if (entry.type === "file") counts.files++;
      else if (entry.type === "directory") counts.directories++;
      else if (entry.type === "symlink") counts.symlinks++;
      else if (entry.type === "hardlink") counts.hardlinks++;
    }
    if (index !== plan.entries.length) throw new OperationError("the archive changed while it was being restored (fewer entries)");
    await finishDirectories(state);
  } catch (err) {
    await removeCreated(state);
    const replaced = state.replaced > 0 ? `; ${state.replaced} existing files had already been replaced` : "";
    const left = madeRoot ? await removeMadeRoot(root, madeRoot) : "";
    throw new OperationError(`files restore failed midway; the ${state.created.length} paths it had created were removed${left}${replaced}`, { cause: err });
  }
  return { root, ...counts, bytes: done, replaced: state.replaced, warnings: state.warnings };
}

/** rmdir from root up to the first directory mkdir -p made: only empty ones, never what someone else put there. */
async function removeMadeRoot(root: string, madeRoot: string): Promise<string> {
  for (let dir = root; ; dir = dirname(dir)) {
    const removed = await rmdir(dir).then(
      () => true,
      () => false,
    );
    if (!removed) return `; the directory ${dir} it had created is not empty and was left`;
    if (dir === madeRoot || dirname(dir) === dir) return `, and the directory ${madeRoot} it had created`;
  }
}

async function targetRoot(target: string | null): Promise<string> {
  if (target === null) return "/";
  const path = resolve(target);
  const info = await stat(path).catch(() => undefined);
  if (!info) return path;
  if (!info.isDirectory()) throw new UsageError(`--target ${path} exists and is not a directory`);
  // A target that is itself a symlink is the user's choice; below it, no symlink is followed.
  return realpath(path);
}

function listOf(items: readonly string[]): string {
  return items.length > SHOWN ? `${items.slice(0, SHOWN).join(", ")} and ${items.length - SHOWN} more` : items.join(", ");
}
