import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../../src/run/report.js";
import { runCli } from "../helpers/cli.js";
import { parseReport, readSidecar, unzipEntry, writeDbConfig } from "../helpers/db-run.js";
import { mariadb, quoteMysqlIdent, quoteMysqlString } from "../helpers/mariadb.js";
import { createDatabase, dropDatabase, psql, quoteLiteral } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * Names that one naive sanitiser maps to one file name ("nc_c"), names that differ only by an
 * accent, and case twins (one folder on a case-insensitive file system).
 */
const NAMES = ["nc c", "nc_c", "nc'c", "ncäc", "nc Reporting Ü", "nc Reporting Ö", "nc_Sales", "nc_sales"];
const marker = (i: number) => `mk-${i}-kq`;
const pg = inject("postgres");
const my = inject("mariadb");
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-names-"));
  for (const [i, name] of NAMES.entries()) {
    await dropDatabase(pg, name);
    await createDatabase(pg, name);
    await psql(pg, `CREATE TABLE marker (v text); INSERT INTO marker VALUES (${quoteLiteral(marker(i))});`, name);
    await mariadb(my, `DROP DATABASE IF EXISTS ${quoteMysqlIdent(name)}; CREATE DATABASE ${quoteMysqlIdent(name)} CHARACTER SET utf8mb4;`);
    await mariadb(my, `CREATE TABLE marker (v varchar(20)); INSERT INTO marker VALUES (${quoteMysqlString(marker(i))});`, name);
  }
});
afterAll(async () => {
  for (const name of [...NAMES, "nc c restored"]) {
    await dropDatabase(pg, name);
    await mariadb(my, `DROP DATABASE IF EXISTS ${quoteMysqlIdent(name)}`);
  }
  await cleanup();
});

/** Runs `backup` `runs` times; every run must succeed. */
async function backupRuns(config: string, runs: number, env: Record<string, string> = {}): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  for (let run = 0; run < runs; run++) {
    const result = await runCli(["-c", config, "--json", "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    reports.push(parseReport(result.stdout));
  }
  return reports;
}

/** Every unit of every run has its own archive (case-insensitively), present, with its own sidecar. */
async function expectEveryArchiveKept(reports: RunReport[], expectedUnits: number): Promise<RunReport["units"]> {
  const units = reports.flatMap((r) => r.units);
  expect(units).toHaveLength(expectedUnits);
  const archives = units.map((u) => u.archive ?? "");
  expect(new Set(archives.map((a) => a.toLowerCase())).size).toBe(units.length);
  // Folders too: one per database, distinct even where case is not.
  const folders = new Set(units.map((u) => `${u.instance.name}\0${u.database ?? ""}`));
  const dirs = new Set(units.map((u) => join(u.archive ?? "", "..").toLowerCase()));
  expect(dirs.size).toBe(folders.size);
  for (const unit of units) {
    expect(unit.status, unit.error).toBe("success");
    expect((await stat(unit.archive ?? "")).isFile()).toBe(true);
    const sidecar = await readSidecar(unit.archive ?? "");
    expect(sidecar.database).toBe(unit.database);
    expect(sidecar.instance.name).toBe(unit.instance.name);
    expect(sidecar.archive.file).toBe(basename(unit.archive ?? ""));
    expect(sidecar.archive.sha256).toBe(unit.sha256);
  }
  return units;
}

/** The dump inside each archive is the dump of the unit's own database (its marker, no other). */
async function expectOwnData(units: RunReport["units"]): Promise<void> {
  const out = join(dir, "extracted.sql");
  for (const unit of units) {
    const sidecar = await readSidecar(unit.archive ?? "");
    await unzipEntry(unit.archive ?? "", sidecar.contents[0]?.name ?? "", out);
    const dump = await readFile(out, "utf8");
    const own = NAMES.indexOf(unit.database ?? "");
    expect(own).toBeGreaterThanOrEqual(0);
    NAMES.forEach((_, i) => expect(dump.includes(marker(i)), `${unit.database} holds ${marker(i)}`).toBe(i === own));
  }
}

async function listNames(config: string, instance: string, env: Record<string, string>): Promise<string[]> {
  const listed = await runCli(["-c", config, "--json", "list", "-i", instance], { env });
  expect(listed.exitCode, String(listed.stderr)).toBe(0);
  const entries = JSON.parse(String(listed.stdout)) as { name: string; status: string }[];
  expect(entries.map((e) => e.status)).toEqual(entries.map(() => "completed"));
  return entries.map((e) => e.name).sort();
}

describe("names that sanitise alike never share an archive", () => {
  it("PostgreSQL, concurrency 4, two runs: every archive kept, each with its own database; list, verify and restore work", async () => {
    const instance = { id: 1, name: "pg-names", type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: "${env:VYA_PG}", databases: NAMES, globals: false };
    const env = { VYA_PG: pg.password };
    const config = await writeDbConfig(dir, "pg.yaml", [instance], { concurrency: 4 });
    const units = await expectEveryArchiveKept(await backupRuns(config, 2, env), 2 * NAMES.length);
    await expectOwnData(units);

    expect(await listNames(config, instance.name, env)).toEqual(units.map((u) => basename(u.archive ?? "")).sort());
    const accented = units.find((u) => u.database === "nc Reporting Ö");
    const verified = await runCli(["-c", config, "verify", "--file", basename(accented?.archive ?? "")], { env });
    expect(verified.exitCode, String(verified.stdout) + String(verified.stderr)).toBe(0);

    const spaced = units.find((u) => u.database === "nc c");
    const restored = await runCli(["-c", config, "restore", "--file", basename(spaced?.archive ?? ""), "--target", "nc c restored"], { env });
    expect(restored.exitCode, String(restored.stderr)).toBe(0);
    expect((await psql(pg, "SELECT v FROM marker", "nc c restored")).trim()).toBe(marker(0));
    expect((await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = ${quoteLiteral("nc c")}`)).trim()).toBe("1");
  }, 240_000);

  it("MariaDB, concurrency 4, two runs: every archive kept, each with its own database; restore works", async () => {
    const instance = { id: 2, name: "my-names", type: "mysql", host: my.host, port: my.port, user: my.user, password: "${env:VYA_MY}", databases: NAMES };
    const env = { VYA_MY: my.password };
    const config = await writeDbConfig(dir, "my.yaml", [instance], { concurrency: 4 });
    const units = await expectEveryArchiveKept(await backupRuns(config, 2, env), 2 * NAMES.length);
    await expectOwnData(units);
    expect(await listNames(config, instance.name, env)).toEqual(units.map((u) => basename(u.archive ?? "")).sort());

    const twin = units.find((u) => u.database === "nc_Sales");
    const restored = await runCli(["-c", config, "restore", "--file", basename(twin?.archive ?? ""), "--target", "nc c restored"], { env });
    expect(restored.exitCode, String(restored.stderr)).toBe(0);
    expect((await mariadb(my, "SELECT v FROM marker", "nc c restored")).trim()).toBe(marker(NAMES.indexOf("nc_Sales")));
  }, 240_000);

  it("files instances whose names differ only by case keep separate folders and archives", async () => {
    const trees = ["Docs", "docs"];
    for (const tree of trees) {
      await mkdir(join(dir, "trees", tree), { recursive: true });
      await writeFile(join(dir, "trees", tree, "owner.txt"), tree);
    }
    const instances = trees.map((tree, i) => ({ id: 10 + i, name: tree, type: "files", paths: [join(dir, "trees", tree, "*")], archive: "tar.gz" }));
    const config = await writeDbConfig(dir, "files.yaml", instances, { concurrency: 4 });
    const units = await expectEveryArchiveKept(await backupRuns(config, 2), 4);
    for (const unit of units) {
      const sidecar = await readSidecar(unit.archive ?? "");
      expect(sidecar.patterns?.paths).toEqual([join(dir, "trees", unit.instance.name, "*")]);
    }
    const verified = await runCli(["-c", config, "verify", "--file", basename(units[0]?.archive ?? "")]);
    expect(verified.exitCode, String(verified.stdout) + String(verified.stderr)).toBe(0);
  });
});
