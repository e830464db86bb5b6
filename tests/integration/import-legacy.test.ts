import { execa } from "execa";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { allNames, readSidecar } from "../helpers/db-run.js";
import { mariadb } from "../helpers/mariadb.js";
import { createDatabase, dropDatabase, psql } from "../helpers/postgres.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * `import` adopts archives of the old Python tool, built here as it built them: a real
 * mariadb-dump / pg_dump output zipped by Python's zipfile as <db>.sql under
 * YYYYMMDD_HHMMSS_<db>.zip, and a files backup made by Python's tarfile. After import, list,
 * verify and restore work on them, and the restored data equals the source.
 */
const my = inject("mariadb");
const pg = inject("postgres");
const MY_DB = "vya_imp_my";
const PG_DB = "vya_imp_pg";
const STAMP = "20210922_162528";
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let store: string;

/** Zips `files` ({name in archive: path}) the way the old tool did: Python's zipfile, deflated. */
async function pyZip(out: string, files: Record<string, string>): Promise<void> {
  const script = "import sys, json, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\nfor n, p in json.loads(sys.argv[2]).items(): z.write(p, n)\nz.close()";
  await execa("python3", ["-c", script, out, JSON.stringify(files)]);
}

/** A tar.gz the way the old tool made files backups: Python's tarfile, entry names as given. */
async function pyTarGz(out: string, root: string, arcname: string): Promise<void> {
  await execa("python3", ["-c", "import sys, tarfile\nt = tarfile.open(sys.argv[1], 'w:gz')\nt.add(sys.argv[2], arcname=sys.argv[3])\nt.close()", out, root, arcname]);
}

async function cli(args: string[]) {
  return runCli(["-c", config, ...args]);
}

const myRows = async (db: string) => mariadb(my, "SELECT id, name, HEX(data) FROM items ORDER BY id", db);
const pgRows = async (db: string) => psql(pg, "SELECT json_agg(t ORDER BY id)::text FROM items t", db);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-import-"));
  store = join(dir, "store");
  config = await writeStoreConfig(dir, [
    { id: 5, name: "maria", type: "mysql", host: my.host, port: my.port, user: my.user, password: my.password },
    { id: 1, name: "pg", type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: pg.password },
    { id: 3, name: "docs", type: "files", paths: [join(dir, "unused")] },
  ]);
  await mariadb(my, `DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB}`);
  await mariadb(my, "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50) CHARACTER SET utf8mb4, data BLOB); INSERT INTO items VALUES (1, 'ação ü', X'00ff10'), (2, 'quote '' and \\\\ back', NULL);", MY_DB);
  const myDump = join(dir, `${MY_DB}.sql`);
  await execa("mariadb-dump", ["-h", my.host, "-P", String(my.port), "-u", my.user, "--single-transaction", "--routines", MY_DB], { env: { MYSQL_PWD: my.password }, stdout: { file: myDump } });
  await pyZip(join(dir, `${STAMP}_${MY_DB}.zip`), { [`${MY_DB}.sql`]: myDump });

  await dropDatabase(pg, PG_DB);
  await createDatabase(pg, PG_DB);
  await psql(pg, "CREATE TABLE items (id int PRIMARY KEY, name text, data bytea); INSERT INTO items VALUES (1, 'ação ü', '\\x00ff10'), (2, E'tab\\there', NULL);", PG_DB);
  const pgDump = join(dir, `${PG_DB}.sql`);
  await execa(join(pg.binDir, "pg_dump"), ["-h", pg.host, "-p", String(pg.port), "-U", pg.user, "-d", PG_DB], { env: { PGPASSWORD: pg.password }, stdout: { file: pgDump } });
  await pyZip(join(dir, `${STAMP}_${PG_DB}.zip`), { [`${PG_DB}.sql`]: pgDump });
  // A cut dump: the old tool's archive of a pg_dump that died halfway.
  const text = await readFile(pgDump, "utf8");
  await writeFile(join(dir, "cut.sql"), text.slice(0, Math.floor(text.length / 2)));
  await pyZip(join(dir, `${STAMP}_cut.zip`), { "cut.sql": join(dir, "cut.sql") });

  const tree = join(dir, "tree");
  await mkdir(join(tree, "conf", "sub"), { recursive: true });
  await writeFile(join(tree, "conf", "app.yaml"), "a: 1\n");
  await writeFile(join(tree, "conf", "sub", "ünïcode name.txt"), "x".repeat(10_000));
  await pyTarGz(join(dir, `${STAMP}_files.tar.gz`), tree, "srv/app");
});

afterAll(async () => {
  await mariadb(my, `DROP DATABASE IF EXISTS ${MY_DB}; DROP DATABASE IF EXISTS vya_imp_my_restored`).catch(() => undefined);
  await dropDatabase(pg, PG_DB).catch(() => undefined);
  await dropDatabase(pg, "vya_imp_pg_restored").catch(() => undefined);
  await cleanup();
});

describe("import of the old tool's archives", () => {
  it("a MariaDB dump: imported with a sidecar marked imported, listed, verified, restored to the same rows", async () => {
    const imported = await cli(["import", "--json", "-i", "5", "--file", join(dir, `${STAMP}_${MY_DB}.zip`), "--timezone", "UTC"]);
    expect(imported.exitCode, String(imported.stderr)).toBe(0);
    const result = JSON.parse(String(imported.stdout)) as { status: string; archive: string };
    expect(result.status).toBe("imported");
    const sidecar = await readSidecar(result.archive);
    expect(sidecar.database).toBe(MY_DB);
    expect(sidecar.started_at).toBe("2021-09-22T16:25:28.000Z");
    expect(sidecar.dump_tool?.name).toBe("mariadb-dump");
    expect(sidecar.imported?.original_name).toBe(`${STAMP}_${MY_DB}.zip`);
    expect(sidecar.contents).toEqual([{ name: `${MY_DB}.sql`, size: (await readFile(join(dir, `${MY_DB}.sql`))).length, type: "file" }]);

    const list = await cli(["list", "-i", "maria"]);
    expect(String(list.stdout)).toContain(basename(result.archive));
    const verify = await cli(["verify", "--file", basename(result.archive)]);
    expect(verify.exitCode, String(verify.stdout) + String(verify.stderr)).toBe(0);
    const restore = await cli(["restore", "--file", basename(result.archive), "--target", "vya_imp_my_restored"]);
    expect(restore.exitCode, String(restore.stderr)).toBe(0);
    expect(await myRows("vya_imp_my_restored")).toBe(await myRows(MY_DB));
  });

  it("a PostgreSQL dump: the name's time is read in --timezone; restore gives the same rows", async () => {
    const imported = await cli(["import", "--json", "-i", "pg", "--file", join(dir, `${STAMP}_${PG_DB}.zip`), "--timezone", "America/Sao_Paulo"]);
    expect(imported.exitCode, String(imported.stderr)).toBe(0);
    const result = JSON.parse(String(imported.stdout)) as { archive: string };
    const sidecar = await readSidecar(result.archive);
    expect(sidecar.started_at).toBe("2021-09-22T19:25:28.000Z");
    expect(sidecar.dump_tool?.name).toBe("pg_dump");
    expect(sidecar.dump_format).toBe("plain");
    const restore = await cli(["restore", "--file", basename(result.archive), "--target", "vya_imp_pg_restored"]);
    expect(restore.exitCode, String(restore.stderr)).toBe(0);
    expect(await pgRows("vya_imp_pg_restored")).toBe(await pgRows(PG_DB));

    // The same file again: found, not copied twice.
    const again = await cli(["import", "--json", "-i", "pg", "--file", join(dir, `${STAMP}_${PG_DB}.zip`), "--timezone", "America/Sao_Paulo"]);
    expect(again.exitCode).toBe(0);
    expect((JSON.parse(String(again.stdout)) as { status: string }).status).toBe("already-imported");
    const zips = (await readdir(join(store, "db01", "pg", PG_DB))).filter((n) => n.endsWith(".zip"));
    expect(zips).toHaveLength(1);
  });

  it("a files backup made with tarfile: verified and restored byte for byte", async () => {
    const imported = await cli(["import", "--json", "-i", "3", "--file", join(dir, `${STAMP}_files.tar.gz`)]);
    expect(imported.exitCode, String(imported.stderr)).toBe(0);
    const result = JSON.parse(String(imported.stdout)) as { archive: string };
    const sidecar = await readSidecar(result.archive);
    expect(sidecar.kind).toBe("files");
    expect(sidecar.contents.map((e) => e.name)).toContain("srv/app/conf/sub/ünïcode name.txt");
    const verify = await cli(["verify", "--file", basename(result.archive)]);
    expect(verify.exitCode, String(verify.stdout)).toBe(0);
    const target = join(dir, "restored");
    const restore = await cli(["restore", "--file", basename(result.archive), "--target", target]);
    expect(restore.exitCode, String(restore.stderr)).toBe(0);
    expect(await readFile(join(target, "srv/app/conf/sub/ünïcode name.txt"), "utf8")).toBe("x".repeat(10_000));
    expect(await readFile(join(target, "srv/app/conf/app.yaml"), "utf8")).toBe("a: 1\n");
  });

  it("refuses a cut dump, a dump of the other engine, an unsafe tar and a symlink, writing nothing", async () => {
    const before = await allNames(store);
    const cut = await cli(["import", "-i", "pg", "--file", join(dir, `${STAMP}_cut.zip`)]);
    expect(cut.exitCode).toBe(1);
    expect(String(cut.stderr)).toMatch(/cut short/);
    const other = await cli(["import", "-i", "pg", "--file", join(dir, `${STAMP}_${MY_DB}.zip`)]);
    expect(other.exitCode).toBe(1);
    expect(String(other.stderr)).toMatch(/MySQL\/MariaDB dump but instance pg is postgres/);

    const evil = join(dir, "evil");
    await mkdir(evil, { recursive: true });
    await writeFile(join(evil, "x"), "owned");
    await pyTarGz(join(dir, `${STAMP}_evil.tar.gz`), join(evil, "x"), "../../etc/x");
    const unsafe = await cli(["import", "-i", "3", "--file", join(dir, `${STAMP}_evil.tar.gz`)]);
    expect(unsafe.exitCode).toBe(1);
    expect(String(unsafe.stderr)).toMatch(/unsafe archive entry.*\.\./);

    await symlink(join(dir, `${STAMP}_${PG_DB}.zip`), join(dir, `${STAMP}_link.zip`));
    const link = await cli(["import", "-i", "pg", "--file", join(dir, `${STAMP}_link.zip`)]);
    expect(link.exitCode).toBe(2);
    expect(String(link.stderr)).toMatch(/symbolic link/);
    expect(await allNames(store)).toEqual(before);
  });

  it("SIGTERM while the copy is made or read exits 143 and leaves nothing in storage", async () => {
    const big = join(dir, "big");
    await mkdir(big, { recursive: true });
    // Incompressible: copying and CRC-checking it takes long enough to interrupt.
    await execa("dd", ["if=/dev/urandom", `of=${join(big, "data.bin")}`, "bs=1M", "count=100", "status=none"]);
    const archive = join(dir, `${STAMP}_big.tar.gz`);
    await execa("tar", ["-I", "gzip -1", "-cf", archive, "-C", big, "."]);
    const folder = join(store, "db01", "docs");
    const before = await allNames(folder);
    const child = execa(BIN, ["-c", config, "import", "-i", "3", "--file", archive], { reject: false, env: { PATH: process.env.PATH }, extendEnv: false });
    // Interrupt once the copy has started: a new (partial or unsidecar'd) file in the instance folder.
    for (let i = 0; i < 1000 && child.exitCode === null; i++) {
      if ((await allNames(folder)).some((n) => !before.includes(n))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(143);
    expect(String(result.stderr)).toMatch(/interrupted by SIGTERM; nothing was imported/);
    expect(await allNames(folder)).toEqual(before);
  });

  it("a name without the old timestamp needs --started-at (exit 2); an unknown instance is exit 2", async () => {
    const plain = join(dir, "backup.zip");
    await pyZip(plain, { [`${PG_DB}.sql`]: join(dir, `${PG_DB}.sql`) });
    const noTime = await cli(["import", "-i", "pg", "--file", plain]);
    expect(noTime.exitCode).toBe(2);
    expect(String(noTime.stderr)).toMatch(/--started-at/);
    const given = await cli(["import", "--json", "-i", "pg", "--file", plain, "--started-at", "2020-01-02T03:04:05Z", "--database", "legacy_app"]);
    expect(given.exitCode, String(given.stderr)).toBe(0);
    const sidecar = await readSidecar((JSON.parse(String(given.stdout)) as { archive: string }).archive);
    expect([sidecar.database, sidecar.started_at]).toEqual(["legacy_app", "2020-01-02T03:04:05.000Z"]);
    const unknown = await cli(["import", "-i", "nope", "--file", plain]);
    expect(unknown.exitCode).toBe(2);
  });
});

