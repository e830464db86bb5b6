import type { Command } from "../util/process.js";
import { conninfoValue, pgIdent, pgLiteral } from "./sql-quote.js";

/**
 * Pure builders for the PostgreSQL side of a restore. Connection settings and the PGPASSFILE
 * come in `env` (sources/postgres/connection.ts); argv never holds a password.
 */

/**
 * psql reading a plain dump on stdin. `strict`: stop at the first error, all in one transaction
 * (a failure leaves nothing behind). Globals run loose: "role already exists" is expected there.
 */
export function psqlRestoreCommand(psql: string, env: Record<string, string>, strict: boolean): Command {
  return {
    file: psql,
    args: ["--no-psqlrc", "--no-password", "--quiet", `--set=ON_ERROR_STOP=${strict ? 1 : 0}`, ...(strict ? ["--single-transaction"] : []), "--file=-"],
    env,
  };
}

export interface PgRestoreSpec {
  database: string;
  /** > 1 needs `file` (parallel workers seek in it) and rules out a single transaction. */
  jobs: number;
  singleTransaction: boolean;
  /** Selective restore: a `--use-list` file naming the entries to restore (pg-table-select.ts). */
  useList?: string | undefined;
  /** Drop the listed objects first (a selective restore into an existing database). */
  clean: boolean;
  /** The custom-format dump; stdin when undefined. */
  file?: string | undefined;
}

export function pgRestoreCommand(pgRestore: string, env: Record<string, string>, spec: PgRestoreSpec): Command {
  return {
    file: pgRestore,
    args: [
      "--no-password",
      "--exit-on-error",
      // A bare name holding "=" would be read as a connection string: always pass one.
      `--dbname=dbname=${conninfoValue(spec.database)}`,
      ...(spec.singleTransaction ? ["--single-transaction"] : []),
      ...(spec.jobs > 1 ? [`--jobs=${spec.jobs}`] : []),
      ...(spec.clean ? ["--clean", "--if-exists"] : []),
      ...(spec.useList ? [`--use-list=${spec.useList}`] : []),
      ...(spec.file ? [spec.file] : []),
    ],
    env,
  };
}

export const pgSql = {
  databaseExists: (name: string) => `SELECT count(*) FROM pg_catalog.pg_database WHERE datname = ${pgLiteral(name)}`,
  /** Relations a restore would collide with: tables, views, sequences, foreign tables outside the system schemas. */
  userRelations: () =>
    "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
  tables: () =>
    "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
    "WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2",
  createDatabase: (name: string) => `CREATE DATABASE ${pgIdent(name)} TEMPLATE template0`,
  dropDatabase: (name: string, force: boolean) => `DROP DATABASE IF EXISTS ${pgIdent(name)}${force ? " WITH (FORCE)" : ""}`,
  renameDatabase: (from: string, to: string) => `ALTER DATABASE ${pgIdent(from)} RENAME TO ${pgIdent(to)}`,
  /** Exact row counts of the given tables, one query. */
  countRows: (tables: readonly { schema: string; name: string }[]) =>
    tables.map((t) => `SELECT ${pgLiteral(t.schema)}, ${pgLiteral(t.name)}, count(*) FROM ${pgIdent(t.schema)}.${pgIdent(t.name)}`).join(" UNION ALL "),
};
