import { mariadb, quoteMysqlString, type MariaServer } from "./mariadb.js";
import { createDatabase, createRole, dropDatabase, psql, type PgServer } from "./postgres.js";

/**
 * One PostgreSQL and one MariaDB database of `rows` rows (id, md5) each, owned by their own
 * login with a password, for tests that need dumps of a known size. Passwords are read by the
 * CLI from PGPW / MYPW (see `env`).
 */
export interface BigDatabases {
  pgDb: string;
  pgRole: string;
  pgPassword: string;
  myDb: string;
  myUser: string;
  myPassword: string;
  /** Instance configs for the CLI, with `extra` keys on top. */
  pgInstance(extra: Record<string, unknown>): Record<string, unknown>;
  myInstance(extra: Record<string, unknown>): Record<string, unknown>;
  /** The variables the instances' password references read. */
  passwordEnv: Record<string, string>;
  drop(): Promise<void>;
}

export async function createBigDatabases(pg: PgServer, my: MariaServer, prefix: string, rows: number): Promise<BigDatabases> {
  const db: Omit<BigDatabases, "pgInstance" | "myInstance" | "drop" | "passwordEnv"> = {
    pgDb: `${prefix}_pg`,
    pgRole: `${prefix}_role`,
    pgPassword: `${prefix}-pg-pw`,
    myDb: `${prefix}_my`,
    myUser: `${prefix}_my`,
    myPassword: `${prefix}-my-pw`,
  };
  await createRole(pg, db.pgRole, db.pgPassword);
  await createDatabase(pg, db.pgDb, db.pgRole);
  await psql(pg, `CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, ${rows}) g;`, db.pgDb, { user: db.pgRole, password: db.pgPassword });
  await mariadb(
    my,
    `CREATE DATABASE ${db.myDb}; CREATE TABLE ${db.myDb}.big (id INT PRIMARY KEY, v CHAR(32));
     SET SESSION max_recursive_iterations = ${Math.max(1000, rows)};
     INSERT INTO ${db.myDb}.big WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${rows}) SELECT n, MD5(n) FROM s;
     CREATE USER '${db.myUser}'@'%' IDENTIFIED BY ${quoteMysqlString(db.myPassword)}; GRANT ALL PRIVILEGES ON *.* TO '${db.myUser}'@'%';`,
  );
  return {
    ...db,
    passwordEnv: { PGPW: db.pgPassword, MYPW: db.myPassword },
    pgInstance: (extra) => ({ type: "postgres", host: pg.host, port: pg.port, user: db.pgRole, password: "${env:PGPW}", databases: [db.pgDb], globals: false, ...extra }),
    myInstance: (extra) => ({ type: "mysql", host: my.host, port: my.port, user: db.myUser, password: "${env:MYPW}", databases: [db.myDb], ...extra }),
    drop: async () => {
      await dropDatabase(pg, db.pgDb);
      await psql(pg, `DROP ROLE IF EXISTS ${db.pgRole}`);
      await mariadb(my, `DROP DATABASE IF EXISTS ${db.myDb}; DROP USER IF EXISTS '${db.myUser}'@'%';`);
    },
  };
}
