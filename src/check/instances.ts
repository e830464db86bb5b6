import { instanceName, type Instance } from "../config/schema.js";
import { sourceFor } from "../sources/registry.js";
import type { BackupUnit } from "../sources/source.js";
import { describeError } from "../util/errors.js";
import { fixFor } from "./fix-hints.js";
import { checkPitrSettings } from "./pitr.js";
import { checkMysqlPrivileges } from "./privileges-mysql.js";
import { checkPostgresPrivileges } from "./privileges-postgres.js";
import { fail, ok, type CheckContext, type CheckResult } from "./result.js";

/**
 * Each instance as a backup would plan it: the dump tool found with a version that fits the
 * server, the server reachable and the user authenticated, the databases listed (files: the
 * patterns match); then the privileges a consistent dump needs.
 */
export async function checkInstance(instance: Instance, ctx: CheckContext): Promise<CheckResult[]> {
  const name = instanceName(instance);
  const index = ctx.config.instances.indexOf(instance);
  const where = `instances[${index}] (${name})`;
  const source = await sourceFor(instance.type);
  if (!source) return [fail("instance", name, `backing up ${instance.type} instances is not supported by this version`)];
  let units: BackupUnit[];
  try {
    units = await source.plan(instance, { logger: ctx.logger.child({ instance: name }), redactor: ctx.redactor, signal: ctx.signal });
  } catch (err) {
    const message = ctx.redactor.redact(describeError(err));
    return [fail(instance.type === "files" ? "files found" : "tools, connection, login", name, message, fixFor(message, where))];
  }
  const databases = units.filter((u) => u.kind === "database").map((u) => u.database ?? "");
  const what = instance.type === "files" ? units[0]?.describe ?? "" : `${units[0]?.describe ?? "nothing to back up"}${databases.length > 1 ? ` (+ ${databases.length - 1} more database${databases.length === 2 ? "" : "s"})` : ""}`;
  const results = [ok(instance.type === "files" ? "files found" : "tools, connection, login", name, what)];
  try {
    if (instance.type === "postgres") results.push(...(await checkPostgresPrivileges(instance, databases, ctx)));
    if (instance.type === "mysql") results.push(...(await checkMysqlPrivileges(instance, databases, ctx)));
  } catch (err) {
    results.push(fail("privileges", name, ctx.redactor.redact(describeError(err))));
  }
  if (instance.type === "postgres" && instance.pitr?.enabled) results.push(...(await checkPitrSettings(instance, databases[0] ?? "postgres", ctx)));
  return results;
}
