import { packingOf } from "../../config/packing.js";
import { dumpEntryFileName } from "../../catalog/naming.js";
import type { MysqlInstance } from "../../config/schema.js";
import { OperationError } from "../../util/errors.js";
import { dumpToArchive } from "../dump-to-archive.js";
import { MYSQL_DUMP_TRAILER } from "../dump-trailer.js";
import type { ProduceContext, UnitProduct } from "../source.js";
import { MYSQL_FAILURE_LINES, MYSQL_WARNING_LINES, mysqlDumpCommand } from "./commands.js";
import { withMysqlConnection } from "./connection.js";
import { databaseCharset, databaseExists, listTables, type MysqlQueryContext } from "./queries.js";
import { ignoredTables } from "./select.js";
import type { MysqlTool } from "./tools.js";

export interface MysqlPlan {
  instance: MysqlInstance;
  dump: MysqlTool;
  client: MysqlTool;
  serverVersion: string;
  where: string;
}

/** One database: the dump's stdout streamed into `<db>.sql` in the archive. */
export async function produceMysqlDatabase(plan: MysqlPlan, database: string, ctx: ProduceContext): Promise<UnitProduct> {
  const { instance, dump } = plan;
  return withMysqlConnection(instance, dump.client.flavour, async (connectionArgs) => {
    const q: MysqlQueryContext = { client: plan.client.file, connectionArgs, signal: ctx.signal, redactor: ctx.redactor };
    // information_schema answers "no tables" for a missing database: ask for it by name.
    if (!(await databaseExists(q, database))) throw new OperationError(`database "${database}" does not exist on ${plan.where} (check databases in the config)`);
    const tables = await listTables(q, database);
    const charset = await databaseCharset(q, database);
    const ignore = ignoredTables(database, tables.map((t) => t.name), instance.exclude_tables);
    const result = await dumpToArchive(
      {
        command: mysqlDumpCommand(dump.file, dump.client, connectionArgs, { database, ignoreTables: ignore, dumpOptions: instance.dump_options }),
        entryName: dumpEntryFileName(database, "sql"),
        store: false,
        packing: packingOf(instance),
        failureLines: MYSQL_FAILURE_LINES,
        warningLines: MYSQL_WARNING_LINES,
        completion: { trailer: MYSQL_DUMP_TRAILER },
      },
      ctx,
    );
    const ignored = new Set(ignore);
    return {
      contents: result.contents,
      dumpTool: { name: dump.name, version: dump.client.version },
      dumpFormat: "plain",
      serverVersion: plan.serverVersion,
      ...(charset ? { databaseProperties: { engine: "mysql" as const, ...charset } } : {}),
      tables: tables.filter((t) => !t.view && !ignored.has(`${database}.${t.name}`)).map((t) => ({ name: t.name, rows_estimate: t.rows_estimate })),
      warnings: result.warnings,
    };
  });
}
