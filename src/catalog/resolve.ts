import { lstat } from "node:fs/promises";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { LocalStorage } from "../storage/local.js";
import type { Storage } from "../storage/storage.js";
import { OperationError, UsageError } from "../util/errors.js";
import { isArchiveKey } from "./list.js";
import { SIDECAR_SUFFIX } from "./naming.js";

/** The name was looked up and is not in that storage (other storages may hold it). */
export class ArchiveNotFoundError extends UsageError {}

/** Where an archive named on the command line lives. */
export interface ResolvedArchive {
  storage: Storage;
  key: string;
  name: string;
}

/**
 * `--file` is a path on this machine, or a name as `list` prints it (or its storage key),
 * looked up in `storage`. A path wins when it exists. Naming the sidecar means its archive.
 * An archive whose sidecar exists without it resolves (reading it then fails as damage, exit 1);
 * a path that is a symlink is refused: storage never hands out a link to somewhere else.
 */
export async function resolveArchive(spec: string, storage: Storage, cwd = process.cwd()): Promise<ResolvedArchive> {
  const wanted = spec.endsWith(SIDECAR_SUFFIX) ? spec.slice(0, -SIDECAR_SUFFIX.length) : spec;
  const path = resolve(cwd, wanted);
  const info = await lstat(path).catch(() => undefined);
  if (info?.isSymbolicLink()) throw new OperationError(`${path} is a symlink: refused (an archive is read only from a regular file, never through a link)`);
  const sidecarOnly = !info && (await lstat(`${path}${SIDECAR_SUFFIX}`).catch(() => undefined)) !== undefined;
  if (info?.isFile() || sidecarOnly) {
    const local = new LocalStorage(dirname(path), "file");
    return { storage: local, key: basename(path), name: basename(path) };
  }
  if (info) throw new UsageError(`${path} is a directory, not an archive: pass the archive file (see vya-backupdb list)`);
  if (isAbsolute(wanted) || wanted.startsWith(".")) throw new UsageError(`${path} does not exist: pass an existing archive path or a name as vya-backupdb list prints it`);

  // Names are unique by construction (timestamp + run id); listing keys is enough, no sidecar is read.
  // A sidecar alone names its archive too: the archive is then missing, which verify reports as damage.
  const keys = new Set((await storage.list("")).map((o) => (o.key.endsWith(SIDECAR_SUFFIX) ? o.key.slice(0, -SIDECAR_SUFFIX.length) : o.key)));
  const entries = [...keys].filter((key) => isArchiveKey(key) && (key === wanted || basename(key) === wanted)).map((key) => ({ key }));
  if (entries.length === 1 && entries[0]) return { storage, key: entries[0].key, name: basename(entries[0].key) };
  if (entries.length === 0) {
    const hint = isArchiveKey(wanted) ? "" : " (archive names end in .zip, .tar.gz, .tar.zst, .sql.zst or .dump.zst)";
    throw new ArchiveNotFoundError(`no archive named "${wanted}" in storage ${storage.name} (${storage.describe("")})${hint}: run vya-backupdb list to see the names`);
  }
  throw new UsageError(`"${wanted}" names ${entries.length} archives (${entries.map((e) => e.key).join(", ")}): pass the full key or path`);
}
