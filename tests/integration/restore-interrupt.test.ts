import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * SIGTERM/SIGINT during a database restore: the client is stopped, the database the restore
 * had created is dropped, exit 143/130. A psql wrapper on PATH hangs once it is handed the dump
 * (and says so with a marker file), so the signal lands mid-restore without any timing.
 */
const pg = inject("postgres");
const SRC = "vya_ri_src";
const ZSRC = "vya_ri_zsrc";
const ROLE = "vya_ri_admin";
const PASSWORD = "ri-pw:with$odd'chars";
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let archive: string;
let fakeBin: string;
let zstdConfig: string;
let zstdArchive: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-int-"));
  await createRole(pg, ROLE, PASSWORD, { superuser: true });
  await createDatabase(pg, SRC);
  await psql(pg, "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 50000);", SRC);
  config = await writeDbConfig(dir, "pg.yaml", [{ id: 1, name: "pg", type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:PW}", databases: [SRC], globals: false }]);
  const backup = await execa(BIN, ["-c", config, "--json", "backup"], { env: { PATH: process.env.PATH, PW: PASSWORD }, extendEnv: false, reject: false });
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  archive = basename(parseReport(backup.stdout).units[0]?.archive ?? "");
  // ~20 MB of dump in the zstd one: more than the pipes and stream buffers hold, so its zstd is still running when psql hangs.
  await createDatabase(pg, ZSRC);
  await psql(pg, "CREATE TABLE z (id int, a text); INSERT INTO z SELECT g, md5(g::text) FROM generate_series(1, 400000) g;", ZSRC);
  zstdConfig = await writeDbConfig(dir, "pgz.yaml", [{ id: 2, name: "pgz", type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:PW}", databases: [ZSRC], globals: false, compression: "zstd" }]);
  const zstdBackup = await execa(BIN, ["-c", zstdConfig, "--json", "backup"], { env: { PATH: process.env.PATH, PW: PASSWORD }, extendEnv: false, reject: false });
  expect(zstdBackup.exitCode, String(zstdBackup.stderr)).toBe(0);
  zstdArchive = basename(parseReport(zstdBackup.stdout).units[0]?.archive ?? "");
  fakeBin = join(dir, "bin");
  const { mkdir } = await import("node:fs/promises");
  await mkdir(fakeBin);
  await writeScript(
    fakeBin,
    "psql",
    `for a in "$@"; do if [ "$a" = "--file=-" ]; then touch "${join(dir, "restoring")}-$PGDATABASE"; exec sleep 120; fi; done
exec ${JSON.stringify(join(pg.binDir, "psql"))} "$@"`,
  );
});
afterAll(async () => {
  for (const db of ["vya_ri_SIGTERM", "vya_ri_SIGINT", "vya_ri_zst", SRC, ZSRC]) await dropDatabase(pg, db);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

/** Starts a restore through the hanging psql; resolves once psql was handed the dump (or the restore ended). */
async function restoreUntilFed(configFile: string, file: string, target: string) {
  const child = execa(BIN, ["-c", configFile, "restore", "--file", file, "--target", target], {
    env: { PATH: `${fakeBin}:${process.env.PATH}`, PW: PASSWORD },
    extendEnv: false,
    reject: false,
  });
  const marker = `${join(dir, "restoring")}-${target}`;
  while (!existsSync(marker)) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Wrapped: an execa child is a promise, and returning it bare would wait for its end.
  return { child };
}

describe("interrupted restore", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s: the created database is dropped, exit %d", async (signal, code) => {
    const target = `vya_ri_${signal}`;
    const { child } = await restoreUntilFed(config, archive, target);
    expect((await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = '${target}'`)).trim()).toBe("1");
    child.kill(signal);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(code);
    expect(String(result.stderr)).toMatch(new RegExp(`interrupted by ${signal}: restore of .* failed; the database "${target}" it had created was dropped`));
    expect(String(result.stderr)).not.toContain(PASSWORD);
    expect((await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = '${target}'`)).trim()).toBe("0");
  });

  it("SIGTERM during a .sql.zst restore: the created database is dropped and no zstd is left reading the archive", async () => {
    const target = "vya_ri_zst";
    const { child } = await restoreUntilFed(zstdConfig, zstdArchive, target);
    // psql hangs without reading: zstd, reading the archive itself, is blocked on its full pipe.
    const readers = () => execa("pgrep", ["-f", `zstd -d .*${zstdArchive}`], { reject: false }).then((r) => r.stdout.trim());
    expect(await readers()).not.toBe("");
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(143);
    expect(String(result.stderr)).toMatch(new RegExp(`interrupted by SIGTERM: restore of .* failed; the database "${target}" it had created was dropped`));
    expect((await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = '${target}'`)).trim()).toBe("0");
    expect(await readers()).toBe("");
  });
});
