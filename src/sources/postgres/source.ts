import { packingOf } from "../../config/packing.js";
import { stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Instance, PostgresInstance } from "../../config/schema.js";
import { CommandError } from "../../util/process.js";
import { selectDatabases } from "../name-glob.js";
import type { BackupUnit, PlanContext, Source } from "../source.js";
import { withPostgresConnection } from "./connection.js";
import { produceDatabase, produceGlobals, type PgPlan } from "./dump.js";
import { listDatabases, serverInfo, type QueryContext, type ServerInfo } from "./queries.js";
import { baseBackupUnit } from "../../pitr/base-backup.js";
import { PG_SYSTEM_DATABASES } from "./select.js";
import { findCompanionTool, findPostgresTool, probeTool, type PgTool, type PgToolSearch } from "./tools.js";

/**
 * PostgreSQL: reads the server version first, picks a pg_dump at least that new, lists the
 * databases (unless named), then plans one unit per database plus one for the globals.
 */
export const postgresSource: Source = {
  async plan(instance: Instance, ctx: PlanContext): Promise<BackupUnit[]> {
    if (instance.type !== "postgres") throw new Error(`postgres source given a ${instance.type} instance`);
    const search: PgToolSearch = { explicit: instance.pg_dump_path, signal: ctx.signal };
    const psql = await findPsql(instance, search);
    const { server, listed } = await withPostgresConnection(instance, async (envFor) => {
      const query = (database: string): QueryContext => ({ psql: psql.file, env: envFor(database), signal: ctx.signal, redactor: ctx.redactor });
      const { database: maintenance, server } = await maintenanceDatabase(instance, query);
      const listed = instance.databases.length > 0 ? [] : await listDatabases(query(maintenance));
      return { server, listed };
    });
    const pgDump = await findPostgresTool("pg_dump", server.version.major, { ...search, serverVersion: server.display });
    const pgDumpall = instance.globals ? await findCompanionTool("pg_dumpall", pgDump, search) : null;
    const pgRestore = instance.format === "custom" ? await findCompanionTool("pg_restore", pgDump, search) : null;
    const plan: PgPlan = { instance, server, psql, pgDump, pgDumpall, pgRestore };
    const where = instance.socket ? `socket ${instance.socket}` : `${instance.host}:${instance.port}`;
    const databases = selectDatabases(listed, { databases: instance.databases, exclude: instance.exclude_databases, system: PG_SYSTEM_DATABASES });
    const common = { instance, packing: packingOf(instance) } as const;
    const units: BackupUnit[] = [];
    if (pgDumpall) {
      units.push({ ...common, dumpExtension: "sql", kind: "globals", database: "_globals", describe: `pg_dumpall ${pgDumpall.version.text} --globals-only, PostgreSQL ${server.version.text} at ${where}`, produce: (pctx) => produceGlobals(plan, pctx) });
    }
    if (instance.pitr?.enabled) {
      const basebackup = await findCompanionTool("pg_basebackup", pgDump, search);
      units.push(baseBackupUnit(instance, { psql, basebackup }, where));
    }
    for (const database of databases) {
      units.push({ ...common, dumpExtension: instance.format === "custom" ? "dump" : "sql", kind: "database", database, describe: describeDump(plan, database, where), produce: (pctx) => produceDatabase(plan, database, pctx) });
    }
    return units;
  },
};

function describeDump(plan: PgPlan, database: string, where: string): string {
  return `pg_dump ${plan.pgDump.version.text} (${plan.instance.format}) of "${database}", PostgreSQL ${plan.server.version.text} at ${where}`;
}

/** psql for queries: beside pg_dump_path when that holds one, else any (queries need no version match). */
async function findPsql(instance: PostgresInstance, search: PgToolSearch): Promise<PgTool> {
  if (instance.pg_dump_path) {
    const dir = await stat(instance.pg_dump_path).then((s) => (s.isDirectory() ? instance.pg_dump_path : dirname(instance.pg_dump_path ?? "")), () => undefined);
    const beside = dir ? await probeTool("psql", join(dir, "psql"), search.signal) : null;
    if (beside) return beside;
  }
  return findPostgresTool("psql", null, { ...search, explicit: undefined });
}

/** The database to run server-wide queries in: the first named one, else postgres, else template1. */
async function maintenanceDatabase(instance: PostgresInstance, query: (db: string) => QueryContext): Promise<{ database: string; server: ServerInfo }> {
  const candidates = [...new Set([...instance.databases.slice(0, 1), "postgres", "template1"])];
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      return { database: candidate, server: await serverInfo(query(candidate)) };
    } catch (err) {
      lastError = err;
      // Only a missing database makes another candidate worth trying; a wrong password would not change.
      if (!(err instanceof CommandError && /database ".*" does not exist/.test(err.stderrTail))) throw err;
    }
  }
  throw lastError;
}
