import { instanceName, type MysqlInstance } from "../config/schema.js";
import { withMysqlConnection } from "../sources/mysql/connection.js";
import { mysqlQuery } from "../sources/mysql/queries.js";
import { findClientTool } from "../sources/mysql/tools.js";
import { fail, ok, type CheckContext, type CheckResult } from "./result.js";

/**
 * What mysqldump --single-transaction --routines --triggers --events needs on each database
 * (LOCK TABLES is not: --single-transaction reads InnoDB from one snapshot without locks).
 */
export const MYSQL_DUMP_PRIVILEGES = ["SELECT", "SHOW VIEW", "TRIGGER", "EVENT"] as const;

/**
 * The privileges `grants` (SHOW GRANTS lines) give on `database`, from global (*.*) and
 * database-level (`db`.*) grants. Table-level grants and roles are not followed: a database
 * covered only by those is reported missing, which errs on the side of looking.
 */
export function grantedOn(grants: readonly string[], database: string): Set<string> {
  const granted = new Set<string>();
  for (const line of grants) {
    const m = /^GRANT (.+?) ON (\S+) TO /i.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const on = m[2].replace(/`/g, "");
    const dbPart = on.split(".")[0] ?? "";
    const matches = dbPart === "*" || dbPart === database || (dbPart.includes("%") || dbPart.includes("_") ? new RegExp(`^${dbPart.replace(/\\_/g, "_").replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".")}$`).test(database) : false);
    if (!matches || !on.endsWith(".*")) continue;
    for (const privilege of m[1].split(",").map((p) => p.trim().toUpperCase())) {
      if (privilege === "ALL" || privilege === "ALL PRIVILEGES") MYSQL_DUMP_PRIVILEGES.forEach((p) => granted.add(p));
      else granted.add(privilege);
    }
  }
  return granted;
}

export async function checkMysqlPrivileges(instance: MysqlInstance, databases: readonly string[], ctx: CheckContext): Promise<CheckResult[]> {
  const name = instanceName(instance);
  // The same client a restore uses: found here, or the check fails naming what to install.
  const client = await findClientTool({ signal: ctx.signal });
  const grants = await withMysqlConnection(instance, client.client.flavour, async (connectionArgs) =>
    (await mysqlQuery({ client: client.file, connectionArgs, signal: ctx.signal, redactor: ctx.redactor }, "SHOW GRANTS")).map((r) => r[0] ?? ""),
  );
  const restoreTool = ok("restore tools", name, `${client.name} ${client.client.version} (${client.file})`);
  return [restoreTool, ...databases.map((database) => {
    const granted = grantedOn(grants, database);
    const missing = MYSQL_DUMP_PRIVILEGES.filter((p) => !granted.has(p));
    if (missing.length === 0) return ok("privileges", `${name}/${database}`, `${instance.user} has ${MYSQL_DUMP_PRIVILEGES.join(", ")}`);
    return fail("privileges", `${name}/${database}`, `${instance.user} lacks ${missing.join(", ")} on ${database} (from SHOW GRANTS): the dump would fail or miss objects`, `GRANT ${MYSQL_DUMP_PRIVILEGES.join(", ")} ON \`${database}\`.* TO '${instance.user}'@'…'`);
  })];
}
