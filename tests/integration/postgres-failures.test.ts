import { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { allNames, archivesIn, parseReport, readSidecar, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { freePort } from "../helpers/server-process.js";
import { makeTempDir } from "../helpers/tmp.js";

const pg = inject("postgres");
const DB = "vya_fail_db";
const ROLE = "vya_fail_role";
const PASSWORD = "fail:pw-Ünï$1";
let dir: string;
let cleanup: () => Promise<void>;
let tmp: string;

const base = (extra: Record<string, unknown>) => ({ type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:PGPW}", databases: [DB], globals: false, ...extra });
const env = () => ({ PGPW: PASSWORD, TMPDIR: tmp });

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  tmp = join(dir, "tmp");
  await mkdir(tmp);
  await createRole(pg, ROLE, PASSWORD);
  await createDatabase(pg, DB, ROLE);
  // ~1.5 MB of dump: big enough that a dump cut at 200 kB is clearly partial.
  await psql(pg, "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 30000) g; ANALYZE big;", DB, { user: ROLE, password: PASSWORD });
  for (const db of ["vya_list_a", "vya_list_b", "vya_skip_x"]) await createDatabase(pg, db);
});
afterAll(async () => {
  for (const db of [DB, "vya_list_a", "vya_list_b", "vya_skip_x"]) await dropDatabase(pg, db);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

/** Nothing half-written: no archive, no sidecar, no partial under the instance, no credential file left. */
async function expectNothingLeft(instanceName: string): Promise<void> {
  const names = await allNames(join(dir, "backups", "db01", instanceName));
  expect(names.filter((n) => /\.(zip|json|partial|gz)$/.test(n) || n.includes(".vya-"))).toEqual([]);
  expect(await readdir(tmp)).toEqual([]);
}

describe("PostgreSQL failures", () => {
  it("a wrong password fails that instance only: exit 1, 'authentication failed', nothing left behind", async () => {
    const config = await writeDbConfig(dir, "wrongpw.yaml", [
      base({ id: 1, name: "pg-wrong", password: "not-the-password" }),
      base({ id: 2, name: "pg-right" }),
    ]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode).toBe(1);
    const report = parseReport(result.stdout);
    const wrong = report.units.find((u) => u.instance.name === "pg-wrong");
    expect(wrong?.status).toBe("failed");
    expect(wrong?.error).toMatch(/password authentication failed for user "vya_fail_role"/);
    expect(String(result.stderr)).toMatch(/authentication failed/);
    expect(report.units.find((u) => u.instance.name === "pg-right")?.status).toBe("success");
    expect(await archivesIn(join(dir, "backups", "db01", "pg-right", DB))).toHaveLength(1);
    await expectNothingLeft("pg-wrong");
  });

  it("an unknown database fails that unit with the server's words", async () => {
    const config = await writeDbConfig(dir, "unknown.yaml", [base({ id: 3, name: "pg-unknown", databases: ["vya_no_such_db", DB] })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode).toBe(1);
    const report = parseReport(result.stdout);
    expect(report.units.find((u) => u.database === "vya_no_such_db")?.error).toMatch(/database "vya_no_such_db" does not exist/);
    expect(report.units.find((u) => u.database === DB)?.status).toBe("success");
    expect(await allNames(join(dir, "backups", "db01", "pg-unknown", "vya_no_such_db"))).toEqual([]);
  });

  it("pg_dump killed halfway: exit 1, the signal in the error, partial removed, no sidecar", async () => {
    const fake = join(dir, "fake-killed");
    await mkdir(fake);
    await writeScript(fake, "pg_dump", `if [ "$1" = --version ]; then exec ${pg.binDir}/pg_dump --version; fi\n${pg.binDir}/pg_dump "$@" | head -c 200000\nkill -KILL $$`);
    const config = await writeDbConfig(dir, "killed.yaml", [base({ id: 4, name: "pg-killed" })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake] });
    expect(result.exitCode).toBe(1);
    const unit = parseReport(result.stdout).units[0];
    expect(unit?.error).toMatch(/pg_dump was killed by SIGKILL/);
    await expectNothingLeft("pg-killed");
  });

  it("pg_dump exiting 0 with an error line on stderr is a failure", async () => {
    const fake = join(dir, "fake-errline");
    await mkdir(fake);
    await writeScript(fake, "pg_dump", `if [ "$1" = --version ]; then exec ${pg.binDir}/pg_dump --version; fi\n${pg.binDir}/pg_dump "$@"\necho "pg_dump: error: query failed: injected" >&2\nexit 0`);
    const config = await writeDbConfig(dir, "errline.yaml", [base({ id: 5, name: "pg-errline" })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake] });
    expect(result.exitCode).toBe(1);
    expect(parseReport(result.stdout).units[0]?.error).toMatch(/exited 0 but reported a failure[\s\S]*injected/);
    await expectNothingLeft("pg-errline");
  });

  it("the server down fails the instance with the connection error", async () => {
    const config = await writeDbConfig(dir, "down.yaml", [base({ id: 6, name: "pg-down", port: await freePort() })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode).toBe(1);
    expect(parseReport(result.stdout).units[0]?.error).toMatch(/Connection refused/i);
    await expectNothingLeft("pg-down");
  });

  it("a pg_dump older than the server: pg_dump_path fails naming both versions; on PATH it is skipped for a newer one", async () => {
    const old = join(dir, "fake-old");
    await mkdir(old);
    await writeScript(old, "pg_dump", `echo "pg_dump (PostgreSQL) 12.3"`);
    await writeScript(old, "pg_dumpall", `echo "pg_dumpall (PostgreSQL) 12.3"`);
    const pinned = await writeDbConfig(dir, "old.yaml", [base({ id: 7, name: "pg-old", pg_dump_path: old })]);
    const failed = await runCli(["-c", pinned, "--json", "backup"], { env: env() });
    expect(failed.exitCode).toBe(1);
    const error = parseReport(failed.stdout).units[0]?.error ?? "";
    expect(error).toMatch(/pg_dump 12\.3 .* is older than the server \(PostgreSQL 1\d\./);
    expect(error).toContain(`postgresql-client-${pg.major}`);

    const onPath = await writeDbConfig(dir, "old-path.yaml", [base({ id: 8, name: "pg-oldpath" })]);
    const ok = await runCli(["-c", onPath, "backup"], { env: env(), pathPrepend: [old] });
    expect(ok.exitCode, String(ok.stderr)).toBe(0);
    const [archive] = await archivesIn(join(dir, "backups", "db01", "pg-oldpath", DB));
    expect(Number((await readSidecar(archive as string)).dump_tool?.version.split(".")[0])).toBeGreaterThanOrEqual(pg.major);
  });

  it("pg_dump missing: the instance fails saying what to install", async () => {
    const config = await writeDbConfig(dir, "missing.yaml", [base({ id: 9, name: "pg-missing", pg_dump_path: join(dir, "no-such-dir") })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode).toBe(1);
    expect(parseReport(result.stdout).units[0]?.error).toMatch(/pg_dump not found at .*no-such-dir.*install postgresql-client-/);
  });

  it("dump_options with a connection or password flag is a config error (exit 2) naming the key", async () => {
    const config = await writeDbConfig(dir, "badopts.yaml", [base({ id: 10, dump_options: ["--no-owner", "--host=elsewhere"] })]);
    const result = await runCli(["-c", config, "backup"], { env: env() });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/instances\[0\]\.dump_options\[1\]: "--host=elsewhere" is a connection flag/);
  });

  it("without databases: every database but template0/1 and exclude_databases globs, plus globals", async () => {
    const config = await writeDbConfig(dir, "list.yaml", [
      { type: "postgres", id: 11, name: "pg-all", host: pg.host, port: pg.port, user: pg.user, password: "${env:PGSU}", exclude_databases: ["vya_skip_*"] },
    ]);
    const result = await runCli(["-c", config, "--json", "backup", "--dry-run"], { env: { PGSU: pg.password } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const dbs = parseReport(result.stdout).units.map((u) => u.database);
    expect(dbs).toEqual(expect.arrayContaining(["_globals", "postgres", "vya_list_a", "vya_list_b"]));
    expect(dbs).not.toContain("vya_skip_x");
    expect(dbs).not.toContain("template0");
    expect(dbs).not.toContain("template1");
  });

  it("globals as a non-superuser fall back to --no-role-passwords, said in the sidecar and the report", async () => {
    const config = await writeDbConfig(dir, "globals.yaml", [base({ id: 12, name: "pg-globals", globals: true })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const unit = parseReport(result.stdout).units.find((u) => u.kind === "globals");
    expect(unit?.warnings.join("\n")).toMatch(/--no-role-passwords/);
    const [archive] = await archivesIn(join(dir, "backups", "db01", "pg-globals", "_globals"));
    expect((await readSidecar(archive as string)).warnings.join("\n")).toMatch(/--no-role-passwords/);
    // The human report says it too.
    const text = await runCli(["-c", config, "backup"], { env: env() });
    expect(String(text.stdout)).toMatch(/^warning: pg-globals\/_globals: role passwords were not dumped.*--no-role-passwords/m);
    expect(await readFile(archive as string)).toBeDefined();
  });

  it("concurrency 2: several databases dumped at once, each its own archive", async () => {
    const config = await writeDbConfig(dir, "conc.yaml", [base({ id: 13, name: "pg-conc", user: pg.user, password: "${env:PGSU}", databases: [DB, "vya_list_a", "vya_list_b"] })], { concurrency: 2 });
    const result = await runCli(["-c", config, "--json", "backup"], { env: { ...env(), PGSU: pg.password } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(parseReport(result.stdout).units.map((u) => u.status)).toEqual(["success", "success", "success"]);
    for (const db of [DB, "vya_list_a", "vya_list_b"]) expect(await archivesIn(join(dir, "backups", "db01", "pg-conc", db))).toHaveLength(1);
  });

  it("SIGTERM mid-dump: the dump child is stopped, the partial removed, exit 143", async () => {
    const fake = join(dir, "fake-hang");
    await mkdir(fake);
    const pidFile = join(dir, "hang.pid");
    await writeScript(fake, "pg_dump", `if [ "$1" = --version ]; then exec ${pg.binDir}/pg_dump --version; fi\nprintf -- '-- partial dump\\n'\necho "$$ $PPID" > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}\nexec sleep 60`);
    const config = await writeDbConfig(dir, "hang.yaml", [base({ id: 14, name: "pg-hang" })]);
    const run = runCli(["-c", config, "backup"], { env: env(), pathPrepend: [fake] });
    while (!existsSync(pidFile)) await new Promise((r) => setTimeout(r, 50));
    // The fake's parent is the CLI itself.
    const [pid, cli] = (await readFile(pidFile, "utf8")).trim().split(" ").map(Number) as [number, number];
    process.kill(cli, "SIGTERM");
    const result = await run;
    expect(result.exitCode).toBe(143);
    expect(() => process.kill(pid, 0)).toThrow();
    await expectNothingLeft("pg-hang");
  });
});
