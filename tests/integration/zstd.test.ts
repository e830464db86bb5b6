import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { archivesIn, readSidecar, writeDbConfig } from "../helpers/db-run.js";
import { makeFilesTree } from "../helpers/files-tree.js";
import { createDatabase, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * compression: zstd end to end through the real CLI: a PostgreSQL dump as <db>.sql.zst (one
 * zstd stream that `zstd -d` reads) and a files tree as .tar.zst (GNU tar --zstd), each checked
 * with the stock tools, verified, and restored with the data compared. On Node 20 the zstd
 * program does the work; without it the unit fails naming both fixes.
 */
const pg = inject("postgres");
const SRC = "vya_zstd_src";
const created: string[] = [SRC];
let dir: string;
let cleanup: () => Promise<void>;

const rows = (db: string) => psql(pg, "SELECT md5(string_agg(id || ':' || body, ',' ORDER BY id)) || count(*) FROM t", db);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await createDatabase(pg, SRC);
  await psql(pg, "CREATE TABLE t (id int PRIMARY KEY, body text); INSERT INTO t SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20000) g", SRC);
});
afterAll(async () => {
  for (const db of created) await dropDatabase(pg, db);
  await cleanup();
});

const pgInstance = (extra: Record<string, unknown>) => ({ type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: pg.password, databases: [SRC], globals: false, ...extra });

describe("compression: zstd", () => {
  it("PostgreSQL: <db>.sql.zst that zstd -d reads, listed, verified and restored to the same rows", async () => {
    const config = await writeDbConfig(dir, "pg.yaml", [pgInstance({ id: 1, name: "pgz", compression: "zstd" })]);
    const backup = await runCli(["-c", config, "backup"]);
    expect(backup.exitCode, String(backup.stderr)).toBe(0);
    const [archive] = await archivesIn(join(dir, "backups", "db01", "pgz", SRC), ".sql.zst");
    expect(archive).toBeDefined();
    const sidecar = await readSidecar(archive as string);
    expect(sidecar.archive.format).toBe("zst");
    expect(sidecar.archive.compression).toEqual({ algorithm: "zstd", level: 3 });
    expect(sidecar.contents).toEqual([{ name: `${SRC}.sql`, size: expect.any(Number), type: "file" }]);
    // The stock tool reads it, and it is the whole dump.
    execFileSync("zstd", ["-tq", archive as string]);
    const sql = execFileSync("zstd", ["-dc", archive as string], { maxBuffer: 1 << 30 });
    expect(sql.length).toBe(sidecar.contents[0]?.size);
    expect(sql.toString()).toContain("PostgreSQL database dump complete");

    const list = await runCli(["-c", config, "list", "--json"]);
    expect(list.exitCode, String(list.stderr)).toBe(0);
    expect(String(list.stdout)).toContain(sidecar.archive.file);
    const verify = await runCli(["-c", config, "verify", "--file", archive as string]);
    expect(verify.exitCode, `${String(verify.stdout)}${String(verify.stderr)}`).toBe(0);

    const target = "vya_zstd_restored";
    created.push(target);
    const restore = await runCli(["-c", config, "restore", "--file", sidecar.archive.file, "--target", target, "--mode", "fast"]);
    expect(restore.exitCode, String(restore.stderr)).toBe(0);
    expect(await rows(target)).toBe(await rows(SRC));
  });

  it("PostgreSQL: a damaged .sql.zst (sha256 re-recorded) fails verify on the zstd check", async () => {
    const config = await writeDbConfig(dir, "pg-bad.yaml", [pgInstance({ id: 2, name: "pgbad", compression: "zstd", compression_level: 1 })]);
    expect((await runCli(["-c", config, "backup"])).exitCode).toBe(0);
    const [archive] = await archivesIn(join(dir, "backups", "db01", "pgbad", SRC), ".sql.zst");
    const sidecar = await readSidecar(archive as string);
    expect(sidecar.archive.compression).toEqual({ algorithm: "zstd", level: 1 });
    // Flip a byte in the middle and record the new sha256 so only the zstd check can catch it.
    const bytes = await readFile(archive as string);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(archive as string, bytes);
    const { createHash } = await import("node:crypto");
    await writeFile(`${archive}.json`, JSON.stringify({ ...sidecar, archive: { ...sidecar.archive, sha256: createHash("sha256").update(bytes).digest("hex") } }));
    const verify = await runCli(["-c", config, "verify", "--file", archive as string]);
    expect(verify.exitCode).toBe(1);
    expect(String(verify.stdout) + String(verify.stderr)).toMatch(/zstd/i);
    // Restored anyway: psql never sees the end of the dump, and the database it created is gone.
    const target = "vya_zstd_forged";
    created.push(target);
    const restore = await runCli(["-c", config, "restore", "--file", archive as string, "--target", target, "--mode", "fast"]);
    expect(restore.exitCode, String(restore.stderr)).toBe(1);
    expect(String(restore.stderr)).toMatch(/damaged|cut short|could not be read/);
    expect((await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = '${target}'`)).trim()).toBe("0");
  });

  it("files: .tar.zst that GNU tar --zstd lists and extracts, restored identically", async () => {
    const tree = join(dir, "tree");
    await makeFilesTree(tree);
    const config = join(dir, "files.yaml");
    await writeFile(
      config,
      JSON.stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "backups") } }, instances: [{ id: 3, name: "tree", type: "files", paths: [`${tree}/**`], compression: "zstd", compression_level: 5 }] }),
    );
    const backup = await runCli(["-c", config, "backup"]);
    expect(backup.exitCode, String(backup.stderr)).toBe(0);
    const [archive] = await archivesIn(join(dir, "backups", "db01", "tree"), ".tar.zst");
    const sidecar = await readSidecar(archive as string);
    expect(sidecar.archive.format).toBe("tar.zst");
    expect(sidecar.archive.compression).toEqual({ algorithm: "zstd", level: 5 });
    const listed = execFileSync("tar", ["--zstd", "-tf", archive as string]).toString();
    expect(listed).toContain("volumes/data/deep/er/file.dat");
    const extracted = join(dir, "tar-x");
    await mkdir(extracted);
    execFileSync("tar", ["--zstd", "-xf", archive as string, "-C", extracted]);
    expect(await readFile(join(extracted, tree, "volumes/data/deep/er/file.dat"), "utf8")).toBe("x".repeat(300_000));

    expect((await runCli(["-c", config, "verify", "--file", archive as string])).exitCode).toBe(0);
    const target = join(dir, "restored");
    const restore = await runCli(["-c", config, "restore", "--file", sidecar.archive.file, "--target", target]);
    expect(restore.exitCode, String(restore.stderr)).toBe(0);
    const restored = join(target, tree);
    expect(await readFile(join(restored, "volumes/data/ünïcödé 名前.bin"))).toEqual(Buffer.from([0, 1, 2, 255, 254, 10, 13]));
    expect((await readdir(join(restored, "app/config"))).sort()).toEqual(["app.yaml", "db.json", "notes.txt"]);
  });

  // The single executable runs Node 24, whose zlib has zstd: there the same run must succeed with no
  // zstd program anywhere (the built-in path); on Node 20 it must fail naming both fixes.
  const builtIn = process.env.VYA_BACKUPDB_BIN !== undefined || "createZstdCompress" in zlib;
  it(builtIn ? "with built-in zstd (Node ≥ 22.15, the single executable) and no zstd program: a .tar.zst that zstd -t accepts" : "without built-in zstd (Node 20) and without the zstd program: the unit fails naming both fixes", async () => {
    const tree = join(dir, "tree2");
    await mkdir(tree);
    await writeFile(join(tree, "a.txt"), "a\n");
    const config = join(dir, "nozstd.yaml");
    await writeFile(config, JSON.stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "backups") } }, instances: [{ id: 4, name: "nz", type: "files", paths: [`${tree}/**`], compression: "zstd" }] }));
    // PATH holds node alone: the bin's "#!/usr/bin/env node" still starts, zstd is nowhere.
    const onlyNode = join(dir, "only-node");
    await mkdir(onlyNode);
    await symlink(process.execPath, join(onlyNode, "node"));
    const result = await runCli(["-c", config, "backup"], { env: { PATH: onlyNode } });
    if (builtIn) {
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const [archive] = await archivesIn(join(dir, "backups", "db01", "nz"), ".tar.zst");
      expect(archive).toBeDefined();
      execFileSync("zstd", ["-tq", archive as string]);
      expect(execFileSync("tar", ["--zstd", "-tf", archive as string], { encoding: "utf8" })).toContain("a.txt");
      return;
    }
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout) + String(result.stderr)).toMatch(/zstd.*Node(\.js)? (≥|>=) ?22\.15.*zstd program|zstd program.*Node/s);
    expect(await archivesIn(join(dir, "backups", "db01", "nz"), ".tar.zst")).toEqual([]);
  });

  it("zip with zstd is a config error: Info-ZIP cannot read zstd entries", async () => {
    const config = await writeDbConfig(dir, "zipzstd.yaml", [pgInstance({ id: 5, name: "zz", compression: "zstd", archive: "zip" })]);
    const result = await runCli(["-c", config, "backup"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/instances\[0\].*zip.*zstd/);
  });
});
