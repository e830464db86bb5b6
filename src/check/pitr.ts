import { instanceName, type PostgresInstance } from "../config/schema.js";
import { ARCHIVE_SETTINGS_QUERY, archiveSettingsProblems, type ArchiveSettings } from "../pitr/server-check.js";
import { withPostgresConnection } from "../sources/postgres/connection.js";
import { query } from "../sources/postgres/queries.js";
import { findPostgresTool } from "../sources/postgres/tools.js";
import { describeError } from "../util/errors.js";
import { fail, ok, type CheckContext, type CheckResult } from "./result.js";

const CHECK = "pitr archiving";

/** The fix of each problem archiveSettingsProblems reports, by the setting it names. */
function fixOf(problem: string, instance: PostgresInstance): string {
  const command = `archive_command = 'vya-backupdb -c <this config> wal-push %p %f -i ${instance.id}'`;
  if (problem.startsWith("wal_level")) return "ALTER SYSTEM SET wal_level = replica; then restart PostgreSQL";
  if (problem.startsWith("archive_mode")) return "ALTER SYSTEM SET archive_mode = on; then restart PostgreSQL";
  return `ALTER SYSTEM SET ${command}; SELECT pg_reload_conf() (docs/pitr.md)`;
}

/** Pure: the three settings → one OK line, or one FAIL line per problem with its fix. */
export function pitrSettingsResults(settings: ArchiveSettings, instance: PostgresInstance): CheckResult[] {
  const name = instanceName(instance);
  const problems = archiveSettingsProblems(settings, { id: instance.id, name });
  if (problems.length === 0) return [ok(CHECK, name, `wal_level ${settings.wal_level}, archive_mode ${settings.archive_mode}, archive_command runs wal-push for this instance`)];
  return problems.map((problem) => fail(CHECK, name, problem, fixOf(problem, instance)));
}

/** A pitr.enabled instance: does its server archive WAL through this tool's wal-push, for this instance? */
export async function checkPitrSettings(instance: PostgresInstance, database: string, ctx: CheckContext): Promise<CheckResult[]> {
  const name = instanceName(instance);
  try {
    const psql = await findPostgresTool("psql", null, { explicit: undefined, signal: ctx.signal });
    const rows = await withPostgresConnection(instance, (envFor) => query({ psql: psql.file, env: envFor(database), signal: ctx.signal, redactor: ctx.redactor }, ARCHIVE_SETTINGS_QUERY, 3));
    const [wal_level, archive_mode, archive_command] = rows[0] ?? [];
    if (wal_level === undefined || archive_mode === undefined || archive_command === undefined) return [fail(CHECK, name, `could not read the archiving settings (got ${JSON.stringify(rows)})`)];
    return pitrSettingsResults({ wal_level, archive_mode, archive_command }, instance);
  } catch (err) {
    const message = ctx.redactor.redact(describeError(err));
    // archive_command is readable by superusers and pg_read_all_settings only.
    const fix = /permission denied|must be superuser|pg_read_all_settings/i.test(message) ? `GRANT pg_read_all_settings TO ${instance.user}` : undefined;
    return [fail(CHECK, name, `could not read wal_level, archive_mode, archive_command: ${message}`, fix)];
  }
}
