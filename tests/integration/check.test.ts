import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { mariadb } from "../helpers/mariadb.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { freePort } from "../helpers/server-process.js";
import { makeTempDir } from "../helpers/tmp.js";

const pg = inject("postgres");
const maria = inject("mariadb");
const ROLE = "vya_check_role";
const PG_PASSWORD = "chk-Pg-pw-91x";
const MY_USER = "vya_check_my";
const MY_PASSWORD = "chk-My-pw-37q";
const DB_OK = "vya_check_ok";
const DB_LOCKED = "vya_check_locked";
let dir: string;
let cleanup: () => Promise<void>;

const pgInstance = (extra: Record<string, unknown>) => ({ type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:PGPW}", globals: false, ...extra });

/** A config in `dir`/<name> with its mode; inline secrets only where a test puts them. */
async function writeConfig(name: string, instances: Record<string, unknown>[], extra: Record<string, unknown> = {}, mode = 0o600): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "backups") } }, instances, ...extra }));
  await chmod(file, mode);
  return file;
}

const check = (config: string, ...args: string[]) => runCli(["-c", config, "check", ...args], { env: { PGPW: PG_PASSWORD, MYPW: MY_PASSWORD } });

/** Every output, searched for the literal secrets. */
function expectNoSecrets(result: { stdout: unknown; stderr: unknown }): void {
  for (const secret of [PG_PASSWORD, MY_PASSWORD]) {
    expect(String(result.stdout)).not.toContain(secret);
    expect(String(result.stderr)).not.toContain(secret);
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await createRole(pg, ROLE, PG_PASSWORD);
  await createDatabase(pg, DB_OK, ROLE);
  await psql(pg, "CREATE TABLE t AS SELECT 1 AS id", DB_OK, { user: ROLE, password: PG_PASSWORD });
  // A table the backup role may not read (created by the superuser, in the role's own database).
  await createDatabase(pg, DB_LOCKED, ROLE);
  await psql(pg, "CREATE TABLE secret_stuff (id int); REVOKE ALL ON secret_stuff FROM PUBLIC", DB_LOCKED);
  await mariadb(maria, `CREATE DATABASE IF NOT EXISTS vya_check_my; CREATE USER IF NOT EXISTS '${MY_USER}'@'%' IDENTIFIED BY '${MY_PASSWORD}'; GRANT SELECT ON vya_check_my.* TO '${MY_USER}'@'%';`);
});
afterAll(async () => {
  await dropDatabase(pg, DB_OK);
  await dropDatabase(pg, DB_LOCKED);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await mariadb(maria, `DROP DATABASE IF EXISTS vya_check_my; DROP USER IF EXISTS '${MY_USER}'@'%';`);
  await cleanup();
});

describe("check: ready to run, without backing up", () => {
  it("a ready PostgreSQL instance: OK lines with tool and server versions, restore tools, storage; exit 0; nothing backed up", async () => {
    const config = await writeConfig("ok.yaml", [pgInstance({ id: 1, name: "pg-ok", databases: [DB_OK] })]);
    const result = await check(config);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    const out = String(result.stdout);
    expect(out).toMatch(/^OK {4}config file: .*ok\.yaml: mode 0600, no inline secrets$/m);
    expect(out).toMatch(new RegExp(`^OK {4}tools, connection, login: pg-ok: pg_dump ${pg.major}\\.\\d+ .*PostgreSQL ${pg.major}\\.`, "m"));
    expect(out).toMatch(/^OK {4}privileges: pg-ok\/vya_check_ok: vya_check_role can read every table and sequence$/m);
    expect(out).toMatch(/^OK {4}restore tools: pg-ok: pg_restore .* fits PostgreSQL/m);
    expect(out).toMatch(/^OK {4}local storage writable: /m);
    expect(out).toMatch(/^OK {4}local storage free space: .* free, no earlier backup to compare with$/m);
    expect(out).toMatch(/0 failed$/);
    expectNoSecrets(result);
  });

  it("a table the role cannot read, a wrong password and a dead remote FAIL with their fix; exit 1; --json says the same", async () => {
    const port = await freePort();
    const config = await writeConfig(
      "bad.yaml",
      [pgInstance({ id: 1, name: "pg-locked", databases: [DB_LOCKED] }), pgInstance({ id: 2, name: "pg-wrongpw", databases: [DB_OK], password: "${env:WRONG}" })],
      { storage: { local: { path: join(dir, "backups") }, remotes: [{ name: "nas", type: "sftp", host: "127.0.0.1", port, username: "u", password: "${env:PGPW}", path: "/srv", retries: 0 }] } },
    );
    const result = await runCli(["-c", config, "check"], { env: { PGPW: PG_PASSWORD, WRONG: "not-it" } });
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout);
    expect(out).toMatch(/^FAIL {2}privileges: pg-locked\/vya_check_locked: vya_check_role cannot read public\.secret_stuff: pg_dump would fail — fix: GRANT pg_read_all_data TO vya_check_role/m);
    expect(out).toMatch(/^FAIL {2}tools, connection, login: pg-wrongpw: .*password authentication failed.* — fix: check user and password/m);
    expect(out).toMatch(/^FAIL {2}remote writable: nas: .*ECONNREFUSED.* — fix: check the remote's address/m);
    expectNoSecrets(result);
    const json = await runCli(["-c", config, "--json", "check"], { env: { PGPW: PG_PASSWORD, WRONG: "not-it" } });
    const report = JSON.parse(String(json.stdout)) as { ok: boolean; checks: { check: string; target: string; status: string }[] };
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.target).sort()).toEqual(["nas", "pg-locked/vya_check_locked", "pg-wrongpw"]);
  });

  it("MariaDB: a user with SELECT only lacks what mysqldump needs; granting it turns the line OK", async () => {
    const config = await writeConfig("my.yaml", [{ id: 5, name: "my-check", type: "mysql", host: maria.host, port: maria.port, user: MY_USER, password: "${env:MYPW}", databases: ["vya_check_my"] }]);
    const before = await check(config);
    expect(before.exitCode).toBe(1);
    expect(String(before.stdout)).toMatch(/^FAIL {2}privileges: my-check\/vya_check_my: vya_check_my lacks SHOW VIEW, TRIGGER, EVENT on vya_check_my/m);
    expect(String(before.stdout)).toMatch(/^OK {4}restore tools: my-check: (mariadb|mysql) /m);
    await mariadb(maria, `GRANT SHOW VIEW, TRIGGER, EVENT ON vya_check_my.* TO '${MY_USER}'@'%';`);
    const after = await check(config);
    expect(after.exitCode, String(after.stdout)).toBe(0);
    expect(String(after.stdout)).toMatch(/^OK {4}privileges: my-check\/vya_check_my: vya_check_my has SELECT, SHOW VIEW, TRIGGER, EVENT$/m);
    expectNoSecrets(after);
  });

  it("a world-readable config with an inline secret is a WARN (exit 0); free space is compared with the newest backup", async () => {
    const data = join(dir, "files");
    await mkdir(data, { recursive: true });
    await writeFile(join(data, "a.txt"), "a\n");
    const config = await writeConfig("world.yaml", [pgInstance({ id: 1, name: "pg-ok", databases: [DB_OK], password: PG_PASSWORD }), { id: 9, name: "files-9", type: "files", paths: [`${data}/*`] }], {}, 0o644);
    expect((await runCli(["-c", config, "backup", "-i", "9"])).exitCode).toBe(0);
    const result = await check(config);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    expect(String(result.stdout)).toMatch(/^WARN {2}config file: .*world\.yaml: mode 0644 is world-readable and the file holds secrets inline \(instances\[0\]\.password\) — fix: chmod 600/m);
    expect(String(result.stdout)).toMatch(/^OK {4}local storage free space: .* free, the newest backups take \d+ B$/m);
    expect(String(result.stdout)).toMatch(/^OK {4}files found: files-9: 1 paths matching/m);
    expectNoSecrets(result);
  });

  it("a pitr.enabled instance on a server that does not archive: FAIL lines naming each setting and its fix (exit 1)", async () => {
    // The harness's server runs with archive_mode off and no archive_command.
    const config = await writeConfig("pitr.yaml", [pgInstance({ id: 7, name: "pg-pitr", databases: [DB_OK], pitr: { enabled: true } })]);
    const result = await check(config);
    expect(result.exitCode, String(result.stdout)).toBe(1);
    const out = String(result.stdout);
    expect(out).toMatch(/^FAIL {2}pitr archiving: pg-pitr: archive_mode is off: set it to on \(restart needed\) — fix: ALTER SYSTEM SET archive_mode = on; then restart PostgreSQL$/m);
    expect(out).toMatch(/^FAIL {2}pitr archiving: pg-pitr: archive_command "\(disabled\)" does not call vya-backupdb wal-push — fix: ALTER SYSTEM SET archive_command = 'vya-backupdb -c <this config> wal-push %p %f -i 7'/m);
    // What a dump needs is still checked, and fine.
    expect(out).toMatch(/^OK {4}privileges: pg-pitr\/vya_check_ok: /m);
    expectNoSecrets(result);
  });
});
