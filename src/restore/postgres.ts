import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PostgresInstance } from "../config/schema.js";
import type { RunContext } from "../run/context.js";
import { withPostgresConnection } from "../sources/postgres/connection.js";
import { describeError, OperationError, UsageError } from "../util/errors.js";
import { CommandError } from "../util/process.js";
import { extractDump, withDumpEntry } from "./dump-entry.js";
import { feedCommand } from "./feed.js";
import { createDatabase, databaseExists, dropDatabase, listTables, openAdmin, renameDatabase, userRelationCount, type PgAdmin } from "./postgres-admin.js";
import { applyDatabaseProperties } from "./pg-database-properties.js";
import { restoreGlobals, type RolesOutcome } from "./pg-globals.js";
import { pgRestoreCommand, psqlRestoreCommand } from "./postgres-commands.js";
import { pgDropCommand } from "./cleanup-commands.js";
import { openSelectiveDump, restoreSelectedTables, type SelectiveDump } from "./pg-selective.js";
import { restoreClient } from "./pg-tools.js";
import { requireRestrictedPsql, restrictedPsqlInput, restrictKey } from "./psql-restricted.js";
import type { PreparedArchive } from "./prepare.js";
import { rollbackCommand, takeSafetyBackup, type SafetyBackup } from "./safety.js";
import { restoreTestName } from "./sql-quote.js";
import type { DatabaseRestoreSummary, RestoreMode } from "./run.js";
import { ownerTag } from "../util/owner.js";

export interface PgRestoreRequest {
  archive: PreparedArchive;
  instance: PostgresInstance;
  target: string;
  mode: RestoreMode;
  force: boolean;
  jobs: number;
  tables: readonly string[];
  /** The globals archive to restore first (--globals with a database archive). */
  globals: PreparedArchive | null;
  /** --globals-overwrite: existing roles (never the connecting one) take the archive's attributes. */
  globalsOverwrite: boolean;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface PgRestoreOutcome extends DatabaseRestoreSummary {
  warnings: string[];
}

/**
 * A PostgreSQL database archive into `target`, never leaving a half-restored database:
 * - target missing: created, restored, dropped again on failure;
 * - target empty, or a selective --tables restore: restored in one transaction;
 * - target not empty (--force): restored into a scratch database, which replaces the target only
 *   once the restore succeeded (dropped on failure: the target is untouched).
 */
export async function restorePostgres(req: PgRestoreRequest, ctx: RunContext): Promise<PgRestoreOutcome> {
  const { archive, instance, target } = req;
  const sidecar = archive.sidecar;
  const custom = sidecar.dump_format === "custom";
  if (!custom && req.tables.length > 0) throw new UsageError(`--tables needs a custom-format dump (format: custom); ${archive.name} is a plain SQL dump: restore it whole, or into another --target and copy the tables`);
  const psql = await restoreClient("psql", sidecar, instance, ctx.signal);
  const pgRestore = custom ? await restoreClient("pg_restore", sidecar, instance, ctx.signal) : null;
  if (!custom || req.globals) requireRestrictedPsql(psql);
  const warnings: string[] = [];
  const where = instance.socket ? `socket ${instance.socket}` : `${instance.host}:${instance.port}`;
  // --tables: the dump is extracted and the names checked against it before anything is touched.
  const scratchDir = ctx.config.options.tmp_dir;
  const selectiveDump = pgRestore && req.tables.length > 0 ? await openSelectiveDump(archive, pgRestore.file, req.tables, { signal: ctx.signal, redactor: ctx.redactor, scratchDir }) : null;
  try {
    return await restoreWith(req, { psql: psql.file, pgRestore: pgRestore?.file ?? null, selectiveDump, warnings, where }, ctx);
  } finally {
    await selectiveDump?.release();
  }
}

interface Clients {
  psql: string;
  pgRestore: string | null;
  selectiveDump: SelectiveDump | null;
  warnings: string[];
  where: string;
}

async function restoreWith(req: PgRestoreRequest, clients: Clients, ctx: RunContext): Promise<PgRestoreOutcome> {
  const { archive, instance, target } = req;
  const custom = archive.sidecar.dump_format === "custom";
  const { warnings, where } = clients;
  const psql = { file: clients.psql };
  return withPostgresConnection(instance, async (envFor) => {
    const admin = await openAdmin((database) => ({ psql: psql.file, env: envFor(database), signal: ctx.signal, redactor: ctx.redactor }));
    const exists = await databaseExists(admin, target);
    const relations = exists ? await userRelationCount(admin, target) : 0;
    if (relations > 0 && !req.force) {
      throw new OperationError(
        `database "${target}" on ${where} exists and is not empty (${relations} tables, views or sequences): pass --force to replace it` +
          ` (--mode safe, the default, backs it up first), --target NAME to restore beside it, or --mode test; nothing was changed`,
      );
    }
    let safety: SafetyBackup | null = null;
    if (req.mode === "safe" && relations > 0) safety = await takeSafetyBackup(instance, target, ctx);
    let globalsRestored: string | null = null;
    let roles: RolesOutcome | undefined;
    if (req.globals) {
      const done = await restoreGlobals(req.globals, { psql: psql.file, env: envFor(admin.maintenance), admin: admin.on(admin.maintenance), overwrite: req.globalsOverwrite }, ctx);
      warnings.push(...done.warnings);
      roles = done.roles;
      globalsRestored = req.globals.name;
    }

    const selective = req.tables.length > 0;
    const replace = exists && relations > 0 && !selective;
    const into = replace ? restoreTestName(target, new Date(), "vyarestore") : target;
    const create = !exists || replace;
    // Parallel jobs cannot share one transaction: only where a failure can be undone by dropping.
    const jobs = create ? req.jobs : 1;
    if (req.jobs > 1 && !custom) warnings.push(`--jobs ${req.jobs} ignored: a plain dump is read by one psql`);
    else if (req.jobs > 1 && jobs === 1) warnings.push(`--jobs ${req.jobs} ignored: restoring into the existing database "${target}" in one transaction instead`);

    if (create) await createDatabase(admin, into);
    let tablesRestored: string[] | undefined;
    try {
      if (clients.selectiveDump && clients.pgRestore) {
        const done = await restoreSelectedTables(
          clients.selectiveDump,
          { pgRestore: clients.pgRestore, env: envFor(into), database: into, jobs, newDatabase: relations === 0, clean: relations > 0, admin: admin.on(into) },
          ctx,
        );
        tablesRestored = done.tables;
        warnings.push(...done.skipped.map((s) => `not restored: ${s}`));
      } else {
        await runRestore(req, { psql: psql.file, pgRestore: clients.pgRestore, env: envFor(into), database: into, jobs }, ctx);
      }
      if (replace) {
        await dropDatabase(admin, target);
        await renameDatabase(admin, into, target);
      }
    } catch (err) {
      // Undo even when interrupted: the cleanup must not carry the aborted signal.
      const undoAdmin: PgAdmin = { ...admin, on: (database) => ({ ...admin.on(database), signal: undefined }) };
      const undone = create ? await dropCreated(undoAdmin, instance, into, jobs <= 1) : "its transaction was rolled back";
      const kept = exists ? `; "${target}" is as it was` : "";
      const safe = safety ? `; the safety backup taken before is kept: ${safety.name}` : "";
      throw new OperationError(`restore of ${archive.name} into "${target}" failed; ${undone}${kept}${safe}${rolesHint(err)}`, { cause: err });
    }
    // Owner, grants, comment, settings: the dump does not carry them (recorded in the sidecar).
    if (create) warnings.push(...(await applyDatabaseProperties(admin.on(admin.maintenance), target, archive.sidecar.database_properties)));
    const tables = (await listTables(admin, target)).length;
    return {
      server: where,
      created: !exists,
      replaced: replace,
      tables,
      safety_backup: safety?.archive ?? null,
      rollback: safety ? rollbackCommand(safety, target, ctx.configFile, ctx.identityFile) : null,
      globals_restored: globalsRestored,
      ...(roles ? { roles } : {}),
      ...(tablesRestored ? { tables_restored: tablesRestored } : {}),
      warnings,
    };
  });
}

/** Drops the database a failed restore created; when that fails too, says what is left and how to clean it. */
async function dropCreated(admin: PgAdmin, instance: PostgresInstance, database: string, oneTransaction: boolean): Promise<string> {
  try {
    await dropDatabase(admin, database);
    return `the database "${database}" it had created was dropped`;
  } catch (dropErr) {
    const state = await databaseExists(admin, database).then(
      (still) => (still ? `it still exists, ${oneTransaction ? "empty (the restore ran in one transaction, which was rolled back)" : "holding what the parallel jobs restored before the failure"}` : "it no longer exists"),
      () => "whether it still exists is unknown (the server does not answer)",
    );
    return `the database "${database}" it had created could not be dropped (${describeError(dropErr)}): ${state}; drop it with: ${pgDropCommand(instance, admin.maintenance, database)}`;
  }
}

interface RestoreStep {
  psql: string;
  pgRestore: string | null;
  env: Record<string, string>;
  database: string;
  jobs: number;
}

async function runRestore(req: PgRestoreRequest, step: RestoreStep, ctx: RunContext): Promise<void> {
  const { archive } = req;
  const total = archive.sidecar.contents.reduce((sum, e) => sum + e.size, 0);
  let done = 0;
  const onBytes = (n: number) => {
    done += n;
    req.onProgress?.(done, total);
  };
  const feed = { redactor: ctx.redactor, signal: ctx.signal, onBytes };
  if (!step.pgRestore) {
    await withDumpEntry(archive.path, archive.sidecar, (entry) => feedCommand(psqlRestoreCommand(step.psql, step.env, true), restrictedPsqlInput(entry.body(), restrictKey()), feed), ctx.signal);
    return;
  }
  const spec = { database: step.database, jobs: step.jobs, singleTransaction: step.jobs <= 1, clean: false };
  if (step.jobs <= 1) {
    await withDumpEntry(archive.path, archive.sidecar, (entry) => feedCommand(pgRestoreCommand(step.pgRestore ?? "", step.env, spec), entry.body(), feed), ctx.signal);
    return;
  }
  // pg_restore --jobs reads the archive with seeks: it needs a file.
  const dir = await mkdtemp(join(ctx.config.options.tmp_dir ?? tmpdir(), `vya-pgrestore-${ownerTag()}-`));
  try {
    const file = join(dir, "dump.custom");
    await extractDump(archive.path, archive.sidecar, file, onBytes, ctx.signal);
    await feedCommand(pgRestoreCommand(step.pgRestore, step.env, { ...spec, file }), (async function* () {})(), { redactor: ctx.redactor, signal: ctx.signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function rolesHint(err: unknown): string {
  const tail = err instanceof CommandError ? err.stderrTail : "";
  return /role ".*" does not exist/.test(tail) ? " (the dump names roles this server lacks: restore the globals first with --globals, or create the roles)" : "";
}

/** A globals archive alone (--globals): roles and tablespaces into the instance's server. */
export async function restorePostgresGlobalsOnly(globals: PreparedArchive, instance: PostgresInstance, overwrite: boolean, ctx: RunContext): Promise<PgRestoreOutcome> {
  const psql = await restoreClient("psql", globals.sidecar, instance, ctx.signal);
  requireRestrictedPsql(psql);
  const where = instance.socket ? `socket ${instance.socket}` : `${instance.host}:${instance.port}`;
  return withPostgresConnection(instance, async (envFor) => {
    const admin = await openAdmin((database) => ({ psql: psql.file, env: envFor(database), signal: ctx.signal, redactor: ctx.redactor }));
    const { roles, warnings } = await restoreGlobals(globals, { psql: psql.file, env: envFor(admin.maintenance), admin: admin.on(admin.maintenance), overwrite }, ctx);
    return { server: where, created: false, replaced: false, tables: null, safety_backup: null, rollback: null, globals_restored: globals.name, roles, warnings };
  });
}
