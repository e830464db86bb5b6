import type { MysqlInstance, PostgresInstance } from "../config/schema.js";
import { formatCommand } from "../util/process.js";
import { mysqlIdent, pgIdent } from "./sql-quote.js";

/**
 * Commands printed to the user after a failure, to be pasted as they are: what to run to clean
 * up what a failed restore left, or to roll back. Never a password (the clients prompt for it).
 */

/** `vya-backupdb -c <config> <args…>`: the config this run used, so the command acts on the same setup. */
export function toolCommand(args: string[], configFile: string | undefined): string {
  return formatCommand({ file: "vya-backupdb", args: [...(configFile ? ["-c", configFile] : []), ...args] });
}

export function pgDropCommand(instance: PostgresInstance, maintenance: string, database: string): string {
  const where = instance.socket ? ["-h", instance.socket] : ["-h", instance.host, "-p", String(instance.port)];
  return formatCommand({ file: "psql", args: [...where, "-U", instance.user, "-d", maintenance, "-c", `DROP DATABASE IF EXISTS ${pgIdent(database)}`] });
}

export function mysqlDropCommand(instance: MysqlInstance, client: string, database: string): string {
  const where = instance.socket ? [`--socket=${instance.socket}`] : ["-h", instance.host, "-P", String(instance.port)];
  const name = client.split("/").pop() ?? client;
  return formatCommand({ file: name, args: [...where, "-u", instance.user, "-p", "-e", `DROP DATABASE IF EXISTS ${mysqlIdent(database)}`] });
}
