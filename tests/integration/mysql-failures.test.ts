import { mkdir, readdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { allNames, archivesIn, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { mariadb, quoteMysqlString } from "../helpers/mariadb.js";
import { freePort } from "../helpers/server-process.js";
import { makeTempDir } from "../helpers/tmp.js";

const my = inject("mariadb");
const DB = "vya_mfail_db";
const USER = "vya_mfail";
const PASSWORD = "mfail-pw:Ünï$1";
let dir: string;
let cleanup: () => Promise<void>;
let tmp: string;

const base = (extra: Record<string, unknown>) => ({ type: "mysql", host: my.host, port: my.port, user: USER, password: "${env:MYPW}", databases: [DB], ...extra });
const env = () => ({ MYPW: PASSWORD, TMPDIR: tmp });

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  tmp = join(dir, "tmp");
  await mkdir(tmp);
  await mariadb(
    my,
    `CREATE DATABASE ${DB}; CREATE DATABASE vya_mlist_a; CREATE DATABASE vya_mskip_x;
     CREATE TABLE ${DB}.big (id INT PRIMARY KEY, v CHAR(32));
     SET SESSION max_recursive_iterations = 100000;
     INSERT INTO ${DB}.big WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 30000) SELECT n, MD5(n) FROM s;
     CREATE USER '${USER}'@'%' IDENTIFIED BY ${quoteMysqlString(PASSWORD)}; GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'%';`,
  );
});
afterAll(async () => {
  await mariadb(my, `DROP DATABASE IF EXISTS ${DB}; DROP DATABASE IF EXISTS vya_mlist_a; DROP DATABASE IF EXISTS vya_mskip_x; DROP USER IF EXISTS '${USER}'@'%';`);
  await cleanup();
});

async function expectNothingLeft(instanceName: string): Promise<void> {
  const names = await allNames(join(dir, "backups", "db01", instanceName));
  expect(names.filter((n) => /\.(zip|json|partial|gz)$/.test(n) || n.includes(".vya-"))).toEqual([]);
  expect(await readdir(tmp)).toEqual([]);
}

/** A fake dump tool: real `--version`, then `body` (which may call the real tool with "$@"). */
async function fakeDump(name: string, body: string): Promise<string> {
  const fake = join(dir, name);
  await mkdir(fake);
  await writeScript(fake, "mariadb-dump", `if [ "$1" = --version ]; then exec /usr/bin/mariadb-dump --version; fi\n${body}`);
  return fake;
}

describe("MySQL/MariaDB failures", () => {
  it("a wrong password fails that instance only: exit 1, 'Access denied', nothing left behind", async () => {
    const config = await writeDbConfig(dir, "wrongpw.yaml", [base({ id: 1, name: "my-wrong", password: "not-it" }), base({ id: 2, name: "my-right" })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode).toBe(1);
    const report = parseReport(result.stdout);
    expect(report.units.find((u) => u.instance.name === "my-wrong")?.error).toMatch(/Access denied for user 'vya_mfail'/);
    expect(report.units.find((u) => u.instance.name === "my-right")?.status).toBe("success");
    expect(await archivesIn(join(dir, "backups", "db01", "my-right", DB))).toHaveLength(1);
    await expectNothingLeft("my-wrong");
  });

  it("an unknown database fails that unit, the others carry on", async () => {
    const config = await writeDbConfig(dir, "unknown.yaml", [base({ id: 3, name: "my-unknown", databases: ["vya_no_such", DB] })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode).toBe(1);
    const report = parseReport(result.stdout);
    expect(report.units.find((u) => u.database === "vya_no_such")?.error).toMatch(/database "vya_no_such" does not exist/);
    expect(report.units.find((u) => u.database === DB)?.status).toBe("success");
  });

  it("the PROCESS-privilege line with exit code 0 is a failure: no archive, no sidecar", async () => {
    const fake = await fakeDump(
      "fake-warn",
      `/usr/bin/mariadb-dump "$@"\necho "mariadb-dump: Error: 'Access denied; you need (at least one of) the PROCESS privilege(s) for this operation' when trying to dump tablespaces" >&2\nexit 0`,
    );
    const config = await writeDbConfig(dir, "warn.yaml", [base({ id: 4, name: "my-warn" })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake] });
    expect(result.exitCode).toBe(1);
    expect(parseReport(result.stdout).units[0]?.error).toMatch(/exited 0 but reported a failure[\s\S]*PROCESS privilege/);
    await expectNothingLeft("my-warn");
  });

  it("a dump killed halfway: exit 1, partial removed", async () => {
    const fake = await fakeDump("fake-killed", `/usr/bin/mariadb-dump "$@" | head -c 100000\nkill -KILL $$`);
    const config = await writeDbConfig(dir, "killed.yaml", [base({ id: 5, name: "my-killed" })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake] });
    expect(result.exitCode).toBe(1);
    expect(parseReport(result.stdout).units[0]?.error).toMatch(/mariadb-dump was killed by SIGKILL/);
    await expectNothingLeft("my-killed");
  });

  it("the dump tool missing: the instance fails saying what to install", async () => {
    const bare = join(dir, "bare-path");
    await mkdir(bare);
    await symlink(process.execPath, join(bare, "node"));
    const config = await writeDbConfig(dir, "missing.yaml", [base({ id: 6, name: "my-missing" })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: { ...env(), PATH: bare } });
    expect(result.exitCode).toBe(1);
    expect(parseReport(result.stdout).units[0]?.error).toMatch(/mariadb-dump or mysqldump not found on PATH: install .*mariadb-client/);
  });

  it("the server down fails the instance with the connection error", async () => {
    const config = await writeDbConfig(dir, "down.yaml", [base({ id: 7, name: "my-down", port: await freePort() })]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env() });
    expect(result.exitCode).toBe(1);
    expect(parseReport(result.stdout).units[0]?.error).toMatch(/Can't connect to server|Connection refused/i);
    await expectNothingLeft("my-down");
  });

  it("without databases: system schemas and mysql left out, exclude_databases globs applied; mysql only when named", async () => {
    const all = await writeDbConfig(dir, "list.yaml", [base({ id: 8, name: "my-all", databases: [], exclude_databases: ["vya_mskip_*"] })]);
    const result = await runCli(["-c", all, "--json", "backup", "--dry-run"], { env: env() });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const dbs = parseReport(result.stdout).units.map((u) => u.database);
    expect(dbs).toEqual(expect.arrayContaining([DB, "vya_mlist_a"]));
    for (const skipped of ["vya_mskip_x", "mysql", "information_schema", "performance_schema", "sys"]) expect(dbs).not.toContain(skipped);

    const named = await writeDbConfig(dir, "named.yaml", [base({ id: 9, name: "my-named", databases: ["mysql", "information_schema"] })]);
    const namedResult = await runCli(["-c", named, "--json", "backup", "--dry-run"], { env: env() });
    expect(parseReport(namedResult.stdout).units.map((u) => u.database)).toEqual(["mysql"]);
  });

  it("dump_options with a password flag is a config error (exit 2) that does not echo the value", async () => {
    const config = await writeDbConfig(dir, "badopts.yaml", [base({ id: 10, dump_options: ["--skip-comments", "-pTopSecret1"] })]);
    const result = await runCli(["-c", config, "backup"], { env: env() });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/instances\[0\]\.dump_options\[1\]: "-p\*\*\*" is a password flag/);
    expect(String(result.stderr)).not.toContain("TopSecret1");
  });
});
