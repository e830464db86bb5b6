import type { Command } from "../../util/process.js";

/**
 * Pure builders for PostgreSQL client commands. Connection settings and the PGPASSFILE come in
 * `env` (see connection.ts): argv holds no connection string and never a password.
 */

/** psql running one query, unaligned, tuples only, NUL-separated (names may hold any character). */
export function psqlQueryCommand(psql: string, sql: string, env: Record<string, string>): Command {
  return {
    file: psql,
    args: ["--no-psqlrc", "--no-password", "--quiet", "--no-align", "--tuples-only", "--field-separator-zero", "--record-separator-zero", "--set=ON_ERROR_STOP=1", "--command", sql],
    env,
  };
}

export interface PgDumpSpec {
  format: "plain" | "custom";
  excludeTables: readonly string[];
  dumpOptions: readonly string[];
}

/** pg_dump of the database named by PGDATABASE in `env`, to stdout. */
export function pgDumpCommand(pgDump: string, spec: PgDumpSpec, env: Record<string, string>): Command {
  return {
    file: pgDump,
    args: [
      `--format=${spec.format}`,
      "--no-password",
      ...spec.excludeTables.map((pattern) => `--exclude-table=${pattern}`),
      ...spec.dumpOptions,
    ],
    env,
  };
}

/** Roles and tablespaces; `noRolePasswords` when the user cannot read pg_authid (not a superuser). */
export function pgDumpallGlobalsCommand(pgDumpall: string, options: { noRolePasswords: boolean }, env: Record<string, string>): Command {
  return {
    file: pgDumpall,
    args: ["--globals-only", "--no-password", ...(options.noRolePasswords ? ["--no-role-passwords"] : [])],
    env,
  };
}

/**
 * pg_restore reading a custom-format dump from stdin to its very end, writing the script to
 * /dev/null: it fails on a dump cut short (a custom dump has no trailer line to look for).
 * No connection: nothing is restored.
 */
export function pgRestoreReadAllCommand(pgRestore: string): Command {
  return { file: pgRestore, args: ["--file=/dev/null"] };
}

/** Lines pg_dump/pg_dumpall print on stderr that mean the dump is not good, whatever the exit code. */
export const PG_FAILURE_LINES: readonly RegExp[] = [/^pg_dump(all)?: error:/, /^pg_dump(all)?: fatal:/i, /^pg_dump(all)?: \[.*\] (error|fatal)/i];
/** Lines worth keeping in the sidecar as warnings. */
export const PG_WARNING_LINES: readonly RegExp[] = [/^pg_dump(all)?: warning:/];
