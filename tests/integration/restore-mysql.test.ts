import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeBrokenDump } from "../helpers/dump-archives.js";
import { writeFakeVersionTool } from "../helpers/fake-tools.js";
import { mariadb, mariadbFile, quoteMysqlIdent, quoteMysqlString } from "../helpers/mariadb.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * MariaDB restores through the real CLI against the harness's server: the restored database
 * is compared with the source itself; refusals change nothing; failures leave nothing half-done.
 */
const my = inject("mariadb");
const FIXTURE = fileURLToPath(new URL("../fixtures/mysql/awkward.sql", import.meta.url));
const SRC = "vya_rsm_src";
const USER = "vya_rsm_admin";
const PASSWORD = "rsm:S3cret\\with$dollar \"dq\" 'sq' #hash";
const env = { VYA_TEST_MY_PASSWORD: PASSWORD };
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let archive = "";

async function snapshot(database: string): Promise<Record<string, string>> {
  const q = async (sql: string) => (await mariadb(my, sql, database)).split(database).join("DB");
  const schema = quoteMysqlString(database);
  return {
    items: await q("SELECT id, name, note, HEX(data), MD5(big), LENGTH(big), doc, price, at, ts, f, flags, mood, BIN(bits) FROM items ORDER BY id"),
    mixed: await q("SELECT MD5(GROUP_CONCAT(k, ':', v ORDER BY k SEPARATOR ',')) FROM `Mixed Case`"),
    audit: await q("SELECT GROUP_CONCAT(item_id, op ORDER BY id) FROM audit"),
    autoIncrement: await q(`SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${schema} AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`),
    sequence: await q("SELECT next_not_cached_value, increment FROM counter"),
    view: await q("SELECT GROUP_CONCAT(name ORDER BY id) FROM v_items"),
    routines: await q(`SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${schema} ORDER BY 1`),
    triggers: await q(`SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${schema} ORDER BY 1`),
    events: await q(`SELECT EVENT_NAME, EVENT_DEFINITION FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${schema} ORDER BY 1`),
    columns: await q(`SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${schema} ORDER BY 1, ORDINAL_POSITION`),
  };
}

const databases = async (like: string) => (await mariadb(my, `SELECT GROUP_CONCAT(SCHEMA_NAME ORDER BY 1) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ${quoteMysqlString(like)}`)).trim().replace(/^NULL$/, "");
const markers = async (database: string) => (await mariadb(my, "SELECT COUNT(*) FROM audit WHERE op = 'marker'", database)).trim();

async function cli(args: string[], options: { pathPrepend?: string[] } = {}) {
  const result = await runCli(["-c", config, ...args], { env, ...options });
  for (const output of [result.stdout, result.stderr]) expect(String(output)).not.toContain(PASSWORD);
  return result;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-my-"));
  await mariadb(my, `CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY ${quoteMysqlString(PASSWORD)}; GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'%';`);
  await mariadb(my, `CREATE DATABASE ${quoteMysqlIdent(SRC)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await mariadbFile(my, FIXTURE, SRC);
  config = await writeDbConfig(dir, "my.yaml", [{ id: 5, name: "maria", type: "mysql", host: my.host, port: my.port, user: USER, password: "${env:VYA_TEST_MY_PASSWORD}", databases: [SRC] }]);
  const backup = await runCli(["-c", config, "--json", "backup"], { env });
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  archive = basename(parseReport(backup.stdout).units[0]?.archive ?? "");
});
afterAll(async () => {
  for (const db of (await databases("vya_rsm_%")).split(",").filter(Boolean)) await mariadb(my, `DROP DATABASE IF EXISTS ${quoteMysqlIdent(db)}`);
  await mariadb(my, `DROP USER IF EXISTS '${USER}'@'%'`);
  await cleanup();
});

describe("MariaDB restore", () => {
  it("into a new database (created): identical to the source", async () => {
    const result = await cli(["restore", "--file", archive, "--target", "vya_rsm_copy"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/into database "vya_rsm_copy" .*\(created\)/);
    expect(await snapshot("vya_rsm_copy")).toEqual(await snapshot(SRC));
  });

  it("a non-empty target is refused without --force and left as it was", async () => {
    await mariadb(my, "INSERT INTO audit (item_id, op) VALUES (-1, 'marker')", "vya_rsm_copy");
    const result = await cli(["restore", "--file", archive, "--target", "vya_rsm_copy"]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/"vya_rsm_copy" .* exists and is not empty .*--force.*nothing was changed/);
    expect(await markers("vya_rsm_copy")).toBe("1");
  });

  it("--force (mode safe): safety backup, replaced, rollback brings the marker back", async () => {
    const result = await cli(["--json", "restore", "--file", archive, "--target", "vya_rsm_copy", "--force"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { database: { replaced: boolean; rollback: string } };
    expect(report.database.replaced).toBe(true);
    expect(await snapshot("vya_rsm_copy")).toEqual(await snapshot(SRC));
    expect(await markers("vya_rsm_copy")).toBe("0");
    const args = report.database.rollback.replace(/^vya-backupdb /, "").match(/'[^']*'|\S+/g)?.map((a) => a.replace(/^'|'$/g, "")) ?? [];
    const back = await cli(args);
    expect(back.exitCode, String(back.stderr)).toBe(0);
    expect(await markers("vya_rsm_copy")).toBe("1");
  });

  it("verify --restore-test restores into a scratch database, compares, drops it", async () => {
    const result = await cli(["verify", "--file", archive, "--restore-test"]);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    expect(String(result.stdout)).toMatch(/ok {3}dump: complete/);
    expect(String(result.stdout)).toMatch(/ok {3}restore-test: restored into scratch database .*: 5 tables/);
    expect(await databases(`${SRC}_restoretest_%`)).toBe("");
  });

  it("a too-old mariadb client is refused with what to install", async () => {
    const fake = await writeFakeVersionTool(dir, "mariadb", "mariadb  Ver 15.1 Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64) using  EditLine wrapper");
    const result = await cli(["restore", "--file", archive, "--target", "vya_rsm_old_client"], { pathPrepend: [fake] });
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/mariadb client 10\.11\.6 is too old .*sandbox mode.*10\.11\.8/);
    expect(await databases("vya_rsm_old_client")).toBe("");
  });

  it("a dump failing midway: a created database is dropped; a replaced one is emptied with the rollback named", async () => {
    const sql = "CREATE TABLE first_half (id INT);\nINSERT INTO first_half VALUES (1);\nTHIS IS NOT SQL;\nCREATE TABLE never (id INT);\n-- Dump completed on 2026-01-01  0:00:00\n";
    const path = await writeBrokenDump(dir, { id: 5, name: "maria", type: "mysql" }, { name: "mariadb-dump", version: "10.11.19" }, sql);
    const created = await cli(["restore", "--file", path, "--target", "vya_rsm_broken"]);
    expect(created.exitCode).toBe(1);
    expect(String(created.stderr)).toMatch(/failed; the database "vya_rsm_broken" it had created was dropped/);
    expect(String(created.stderr)).toMatch(/ERROR 1064/);
    expect(await databases("vya_rsm_broken")).toBe("");

    const replaced = await cli(["restore", "--file", path, "--target", "vya_rsm_copy", "--force"]);
    expect(replaced.exitCode).toBe(1);
    expect(String(replaced.stderr)).toMatch(/"vya_rsm_copy" was left empty; its previous content is in the safety backup: vya-backupdb -c \S+ restore --file \S+/);
    expect((await mariadb(my, "SHOW TABLES", "vya_rsm_copy")).trim()).toBe("");
  });
});
