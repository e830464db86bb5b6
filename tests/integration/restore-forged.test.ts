import { access } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { writeDbConfig } from "../helpers/db-run.js";
import { firstEntryData, flipBitWithForgedSidecar, seeded, writeBrokenDump } from "../helpers/dump-archives.js";
import { mariadb } from "../helpers/mariadb.js";
import { psql } from "../helpers/postgres.js";
import { dropDatabasesLike, MY_DUMP, myHasDatabase, PG_DUMP, pgHasDatabase } from "../helpers/restore-servers.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * Archives written by someone who can write to a bucket or an SFTP account, each with a sidecar
 * forged to match: client commands inside a dump never run, and damage the sidecar does not
 * reveal (the zip CRC-32 does) never commits. Real servers from the harness.
 */
const pg = inject("postgres");
const my = inject("mariadb");
const PG = { id: 1, name: "pg-forged", type: "postgres" as const };
const MY = { id: 5, name: "maria-forged", type: "mysql" as const };
let dir: string;
let cleanup: () => Promise<void>;
let config: string;

const pgExists = (db: string) => pgHasDatabase(pg, db);
const myExists = (db: string) => myHasDatabase(my, db);
const missing = (path: string) => access(path).then(() => false, () => true);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-forged-"));
  config = await writeDbConfig(dir, "forged.yaml", [
    { ...PG, host: pg.host, port: pg.port, user: pg.user, password: "${env:VYA_PG}" },
    { ...MY, host: my.host, port: my.port, user: my.user, password: "${env:VYA_MY}" },
  ]);
});
afterAll(async () => {
  await dropDatabasesLike(pg, my, "vya_fg_");
  await cleanup();
});

const restore = (path: string, target: string) => runCli(["-c", config, "restore", "--file", path, "--target", target], { env: { VYA_PG: pg.password, VYA_MY: my.password } });

describe("a forged archive cannot run commands on this machine", () => {
  // A forger writes no \restrict line of course; one case carries pg_dump's own pair and "lifts" it.
  const header = (key?: string) => `--\n-- PostgreSQL database dump\n--\n\n${key ? `\\restrict ${key}\n` : ""}\nSET client_encoding = 'UTF8';\nCREATE TABLE t (v text);\n`;
  const pgCases: [string, (mark: string) => string][] = [
    ["\\!", (mark) => `${header()}\\! touch ${mark}\n`],
    ["\\copy … to program", (mark) => `${header()}\\copy (SELECT 1) TO PROGRAM 'touch ${mark}'\n`],
    ["the dump's own \\unrestrict, then \\!", (mark) => `${header("k4")}\\unrestrict k4\n\\! touch ${mark}\n`],
  ];
  for (const [i, [what, sql]] of pgCases.entries()) {
    it(`psql: ${what} is refused, nothing created, exit 1`, async () => {
      const mark = join(dir, `pg-mark-${i}`);
      const path = await writeBrokenDump(dir, PG, PG_DUMP, sql(mark), { database: `vya_fg_pg${i}` });
      const result = await restore(path, `vya_fg_pg${i}`);
      expect(result.exitCode, String(result.stderr)).toBe(1);
      expect(String(result.stderr)).toMatch(/restricted/);
      expect(await missing(mark)).toBe(true);
      expect(await pgExists(`vya_fg_pg${i}`)).toBe(false);
    });
  }

  it("verify --restore-test of a forged plain dump: refused the same way, nothing created", async () => {
    const mark = join(dir, "pg-mark-verify");
    const path = await writeBrokenDump(dir, PG, PG_DUMP, `${header()}\\! touch ${mark}\n--\n-- PostgreSQL database dump complete\n--\n`, { database: "vya_fg_verify" });
    const result = await runCli(["-c", config, "verify", "--file", path, "--restore-test"], { env: { VYA_PG: pg.password, VYA_MY: my.password } });
    expect(await missing(mark)).toBe(true);
    expect(result.exitCode, String(result.stdout)).toBe(1);
    expect(String(result.stdout)).toMatch(/FAIL restore-test: [\s\S]*backslash commands are restricted/);
    expect((await psql(pg, "SELECT count(*) FROM pg_database WHERE datname LIKE 'vya_fg_verify_restoretest%'")).trim()).toBe("0");
  });

  const myCases: [string, (mark: string) => string][] = [
    ["\\!", (mark) => `CREATE TABLE t (v TEXT);\n\\! touch ${mark}\n`],
    ["tee", (mark) => `tee ${mark}\nCREATE TABLE t (v TEXT);\nSELECT 1;\n`],
  ];
  for (const [i, [what, sql]] of myCases.entries()) {
    it(`mariadb: ${what} is refused, nothing created, exit 1`, async () => {
      const mark = join(dir, `my-mark-${i}`);
      const path = await writeBrokenDump(dir, MY, MY_DUMP, sql(mark), { database: `vya_fg_my${i}` });
      const result = await restore(path, `vya_fg_my${i}`);
      expect(result.exitCode, String(result.stderr)).toBe(1);
      expect(String(result.stderr)).toMatch(/sandbox/i);
      expect(await missing(mark)).toBe(true);
      expect(await myExists(`vya_fg_my${i}`)).toBe(false);
    });
  }
});

describe("damage behind a forged sidecar never commits (zip CRC-32)", () => {
  const rows = Array.from({ length: 200 }, (_, i) => `row-${String(i).padStart(4, "0")}-aaaaaaaa`);
  const pgSql = `--\n-- PostgreSQL database dump\n--\n\n\\restrict kk\n\nCREATE TABLE t (v text);\n${rows.map((r) => `INSERT INTO t VALUES ('${r}');`).join("\n")}\n\n\\unrestrict kk\n`;
  const mySql = `CREATE TABLE t (v VARCHAR(40));\n${rows.map((r) => `INSERT INTO t VALUES ('${r}');`).join("\n")}\n`;
  const expected = rows.join(",");
  const pgRows = async (db: string) => (await psql(pg, "SELECT string_agg(v, ',' ORDER BY v) FROM t", db)).trim();
  const myRows = async (db: string) => (await mariadb(my, "SELECT GROUP_CONCAT(v ORDER BY v SEPARATOR ',') FROM t", db)).trim();

  it("one flipped bit inside a row value (stored entry): refused, no database left", { timeout: 60_000 }, async () => {
    for (const engine of ["pg", "my"] as const) {
      const db = `vya_fg_flip_${engine}`;
      const sql = engine === "pg" ? pgSql : mySql;
      const path = await writeBrokenDump(dir, engine === "pg" ? PG : MY, engine === "pg" ? PG_DUMP : MY_DUMP, sql, { database: db, stored: true });
      const { start } = firstEntryData(await (await import("node:fs/promises")).readFile(path));
      // 'a' (0x61) → 'c' (0x63) in the last row's value: still valid SQL, different data.
      await flipBitWithForgedSidecar(path, start + sql.lastIndexOf("aaaa"), 1);
      const result = await restore(path, db);
      expect(result.exitCode, `${engine}: ${String(result.stderr)}`).toBe(1);
      expect(String(result.stderr)).toMatch(/fails its CRC-32 check/);
      expect(await (engine === "pg" ? pgExists(db) : myExists(db))).toBe(false);
    }
  });

  // 100 flips against the reader itself: tests/unit/zip-crc.test.ts; here a few through the real clients.
  it("random bit flips in deflated entries: every restore refused or byte-identical", { timeout: 120_000 }, async () => {
    const random = seeded(9);
    for (const engine of ["pg", "my"] as const) {
      for (let trial = 0; trial < 2; trial++) {
        const db = `vya_fg_rnd_${engine}${trial}`;
        const path = await writeBrokenDump(dir, engine === "pg" ? PG : MY, engine === "pg" ? PG_DUMP : MY_DUMP, engine === "pg" ? pgSql : mySql, { database: db });
        const { start, end } = firstEntryData(await (await import("node:fs/promises")).readFile(path));
        await flipBitWithForgedSidecar(path, start + Math.floor(random() * (end - start)), Math.floor(random() * 8));
        const result = await restore(path, db);
        if (result.exitCode === 0) expect(await (engine === "pg" ? pgRows(db) : myRows(db))).toBe(expected);
        else {
          expect(result.exitCode, String(result.stderr)).toBe(1);
          expect(await (engine === "pg" ? pgExists(db) : myExists(db))).toBe(false);
        }
      }
    }
  });
});
