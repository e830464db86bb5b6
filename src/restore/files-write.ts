import { chmod, chown, lchown, link, lstat, lutimes, mkdir, open, rename, rm, rmdir, symlink, utimes } from "node:fs/promises";
import { dirname, sep } from "node:path";
import { OperationError } from "../util/errors.js";
import { partialPath } from "../util/fs.js";
import type { ArchiveEntry } from "./entries.js";
import { boundedBody } from "./entry-bounds.js";
import { UnsafeEntryError } from "./entry-path.js";
import type { PlannedEntry } from "./files-plan.js";

/** State of one files restore, passed explicitly: what was created (to undo), what to finish. */
export interface WriteState {
  root: string;
  force: boolean;
  /** Restore owners (root only, and only archives that record them: tar). */
  owners: boolean;
  onBytes: (bytes: number) => void;
  /** Paths this restore created, in order: removed again if the restore fails. */
  created: string[];
  createdSet: Set<string>;
  /** Directories whose mode and mtime are set at the end (children change a directory's mtime). */
  directories: { path: string; mode: number | null; mtime: Date | null }[];
  /** Directories known to be real directories (checked or created by us). */
  safeDirs: Set<string>;
  warnings: string[];
  /** Existing files replaced (--force). */
  replaced: number;
}

/** Writes one entry at its planned path; never follows a symlink, never writes outside root. */
export async function writeEntry(entry: ArchiveEntry, planned: PlannedEntry, state: WriteState): Promise<void> {
  if (planned.skip) {
    if (entry.type === "other") state.warnings.push(`left out ${entry.name}: devices, FIFOs and sockets are not restored`);
    return;
  }
  await ensureParents(dirname(planned.path), state);
  switch (entry.type) {
    case "directory":
      return writeDirectory(entry, planned, state);
    case "file":
      await place(planned.path, state, (temp) => writeFile(entry, planned.size, temp, state));
      break;
    case "symlink":
      await place(planned.path, state, async (temp) => {
        await symlink(entry.linkTarget ?? "", temp);
        if (entry.mtime) await lutimes(temp, entry.mtime, entry.mtime);
      });
      break;
    case "hardlink":
      await place(planned.path, state, (temp) => link(planned.linkPath ?? "", temp));
      return;
    default:
      return;
  }
  if (state.owners && entry.uid !== null && entry.gid !== null) await lchown(planned.path, entry.uid, entry.gid);
}

/**
 * Creates the entry under a temporary name beside its destination, then renames it into place:
 * an existing file (allowed with --force) is replaced whole or not at all, and a symlink
 * standing at the destination is replaced, never followed.
 */
async function place(path: string, state: WriteState, make: (temp: string) => Promise<void>): Promise<void> {
  const before = await lstat(path).catch(() => undefined);
  if (before?.isDirectory()) throw new OperationError(`${path} is a directory; it is not replaced by a file`);
  // Duplicates inside one archive: the later entry wins over what this restore wrote itself.
  if (before && !state.force && !state.createdSet.has(path)) throw new OperationError(`${path} exists; use --force to overwrite it`);
  const temp = partialPath(path);
  try {
    await make(temp);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  if (!before) noteCreated(state, path);
  else if (!state.createdSet.has(path)) state.replaced++;
}

/** `limit`: the size planned (checked against the sidecar); the body is never read past it. */
async function writeFile(entry: ArchiveEntry, limit: number, path: string, state: WriteState): Promise<void> {
  // "wx": O_CREAT|O_EXCL never follows a symlink planted at the path.
  const handle = await open(path, "wx", 0o600);
  try {
    // body() checks the zip CRC-32 before its last chunk: a damaged entry throws here.
    for await (const chunk of boundedBody(entry.body(), limit, entry.name)) {
      await handle.write(chunk);
      state.onBytes(chunk.length);
    }
    if (entry.mode !== null) await handle.chmod(entry.mode);
    if (entry.mtime) await handle.utimes(entry.mtime, entry.mtime);
  } finally {
    await handle.close();
  }
}

async function writeDirectory(entry: ArchiveEntry, planned: PlannedEntry, state: WriteState): Promise<void> {
  const info = await lstat(planned.path).catch(() => undefined);
  if (info && !info.isDirectory()) {
    if (!state.force) throw new OperationError(`${planned.path} exists and is not a directory; use --force to replace it`);
    await rm(planned.path);
  }
  if (!info?.isDirectory()) {
    await mkdir(planned.path, { mode: 0o700 });
    noteCreated(state, planned.path);
  }
  state.safeDirs.add(planned.path);
  state.directories.push({ path: planned.path, mode: entry.mode, mtime: entry.mtime });
  if (state.owners && entry.uid !== null && entry.gid !== null) await chown(planned.path, entry.uid, entry.gid);
}

function noteCreated(state: WriteState, path: string): void {
  state.created.push(path);
  state.createdSet.add(path);
}

/**
 * Creates missing parent directories one level at a time and re-checks existing ones, so a
 * symlink appearing in the path (planted after planning) is refused, not followed.
 */
async function ensureParents(dir: string, state: WriteState): Promise<void> {
  if (dir === state.root || state.safeDirs.has(dir)) return;
  const inside = state.root.endsWith(sep) ? state.root : state.root + sep;
  if (!dir.startsWith(inside)) throw new UnsafeEntryError(dir, `outside ${state.root}`);
  await ensureParents(dirname(dir), state);
  const info = await lstat(dir).catch(() => undefined);
  if (info?.isSymbolicLink()) throw new UnsafeEntryError(dir, "a symlink in the path of an entry");
  if (info && !info.isDirectory()) throw new OperationError(`${dir} is not a directory`);
  if (!info) {
    // Parents the archive does not list: created like mkdir -p would.
    await mkdir(dir, { mode: 0o755 });
    noteCreated(state, dir);
  }
  state.safeDirs.add(dir);
}

/** Directory modes and mtimes, deepest first, once every child is in place. */
export async function finishDirectories(state: WriteState): Promise<void> {
  const byDepth = [...state.directories].sort((a, b) => b.path.length - a.path.length);
  for (const dir of byDepth) {
    if (dir.mode !== null) await chmod(dir.path, dir.mode);
    if (dir.mtime) await utimes(dir.path, dir.mtime, dir.mtime);
  }
}

/** Undoes a failed restore: removes what it created, newest first; directories only when empty. */
export async function removeCreated(state: WriteState): Promise<void> {
  for (const path of [...state.created].reverse()) {
    const info = await lstat(path).catch(() => undefined);
    if (!info) continue;
    if (info.isDirectory()) await rmdir(path).catch(() => undefined);
    else await rm(path, { force: true });
  }
}
