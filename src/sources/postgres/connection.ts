import type { PostgresInstance } from "../../config/schema.js";
import { withPgPassFile } from "../../util/credentials.js";

/** How to reach an instance, without the password (that goes into a PGPASSFILE). */
export type PgTarget = Pick<PostgresInstance, "host" | "port" | "socket" | "user" | "password" | "ssl" | "ssl_ca">;

/**
 * libpq environment for a client (pg_dump, psql, pg_restore …) connecting to `target`.
 * Everything is passed by environment, so nothing on argv is ever parsed as a connection string;
 * the password only through PGPASSFILE. `database` undefined leaves the tool's default.
 */
export function postgresEnv(target: PgTarget, options: { database?: string | undefined; passfile?: string | undefined }): Record<string, string> {
  const env: Record<string, string> = {
    PGHOST: target.socket ?? target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGAPPNAME: "vya-backupdb",
    PGCONNECT_TIMEOUT: "15",
    // A client must never stop and wait for a password on a terminal.
    PGPASSFILE: options.passfile ?? "/dev/null",
  };
  if (options.database !== undefined) env.PGDATABASE = options.database;
  if (target.ssl) env.PGSSLMODE = target.ssl;
  if (target.ssl_ca) env.PGSSLROOTCERT = target.ssl_ca;
  return env;
}

/**
 * Runs `fn` with a function that gives the environment for connecting to `target` (database
 * optional); the temporary PGPASSFILE behind it is removed afterwards, on failure too.
 */
export async function withPostgresConnection<T>(
  target: PgTarget,
  fn: (envFor: (database?: string) => Record<string, string>) => Promise<T>,
  dir?: string,
): Promise<T> {
  return withPgPassFile(target.user, target.password, (passfile) => fn((database) => postgresEnv(target, { database, passfile })), dir);
}
