import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { OperationError } from "../util/errors.js";
import type { EntryType } from "./entries.js";
import { ancestorKeys, destinationOf, entrySegments, UnsafeEntryError } from "./entry-path.js";

export interface EntryMeta {
  name: string;
  type: EntryType;
  linkTarget: string | null;
  size: number;
}

export interface PlannedEntry extends EntryMeta {
  segments: string[];
  /** Segments joined with "/": the entry's identity inside the target. */
  key: string;
  path: string;
  /** Hard links: where the linked file is restored. */
  linkPath: string | null;
  /** Not written: the archive root itself, or a device/FIFO (reported). */
  skip: boolean;
}

export interface FilesPlan {
  root: string;
  entries: PlannedEntry[];
  totalBytes: number;
  skipped: string[];
}

/**
 * Checks every entry name before anything is written (pure: no I/O). Refused: names that leave
 * the target, entries below a symlink of the same archive (symlink-then-file), hard links to
 * anything but a file restored earlier.
 */
export function planEntries(metas: readonly EntryMeta[], root: string): FilesPlan {
  const symlinks = new Set<string>();
  const planned = metas.map((meta) => {
    const segments = entrySegments(meta.name);
    const key = segments.join("/");
    if (meta.type === "symlink") symlinks.add(key);
    return { meta, segments, key };
  });
  const files = new Set<string>();
  const entries: PlannedEntry[] = [];
  const skipped: string[] = [];
  let totalBytes = 0;
  for (const { meta, segments, key } of planned) {
    if (segments.length === 0) {
      if (meta.type !== "directory") throw new UnsafeEntryError(meta.name, "it would replace the target directory itself");
      entries.push({ ...meta, segments, key, path: root, linkPath: null, skip: true });
      continue;
    }
    const through = ancestorKeys(segments).find((a) => symlinks.has(a));
    if (through !== undefined) throw new UnsafeEntryError(meta.name, `it would be written through the symlink ${through} of the same archive`);
    let linkPath: string | null = null;
    if (meta.type === "hardlink") {
      const targetSegments = entrySegments(meta.linkTarget ?? "");
      const targetKey = targetSegments.join("/");
      if (!files.has(targetKey)) throw new UnsafeEntryError(meta.name, `it is a hard link to ${JSON.stringify(meta.linkTarget)}, which is not a file restored before it`);
      linkPath = destinationOf(root, targetSegments, meta.name);
    }
    const skip = meta.type === "other";
    if (skip) skipped.push(meta.name);
    if (meta.type === "file") {
      files.add(key);
      totalBytes += meta.size;
    }
    entries.push({ ...meta, segments, key, path: destinationOf(root, segments, meta.name), linkPath, skip });
  }
  return { root, entries, totalBytes, skipped };
}

export interface DiskCheck {
  /** Existing files the restore would replace (allowed with --force). */
  existing: string[];
  /** Cannot be restored even with --force (a directory in the way, a file where a directory goes). */
  blocking: string[];
}

/**
 * Looks at the target on disk: a path below the target reached through an existing symlink is
 * refused (the write would land elsewhere); existing files are listed for the overwrite rule.
 */
export async function checkTargetOnDisk(plan: FilesPlan): Promise<DiskCheck> {
  const dirs = new Map<string, "dir" | "missing">();
  const existing = new Set<string>();
  const blocking: string[] = [];
  const kindOf = async (path: string) => {
    try {
      const info = await lstat(path);
      return info.isSymbolicLink() ? "symlink" : info.isDirectory() ? "dir" : "other";
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
      throw new OperationError(`cannot inspect ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
    }
  };
  for (const entry of plan.entries) {
    if (entry.skip) continue;
    let missing = false;
    for (const ancestor of ancestorKeys(entry.segments)) {
      const known = dirs.get(ancestor);
      if (known === "missing") {
        missing = true;
        break;
      }
      if (known === "dir") continue;
      const path = join(plan.root, ancestor);
      const kind = await kindOf(path);
      if (kind === "symlink") throw new UnsafeEntryError(entry.name, `${path} is a symlink on disk and the entry would be written through it`);
      if (kind === "other") {
        blocking.push(`${path} is a file where the archive has a directory`);
        missing = true;
        break;
      }
      dirs.set(ancestor, kind);
      if (kind === "missing") {
        missing = true;
        break;
      }
    }
    if (missing) continue;
    const kind = await kindOf(entry.path);
    if (kind === "missing") continue;
    if (kind === "dir") {
      if (entry.type !== "directory") blocking.push(`${entry.path} is a directory where the archive has a ${entry.type}`);
    } else existing.add(entry.path);
  }
  return { existing: [...existing], blocking };
}
