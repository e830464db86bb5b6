import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { allNames, credentialsLeft, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { createBigDatabases, type BigDatabases } from "../helpers/big-databases.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * A dump tool that exits 0 after writing only part of its output (a warning on stderr, or
 * nothing at all) must fail the unit: the completion check verify does (the trailer line,
 * pg_restore reading a custom dump to its end) decides the backup too.
 */
const pg = inject("postgres");
const my = inject("mariadb");
let dir: string;
let dbs: BigDatabases;
let cleanup: () => Promise<void>;
let tmp: string;
let runtime: string;

// Credential files go to the private runtime dir: its own per test file, checked empty after each run.
const env = () => ({ ...dbs.passwordEnv, TMPDIR: tmp, XDG_RUNTIME_DIR: runtime });
const pgInstance = (extra: Record<string, unknown>) => dbs.pgInstance(extra);
const myInstance = (extra: Record<string, unknown>) => dbs.myInstance(extra);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  tmp = join(dir, "tmp");
  runtime = join(dir, "run");
  await mkdir(tmp);
  // ~1.5 MB of dump, several hundred kB in custom format: a cut at 100 kB is well inside.
  dbs = await createBigDatabases(pg, my, "vya_trunc", 30000);
});
afterAll(async () => {
  await dbs.drop();
  await cleanup();
});

/** A fake `name` in its own folder: the real `--version`, then the real tool's output cut by `cut` (a filter), then exit 0. */
async function truncatingTool(folder: string, name: string, real: string, cut: string, stderr = ""): Promise<string> {
  const fake = join(dir, folder);
  await mkdir(fake, { recursive: true });
  await writeScript(fake, name, `if [ "$1" = --version ]; then exec ${real} --version; fi\n${real} "$@" | ${cut}\n${stderr ? `echo ${JSON.stringify(stderr)} >&2\n` : ""}exit 0`);
  return fake;
}

/** No archive, sidecar, partial or spool under the instance, and no temporary file left. */
async function expectNothingCommitted(instanceName: string): Promise<void> {
  const names = await allNames(join(dir, "backups", "db01", instanceName));
  expect(names.filter((n) => /\.(zip|json|partial|gz)$/.test(n) || n.includes(".vya-"))).toEqual([]);
  expect(await readdir(tmp)).toEqual([]);
  expect(await credentialsLeft(runtime)).toEqual([]);
}

async function expectCutShort(config: string, fake: string, instanceName: string, why: RegExp): Promise<void> {
  const result = await runCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake] });
  expect(result.exitCode, String(result.stderr)).toBe(1);
  const units = parseReport(result.stdout).units;
  expect(units.map((u) => u.status)).toEqual(["failed"]);
  expect(units[0]?.error).toMatch(why);
  await expectNothingCommitted(instanceName);
}

describe("truncated dumps are failed units, never backups", () => {
  for (const archive of ["zip", "tar.gz"] as const) {
    it(`pg_dump plain cut at 100 kB, exit 0 and a warning, into ${archive}: failed, nothing committed`, async () => {
      const fake = await truncatingTool(`pg-plain-${archive}`, "pg_dump", join(pg.binDir, "pg_dump"), "head -c 100000", "pg_dump: warning: injected");
      const name = `pg-plain-${archive.replace(".", "")}`;
      const config = await writeDbConfig(dir, `${name}.yaml`, [pgInstance({ id: 1, name, archive })]);
      await expectCutShort(config, fake, name, /does not end with "-- PostgreSQL database dump complete".*cut short/);
    });

    it(`pg_dump custom cut at 100 kB, exit 0 silently, into ${archive}: failed by pg_restore reading it, nothing committed`, async () => {
      const fake = await truncatingTool(`pg-custom-${archive}`, "pg_dump", join(pg.binDir, "pg_dump"), "head -c 100000");
      const name = `pg-custom-${archive.replace(".", "")}`;
      const config = await writeDbConfig(dir, `${name}.yaml`, [pgInstance({ id: 2, name, archive, format: "custom" })]);
      await expectCutShort(config, fake, name, /custom-format dump is not whole.*pg_restore/);
    });

    it(`mariadb-dump cut at 100 kB, exit 0 silently, into ${archive}: failed, nothing committed`, async () => {
      const fake = await truncatingTool(`my-${archive}`, "mariadb-dump", "/usr/bin/mariadb-dump", "head -c 100000");
      const name = `my-${archive.replace(".", "")}`;
      const config = await writeDbConfig(dir, `${name}.yaml`, [myInstance({ id: 3, name, archive })]);
      await expectCutShort(config, fake, name, /does not end with "-- Dump completed on …".*cut short/);
    });
  }

  it("pg_dumpall --globals-only missing its last 100 bytes: the globals unit fails", async () => {
    // pg_dumpall is taken from beside the pg_dump chosen: a whole pg_dump in the same folder.
    await truncatingTool("pg-globals", "pg_dump", join(pg.binDir, "pg_dump"), "cat");
    const fake = await truncatingTool("pg-globals", "pg_dumpall", join(pg.binDir, "pg_dumpall"), "head -c -100");
    const config = await writeDbConfig(dir, "pg-globals.yaml", [pgInstance({ id: 4, name: "pg-globals", databases: ["postgres"], globals: true })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake] });
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const units = parseReport(result.stdout).units;
    expect(units.find((u) => u.kind === "globals")?.error).toMatch(/does not end with "-- PostgreSQL database cluster dump complete".*cut short/);
    // The database beside it is whole and still backed up.
    expect(units.find((u) => u.kind === "database")?.status).toBe("success");
    expect((await allNames(join(dir, "backups", "db01", "pg-globals", "_globals"))).filter((n) => !n.startsWith("."))).toEqual([]);
  });

  it("mariadb-dump option that drops the completion line (--skip-comments) is a config error", async () => {
    const config = await writeDbConfig(dir, "my-skip.yaml", [myInstance({ id: 5, name: "my-skip", dump_options: ["--skip-comments"] })]);
    const result = await runCli(["-c", config, "backup"], { env: env() });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/instances\[0\]\.dump_options\[0\]: "--skip-comments" .*completion line/);
  });
});
