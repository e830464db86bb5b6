import { packingOf } from "../../config/packing.js";
import type { Instance } from "../../config/schema.js";
import { selectDatabases } from "../name-glob.js";
import type { BackupUnit, PlanContext, Source } from "../source.js";
import { withMysqlConnection } from "./connection.js";
import { produceMysqlDatabase, type MysqlPlan } from "./dump.js";
import { listDatabases, serverVersion } from "./queries.js";
import { MYSQL_ALWAYS_SKIPPED, MYSQL_SYSTEM_DATABASES } from "./select.js";
import { findClientTool, findDumpTool } from "./tools.js";

/**
 * MySQL/MariaDB: detects the dump client and its flavour, reads the server version, lists the
 * databases (unless named) and plans one unit per database.
 */
export const mysqlSource: Source = {
  async plan(instance: Instance, ctx: PlanContext): Promise<BackupUnit[]> {
    if (instance.type !== "mysql") throw new Error(`mysql source given a ${instance.type} instance`);
    const dump = await findDumpTool({ explicit: instance.dump_path, signal: ctx.signal });
    const client = await findClientTool({ signal: ctx.signal }, dump);
    const { version, listed } = await withMysqlConnection(instance, client.client.flavour, async (connectionArgs) => {
      const q = { client: client.file, connectionArgs, signal: ctx.signal, redactor: ctx.redactor };
      return { version: await serverVersion(q), listed: instance.databases.length > 0 ? [] : await listDatabases(q) };
    });
    const where = instance.socket ? `socket ${instance.socket}` : `${instance.host}:${instance.port}`;
    const plan: MysqlPlan = { instance, dump, client, serverVersion: version, where };
    const databases = selectDatabases(listed, { databases: instance.databases, exclude: instance.exclude_databases, system: MYSQL_SYSTEM_DATABASES }).filter(
      (db) => !(MYSQL_ALWAYS_SKIPPED as readonly string[]).includes(db),
    );
    return databases.map((database) => ({
      instance,
      kind: "database" as const,
      database,
      packing: packingOf(instance),
      dumpExtension: "sql" as const,
      describe: `${dump.name} ${dump.client.version} (${dump.client.flavour === "mariadb" ? "MariaDB" : "Oracle MySQL"} client) of "${database}", server ${version} at ${where}`,
      produce: (pctx) => produceMysqlDatabase(plan, database, pctx),
    }));
  },
};
