import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handZip, writeArchiveWithSidecar } from "../fixtures/archives/build.js";
import { runCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * --target is a database name for a database archive and a directory for a files archive: the
 * wrong kind is a usage error (exit 2) found from the sidecar, before any server or directory
 * is touched. The PostgreSQL instance points at a closed port: reaching it would fail with 1.
 */
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let pgArchive: string;
let filesArchive: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-target-"));
  config = await writeStoreConfig(dir, [{ id: 1, name: "pg-main", type: "postgres", host: "127.0.0.1", port: 1, user: "x", password: "x" }]);
  const pgDir = join(dir, "store", "db01", "pg-main", "app");
  const filesDir = join(dir, "store", "db01", "files-7");
  await mkdir(pgDir, { recursive: true });
  await mkdir(filesDir, { recursive: true });
  const sql = "SELECT 1;\n";
  pgArchive = join(pgDir, "pg-main_app_20260101T000000000Z_abc123.zip");
  await writeArchiveWithSidecar(pgArchive, handZip([{ name: "app.sql", data: sql }]), {
    kind: "database", instance: { id: 1, name: "pg-main", type: "postgres" }, database: "app", dump_format: "plain",
    dump_tool: { name: "pg_dump", version: "15.18" }, contents: [{ name: "app.sql", size: sql.length, type: "file" }],
  });
  filesArchive = join(filesDir, "files-7_20260101T000000000Z_abc123.zip");
  await writeArchiveWithSidecar(filesArchive, handZip([{ name: "a.txt", data: "a" }]), { contents: [{ name: "a.txt", size: 1, type: "file" }] });
});
afterAll(() => cleanup());

describe("restore --target of the wrong kind", () => {
  it.each(["/tmp/some/dir", "./restored", "../db", "~/x", "a/b"])("a database archive with the path-like target %s: exit 2, nothing touched", async (target) => {
    const result = await runCli(["-c", config, "restore", "--file", pgArchive, "--target", target], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(2);
    expect(String(result.stderr)).toContain(`--target ${JSON.stringify(target)} looks like a path, but pg-main_app_20260101T000000000Z_abc123.zip is a database archive: --target takes a database name`);
  });

  it("a files archive with a bare name as target: exit 2, no directory created", async () => {
    const work = join(dir, "cwd");
    await mkdir(work);
    const result = await runCli(["-c", config, "restore", "--file", filesArchive, "--target", "mydb"], { cwd: work });
    expect(result.exitCode, String(result.stderr)).toBe(2);
    expect(String(result.stderr)).toMatch(/--target "mydb" is not a path, but .* is a files archive: --target takes a directory \(write \.\/mydb for one here\)/);
    expect(await readdir(work)).toEqual([]);
    const ok = await runCli(["-c", config, "restore", "--file", filesArchive, "--target", "./mydb"], { cwd: work });
    expect(ok.exitCode, String(ok.stderr)).toBe(0);
    expect(await readdir(join(work, "mydb"))).toEqual(["a.txt"]);
  });
});
