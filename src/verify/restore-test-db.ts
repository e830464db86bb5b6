import { basename, dirname } from "node:path";
import type { Sidecar } from "../catalog/sidecar.js";
import type { MysqlInstance, PostgresInstance } from "../config/schema.js";
import { restoreInstance } from "../restore/instance.js";
import { restoreMysql } from "../restore/mysql.js";
import { restorePostgres } from "../restore/postgres.js";
import { countRows, dropDatabase, listTables, openAdmin } from "../restore/postgres-admin.js";
import type { PreparedArchive } from "../restore/prepare.js";
import { mysqlIdent, restoreTestName } from "../restore/sql-quote.js";
import { restoreClient } from "../restore/pg-tools.js";
import type { RunContext } from "../run/context.js";
import { withMysqlConnection } from "../sources/mysql/connection.js";
import { listTables as mysqlTables, mysqlQuery } from "../sources/mysql/queries.js";
import { findClientTool } from "../sources/mysql/tools.js";
import { withPostgresConnection } from "../sources/postgres/connection.js";
import { LocalStorage } from "../storage/local.js";
import { describeError } from "../util/errors.js";
import { compareTables } from "./table-compare.js";

/**
 * verify --restore-test for a database archive: restore into `<db>_restoretest_<time>` on the
 * instance's server with the real restore code, count every table's rows, compare with the
 * sidecar, and drop the scratch database whatever happened.
 */
export async function restoreTestDatabase(path: string, sidecar: Sidecar, ctx: RunContext): Promise<string> {
  // Roles and tablespaces are server-wide: a test restore would change the server itself.
  if (sidecar.kind === "globals") return "not restored: a globals archive would change roles server-wide (its dump check above passed)";
  const instance = restoreInstance(ctx.config, sidecar, undefined);
  const scratch = restoreTestName(sidecar.database ?? "db", new Date());
  const archive: PreparedArchive = { storage: new LocalStorage(dirname(path), "file"), key: basename(path), name: sidecar.archive.file, sidecar, path, location: path, release: async () => undefined };
  const common = { archive, target: scratch, mode: "fast" as const, force: false };
  try {
    if (instance.type === "postgres") await restorePostgres({ ...common, instance, jobs: 1, tables: [], globals: null, globalsOverwrite: false }, ctx);
    else await restoreMysql({ ...common, instance }, ctx);
    const counts = instance.type === "postgres" ? await pgCounts(instance, sidecar, scratch, ctx) : await mysqlCounts(instance, scratch, ctx);
    const recorded = sidecar.tables ?? [];
    const { problems, notes } = compareTables(recorded, counts);
    if (problems.length > 0) throw new Error(`restored into ${scratch}, but: ${problems.join("; ")}`);
    const rows = [...counts.values()].reduce((a, b) => a + b, 0);
    return `restored into scratch database ${scratch}: ${counts.size} tables, ${rows} rows, as recorded${notes.length ? ` (${notes.join("; ")})` : ""}; dropped again`;
  } finally {
    await dropScratch(instance, sidecar, scratch, ctx).catch((err: unknown) => ctx.logger.warn({ database: scratch, err: describeError(err) }, "could not drop the scratch database"));
  }
}

async function pgCounts(instance: PostgresInstance, sidecar: Sidecar, database: string, ctx: RunContext): Promise<Map<string, number>> {
  const psql = await restoreClient("psql", sidecar, instance, ctx.signal);
  return withPostgresConnection(instance, async (envFor) => {
    const admin = await openAdmin((db) => ({ psql: psql.file, env: envFor(db), signal: ctx.signal, redactor: ctx.redactor }));
    return countRows(admin, database, await listTables(admin, database));
  });
}

async function mysqlCounts(instance: MysqlInstance, database: string, ctx: RunContext): Promise<Map<string, number>> {
  const client = await findClientTool({ signal: ctx.signal });
  return withMysqlConnection(instance, client.client.flavour, async (connectionArgs) => {
    const q = { client: client.file, connectionArgs, signal: ctx.signal, redactor: ctx.redactor };
    const tables = (await mysqlTables(q, database)).filter((t) => !t.view);
    const counts = new Map<string, number>();
    for (const table of tables) {
      const rows = await mysqlQuery(q, `SELECT COUNT(*) FROM ${mysqlIdent(database)}.${mysqlIdent(table.name)}`);
      counts.set(table.name, Number(rows[0]?.[0] ?? 0));
    }
    return counts;
  });
}

async function dropScratch(instance: PostgresInstance | MysqlInstance, sidecar: Sidecar, database: string, ctx: RunContext): Promise<void> {
  if (instance.type === "mysql") {
    const client = await findClientTool({ signal: ctx.signal });
    await withMysqlConnection(instance, client.client.flavour, (connectionArgs) =>
      mysqlQuery({ client: client.file, connectionArgs, redactor: ctx.redactor }, `DROP DATABASE IF EXISTS ${mysqlIdent(database)}`),
    );
    return;
  }
  const psql = await restoreClient("psql", sidecar, instance);
  await withPostgresConnection(instance, async (envFor) => {
    const admin = await openAdmin((db) => ({ psql: psql.file, env: envFor(db), redactor: ctx.redactor }));
    await dropDatabase(admin, database);
  });
}
