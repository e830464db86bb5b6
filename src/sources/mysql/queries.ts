import type { SidecarTable } from "../../catalog/sidecar.js";
import type { Redactor } from "../../util/redact.js";
import { runCommand } from "../../util/process.js";
import { mysqlQueryCommand, sqlString } from "./commands.js";

export interface MysqlQueryContext {
  client: string;
  connectionArgs: readonly string[];
  signal?: AbortSignal | undefined;
  redactor?: Redactor | undefined;
}

/** Undoes the client's --batch escaping (\t \n \\ \0) of one field; "NULL" stays a string. */
export function unescapeBatchField(field: string): string {
  return field.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", "\\": "\\", "0": "\0" })[c] ?? c);
}

export function parseBatchRows(stdout: string): string[][] {
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => line.split("\t").map(unescapeBatchField));
}

export async function mysqlQuery(ctx: MysqlQueryContext, sql: string): Promise<string[][]> {
  const { stdout } = await runCommand(mysqlQueryCommand(ctx.client, ctx.connectionArgs, sql), { signal: ctx.signal, redactor: ctx.redactor, timeoutMs: 120_000 });
  return parseBatchRows(stdout);
}

export async function serverVersion(ctx: MysqlQueryContext): Promise<string> {
  const rows = await mysqlQuery(ctx, "SELECT VERSION()");
  return rows[0]?.[0] ?? "unknown";
}

export async function listDatabases(ctx: MysqlQueryContext): Promise<string[]> {
  return (await mysqlQuery(ctx, "SHOW DATABASES")).map((r) => r[0] ?? "").filter(Boolean);
}

export async function databaseExists(ctx: MysqlQueryContext, database: string): Promise<boolean> {
  return (await mysqlQuery(ctx, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlString(database)}`)).length > 0;
}

export interface MysqlTable extends SidecarTable {
  view: boolean;
}

/** Tables and views of `database`, tables with InnoDB's row estimate. */
export async function listTables(ctx: MysqlQueryContext, database: string): Promise<MysqlTable[]> {
  const rows = await mysqlQuery(
    ctx,
    `SELECT TABLE_NAME, IFNULL(TABLE_ROWS, -1), TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${sqlString(database)} ORDER BY TABLE_NAME`,
  );
  return rows.map(([name, rows, type]) => {
    const n = Number(rows);
    return { name: name ?? "", rows_estimate: Number.isFinite(n) && n >= 0 ? n : null, view: type === "VIEW" };
  });
}

/** The database's default character set and collation (its dump holds no CREATE DATABASE). */
export async function databaseCharset(ctx: MysqlQueryContext, database: string): Promise<{ character_set: string; collation: string } | null> {
  const rows = await mysqlQuery(ctx, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlString(database)}`);
  const [cs, coll] = rows[0] ?? [];
  return cs && coll ? { character_set: cs, collation: coll } : null;
}
