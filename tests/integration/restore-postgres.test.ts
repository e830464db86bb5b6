import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { archivesIn, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeBrokenDump } from "../helpers/dump-archives.js";
import { writeFakeVersionTool } from "../helpers/fake-tools.js";
import { createDatabase, createRole, dropDatabase, psql, psqlFile } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * PostgreSQL restores through the real CLI against the harness's server: the restored
 * database is compared with the source itself; refusals change nothing; a failure midway
 * leaves no database behind.
 */
const pg = inject("postgres");
const FIXTURE = fileURLToPath(new URL("../fixtures/postgres/awkward.sql", import.meta.url));
const SRC = "vya_rs_src";
const ROLE = "vya_rs_admin";
const PASSWORD = "rs:S3cret\\with$dollar and 'quote' #hash";
const env = { VYA_TEST_PG_PASSWORD: PASSWORD };
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
const archive: Record<"plain" | "custom" | "globals", string> = { plain: "", custom: "", globals: "" };

async function snapshot(database: string): Promise<Record<string, string>> {
  const q = (sql: string) => psql(pg, sql, database);
  return {
    items: await q("SELECT json_agg(t ORDER BY id)::text FROM items t"),
    mixed: await q(`SELECT md5(string_agg(k || ':' || v, ',' ORDER BY k)) FROM other."Mixed Case"`),
    audit: await q("SELECT string_agg(item_id || op, ',' ORDER BY id) FROM audit"),
    sequences: await q("SELECT last_value || '/' || is_called FROM items_id_seq UNION ALL SELECT last_value || '/' || is_called FROM other.counter"),
    view: await q("SELECT string_agg(name, ',' ORDER BY id) FROM other.v_items"),
    functions: await q("SELECT string_agg(pg_get_functiondef(p.oid), E'\\n' ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'other')"),
    triggers: await q("SELECT string_agg(pg_get_triggerdef(oid), E'\\n' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal"),
    types: await q("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum"),
  };
}

const exists = async (database: string) => (await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = '${database}'`)).trim() === "1";
const databasesLike = async (pattern: string) => (await psql(pg, `SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE '${pattern}'`)).trim();

function expectNoSecret(...outputs: unknown[]): void {
  for (const output of outputs) expect(String(output)).not.toContain(PASSWORD);
}

async function restore(args: string[], options: { pathPrepend?: string[] } = {}) {
  const result = await runCli(["-c", config, ...args], { env, ...options });
  expectNoSecret(result.stdout, result.stderr);
  return result;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-pg-"));
  await createRole(pg, ROLE, PASSWORD, { superuser: true });
  await createDatabase(pg, SRC);
  await psqlFile(pg, FIXTURE, SRC);
  const instance = (extra: Record<string, unknown>) => ({ type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:VYA_TEST_PG_PASSWORD}", databases: [SRC], ...extra });
  config = await writeDbConfig(dir, "pg.yaml", [instance({ id: 1, name: "pg-plain" }), instance({ id: 2, name: "pg-custom", format: "custom", globals: false })]);
  const backup = await runCli(["-c", config, "--json", "backup"], { env });
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  const report = parseReport(backup.stdout);
  for (const unit of report.units) {
    const name = basename(unit.archive ?? "");
    if (unit.kind === "globals") archive.globals = name;
    else if (unit.instance.name === "pg-plain") archive.plain = name;
    else archive.custom = name;
  }
});
afterAll(async () => {
  const leftovers = (await databasesLike("vya_rs_%")).split(",").filter(Boolean);
  for (const db of leftovers) await dropDatabase(pg, db);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

describe("PostgreSQL restore", () => {
  it("plain: into a new database (created), identical to the source", async () => {
    const result = await restore(["restore", "--file", archive.plain, "--target", "vya_rs_plain"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/into database "vya_rs_plain" .*\(created\)/);
    expect(await snapshot("vya_rs_plain")).toEqual(await snapshot(SRC));
  });

  it("a non-empty target is refused without --force, and left as it was", async () => {
    await psql(pg, "INSERT INTO audit (item_id, op) VALUES (-1, 'marker')", "vya_rs_plain");
    const result = await restore(["restore", "--file", archive.plain, "--target", "vya_rs_plain"]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/database "vya_rs_plain" .* exists and is not empty .*--force.*nothing was changed/);
    expect((await psql(pg, "SELECT count(*) FROM audit WHERE op = 'marker'", "vya_rs_plain")).trim()).toBe("1");
  });

  it("--force (mode safe): safety backup first, target replaced, and the printed rollback brings it back", async () => {
    const result = await restore(["--json", "restore", "--file", archive.plain, "--target", "vya_rs_plain", "--force"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { mode: string; database: { replaced: boolean; safety_backup: string; rollback: string } };
    expect(report.mode).toBe("safe");
    expect(report.database.replaced).toBe(true);
    expect(await snapshot("vya_rs_plain")).toEqual(await snapshot(SRC));
    expect((await psql(pg, "SELECT count(*) FROM audit WHERE op = 'marker'", "vya_rs_plain")).trim()).toBe("0");
    expect(await databasesLike("vya_rs_plain_vyarestore%")).toBe("");

    const list = await restore(["list", "-i", "pg-plain", "-d", "vya_rs_plain"]);
    expect(String(list.stdout)).toContain(basename(report.database.safety_backup));
    const rollback = report.database.rollback.replace(/^vya-backupdb /, "").match(/'[^']*'|\S+/g)?.map((a) => a.replace(/^'|'$/g, "")) ?? [];
    const back = await restore(rollback);
    expect(back.exitCode, String(back.stderr)).toBe(0);
    expect((await psql(pg, "SELECT count(*) FROM audit WHERE op = 'marker'", "vya_rs_plain")).trim()).toBe("1");
  });

  it("--mode test restores into <db>_restoretest_<time> and says where", async () => {
    const result = await restore(["--json", "restore", "--file", archive.plain, "--mode", "test"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { target: string };
    expect(report.target).toMatch(new RegExp(`^${SRC}_restoretest_\\d{8}T\\d{6}Z$`));
    expect(await snapshot(report.target)).toEqual(await snapshot(SRC));
    await dropDatabase(pg, report.target);
  });

  it("custom with --jobs 2: identical to the source", async () => {
    const result = await restore(["restore", "--file", archive.custom, "--target", "vya_rs_custom", "--jobs", "2"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await snapshot("vya_rs_custom")).toEqual(await snapshot(SRC));
  });

  it("custom --tables: only the named table is replaced in an existing database", async () => {
    await psql(pg, `DELETE FROM other."Mixed Case" WHERE k > 10; INSERT INTO audit (item_id, op) VALUES (-2, 'kept')`, "vya_rs_custom");
    const result = await restore(["restore", "--file", archive.custom, "--target", "vya_rs_custom", "--tables", "other.Mixed Case", "--force", "--mode", "fast"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect((await snapshot("vya_rs_custom")).mixed).toBe((await snapshot(SRC)).mixed);
    expect((await psql(pg, "SELECT count(*) FROM audit WHERE op = 'kept'", "vya_rs_custom")).trim()).toBe("1");
  });

  it("the globals archive is restored only with --globals", async () => {
    const refused = await restore(["restore", "--file", archive.globals]);
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stderr)).toMatch(/roles and tablespaces .*--globals/);
    const done = await restore(["restore", "--file", archive.globals, "--globals"]);
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(String(done.stdout)).toMatch(/globals restored from/);
  });

  it("verify: plain (completion line), custom (pg_restore --list) and --restore-test drop their scratch database", async () => {
    for (const name of [archive.plain, archive.custom]) {
      const result = await restore(["verify", "--file", name, "--restore-test"]);
      expect(result.exitCode, String(result.stdout)).toBe(0);
      expect(String(result.stdout)).toMatch(/ok {3}dump: /);
      expect(String(result.stdout)).toMatch(/ok {3}restore-test: restored into scratch database .* 4 tables/);
    }
    expect(await databasesLike(`${SRC}_restoretest_%`)).toBe("");
    // The newest run of pg-plain: the safety backup taken above, or the first backup (with globals).
    const latest = await restore(["verify", "-i", "pg-plain", "--latest", "--restore-test"]);
    expect(latest.exitCode, String(latest.stdout)).toBe(0);
    expect(String(latest.stdout)).toMatch(/^[12] archives? verified$/m);
    const globals = await restore(["verify", "--file", archive.globals, "--restore-test"]);
    expect(globals.exitCode, String(globals.stdout)).toBe(0);
    expect(String(globals.stdout)).toMatch(/ok {3}dump: complete/);
    expect(String(globals.stdout)).toMatch(/ok {3}restore-test: not restored: a globals archive/);
  });
});

describe("PostgreSQL restore refusals and failures", () => {
  it("--tables on a plain dump is a usage error (exit 2), nothing created", async () => {
    const result = await restore(["restore", "--file", archive.plain, "--target", "vya_rs_tables_plain", "--tables", "items"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--tables needs a custom-format dump/);
    expect(await exists("vya_rs_tables_plain")).toBe(false);
  });

  it("a damaged database archive is refused before the server is touched", async () => {
    const copyDir = join(dir, "damaged");
    await mkdir(copyDir, { recursive: true });
    const source = join(dir, "backups", "db01", "pg-plain", SRC, archive.plain);
    const copy = join(copyDir, archive.plain);
    const bytes = await readFile(source);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x10;
    await writeFile(copy, bytes);
    await copyFile(`${source}.json`, `${copy}.json`);
    for (const command of [["restore", "--file", copy, "--target", "vya_rs_damaged"], ["verify", "--file", copy]]) {
      const result = await restore(command);
      expect(result.exitCode).toBe(1);
      expect(String(result.stdout) + String(result.stderr)).toMatch(/has sha256 [0-9a-f]{64} but its sidecar records/);
    }
    expect(await exists("vya_rs_damaged")).toBe(false);
  });

  it("a too-old psql is refused before anything is touched, with what to install", async () => {
    const copyDir = join(dir, "too-old");
    await mkdir(copyDir, { recursive: true });
    const source = join(dir, "backups", "db01", "pg-plain", SRC, archive.plain);
    const copy = join(copyDir, archive.plain);
    await copyFile(source, copy);
    const sidecar = JSON.parse(await readFile(`${source}.json`, "utf8")) as { dump_tool: { version: string } };
    sidecar.dump_tool.version = "17.6";
    await writeFile(`${copy}.json`, JSON.stringify(sidecar));
    const result = await restore(["restore", "--file", copy, "--target", "vya_rs_too_new"]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/psql 15\.\d+ is too old: the dump was written by pg_dump 17\.6 .*install postgresql-client-17/);
    expect(await exists("vya_rs_too_new")).toBe(false);
  });

  it("psql older than the pg_dump within a major is explained (\\restrict)", async () => {
    const fake = await writeFakeVersionTool(dir, "psql", "psql (PostgreSQL) 15.2");
    const result = await restore(["restore", "--file", archive.plain, "--target", "vya_rs_old_psql"], { pathPrepend: [fake] });
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/psql 15\.2 is too old: .*\\restrict/);
    expect(await exists("vya_rs_old_psql")).toBe(false);
  });

  it("a dump failing midway leaves no database (created one dropped; replaced one untouched)", async () => {
    const sql = "CREATE TABLE first_half (id int);\nINSERT INTO first_half VALUES (1);\nSELECT 1/0;\nCREATE TABLE never (id int);\n-- PostgreSQL database dump complete\n--\n";
    const path = await writeBrokenDump(dir, { id: 1, name: "pg-plain", type: "postgres" }, { name: "pg_dump", version: "15.0" }, sql);
    const created = await restore(["restore", "--file", path, "--target", "vya_rs_broken"]);
    expect(created.exitCode).toBe(1);
    expect(String(created.stderr)).toMatch(/failed; the database "vya_rs_broken" it had created was dropped/);
    expect(String(created.stderr)).toMatch(/division by zero/);
    expect(await exists("vya_rs_broken")).toBe(false);

    const before = await snapshot("vya_rs_plain");
    const replaced = await restore(["restore", "--file", path, "--target", "vya_rs_plain", "--force", "--mode", "fast"]);
    expect(replaced.exitCode).toBe(1);
    expect(String(replaced.stderr)).toMatch(/"vya_rs_plain" is as it was/);
    expect(await snapshot("vya_rs_plain")).toEqual(before);
    expect(await databasesLike("vya_rs_plain_vyarestore%")).toBe("");
  });
});
