import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handTarGz, handZip, writeArchiveWithSidecar } from "../fixtures/archives/build.js";
import { runCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * verify through the CLI on archives whose sidecar matches their bytes but whose content is
 * wrong in one way each: every check must catch its own kind of damage, with the reason.
 */
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let folder: string;

const pgPlain = (database: string, sql: string) => ({
  kind: "database" as const,
  instance: { id: 1, name: "pg-main", type: "postgres" as const },
  database,
  dump_format: "plain" as const,
  dump_tool: { name: "pg_dump", version: "15.18" },
  contents: [{ name: `${database}.sql`, size: Buffer.byteLength(sql), type: "file" as const }],
});

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-verify-"));
  const src = join(dir, "src");
  await mkdir(join(src, "sub"), { recursive: true });
  await writeFile(join(src, "a.txt"), "alpha\n");
  await writeFile(join(src, "sub", "b.txt"), "beta\n");
  config = await writeStoreConfig(dir, [{ id: 3, name: "tree", type: "files", paths: [src], archive: "zip" }]);
  const backup = await runCli(["-c", config, "backup"]);
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  folder = join(dir, "store", "db01", "pg-main");
  await mkdir(folder, { recursive: true });
});
afterAll(() => cleanup());

describe("verify", () => {
  it("-i ID --latest: every check holds on a fresh backup, also with --restore-test and --json", async () => {
    const human = await runCli(["-c", config, "verify", "-i", "tree", "--latest", "--restore-test"]);
    expect(human.exitCode, String(human.stdout)).toBe(0);
    for (const check of ["sidecar", "checksum", "readable", "contents", "restore-test"]) expect(String(human.stdout)).toMatch(new RegExp(`ok {3}${check}: `));
    const json = await runCli(["-c", config, "--json", "verify", "-i", "3", "--latest"]);
    const report = JSON.parse(String(json.stdout)) as { ok: boolean; results: { ok: boolean; instance: string; checks: { check: string; ok: boolean }[] }[] };
    expect(report.ok).toBe(true);
    expect(report.results[0]?.instance).toBe("tree");
    expect(report.results[0]?.checks.map((c) => c.check)).toEqual(["sidecar", "checksum", "readable", "contents"]);
  });

  it("a zip entry failing its CRC (sidecar matching the damaged bytes) fails 'readable'", async () => {
    const bytes = handZip([{ name: "a.txt", data: "hello world" }]);
    bytes[bytes.indexOf(Buffer.from("hello"))] = "j".charCodeAt(0);
    const path = join(folder, "crc.zip");
    await writeArchiveWithSidecar(path, bytes, { contents: [{ name: "a.txt", size: 11, type: "file" }] });
    const result = await runCli(["-c", config, "verify", "--file", path]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/ok {3}checksum/);
    expect(String(result.stdout)).toMatch(/FAIL readable: zip entry a\.txt fails its CRC-32 check/);
  });

  it("a truncated tar.gz (sidecar matching) fails 'readable'", async () => {
    const full = handTarGz([{ name: "a.txt", data: "x".repeat(200_000) }]);
    const path = join(folder, "cut.tar.gz");
    await writeArchiveWithSidecar(path, full.subarray(0, full.length - 40), { contents: [{ name: "a.txt", size: 200_000, type: "file" }] });
    const result = await runCli(["-c", config, "verify", "--file", path]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/FAIL readable: tar\.gz archive unreadable/);
  });

  it("entries that differ from the sidecar fail 'contents'", async () => {
    const path = join(folder, "contents.zip");
    await writeArchiveWithSidecar(path, handZip([{ name: "a.txt", data: "abc" }]), { contents: [{ name: "a.txt", size: 4, type: "file" }] });
    const result = await runCli(["-c", config, "verify", "--file", path]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/FAIL contents: .*a\.txt holds 3 bytes, the sidecar records 4/);
  });

  it("a plain dump without its completion line fails 'dump'; with it, passes", async () => {
    const cut = "SET x = 1;\nCOPY public.t (id) FROM stdin;\n1\n";
    const cutPath = join(folder, "pg-main_cut_20260101T000000000Z_abc123.zip");
    await writeArchiveWithSidecar(cutPath, handZip([{ name: "cut.sql", data: cut }]), pgPlain("cut", cut));
    const bad = await runCli(["-c", config, "verify", "--file", cutPath]);
    expect(bad.exitCode).toBe(1);
    expect(String(bad.stdout)).toMatch(/FAIL dump: the dump does not end with "-- PostgreSQL database dump complete" .*cut short/);

    const whole = `${cut}\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict k3y\n\n`;
    const wholePath = join(folder, "pg-main_whole_20260101T000000000Z_abc123.zip");
    await writeArchiveWithSidecar(wholePath, handZip([{ name: "whole.sql", data: whole }]), pgPlain("whole", whole));
    const good = await runCli(["-c", config, "verify", "--file", "pg-main_whole_20260101T000000000Z_abc123.zip"]);
    expect(good.exitCode, String(good.stdout)).toBe(0);
  });

  it("no sidecar, or a sidecar that is not JSON, fails 'sidecar'", async () => {
    const path = join(folder, "nosidecar.zip");
    await writeFile(path, handZip([{ name: "a", data: "a" }]));
    const result = await runCli(["-c", config, "verify", "--file", path]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/FAIL sidecar: no sidecar: not a complete backup/);
    await writeFile(`${path}.json`, (await readFile(path)).toString("latin1").slice(0, 10));
    const corrupt = await runCli(["-c", config, "verify", "--file", path]);
    expect(String(corrupt.stdout)).toMatch(/FAIL sidecar: sidecar is not valid JSON/);
  });

  it("usage errors exit 2", async () => {
    expect((await runCli(["-c", config, "verify"])).exitCode).toBe(2);
    expect((await runCli(["-c", config, "verify", "--file", "x.zip", "--latest"])).exitCode).toBe(2);
    const missing = await runCli(["-c", config, "verify", "--file", "nope_20260101T000000000Z_abc123.zip"]);
    expect(missing.exitCode).toBe(2);
    expect(String(missing.stderr)).toMatch(/no archive named "nope_20260101T000000000Z_abc123\.zip" .*run vya-backupdb list/);
  });
});
