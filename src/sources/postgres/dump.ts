import { packingOf } from "../../config/packing.js";
import { dumpEntryFileName } from "../../catalog/naming.js";
import type { PostgresInstance } from "../../config/schema.js";
import { dumpToArchive } from "../dump-to-archive.js";
import { PG_DUMP_TRAILER, PG_DUMPALL_TRAILER } from "../dump-trailer.js";
import type { ProduceContext, UnitProduct } from "../source.js";
import { PG_FAILURE_LINES, PG_WARNING_LINES, pgDumpallGlobalsCommand, pgDumpCommand, pgRestoreReadAllCommand } from "./commands.js";
import { withPostgresConnection } from "./connection.js";
import { pgDatabaseProperties } from "./database-properties.js";
import type { DatabaseProperties, SidecarTable } from "../../catalog/sidecar.js";
import { tableEstimates, type QueryContext, type ServerInfo } from "./queries.js";
import { tablesAfterExclusion } from "./select.js";
import type { PgTool } from "./tools.js";

/** What planning found out, handed to each unit of the instance. */
export interface PgPlan {
  instance: PostgresInstance;
  server: ServerInfo;
  psql: PgTool;
  pgDump: PgTool;
  pgDumpall: PgTool | null;
  /** Reads each custom-format dump to its end as it streams by: the proof it is whole. */
  pgRestore: PgTool | null;
}

/** One database: pg_dump's stdout streamed into `<db>.sql` (or `<db>.dump`, stored as is). */
export async function produceDatabase(plan: PgPlan, database: string, ctx: ProduceContext): Promise<UnitProduct> {
  const { instance } = plan;
  return withPostgresConnection(instance, async (envFor) => {
    const env = envFor(database);
    // Read before the dump: this also fails fast, with the server's words, on a missing database.
    const q = { psql: plan.psql.file, env, signal: ctx.signal, redactor: ctx.redactor };
    const { tables, databaseProperties } = await factsBeforeDump(q);
    const custom = instance.format === "custom";
    if (custom && !plan.pgRestore) throw new Error("custom-format unit planned without pg_restore");
    const result = await dumpToArchive(
      {
        command: pgDumpCommand(plan.pgDump.file, { format: instance.format, excludeTables: instance.exclude_tables, dumpOptions: instance.dump_options }, env),
        entryName: dumpEntryFileName(database, custom ? "dump" : "sql"),
        store: custom,
        packing: packingOf(instance),
        failureLines: PG_FAILURE_LINES,
        warningLines: PG_WARNING_LINES,
        completion: custom && plan.pgRestore ? { reader: pgRestoreReadAllCommand(plan.pgRestore.file) } : { trailer: PG_DUMP_TRAILER },
      },
      ctx,
    );
    return {
      contents: result.contents,
      dumpTool: { name: "pg_dump", version: plan.pgDump.version.text },
      dumpFormat: instance.format,
      serverVersion: plan.server.display,
      tables: tablesAfterExclusion(tables, instance.exclude_tables),
      databaseProperties,
      warnings: result.warnings,
    };
  });
}

/**
 * What the sidecar records besides the dump (table estimates, the database's properties), read
 * before the dump so a missing database fails fast with the server's words. The queries run at
 * once: one after the other they cost a psql start and a round trip each before pg_dump starts.
 */
export async function factsBeforeDump(q: QueryContext): Promise<{ tables: SidecarTable[]; databaseProperties: DatabaseProperties }> {
  const [tables, databaseProperties] = await Promise.all([tableEstimates(q), pgDatabaseProperties(q)]);
  return { tables, databaseProperties };
}

export const NO_ROLE_PASSWORDS_WARNING =
  "role passwords were not dumped: this user cannot read pg_authid (superuser only), so pg_dumpall ran with --no-role-passwords; set the roles' passwords again after restoring";

/** Roles and tablespaces (pg_dumpall --globals-only) into `globals.sql`. */
export async function produceGlobals(plan: PgPlan, ctx: ProduceContext): Promise<UnitProduct> {
  const { instance } = plan;
  if (!plan.pgDumpall) throw new Error("globals unit planned without pg_dumpall");
  const pgDumpall = plan.pgDumpall;
  const noRolePasswords = !plan.server.canReadAuthid;
  return withPostgresConnection(instance, async (envFor) => {
    const result = await dumpToArchive(
      {
        command: pgDumpallGlobalsCommand(pgDumpall.file, { noRolePasswords }, envFor()),
        entryName: "globals.sql",
        store: false,
        packing: packingOf(instance),
        failureLines: PG_FAILURE_LINES,
        warningLines: PG_WARNING_LINES,
        completion: { trailer: PG_DUMPALL_TRAILER },
      },
      ctx,
    );
    return {
      contents: result.contents,
      dumpTool: { name: "pg_dumpall", version: pgDumpall.version.text },
      dumpFormat: "plain",
      serverVersion: plan.server.display,
      warnings: [...(noRolePasswords ? [NO_ROLE_PASSWORDS_WARNING] : []), ...result.warnings],
    };
  });
}
