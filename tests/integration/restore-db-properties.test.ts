import { mkdir, readFile, copyFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { parseReport, writeDbConfig } from "../helpers/db-run.js";
import { mariadb, quoteMysqlString } from "../helpers/mariadb.js";
import { createDatabase, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * Database-level properties survive a backup and restore into another name: PostgreSQL's owner,
 * grants, comment, ALTER DATABASE … SET and ALTER ROLE … IN DATABASE … SET; MariaDB's default
 * character set and collation. Compared on the server after the restore.
 */
const pg = inject("postgres");
const my = inject("mariadb");
const OWNER = "vya_rp_owner";
const READER = "vya_rp_reader";
const SRC = "vya_rp_src";
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
const archives = { pg: "", my: "" };

async function pgProperties(database: string): Promise<Record<string, string>> {
  const lit = `'${database}'`;
  const q = async (sql: string) => (await psql(pg, sql)).trim();
  return {
    owner: await q(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${lit}`),
    acl: await q(
      `SELECT string_agg(coalesce(r.rolname, 'PUBLIC') || ':' || a.privilege_type || ':' || a.is_grantable, ',' ORDER BY 1) FROM pg_database d, aclexplode(d.datacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE d.datname = ${lit}`,
    ),
    comment: await q(`SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ${lit}`),
    settings: await q(
      `SELECT string_agg(coalesce(r.rolname, '*') || '=' || array_to_string(s.setconfig, ';'), ',' ORDER BY 1) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE d.datname = ${lit}`,
    ),
  };
}

const myCharset = async (database: string) =>
  (await mariadb(my, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${quoteMysqlString(database)}`)).trim();

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-props-"));
  await psql(pg, `CREATE ROLE ${OWNER} NOLOGIN; CREATE ROLE ${READER} LOGIN`);
  await createDatabase(pg, SRC, OWNER);
  await psql(
    pg,
    `REVOKE ALL ON DATABASE ${SRC} FROM PUBLIC; GRANT CONNECT ON DATABASE ${SRC} TO ${READER}; GRANT TEMPORARY ON DATABASE ${SRC} TO ${READER} WITH GRANT OPTION;
     COMMENT ON DATABASE ${SRC} IS 'the source''s comment';
     ALTER DATABASE ${SRC} SET work_mem = '8MB'; ALTER DATABASE ${SRC} SET search_path = "$user", public, "Odd, schema";
     ALTER ROLE ${READER} IN DATABASE ${SRC} SET statement_timeout = '5s'`,
  );
  await psql(pg, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)", SRC);
  await mariadb(my, `CREATE DATABASE ${SRC} CHARACTER SET latin1 COLLATE latin1_german1_ci; CREATE TABLE ${SRC}.t (id int); INSERT INTO ${SRC}.t VALUES (1)`);
  config = await writeDbConfig(dir, "db.yaml", [
    { id: 1, name: "pgp", type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: "${env:VYA_TEST_PG_PASSWORD}", databases: [SRC], globals: false },
    { id: 2, name: "myp", type: "mysql", host: my.host, port: my.port, user: my.user, password: "${env:VYA_TEST_MY_PASSWORD}", databases: [SRC] },
  ]);
  const backup = await cli(["--json", "backup"]);
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  for (const unit of parseReport(backup.stdout).units) archives[unit.instance.type === "postgres" ? "pg" : "my"] = basename(unit.archive ?? "");
});
afterAll(async () => {
  for (const db of [SRC, "vya_rp_copy", "vya_rp_orphan"]) await dropDatabase(pg, db);
  await psql(pg, `DROP ROLE IF EXISTS ${READER}; DROP ROLE IF EXISTS ${OWNER}`);
  for (const db of [SRC, "vya_rp_copy"]) await mariadb(my, `DROP DATABASE IF EXISTS ${db}`);
  await cleanup();
});

function cli(args: string[]) {
  return runCli(["-c", config, ...args], { env: { VYA_TEST_PG_PASSWORD: pg.password, VYA_TEST_MY_PASSWORD: my.password } });
}

describe("database properties", { timeout: 180_000 }, () => {
  it("PostgreSQL: owner, grants, comment and settings come back on the new name", async () => {
    const result = await cli(["restore", "--file", archives.pg, "--target", "vya_rp_copy"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const source = await pgProperties(SRC);
    expect(source.acl).toMatch(/vya_rp_reader:CONNECT/);
    expect(await pgProperties("vya_rp_copy")).toEqual(source);
  });

  it("PostgreSQL: an owner role missing here is reported, the rest applied", async () => {
    const forged = join(dir, "forged");
    await mkdir(forged, { recursive: true });
    const source = join(dir, "backups", "db01", "pgp", SRC, archives.pg);
    await copyFile(source, join(forged, archives.pg));
    const sidecar = JSON.parse(await readFile(`${source}.json`, "utf8")) as { database_properties: { owner: string } };
    sidecar.database_properties.owner = "vya_rp_nobody";
    await writeFile(join(forged, `${archives.pg}.json`), JSON.stringify(sidecar));
    const result = await cli(["restore", "--file", join(forged, archives.pg), "--target", "vya_rp_orphan"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/warning: .*owner "vya_rp_nobody" does not exist/);
    const props = await pgProperties("vya_rp_orphan");
    expect(props.owner).toBe(pg.user);
    expect(props.comment).toBe("the source's comment");
  });

  it("MariaDB: the default character set and collation come back", async () => {
    const result = await cli(["restore", "--file", archives.my, "--target", "vya_rp_copy"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await myCharset("vya_rp_copy")).toBe("latin1\tlatin1_german1_ci");
  });

  it("MariaDB: --tables is refused clearly (plain dumps are restored whole), nothing created", async () => {
    const result = await cli(["restore", "--file", archives.my, "--target", "vya_rp_tables", "--tables", "t"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--tables: MySQL\/MariaDB dumps are plain SQL and are restored whole/);
    expect(await myCharset("vya_rp_tables")).toBe("");
  });
});
