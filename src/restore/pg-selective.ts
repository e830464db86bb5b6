import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { query, type QueryContext } from "../sources/postgres/queries.js";
import { OperationError } from "../util/errors.js";
import { runCommand } from "../util/process.js";
import type { Redactor } from "../util/redact.js";
import { extractDump } from "./dump-entry.js";
import { pgRestoreCommand } from "./postgres-commands.js";
import { resolveTables, selectTableEntries, useList } from "./pg-table-select.js";
import { matchesList, readCustomToc, type TocEntry } from "./pg-toc.js";
import type { PreparedArchive } from "./prepare.js";

/**
 * A selective (--tables) restore of a custom-format dump. pg_restore reading stdin stops
 * once it has what it needs (the feeder then dies with EPIPE) and `--table` neither brings
 * schemas, partitions nor indexes: so the dump is extracted to a private temporary file, its
 * table of contents read, the entries chosen here (pg-table-select.ts) and written to a
 * `--use-list` file for pg_restore.
 */
export interface SelectiveDump {
  file: string;
  toc: TocEntry[];
  names: readonly string[];
  release(): Promise<void>;
}

interface SelectiveContext {
  signal?: AbortSignal | undefined;
  redactor?: Redactor | undefined;
  scratchDir?: string | undefined;
  onBytes?: ((n: number) => void) | undefined;
}

/** Extracts the dump and checks the names against it, before any database is touched. */
export async function openSelectiveDump(archive: PreparedArchive, pgRestore: string, names: readonly string[], ctx: SelectiveContext): Promise<SelectiveDump> {
  const dir = await mkdtemp(join(ctx.scratchDir ?? tmpdir(), "vya-pgrestore-"));
  const release = () => rm(dir, { recursive: true, force: true });
  try {
    const file = join(dir, "dump.custom");
    await extractDump(archive.path, archive.sidecar, file, ctx.onBytes, ctx.signal);
    const toc = await readCustomToc(file);
    const { stdout } = await runCommand({ file: pgRestore, args: ["--list", file] }, { signal: ctx.signal, redactor: ctx.redactor, timeoutMs: 600_000 });
    if (!matchesList(toc, stdout)) throw new OperationError(`--tables: the table of contents read from ${archive.name} does not match pg_restore --list; nothing was changed`);
    resolveTables(toc, names);
    return { file, toc, names, release };
  } catch (err) {
    await release();
    throw err;
  }
}

export interface SelectiveStep {
  pgRestore: string;
  env: Record<string, string>;
  database: string;
  jobs: number;
  /** The target had nothing in it: the types and functions the tables need come along. */
  newDatabase: boolean;
  /** Drop the chosen objects first (they may exist in the target). */
  clean: boolean;
  admin: QueryContext;
}

export interface SelectiveResult {
  tables: string[];
  /** Entries of the chosen tables left out, each with the reason. */
  skipped: string[];
}

export async function restoreSelectedTables(dump: SelectiveDump, step: SelectiveStep, ctx: SelectiveContext): Promise<SelectiveResult> {
  const schemas = new Set((await query(step.admin, "SELECT nspname FROM pg_catalog.pg_namespace", 1)).map((r) => r[0] ?? ""));
  const selection = selectTableEntries(dump.toc, dump.names, { targetSchemas: schemas, newDatabase: step.newDatabase });
  const list = `${dump.file}.list`;
  await writeFile(list, useList(selection.ids), { mode: 0o600 });
  await runCommand(
    pgRestoreCommand(step.pgRestore, step.env, { database: step.database, jobs: step.jobs, singleTransaction: step.jobs <= 1, clean: step.clean, useList: list, file: dump.file }),
    { signal: ctx.signal, redactor: ctx.redactor },
  );
  return { tables: selection.tables.map((t) => `${t.schema}.${t.name}`), skipped: selection.skipped };
}
