import { OperationError } from "../../util/errors.js";
import type { Redactor } from "../../util/redact.js";
import { runCommand } from "../../util/process.js";
import { psqlQueryCommand } from "./commands.js";
import { parseServerVersionNum, type PgVersion } from "./version.js";
import type { SidecarTable } from "../../catalog/sidecar.js";

export interface QueryContext {
  psql: string;
  env: Record<string, string>;
  signal?: AbortSignal | undefined;
  redactor?: Redactor | undefined;
}

/** Splits psql's NUL-separated output into rows of fields (trailing NUL per record). */
export function parseNulRows(stdout: string, columns: number): string[][] {
  const fields = stdout.split("\0");
  if (fields.at(-1) === "") fields.pop();
  const rows: string[][] = [];
  for (let i = 0; i + columns <= fields.length; i += columns) rows.push(fields.slice(i, i + columns).map((f) => f.replace(/^\n/, "")));
  return rows;
}

export async function query(ctx: QueryContext, sql: string, columns: number): Promise<string[][]> {
  const { stdout } = await runCommand(psqlQueryCommand(ctx.psql, sql, ctx.env), { signal: ctx.signal, redactor: ctx.redactor, timeoutMs: 120_000 });
  return parseNulRows(stdout, columns);
}

export interface ServerInfo {
  version: PgVersion;
  /** server_version as the server reports it, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  display: string;
  /** Whether this user can read pg_authid (role passwords). */
  canReadAuthid: boolean;
}

export async function serverInfo(ctx: QueryContext): Promise<ServerInfo> {
  const rows = await query(
    ctx,
    "SELECT current_setting('server_version_num'), current_setting('server_version'), CASE WHEN has_table_privilege('pg_catalog.pg_authid', 'SELECT') THEN 't' ELSE 'f' END",
    3,
  );
  const [num, display, authid] = rows[0] ?? [];
  const version = parseServerVersionNum(num ?? "");
  if (!version || display === undefined) throw new OperationError(`could not read the server version (got ${JSON.stringify(rows)})`);
  return { version, display, canReadAuthid: authid === "t" };
}

/** Databases that accept connections, by name. */
export async function listDatabases(ctx: QueryContext): Promise<string[]> {
  const rows = await query(ctx, "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn ORDER BY datname", 1);
  return rows.map((r) => r[0] ?? "").filter(Boolean);
}

/** Tables with the planner's row estimate (null when never analysed); for verify and monitoring. */
export async function tableEstimates(ctx: QueryContext): Promise<SidecarTable[]> {
  const rows = await query(
    ctx,
    `SELECT n.nspname, c.relname, c.reltuples::bigint
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY 1, 2`,
    3,
  );
  return rows.map(([schema, name, rows]) => {
    const n = Number(rows);
    return { schema: schema ?? "", name: name ?? "", rows_estimate: Number.isFinite(n) && n >= 0 ? n : null };
  });
}
