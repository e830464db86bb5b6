import { execFileSync } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withPostgresConnection } from "../../src/sources/postgres/connection.js";
import { runCommand } from "../../src/util/process.js";
import { runCli } from "../helpers/cli.js";
import { archivesIn, parseReport, readSidecar, unzipEntry, writeDbConfig, zipMethods } from "../helpers/db-run.js";
import { readTarGz } from "../helpers/archives.js";
import { createDatabase, createRole, dropDatabase, psql, psqlFile } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

const pg = inject("postgres");
const FIXTURE = fileURLToPath(new URL("../fixtures/postgres/awkward.sql", import.meta.url));
const SRC = "vya_rt_src";
const ROLE = "vya_rt_admin";
const PASSWORD = "rt:S3cret\\with$dollar and 'quote' #hash";
const created: string[] = [SRC];
let dir: string;
let cleanup: () => Promise<void>;

/** Everything a restored database must reproduce, as text from the server itself. */
async function snapshot(database: string): Promise<Record<string, string>> {
  const q = (sql: string) => psql(pg, sql, database);
  return {
    items: await q("SELECT json_agg(t ORDER BY id)::text FROM items t"),
    itemsText: await q("SELECT string_agg(t::text, E'\\n' ORDER BY id) FROM items t"),
    mixed: await q(`SELECT md5(string_agg(k || ':' || v, ',' ORDER BY k)) FROM other."Mixed Case"`),
    audit: await q("SELECT string_agg(item_id || op, ',' ORDER BY id) FROM audit"),
    sequences: await q("SELECT last_value || '/' || is_called FROM items_id_seq UNION ALL SELECT last_value || '/' || is_called FROM other.counter"),
    view: await q("SELECT pg_get_viewdef('other.v_items'::regclass) || (SELECT string_agg(name, ',' ORDER BY id) FROM other.v_items)"),
    functions: await q("SELECT string_agg(pg_get_functiondef(p.oid), E'\\n' ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'other')"),
    triggers: await q("SELECT string_agg(pg_get_triggerdef(oid), E'\\n' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal"),
    types: await q("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum"),
  };
}

async function restoreCustom(file: string, database: string): Promise<void> {
  await withPostgresConnection({ host: pg.host, port: pg.port, user: pg.user, password: pg.password }, async (envFor) => {
    await runCommand({ file: join(pg.binDir, "pg_restore"), args: ["--no-password", "--exit-on-error", "--dbname", database, file], env: envFor(database) }, { timeoutMs: 300_000 });
  });
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await createRole(pg, ROLE, PASSWORD, { superuser: true });
  await createDatabase(pg, SRC);
  await psqlFile(pg, FIXTURE, SRC);
});
afterAll(async () => {
  for (const db of created) await dropDatabase(pg, db);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

describe("PostgreSQL round trip through the real CLI", () => {
  const instance = (extra: Record<string, unknown>) => ({
    type: "postgres",
    host: pg.host,
    port: pg.port,
    user: ROLE,
    password: "${env:VYA_TEST_PG_PASSWORD}",
    databases: [SRC],
    ...extra,
  });
  const env = { VYA_TEST_PG_PASSWORD: PASSWORD };

  it("plain: zip with <db>.sql restores with psql to identical data, routines, views, triggers and sequences", async () => {
    const config = await writeDbConfig(dir, "plain.yaml", [instance({ id: 1, name: "pg-plain", exclude_tables: ["public.skipped_*"] })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = parseReport(result.stdout);
    expect(report.units.map((u) => [u.kind, u.database, u.status])).toEqual([
      ["globals", "_globals", "success"],
      ["database", SRC, "success"],
    ]);

    const [archive] = await archivesIn(join(dir, "backups", "db01", "pg-plain", SRC));
    expect(archive).toBeDefined();
    const sidecar = await readSidecar(archive as string);
    expect(sidecar.kind).toBe("database");
    expect(sidecar.database).toBe(SRC);
    expect(sidecar.dump_format).toBe("plain");
    expect(sidecar.dump_tool?.name).toBe("pg_dump");
    expect(Number(sidecar.dump_tool?.version.split(".")[0])).toBeGreaterThanOrEqual(pg.major);
    expect(sidecar.source_server_version).toMatch(new RegExp(`^${pg.major}\\.`));
    expect(sidecar.tables).toContainEqual({ schema: "other", name: "Mixed Case", rows_estimate: 2000 });
    expect(sidecar.tables?.map((t) => t.name)).not.toContain("skipped_logs");
    expect(sidecar.contents.map((c) => c.name)).toEqual([`${SRC}.sql`]);
    expect((await zipMethods(archive as string))[`${SRC}.sql`]).toMatch(/^Defl/);

    const sql = join(dir, "plain.sql");
    await unzipEntry(archive as string, `${SRC}.sql`, sql);
    expect((await stat(sql)).size).toBe(sidecar.contents[0]?.size);
    const target = "vya_rt_plain";
    created.push(target);
    await createDatabase(pg, target);
    await psqlFile(pg, sql, target);
    expect(await snapshot(target)).toEqual(await snapshot(SRC));
    // exclude_tables reached pg_dump.
    expect(await psql(pg, "SELECT count(*) FROM pg_tables WHERE tablename = 'skipped_logs'", target)).toBe("0\n");
    // The restored routines and trigger work, not just exist.
    expect(await psql(pg, "SELECT other.add(2, 3); CALL other.bump(1); INSERT INTO items (name) VALUES ('post-restore') RETURNING id;", target)).toBe("5\n1002\n");
    expect(await psql(pg, `SELECT v FROM other."Mixed Case" WHERE k = 1; SELECT op FROM audit ORDER BY id DESC LIMIT 1`, target)).toBe(`${execFileSync("bash", ["-c", "printf 1 | md5sum | cut -d' ' -f1"]).toString().trim()}!\nINSERT\n`);

    const [globals] = await archivesIn(join(dir, "backups", "db01", "pg-plain", "_globals"));
    const globalsSidecar = await readSidecar(globals as string);
    expect(globalsSidecar.kind).toBe("globals");
    expect(globalsSidecar.database).toBe("_globals");
    expect(globalsSidecar.dump_tool?.name).toBe("pg_dumpall");
    expect(globalsSidecar.warnings).toEqual([]);
    const globalsSql = join(dir, "globals.sql");
    await unzipEntry(globals as string, "globals.sql", globalsSql);
    const { readFile } = await import("node:fs/promises");
    const text = await readFile(globalsSql, "utf8");
    expect(text).toContain(`CREATE ROLE ${ROLE}`);
    // A superuser's globals carry the (hashed) role passwords.
    expect(text).toMatch(new RegExp(`ALTER ROLE ${ROLE} WITH .*PASSWORD 'SCRAM-SHA-256`));
  });

  it("custom: <db>.dump stored as is, restores with pg_restore to identical data", async () => {
    const config = await writeDbConfig(dir, "custom.yaml", [instance({ id: 2, name: "pg-custom", format: "custom", globals: false })]);
    const result = await runCli(["-c", config, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const [archive] = await archivesIn(join(dir, "backups", "db01", "pg-custom", SRC));
    const sidecar = await readSidecar(archive as string);
    expect(sidecar.dump_format).toBe("custom");
    expect(sidecar.contents.map((c) => c.name)).toEqual([`${SRC}.dump`]);
    expect((await zipMethods(archive as string))[`${SRC}.dump`]).toBe("Stored");
    const dump = join(dir, "custom.dump");
    await unzipEntry(archive as string, `${SRC}.dump`, dump);
    const target = "vya_rt_custom";
    created.push(target);
    await createDatabase(pg, target);
    await restoreCustom(dump, target);
    expect(await snapshot(target)).toEqual(await snapshot(SRC));
  });

  it("archive: tar.gz spools the dump and still restores identically", async () => {
    const config = await writeDbConfig(dir, "tgz.yaml", [instance({ id: 3, name: "pg-tgz", archive: "tar.gz", globals: false })]);
    const result = await runCli(["-c", config, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const folder = join(dir, "backups", "db01", "pg-tgz", SRC);
    const [archive] = await archivesIn(folder, ".tar.gz");
    const entries = await readTarGz(archive as string);
    const sql = entries.get(`${SRC}.sql`)?.content;
    expect(sql).toBeDefined();
    const { writeFile, readdir } = await import("node:fs/promises");
    // The spool directory is gone.
    expect((await readdir(folder)).filter((n) => n.startsWith("."))).toEqual([]);
    const file = join(dir, "tgz.sql");
    await writeFile(file, sql as Buffer);
    const target = "vya_rt_tgz";
    created.push(target);
    await createDatabase(pg, target);
    await psqlFile(pg, file, target);
    expect(await snapshot(target)).toEqual(await snapshot(SRC));
  });

  it("archive: tar.gz spools into options.tmp_dir when set, and leaves it empty", async () => {
    const scratch = join(dir, "scratch-not-yet");
    const config = await writeDbConfig(dir, "tgz-tmp.yaml", [instance({ id: 6, name: "pg-tgz-tmp", archive: "tar.gz", globals: false })], { tmp_dir: scratch });
    const result = await runCli(["-c", config, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const { readdir, stat } = await import("node:fs/promises");
    expect((await stat(scratch)).mode & 0o777).toBe(0o700);
    expect(await readdir(scratch)).toEqual([]);
    expect(await archivesIn(join(dir, "backups", "db01", "pg-tgz-tmp", SRC), ".tar.gz")).toHaveLength(1);
  });

  it("over the unix socket (socket overrides host; port still names the socket file)", async () => {
    const config = await writeDbConfig(dir, "socket.yaml", [instance({ id: 4, name: "pg-socket", host: "192.0.2.1", socket: pg.socketDir, globals: false })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(parseReport(result.stdout).units[0]?.source).toContain(`socket ${pg.socketDir}`);
    expect(await archivesIn(join(dir, "backups", "db01", "pg-socket", SRC))).toHaveLength(1);
  });
});
