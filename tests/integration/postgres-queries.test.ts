import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withPostgresConnection } from "../../src/sources/postgres/connection.js";
import { listDatabases, serverInfo, tableEstimates, type QueryContext } from "../../src/sources/postgres/queries.js";
import { findPostgresTool, findCompanionTool } from "../../src/sources/postgres/tools.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";

const pg = inject("postgres");
const db = "vya q:üñí \"odd\"";

describe("postgres queries against a real server", () => {
  beforeAll(async () => {
    await createRole(pg, "vya_q_reader", "reader:pw\\1");
    await createDatabase(pg, db);
    await psql(pg, `CREATE SCHEMA "sch two"; CREATE TABLE "sch two"."t\tab" (id int); INSERT INTO "sch two"."t\tab" SELECT generate_series(1, 500); ANALYZE; CREATE TABLE never_analyzed (x int);`, db);
  });
  afterAll(async () => {
    await dropDatabase(pg, db);
    await psql(pg, "DROP ROLE IF EXISTS vya_q_reader");
  });

  it("reads the server version, lists databases with odd names and estimates rows", async () => {
    const psqlTool = await findPostgresTool("psql", null);
    await withPostgresConnection({ host: pg.host, port: pg.port, user: pg.user, password: pg.password }, async (envFor) => {
      const ctx: QueryContext = { psql: psqlTool.file, env: envFor("postgres") };
      const info = await serverInfo(ctx);
      expect(info.version.major).toBe(pg.major);
      expect(info.display).toMatch(new RegExp(`^${pg.major}\\.`));
      expect(info.canReadAuthid).toBe(true);
      const dbs = await listDatabases(ctx);
      expect(dbs).toContain(db);
      expect(dbs).toContain("template1");
      expect(dbs).not.toContain("template0");
      const tables = await tableEstimates({ ...ctx, env: envFor(db) });
      expect(tables).toEqual([
        { schema: "public", name: "never_analyzed", rows_estimate: null },
        { schema: "sch two", name: "t\tab", rows_estimate: 500 },
      ]);
    });
  });

  it("reports a non-superuser as unable to read pg_authid", async () => {
    const psqlTool = await findPostgresTool("psql", null);
    await withPostgresConnection({ host: pg.host, port: pg.port, user: "vya_q_reader", password: "reader:pw\\1" }, async (envFor) => {
      const info = await serverInfo({ psql: psqlTool.file, env: envFor("postgres") });
      expect(info.canReadAuthid).toBe(false);
    });
  });

  it("fails with the server's authentication error on a wrong password", async () => {
    const psqlTool = await findPostgresTool("psql", null);
    const attempt = withPostgresConnection({ host: pg.host, port: pg.port, user: "vya_q_reader", password: "wrong" }, (envFor) => serverInfo({ psql: psqlTool.file, env: envFor("postgres") }));
    await expect(attempt).rejects.toThrow(/password authentication failed/);
  });

  it("finds pg_dump of at least the server's major, and its companions beside it", async () => {
    const dump = await findPostgresTool("pg_dump", pg.major);
    expect(dump.version.major).toBeGreaterThanOrEqual(pg.major);
    const all = await findCompanionTool("pg_dumpall", dump);
    expect(all.version.major).toBe(dump.version.major);
    await expect(findPostgresTool("pg_dump", 99, { serverVersion: "99.1" })).rejects.toThrow(/older than the server \(PostgreSQL 99\.1\).*postgresql-client-99/);
  });
});
