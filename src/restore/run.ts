import { locateArchive, type LocatedArchive } from "../catalog/locate.js";
import { openReadStorage } from "../catalog/storage.js";
import type { Sidecar } from "../catalog/sidecar.js";
import { loadAgeKeys } from "../crypto/keys.js";
import type { AgeKeys } from "../crypto/streams.js";
import type { RunContext } from "../run/context.js";
import { UsageError } from "../util/errors.js";
import { restoreFiles, type FilesRestoreResult } from "./files.js";
import { findRunGlobals } from "./globals.js";
import { restoreInstance } from "./instance.js";
import { restoreMysql } from "./mysql.js";
import type { RolesOutcome } from "./pg-globals.js";
import { restorePostgres, restorePostgresGlobalsOnly } from "./postgres.js";
import { restoreTestName } from "./sql-quote.js";
import { prepareResolved, type PreparedArchive } from "./prepare.js";
import { createProgress } from "./progress.js";
import { checkTargetKind } from "./target-kind.js";
import { lockDatabaseTarget, lockFilesTarget } from "./target-lock.js";
import type { HeldLock } from "../lock/lock.js";

export type RestoreMode = "safe" | "fast" | "test";

export interface RestoreOptions {
  file: string;
  target?: string | undefined;
  /** Instance id or name whose server receives a database restore (default: the sidecar's). */
  instance?: string | undefined;
  storage?: string | undefined;
  mode?: RestoreMode | undefined;
  force: boolean;
  jobs?: number | undefined;
  tables?: string[] | undefined;
  globals: boolean;
  /** With --globals: existing roles take the archive's attributes and passwords (never the connecting role). */
  globalsOverwrite?: boolean | undefined;
  /** An age identity file for encrypted archives (--identity). */
  identity?: string | undefined;
  /** Where the TTY progress line goes (stderr). */
  progressStream?: NodeJS.WriteStream | undefined;
  /** --lock-wait: how long to wait when another restore holds the same target (default: exit 3 at once). */
  lockWaitMs?: number | undefined;
}

export interface RestoreReport {
  ok: boolean;
  archive: { name: string; location: string; size_bytes: number; sha256: string };
  kind: "database" | "globals" | "files" | "basebackup";
  instance: { id: number; name: string; type: string };
  started_at: string;
  duration_ms: number;
  /** Directory (files) or database name restored into. */
  target: string;
  mode: RestoreMode | null;
  files?: FilesRestoreResult;
  database?: DatabaseRestoreSummary;
  warnings: string[];
}

export interface DatabaseRestoreSummary {
  server: string;
  created: boolean;
  replaced: boolean;
  tables: number | null;
  safety_backup: string | null;
  rollback: string | null;
  globals_restored: string | null;
  /** --tables: the tables restored (with the partitions of those named). */
  tables_restored?: string[];
  /** --globals: roles created, changed (--globals-overwrite) and left as they were. */
  roles?: RolesOutcome;
}

/**
 * restore: resolve the archive, prove it matches its sidecar (size + sha256) before anything is
 * touched, then restore by kind. Every failure throws with what happened (exit 1 or 2).
 */
export async function runRestore(options: RestoreOptions, runCtx: RunContext): Promise<RestoreReport> {
  const started = new Date();
  const ctx: RunContext = options.identity ? { ...runCtx, identityFile: options.identity } : runCtx;
  const storage = await openReadStorage(ctx.config, options.storage, ctx);
  let prepared: PreparedArchive | undefined;
  let located: LocatedArchive | undefined;
  try {
    // Without --storage: local first, then each remote in order; a remote copy is downloaded and checked.
    located = await locateArchive(options.file, storage, ctx.config, options.storage, ctx);
    const checkTarget = (sidecar: Sidecar) => checkTargetKind(options.target, sidecar);
    const keys = await loadAgeKeys(ctx.config, options.identity);
    prepared = await prepareResolved(located.archive, { scratchDir: ctx.config.options.tmp_dir, signal: ctx.signal, beforeRead: checkTarget, keys });
    const sidecar = prepared.sidecar;
    const base = {
      ok: true,
      archive: { name: prepared.name, location: prepared.location, size_bytes: sidecar.archive.size_bytes, sha256: sidecar.archive.sha256 },
      kind: sidecar.kind,
      instance: sidecar.instance,
      started_at: started.toISOString(),
      warnings: [] as string[],
    };
    ctx.logger.info({ archive: prepared.location, sha256: sidecar.archive.sha256 }, "archive matches its sidecar (size and sha256)");
    if (sidecar.kind === "basebackup") {
      throw new UsageError(`${prepared.name} is a PITR base backup: restore it with restore -i ${sidecar.instance.id} --until TIME --target EMPTY_DIR (docs/pitr.md)`);
    }
    if (sidecar.kind === "files") {
      if (options.mode) throw new UsageError("--mode applies to database archives; a files archive is restored to --target DIR or, without it, to its original locations");
      if (options.tables || options.jobs || options.globals || options.globalsOverwrite) throw new UsageError("--tables, --jobs and --globals apply to database archives");
      const lock = await lockFilesTarget(options.target ?? null, options.lockWaitMs ?? 0, ctx);
      const progress = createProgress(options.progressStream ?? process.stderr, "restoring");
      try {
        const files = await restoreFiles({
          archivePath: prepared.path,
          format: sidecar.archive.format,
          recorded: sidecar.contents,
          target: options.target ?? null,
          force: options.force,
          signal: ctx.signal,
          onProgress: (done, total) => progress.update(done, total),
        });
        return { ...base, target: files.root, mode: null, files, warnings: files.warnings, duration_ms: Date.now() - started.getTime() };
      } finally {
        progress.finish();
        await lock.release();
      }
    }
    return { ...base, ...(await restoreDatabase(prepared, options, ctx, started, keys)) };
  } finally {
    await prepared?.release();
    await located?.close();
    await storage.close();
  }
}

async function restoreDatabase(prepared: PreparedArchive, options: RestoreOptions, ctx: RunContext, started: Date, keys: AgeKeys): Promise<Omit<RestoreReport, "ok" | "archive" | "kind" | "instance" | "started_at">> {
  const sidecar = prepared.sidecar;
  const instance = restoreInstance(ctx.config, sidecar, options.instance);
  const mode = options.mode ?? "safe";
  const jobs = options.jobs ?? 1;
  const tables = options.tables ?? [];
  const globalsOverwrite = options.globalsOverwrite === true;
  if (globalsOverwrite && !options.globals) throw new UsageError("--globals-overwrite goes with --globals");
  if (instance.type === "mysql" && tables.length > 0) {
    throw new UsageError("--tables: MySQL/MariaDB dumps are plain SQL and are restored whole; restore into another --target and copy the tables you need; nothing was changed");
  }
  if (instance.type === "mysql" && (jobs > 1 || options.globals)) throw new UsageError("--jobs and --globals apply to PostgreSQL archives");
  let lock: HeldLock | undefined;
  const progress = createProgress(options.progressStream ?? process.stderr, "restoring");
  const onProgress = (done: number, total: number) => progress.update(done, total);
  const finish = (target: string, database: DatabaseRestoreSummary & { warnings: string[] }) => {
    const { warnings, ...summary } = database;
    return { target, mode, database: summary, warnings, duration_ms: Date.now() - started.getTime() };
  };
  try {
    if (sidecar.kind === "globals") {
      if (!options.globals) {
        throw new UsageError(`${prepared.name} holds the roles and tablespaces of ${sidecar.instance.name}: restoring it changes them server-wide, so it is done only when asked (--globals)`);
      }
      if (instance.type !== "postgres") throw new UsageError("globals archives are PostgreSQL's");
      return finish("(globals)", await restorePostgresGlobalsOnly(prepared, instance, globalsOverwrite, ctx));
    }
    const original = sidecar.database ?? "";
    const named = options.target ?? original;
    const target = mode === "test" ? restoreTestName(named, new Date()) : named;
    if (!target) throw new UsageError(`${prepared.name} records no database name: pass --target NAME`);
    lock = await lockDatabaseTarget(instance, target, options.lockWaitMs ?? 0, ctx);
    if (instance.type === "mysql") return finish(target, await restoreMysql({ archive: prepared, instance, target, mode, force: options.force, onProgress }, ctx));
    const globals = options.globals ? await findRunGlobals(prepared, ctx.config.options.tmp_dir, ctx.signal, keys) : null;
    try {
      return finish(target, await restorePostgres({ archive: prepared, instance, target, mode, force: options.force, jobs, tables, globals, globalsOverwrite, onProgress }, ctx));
    } finally {
      await globals?.release();
    }
  } finally {
    progress.finish();
    await lock?.release();
  }
}
