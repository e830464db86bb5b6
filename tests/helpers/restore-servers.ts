import { mariadb, quoteMysqlString, type MariaServer } from "./mariadb.js";
import { psql, type PgServer } from "./postgres.js";

/** What restore tests of hand-made dumps share: the dump tools their sidecars name, and the state of both servers. */
export const PG_DUMP = { name: "pg_dump", version: "15.14" };
export const MY_DUMP = { name: "mariadb-dump", version: "10.11.19" };

export const pgHasDatabase = async (pg: PgServer, db: string) => (await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = '${db}'`)).trim() === "1";
export const myHasDatabase = async (my: MariaServer, db: string) =>
  (await mariadb(my, `SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${quoteMysqlString(db)}`)).trim() === "1";

/** Drops every database named `<prefix>…` on both servers (afterAll). `prefix` holds letters, digits and "_" only. */
export async function dropDatabasesLike(pg: PgServer, my: MariaServer, prefix: string): Promise<void> {
  const like = prefix.replace(/_/g, "\\_");
  for (const db of (await psql(pg, `SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE '${like}%'`)).trim().split(",").filter(Boolean)) await psql(pg, `DROP DATABASE "${db}"`);
  for (const db of (await mariadb(my, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '${like.replace(/\\/g, "\\\\")}%'`)).trim().split("\n").filter(Boolean)) {
    await mariadb(my, `DROP DATABASE \`${db}\``);
  }
}
