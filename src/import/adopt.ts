import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readFile, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { openArchiveOutput } from "../archive/output.js";
import { archiveDirectory, archiveFileName, sidecarPath } from "../catalog/naming.js";
import { sealSidecar } from "../catalog/sidecar-secrets.js";
import { SIDECAR_FORMAT_VERSION, sidecarSchema, type Sidecar } from "../catalog/sidecar.js";
import { instanceName, type Instance } from "../config/schema.js";
import type { RunContext } from "../run/context.js";
import { replicate, type RemoteOutcome } from "../run/replicate.js";
import { OperationError, UsageError } from "../util/errors.js";
import { atomicWriteFile, ensurePrivateDir } from "../util/fs.js";
import { trailerProblem } from "../verify/dump-check.js";
import { TOOL_NAME, VERSION } from "../version.js";
import { inspectForeign, sniffFormat } from "./inspect.js";
import { parseLegacyName, wallTimeToDate } from "./legacy-name.js";

export interface ImportOptions {
  file: string;
  instance: Instance;
  /** The database the dump holds; default: the label in the old tool's file name. */
  database?: string | undefined;
  /** When the old backup was made; default: the time in its file name, read in `timeZone`. */
  startedAt?: Date | undefined;
  timeZone: string;
}

export interface ImportResult {
  status: "imported" | "already-imported" | "failed";
  original: string;
  archive: string;
  database: string | null;
  started_at: string;
  size_bytes: number;
  sha256: string;
  warnings: string[];
  remotes?: RemoteOutcome[];
  error?: string;
}

/**
 * Adopts an archive of the old tool: copied into local storage under this tool's naming (the
 * original is never changed), read end to end, then given a sidecar marked `imported`, and
 * copied to every remote like a backup. Importing the same bytes again finds the first import.
 */
export async function importArchive(options: ImportOptions, ctx: RunContext): Promise<ImportResult> {
  const original = resolve(options.file);
  const info = await lstat(original).catch((err: unknown) => {
    throw new UsageError(`cannot read ${original}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  });
  // A symlink could be swapped between the checks and the copy; name the real file instead.
  if (info.isSymbolicLink()) throw new UsageError(`${original} is a symbolic link: give the archive's real path`);
  if (!info.isFile()) throw new UsageError(`${original} is not a regular file`);

  const instance = options.instance;
  const kind = instance.type === "files" ? "files" : "database";
  const legacy = parseLegacyName(basename(original));
  const startedAt = options.startedAt ?? (legacy ? wallTimeToDate(legacy.wall, options.timeZone) : undefined);
  if (!startedAt) {
    throw new UsageError(`${basename(original)} is not named like the old tool's archives (YYYYMMDD_HHMMSS_<name>.zip|.tar.gz): give --started-at${kind === "database" ? " and --database" : ""}`);
  }
  const database = kind === "files" ? null : (options.database ?? legacy?.label);
  if (database === undefined || database === "") throw new UsageError("give --database: the file name does not say which database the dump holds");

  const format = await sniffFormat(original);
  const sha256 = await hashFile(original);
  const name = instanceName(instance);
  const dir = archiveDirectory(ctx.config.storage.local.path, ctx.config.server.name, name, database, kind);
  const dest = join(dir, archiveFileName({ instance: name, database, kind, startedAt, runId: `import-${sha256.slice(0, 8)}`, extension: format }));
  const result: ImportResult = { status: "imported", original, archive: dest, database, started_at: startedAt.toISOString(), size_bytes: info.size, sha256, warnings: [] };

  if (await alreadyImported(dest, sha256)) return { ...result, status: "already-imported" };

  const created = await missingFolders(dir);
  await ensurePrivateDir(dir);
  const output = openArchiveOutput(dest);
  let sidecar: Sidecar;
  let committedHere = false;
  try {
    await pipeline(createReadStream(original), output.sink, { signal: ctx.signal });
    const committed = await output.commit();
    committedHere = true;
    // The bytes inspected and recorded are the stored copy's, not the original's (which may change).
    if (committed.sha256 !== sha256) throw new OperationError(`${original} changed while it was being copied; nothing was imported`);
    const inspection = await inspectForeign(dest, format, kind, ctx.signal);
    const now = new Date();
    const dump = inspection.dump;
    if (dump && dump.identity.engine !== instance.type) {
      throw new OperationError(`${basename(original)} holds a ${dump.identity.engine === "mysql" ? "MySQL/MariaDB" : "PostgreSQL"} dump but instance ${name} is ${instance.type}: import it with -i naming a ${dump.identity.engine} instance`);
    }
    if (dump?.identity.format === "custom") throw new OperationError(`${basename(original)} holds a custom-format pg_dump archive; import handles the old tool's plain .sql dumps only`);
    sidecar = {
      format_version: SIDECAR_FORMAT_VERSION,
      backup_id: randomUUID(),
      run_id: `import-${sha256.slice(0, 8)}`,
      status: "completed",
      server: { name: ctx.config.server.name, ...(ctx.config.server.location ? { location: ctx.config.server.location } : {}) },
      instance: { id: instance.id, name, type: instance.type },
      kind,
      database,
      patterns: kind === "files" ? { paths: [], exclude: [] } : null,
      archive: { file: basename(dest), format, size_bytes: committed.size_bytes, sha256, compression: { algorithm: "unknown", level: -1 } },
      started_at: startedAt.toISOString(),
      completed_at: startedAt.toISOString(),
      duration_ms: 0,
      dump_tool: dump?.identity.tool ?? null,
      dump_format: dump ? dump.identity.format : "files",
      source_server_version: dump?.identity.serverVersion ?? null,
      tool: { name: TOOL_NAME, version: VERSION },
      contents: inspection.contents,
      warnings: [],
      imported: { from: "vya-backupdb (Python)", original_name: basename(original), original_path: original, imported_at: now.toISOString(), time_zone: options.startedAt ? null : options.timeZone },
    };
    if (dump) {
      const problem = trailerProblem(sidecar, dump.tail);
      if (problem) throw new OperationError(`${basename(original)}: ${problem}; a cut dump is not a backup, nothing was imported`);
      if (!dump.identity.tool) result.warnings.push("the dump does not say which tool version wrote it; restore cannot check its client against it");
    }
    sidecar.warnings = result.warnings;
    await atomicWriteFile(sidecarPath(dest), `${JSON.stringify(sealSidecar(sidecar, ctx.redactor), null, 2)}\n`, 0o600, { exclusive: true });
  } catch (err) {
    await output.abort();
    // Only our own copy: a commit refused because the name is taken leaves that file alone.
    if (committedHere) await rm(dest, { force: true });
    // A refused import leaves storage as it found it, without an empty database folder.
    for (const folder of created) await rmdir(folder).catch(() => undefined);
    throw err;
  }
  const log = ctx.logger.child({ instance: name, ...(database ? { database } : {}) });
  log.info({ original, archive: dest, sha256 }, "imported");
  const copies = await replicate({ archive: dest, sidecar: sidecarPath(dest), sha256 }, ctx.remotes ?? [], ctx, log);
  return {
    ...result,
    size_bytes: sidecar.archive.size_bytes,
    ...(copies.remotes.length > 0 ? { remotes: copies.remotes } : {}),
    ...(copies.error ? { status: "failed" as const, error: copies.error } : {}),
  };
}

/** `dir` and its ancestors that do not exist yet, deepest first. */
async function missingFolders(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let folder = dir; folder !== dirname(folder); folder = dirname(folder)) {
    if (await stat(folder).then(() => true, () => false)) break;
    missing.push(folder);
  }
  return missing;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** true when `dest` already carries a valid sidecar for these very bytes. */
async function alreadyImported(dest: string, sha256: string): Promise<boolean> {
  const text = await readFile(sidecarPath(dest), "utf8").catch(() => null);
  if (text === null) return false;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return false;
  }
  const parsed = sidecarSchema.safeParse(json);
  return parsed.success && parsed.data.archive.sha256 === sha256;
}
