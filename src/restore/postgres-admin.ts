import { query, serverInfo, type QueryContext } from "../sources/postgres/queries.js";
import { CommandError } from "../util/process.js";
import { pgSql } from "./postgres-commands.js";

/** Server-side steps of a PostgreSQL restore, each one statement through psql. */
export interface PgAdmin {
  /** Query context connected to `database` (same server, same credentials). */
  on(database: string): QueryContext;
  /** The maintenance database (postgres, else template1). */
  maintenance: string;
  /** DROP DATABASE … WITH (FORCE) exists from PostgreSQL 13. */
  canForceDrop: boolean;
}

export async function openAdmin(on: (database: string) => QueryContext): Promise<PgAdmin> {
  let lastError: unknown;
  for (const maintenance of ["postgres", "template1"]) {
    try {
      const info = await serverInfo(on(maintenance));
      return { on, maintenance, canForceDrop: info.version.major >= 13 };
    } catch (err) {
      lastError = err;
      if (!(err instanceof CommandError && /database ".*" does not exist/.test(err.stderrTail))) throw err;
    }
  }
  throw lastError;
}

const one = async (ctx: QueryContext, sql: string) => Number((await query(ctx, sql, 1))[0]?.[0] ?? "0");

export async function databaseExists(admin: PgAdmin, name: string): Promise<boolean> {
  return (await one(admin.on(admin.maintenance), pgSql.databaseExists(name))) > 0;
}

export async function userRelationCount(admin: PgAdmin, name: string): Promise<number> {
  return one(admin.on(name), pgSql.userRelations());
}

export async function createDatabase(admin: PgAdmin, name: string): Promise<void> {
  await query(admin.on(admin.maintenance), pgSql.createDatabase(name), 1);
}

export async function dropDatabase(admin: PgAdmin, name: string): Promise<void> {
  await query(admin.on(admin.maintenance), pgSql.dropDatabase(name, admin.canForceDrop), 1);
}

export async function renameDatabase(admin: PgAdmin, from: string, to: string): Promise<void> {
  await query(admin.on(admin.maintenance), pgSql.renameDatabase(from, to), 1);
}

export async function listTables(admin: PgAdmin, database: string): Promise<{ schema: string; name: string }[]> {
  return (await query(admin.on(database), pgSql.tables(), 2)).map(([schema, name]) => ({ schema: schema ?? "", name: name ?? "" }));
}

/** Exact row counts, in batches so one statement stays a reasonable size. */
export async function countRows(admin: PgAdmin, database: string, tables: readonly { schema: string; name: string }[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < tables.length; i += 100) {
    const batch = tables.slice(i, i + 100);
    for (const [schema, name, count] of await query(admin.on(database), pgSql.countRows(batch), 3)) counts.set(`${schema}.${name}`, Number(count));
  }
  return counts;
}
