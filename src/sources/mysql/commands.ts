import type { Command } from "../../util/process.js";
import type { MysqlClientVersion } from "./version.js";

/**
 * Pure builders for mysqldump/mariadb-dump and mysql/mariadb commands. `connectionArgs` comes
 * from connection.ts and starts with --defaults-extra-file (user and password live there).
 */

/** A consistent online dump of InnoDB, with routines, triggers, events and binary data as hex. */
export const BASE_DUMP_FLAGS = [
  "--single-transaction",
  "--quick",
  "--routines",
  "--triggers",
  "--events",
  "--hex-blob",
  "--default-character-set=utf8mb4",
  "--no-tablespaces",
] as const;

/** Flags only Oracle's mysqldump knows (MariaDB's rejects them as unknown options). */
export function oracleOnlyFlags(client: MysqlClientVersion): string[] {
  if (client.flavour !== "mysql") return [];
  const atLeast = (major: number, minor: number) => client.major > major || (client.major === major && client.minor >= minor);
  return [
    // Without it a dump from a GTID server carries SET @@GLOBAL.GTID_PURGED and fails to load elsewhere.
    ...(atLeast(5, 6) ? ["--set-gtid-purged=OFF"] : []),
    // An 8.0 client asks a 5.7 or MariaDB server for column statistics it does not have.
    ...(atLeast(8, 0) ? ["--column-statistics=0"] : []),
  ];
}

export interface MysqlDumpSpec {
  database: string;
  /** "db.table" names for --ignore-table (exclude_tables, already matched against the server). */
  ignoreTables: readonly string[];
  dumpOptions: readonly string[];
}

export function mysqlDumpArgs(client: MysqlClientVersion, spec: MysqlDumpSpec): string[] {
  return [...BASE_DUMP_FLAGS, ...oracleOnlyFlags(client), ...spec.ignoreTables.map((t) => `--ignore-table=${t}`), ...spec.dumpOptions, spec.database];
}

/** The dump of one database (no CREATE DATABASE/USE: it restores into any name) to stdout. */
export function mysqlDumpCommand(file: string, client: MysqlClientVersion, connectionArgs: readonly string[], spec: MysqlDumpSpec): Command {
  return { file, args: [...connectionArgs, ...mysqlDumpArgs(client, spec)] };
}

/** One statement through the mysql/mariadb client: tab-separated, no column names. */
export function mysqlQueryCommand(file: string, connectionArgs: readonly string[], sql: string): Command {
  return { file, args: [...connectionArgs, "--default-character-set=utf8mb4", "--batch", "--skip-column-names", "--execute", sql] };
}

/** A string literal safe under any sql_mode (NO_BACKSLASH_ESCAPES included): hex, converted. */
export function sqlString(value: string): string {
  return `CONVERT(X'${Buffer.from(value, "utf8").toString("hex")}' USING utf8mb4)`;
}

/**
 * stderr lines that mean failure even with exit code 0: mysqldump reports some errors (the
 * PROCESS privilege one for tablespaces) and carries on.
 */
export const MYSQL_FAILURE_LINES: readonly RegExp[] = [
  /^(mysqldump|mariadb-dump|mysql|mariadb): (Error|Got error|Couldn't|Can't)/i,
  /you need \(at least one of\) the \w+ privilege/i,
];
export const MYSQL_WARNING_LINES: readonly RegExp[] = [/^(mysqldump|mariadb-dump): .*warning/i, /^Warning:/i];
