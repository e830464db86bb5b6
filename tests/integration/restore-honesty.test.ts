import { basename } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeBrokenDump } from "../helpers/dump-archives.js";
import { writeScript } from "../helpers/fake-tools.js";
import { mariadb } from "../helpers/mariadb.js";
import { createDatabase, psql } from "../helpers/postgres.js";
import { dropDatabasesLike, MY_DUMP, myHasDatabase, PG_DUMP, pgHasDatabase } from "../helpers/restore-servers.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * restore and verify say what really happened: the client's own error (never a broken pipe,
 * never table data), what a failure left behind with the exact command to clean it, and a
 * custom-format verify that does not depend on how fast pg_restore closes its input.
 */
const pg = inject("postgres");
const my = inject("mariadb");
const PG = { id: 1, name: "pg-honest", type: "postgres" as const };
const MY = { id: 5, name: "maria-honest", type: "mysql" as const };
const SECRET_ROW = "ROWDATA-must-not-be-printed";
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
const env = () => ({ VYA_PG: pg.password, VYA_MY: my.password });

const pgExists = (db: string) => pgHasDatabase(pg, db);
const myExists = (db: string) => myHasDatabase(my, db);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-honest-"));
  config = await writeDbConfig(dir, "honest.yaml", [
    { ...PG, host: pg.host, port: pg.port, user: pg.user, password: "${env:VYA_PG}", databases: ["vya_hn_big"], format: "custom", globals: false },
    { ...MY, host: my.host, port: my.port, user: my.user, password: "${env:VYA_MY}" },
  ]);
});
afterAll(async () => {
  await dropDatabasesLike(pg, my, "vya_hn_");
  await cleanup();
});

const cli = (args: string[], pathPrepend: string[] = []) => runCli(["-c", config, ...args], { env: env(), pathPrepend });
/** ~300 KB of rows after the failing statement: the client quits with most of the dump unsent. */
const bulk = (prefix: string) => Array.from({ length: 3000 }, (_, i) => `${prefix}${i}, '${SECRET_ROW}-${i}-${"x".repeat(60)}');`).join("\n");

describe("the client's own error is the reason (item 9)", () => {
  it("psql: relation missing with most of the dump unsent → its ERROR line, no EPIPE, no row data", async () => {
    const sql = `CREATE TABLE t (id int, v text);\nINSERT INTO sales.orders VALUES (1);\n${bulk("INSERT INTO t VALUES (")}\n`;
    const path = await writeBrokenDump(dir, PG, PG_DUMP, sql, { database: "vya_hn_pg_err" });
    const result = await cli(["restore", "--file", path, "--target", "vya_hn_pg_err"]);
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout) + String(result.stderr);
    expect(out).toMatch(/relation "sales\.orders" does not exist/);
    expect(out).not.toMatch(/EPIPE|could not be read to the end/);
    expect(out).not.toContain(SECRET_ROW);
    expect(await pgExists("vya_hn_pg_err")).toBe(false);
  });

  it("psql: a bad value in a row is reported without the value", async () => {
    const sql = `CREATE TABLE t (id int);\nINSERT INTO t VALUES ('${SECRET_ROW}');\n${bulk("INSERT INTO t VALUES (")}\n`;
    const path = await writeBrokenDump(dir, PG, PG_DUMP, sql, { database: "vya_hn_pg_val" });
    const result = await cli(["restore", "--file", path, "--target", "vya_hn_pg_val"]);
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout) + String(result.stderr);
    expect(out).toMatch(/invalid input syntax for type integer/);
    expect(out).not.toContain(SECRET_ROW);
  });

  it("mariadb: a syntax error inside a long INSERT → ERROR line without the rows, no EPIPE", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `(${i},'${SECRET_ROW}-${i}')`).join(",\n");
    const sql = `CREATE TABLE t (id INT, v TEXT);\nINSERT INTO t VALUES ${rows} THIS IS NOT SQL;\n${bulk("INSERT INTO t VALUES (")}\n`;
    const path = await writeBrokenDump(dir, MY, MY_DUMP, sql, { database: "vya_hn_my_err" });
    const result = await cli(["restore", "--file", path, "--target", "vya_hn_my_err"]);
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout) + String(result.stderr);
    expect(out).toMatch(/ERROR 1064/);
    expect(out).not.toMatch(/EPIPE|could not be read to the end/);
    expect(out).not.toContain(SECRET_ROW);
    expect(out.split("\n").length).toBeLessThan(15);
  });
});

describe("what a failure left behind (item 10)", () => {
  it("postgres: the created database could not be dropped → says it still exists and the command that drops it works", async () => {
    const fake = `${dir}/fake-pg`;
    await execa("mkdir", ["-p", fake]);
    await writeScript(fake, "psql", `for a in "$@"; do case "$a" in *"DROP DATABASE"*vya_hn_left*) echo 'psql: error: server closed the connection unexpectedly' >&2; exit 2;; esac; done\nexec /usr/bin/psql "$@"`);
    const path = await writeBrokenDump(dir, PG, PG_DUMP, "CREATE TABLE first_half (id int);\nSELECT 1/0;\n", { database: "vya_hn_left" });
    const result = await cli(["restore", "--file", path, "--target", "vya_hn_left"], [fake]);
    expect(result.exitCode).toBe(1);
    const err = String(result.stderr);
    expect(err).not.toMatch(/was dropped/);
    expect(err).toMatch(/"vya_hn_left" it had created could not be dropped [\s\S]*server closed the connection[\s\S]*: it still exists, empty \(the restore ran in one transaction/);
    expect(await pgExists("vya_hn_left")).toBe(true);
    const command = /drop it with: (psql .*?'DROP DATABASE[^']*')/.exec(err)?.[1] ?? "";
    expect(command).toMatch(/^psql -h \S+ -p \d+ -U \S+ -d postgres -c 'DROP DATABASE IF EXISTS "vya_hn_left"'$/);
    await execa("sh", ["-c", command], { env: { PGPASSWORD: pg.password, PATH: process.env.PATH ?? "" } });
    expect(await pgExists("vya_hn_left")).toBe(false);
  });

  it("mariadb: the undo failed → how many tables are still there and the command to drop them; no 'before it could commit'", async () => {
    const fake = `${dir}/fake-my`;
    await execa("mkdir", ["-p", fake]);
    await writeScript(fake, "mariadb", `for a in "$@"; do case "$a" in *"DROP DATABASE"*vya_hn_myleft*) echo 'ERROR 2013 (HY000): Lost connection to server during query' >&2; exit 1;; esac; done\nexec /usr/bin/mariadb "$@"`);
    const path = await writeBrokenDump(dir, MY, MY_DUMP, "CREATE TABLE first_half (id INT);\nINSERT INTO first_half VALUES (1);\nTHIS IS NOT SQL;\n", { database: "vya_hn_myleft" });
    const result = await cli(["restore", "--file", path, "--target", "vya_hn_myleft"], [fake]);
    expect(result.exitCode).toBe(1);
    const err = String(result.stderr);
    expect(err).not.toMatch(/was dropped|before it could commit/);
    expect(err).toMatch(/"vya_hn_myleft" still exists with 1 table/);
    expect(err).toMatch(/drop it with: mariadb -h \S+ -P \d+ -u \S+ -p -e 'DROP DATABASE IF EXISTS `vya_hn_myleft`'/);
    expect(await myExists("vya_hn_myleft")).toBe(true);
  });

  it("postgres --force (mode safe) failing: the safety backup it took is named", async () => {
    await createDatabase(pg, "vya_hn_kept");
    await psql(pg, "CREATE TABLE keep (id int); INSERT INTO keep VALUES (7)", "vya_hn_kept");
    const path = await writeBrokenDump(dir, PG, PG_DUMP, "CREATE TABLE first_half (id int);\nSELECT 1/0;\n", { database: "vya_hn_kept" });
    const result = await cli(["restore", "--file", path, "--target", "vya_hn_kept", "--force"]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/"vya_hn_kept" is as it was; the safety backup taken before is kept: pg-honest_vya_hn_kept_\S+\.zip/);
    expect((await psql(pg, "SELECT id FROM keep", "vya_hn_kept")).trim()).toBe("7");
  });
});

describe("custom-format verify (item 8)", () => {
  it("pg_restore --list closing its input early is not a failure: 3 of 3 verifies pass", { timeout: 180_000 }, async () => {
    await createDatabase(pg, "vya_hn_big");
    await psql(pg, "CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v FROM generate_series(1, 30000) g", "vya_hn_big");
    const backup = await cli(["--json", "backup", "-i", "pg-honest"]);
    expect(backup.exitCode, String(backup.stderr)).toBe(0);
    const archive = basename(parseReport(backup.stdout).units[0]?.archive ?? "");
    for (let i = 0; i < 3; i++) {
      const result = await cli(["verify", "--file", archive]);
      expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
      expect(String(result.stdout)).toMatch(/ok {3}dump: pg_restore .* --list reads its table of contents/);
    }
  });
});
