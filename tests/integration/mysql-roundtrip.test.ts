import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readTarGz } from "../helpers/archives.js";
import { runCli } from "../helpers/cli.js";
import { archivesIn, parseReport, readSidecar, unzipEntry, writeDbConfig } from "../helpers/db-run.js";
import { mariadb, mariadbFile, quoteMysqlIdent, quoteMysqlString } from "../helpers/mariadb.js";
import { makeTempDir } from "../helpers/tmp.js";

const my = inject("mariadb");
const FIXTURE = fileURLToPath(new URL("../fixtures/mysql/awkward.sql", import.meta.url));
const SRC = "vya_mrt_src";
const USER = "vya_mrt_backup";
const PASSWORD = "mrt:S3cret\\with$dollar \"dq\" 'sq' #hash";
const created: string[] = [SRC];
let dir: string;
let cleanup: () => Promise<void>;

/**
 * Everything a restored database must reproduce, read back from the server (the db name
 * normalised; skipped_logs is left out on purpose by exclude_tables).
 */
async function snapshot(database: string): Promise<Record<string, string>> {
  const q = async (sql: string) =>
    (await mariadb(my, sql, database))
      .split(database)
      .join("DB")
      .split("\n")
      .filter((line) => !line.startsWith("skipped_logs\t"))
      .join("\n");
  const schema = quoteMysqlString(database);
  return {
    items: await q("SELECT id, name, note, HEX(data), MD5(big), LENGTH(big), doc, price, at, ts, f, flags, mood, BIN(bits) FROM items ORDER BY id"),
    mixed: await q("SELECT MD5(GROUP_CONCAT(k, ':', v ORDER BY k SEPARATOR ',')) FROM `Mixed Case`"),
    audit: await q("SELECT GROUP_CONCAT(item_id, op ORDER BY id) FROM audit"),
    autoIncrement: await q(`SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${schema} AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`),
    sequence: await q("SELECT next_not_cached_value, increment FROM counter"),
    view: await q(`SELECT VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ${schema}`) + (await q("SELECT GROUP_CONCAT(name ORDER BY id) FROM v_items")),
    routines: await q(`SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${schema} ORDER BY 1`),
    triggers: await q(`SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${schema} ORDER BY 1`),
    events: await q(`SELECT EVENT_NAME, EVENT_DEFINITION, INTERVAL_VALUE, INTERVAL_FIELD FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${schema} ORDER BY 1`),
    columns: await q(`SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${schema} ORDER BY 1, ORDINAL_POSITION`),
  };
}

async function freshDatabase(name: string): Promise<void> {
  created.push(name);
  await mariadb(my, `DROP DATABASE IF EXISTS ${quoteMysqlIdent(name)}; CREATE DATABASE ${quoteMysqlIdent(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`);
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await mariadb(my, `CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY ${quoteMysqlString(PASSWORD)}; GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'%';`);
  await freshDatabase(SRC);
  await mariadbFile(my, FIXTURE, SRC);
});
afterAll(async () => {
  for (const db of created) await mariadb(my, `DROP DATABASE IF EXISTS ${quoteMysqlIdent(db)}`);
  await mariadb(my, `DROP USER IF EXISTS '${USER}'@'%'`);
  await cleanup();
});

describe("MariaDB round trip through the real CLI", () => {
  const instance = (extra: Record<string, unknown>) => ({
    type: "mysql",
    host: my.host,
    port: my.port,
    user: USER,
    password: "${env:VYA_TEST_MY_PASSWORD}",
    databases: [SRC],
    ...extra,
  });
  const env = { VYA_TEST_MY_PASSWORD: PASSWORD };

  it("zip with <db>.sql restores with mariadb to identical data, routines, triggers, events, views and sequences", async () => {
    const config = await writeDbConfig(dir, "plain.yaml", [instance({ id: 1, name: "my-main", exclude_tables: [`${SRC}.skipped_*`] })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = parseReport(result.stdout);
    expect(report.units.map((u) => [u.kind, u.database, u.status])).toEqual([["database", SRC, "success"]]);

    const [archive] = await archivesIn(join(dir, "backups", "db01", "my-main", SRC));
    const sidecar = await readSidecar(archive as string);
    expect(sidecar.dump_tool?.name).toMatch(/^(mariadb-dump|mysqldump)$/);
    expect(sidecar.dump_format).toBe("plain");
    expect(sidecar.source_server_version).toBe(my.version);
    expect(sidecar.tables).toContainEqual({ name: "Mixed Case", rows_estimate: 2000 });
    expect(sidecar.tables?.map((t) => t.name)).not.toContain("skipped_logs");
    expect(sidecar.tables?.map((t) => t.name)).not.toContain("v_items");
    expect(sidecar.contents.map((c) => c.name)).toEqual([`${SRC}.sql`]);

    const sql = join(dir, "plain.sql");
    await unzipEntry(archive as string, `${SRC}.sql`, sql);
    expect((await stat(sql)).size).toBe(sidecar.contents[0]?.size);
    const text = await readFile(sql, "utf8");
    expect(text).not.toMatch(/CREATE DATABASE|^USE /m);
    const target = "vya_mrt_plain";
    await freshDatabase(target);
    await mariadbFile(my, sql, target);
    expect(await snapshot(target)).toEqual(await snapshot(SRC));
    expect(await mariadb(my, "SHOW TABLES LIKE 'skipped_logs'", target)).toBe("");
    // The restored routines and trigger work, not just exist.
    expect(await mariadb(my, "SELECT add2(2, 3); CALL bump(1); INSERT INTO items (name) VALUES ('post'); SELECT op FROM audit ORDER BY id DESC LIMIT 1; SELECT v FROM `Mixed Case` WHERE k = 1;", target)).toBe(
      "5\nINSERT\nc4ca4238a0b923820dcc509a6f75849b!\n",
    );
  });

  it("archive: tar.gz spools the dump and still restores identically", async () => {
    const config = await writeDbConfig(dir, "tgz.yaml", [instance({ id: 2, name: "my-tgz", archive: "tar.gz" })]);
    const result = await runCli(["-c", config, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const [archive] = await archivesIn(join(dir, "backups", "db01", "my-tgz", SRC), ".tar.gz");
    const content = (await readTarGz(archive as string)).get(`${SRC}.sql`)?.content;
    expect(content).toBeDefined();
    const target = "vya_mrt_tgz";
    await freshDatabase(target);
    await mariadb(my, (content as Buffer).toString("utf8"), target);
    expect(await snapshot(target)).toEqual(await snapshot(SRC));
  });

  it("over the unix socket (socket overrides host and port)", async () => {
    await mariadb(my, `CREATE USER IF NOT EXISTS '${USER}'@'localhost' IDENTIFIED BY ${quoteMysqlString(PASSWORD)}; GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'localhost';`);
    try {
      const config = await writeDbConfig(dir, "socket.yaml", [instance({ id: 3, name: "my-socket", host: "192.0.2.1", port: 1, socket: my.socket })]);
      const result = await runCli(["-c", config, "--json", "backup"], { env });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(parseReport(result.stdout).units[0]?.source).toContain(`socket ${my.socket}`);
      expect(await archivesIn(join(dir, "backups", "db01", "my-socket", SRC))).toHaveLength(1);
    } finally {
      await mariadb(my, `DROP USER IF EXISTS '${USER}'@'localhost'`);
    }
  });
});
