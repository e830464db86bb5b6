import { instanceName, type PostgresInstance } from "../config/schema.js";
import { withPostgresConnection } from "../sources/postgres/connection.js";
import { query, serverInfo } from "../sources/postgres/queries.js";
import { findPostgresTool } from "../sources/postgres/tools.js";
import { fail, ok, warn, type CheckContext, type CheckResult } from "./result.js";

/** Tables, views and sequences pg_dump must read and this user may not (at most 10 named). */
const UNREADABLE_SQL = `SELECT n.nspname || '.' || c.relname
   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'S', 'm') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
    AND (NOT has_schema_privilege(n.oid, 'USAGE') OR NOT has_table_privilege(c.oid, 'SELECT'))
  ORDER BY 1 LIMIT 11`;

/**
 * pg_dump takes one snapshot per database and must read every table and sequence in it: one
 * that is not readable fails the dump. Globals without pg_authid lose role passwords.
 */
export async function checkPostgresPrivileges(instance: PostgresInstance, databases: readonly string[], ctx: CheckContext): Promise<CheckResult[]> {
  const name = instanceName(instance);
  const psql = await findPostgresTool("psql", null, { explicit: undefined, signal: ctx.signal });
  return withPostgresConnection(instance, async (envFor) => {
    const results: CheckResult[] = [];
    const q = (database: string) => ({ psql: psql.file, env: envFor(database), signal: ctx.signal, redactor: ctx.redactor });
    for (const database of databases) {
      const rows = await query(q(database), UNREADABLE_SQL, 1);
      const names = rows.map((r) => r[0] ?? "");
      if (names.length === 0) results.push(ok("privileges", `${name}/${database}`, `${instance.user} can read every table and sequence`));
      else {
        const shown = names.slice(0, 10).join(", ") + (names.length > 10 ? ", …" : "");
        results.push(fail("privileges", `${name}/${database}`, `${instance.user} cannot read ${shown}: pg_dump would fail`, `GRANT pg_read_all_data TO ${instance.user} (PostgreSQL 14+), or GRANT USAGE ON SCHEMA … and SELECT ON ALL TABLES / SEQUENCES IN SCHEMA … TO ${instance.user}`));
      }
    }
    const info = await serverInfo(q(databases[0] ?? "postgres"));
    // A restore needs pg_restore and psql at least as new as the server too.
    for (const tool of ["pg_restore", "psql"] as const) {
      try {
        const found = await findPostgresTool(tool, info.version.major, { explicit: instance.pg_dump_path, signal: ctx.signal, serverVersion: info.display });
        results.push(ok("restore tools", name, `${tool} ${found.version.text} (${found.file}) fits PostgreSQL ${info.version.text}`));
      } catch (err) {
        results.push(fail("restore tools", name, ctx.redactor.redact((err as Error).message)));
      }
    }
    if (instance.globals && databases.length > 0) {
      if (!info.canReadAuthid) results.push(warn("privileges", `${name}/(globals)`, `${instance.user} cannot read pg_authid: the globals archive will hold the roles without their passwords`, `run the backup as a superuser to keep role passwords, or set globals: false`));
    }
    return results;
  });
}
