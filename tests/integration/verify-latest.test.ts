import { execa } from "execa";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { archivesIn, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * verify --latest checks the newest backup run of the instance, all its units: a corrupt
 * sidecar or a missing archive in that run fails it (it used to fall back to an older backup and
 * print OK), a safety backup taken by a restore is not a run, and a run interrupted after some
 * units fails naming the unit it never finished.
 */
const pg = inject("postgres");
const ROLE = "vya_vl_admin";
const PASSWORD = "vl-S3cret";
const env = { VYA_TEST_PG_PASSWORD: PASSWORD };
const DBS = ["vya_vl_a", "vya_vl_b"];
let dir: string;
let cleanup: () => Promise<void>;
let config: string;

interface VerifyJson {
  ok: boolean;
  results: { name: string; ok: boolean; checks: { check: string; ok: boolean; detail: string }[] }[];
}
const verifyLatest = async (instance: string) => {
  const result = await runCli(["-c", config, "--json", "verify", "-i", instance, "--latest"], { env });
  return { exitCode: result.exitCode, stderr: String(result.stderr), report: (String(result.stdout).trim() ? JSON.parse(String(result.stdout)) : null) as VerifyJson | null };
};

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-verify-latest-"));
  await createRole(pg, ROLE, PASSWORD, { superuser: true });
  for (const db of DBS) {
    await createDatabase(pg, db);
    await psql(pg, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 50);", db);
  }
  const src = join(dir, "src");
  await mkdir(src);
  await writeFile(join(src, "a.txt"), "alpha\n");
  config = await writeDbConfig(dir, "config.yaml", [
    { id: 1, name: "pg-two", type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:VYA_TEST_PG_PASSWORD}", databases: DBS, globals: false },
    { id: 3, name: "tree", type: "files", paths: [src], archive: "zip" },
  ], { concurrency: 1 });
});
afterAll(async () => {
  for (const db of DBS) await dropDatabase(pg, db);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

describe("verify --latest", () => {
  it("the newest run's corrupt sidecar or missing archive fails it (exit 1), naming that archive; never an older run", async () => {
    for (let i = 0; i < 2; i++) expect((await runCli(["-c", config, "backup", "-i", "tree"], { env })).exitCode).toBe(0);
    const folder = join(dir, "backups", "db01", "tree");
    const newest = (await archivesIn(folder)).at(-1) ?? "";
    const sidecar = await readFile(`${newest}.json`, "utf8");

    await writeFile(`${newest}.json`, "{ not json");
    const corrupt = await verifyLatest("tree");
    expect(corrupt.exitCode, corrupt.stderr).toBe(1);
    expect(corrupt.report?.results.map((r) => r.name)).toEqual([basename(newest)]);
    expect(corrupt.report?.results[0]?.checks[0]).toMatchObject({ check: "sidecar", ok: false, detail: expect.stringMatching(/not valid JSON/) as unknown });

    await writeFile(`${newest}.json`, sidecar);
    await rm(newest);
    const missing = await verifyLatest("tree");
    expect(missing.exitCode, missing.stderr).toBe(1);
    expect(missing.report?.results.map((r) => r.name)).toEqual([basename(newest)]);
    expect(missing.report?.results[0]?.checks.at(-1)).toMatchObject({ check: "checksum", ok: false, detail: expect.stringMatching(/is missing: the archive was deleted or never copied/) as unknown });

    // The same archive named with --file: damage (exit 1), not a usage error (2).
    const byName = await runCli(["-c", config, "verify", "--file", basename(newest)], { env });
    expect(byName.exitCode, String(byName.stderr)).toBe(1);
    expect(String(byName.stdout)).toMatch(/FAIL checksum: .* is missing/);
    await rm(`${newest}.json`);
  });

  it("a safety backup taken by a restore is not a run: the run's own archives are verified", async () => {
    const backup = await runCli(["-c", config, "--json", "backup", "-i", "pg-two"], { env });
    expect(backup.exitCode, String(backup.stderr)).toBe(0);
    const run = parseReport(backup.stdout).units.map((u) => basename(u.archive ?? "")).sort();
    expect(run).toHaveLength(2);
    const restored = await runCli(["-c", config, "restore", "--file", run[0] ?? "", "--target", "vya_vl_a", "--force"], { env });
    expect(restored.exitCode, String(restored.stderr)).toBe(0);
    expect(String(restored.stdout)).toMatch(/safety backup of the previous "vya_vl_a"/);

    const latest = await verifyLatest("pg-two");
    expect(latest.exitCode, JSON.stringify(latest.report)).toBe(0);
    expect(latest.report?.results.map((r) => r.name).sort()).toEqual(run);
  });

  it("a run interrupted after one of its two units fails, naming the unit it never finished", async () => {
    const fake = join(dir, "fake-bin");
    await mkdir(fake, { recursive: true });
    const real = (await execa("bash", ["-c", "ls /usr/lib/postgresql/*/bin/pg_dump | sort -V | tail -1"])).stdout.trim();
    await writeScript(fake, "pg_dump", `case "$*" in *vya_vl_b*) exec sleep 600;; esac\nexec ${JSON.stringify(real)} "$@"`);
    const folder = join(dir, "backups", "db01", "pg-two", "vya_vl_a");
    const before = new Set(await readdir(folder));
    const child = execa(BIN, ["-c", config, "backup", "-i", "pg-two"], { reject: false, extendEnv: false, env: { ...env, PATH: `${fake}:${process.env.PATH ?? ""}` } });
    // Poll until unit a of this run has its sidecar (it is complete), then stop the run inside unit b.
    for (;;) {
      if ((await readdir(folder)).some((n) => n.endsWith(".zip.json") && !before.has(n))) break;
      if (child.exitCode !== null) throw new Error(`backup ended early: ${String((await child).stderr)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGTERM");
    expect((await child).exitCode).toBe(143);

    const latest = await verifyLatest("pg-two");
    expect(latest.exitCode, JSON.stringify(latest.report)).toBe(1);
    const failed = latest.report?.results.filter((r) => !r.ok) ?? [];
    expect(failed).toHaveLength(1);
    expect(failed[0]?.checks[0]).toMatchObject({ check: "run", ok: false, detail: expect.stringMatching(/no archive of database vya_vl_b from this run .*interrupted or failed/) as unknown });
    // The unit that finished is still verified, and passes.
    expect(latest.report?.results.filter((r) => r.ok).map((r) => r.name)).toEqual([expect.stringMatching(/^pg-two_vya_vl_a_/) as unknown]);
  });
});
