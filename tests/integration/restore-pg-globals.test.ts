import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { parseReport, writeDbConfig } from "../helpers/db-run.js";
import { createDatabase, createRole, dropDatabase, psql, quoteLiteral } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * `restore --globals` onto a server whose roles differ from the archive's (the same harness
 * server, changed after the backup): the connecting role's password is never replaced, existing
 * roles are left alone unless --globals-overwrite, and the report says what was created,
 * changed and skipped.
 */
const pg = inject("postgres");
const ADMIN = "vya_rg_admin";
const APP = "vya_rg_app";
const GONE = "vya_rg_gone";
const SRC = "vya_rg_src";
const OLD = { admin: "rg-admin:old'pw", app: "rg-app:old", gone: "rg-gone:pw" };
const NEW = { admin: "rg-admin:NEW$pw", app: "rg-app:new" };
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let globalsArchive = "";

const canLogIn = (user: string, password: string) => psql(pg, "SELECT 1", "postgres", { user, password }).then(() => true, () => false);
const cli = (args: string[], password: string) => runCli(["-c", config, ...args], { env: { VYA_TEST_PG_PASSWORD: password } });

interface Roles {
  created: string[];
  changed: string[];
  skipped: string[];
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-pgg-"));
  await createRole(pg, ADMIN, OLD.admin, { superuser: true });
  await createRole(pg, APP, OLD.app);
  await createRole(pg, GONE, OLD.gone);
  await createDatabase(pg, SRC);
  config = await writeDbConfig(dir, "pg.yaml", [{ id: 1, name: "pgg", type: "postgres", host: pg.host, port: pg.port, user: ADMIN, password: "${env:VYA_TEST_PG_PASSWORD}", databases: [SRC] }]);
  const backup = await cli(["--json", "backup"], OLD.admin);
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  globalsArchive = basename(parseReport(backup.stdout).units.find((u) => u.kind === "globals")?.archive ?? "");
  // Now the server differs from the archive, as another server would.
  await psql(pg, `ALTER ROLE ${ADMIN} PASSWORD ${quoteLiteral(NEW.admin)}; ALTER ROLE ${APP} PASSWORD ${quoteLiteral(NEW.app)}; DROP ROLE ${GONE}`);
});
afterAll(async () => {
  await dropDatabase(pg, SRC);
  await psql(pg, `DROP ROLE IF EXISTS ${GONE}; DROP ROLE IF EXISTS ${APP}; DROP ROLE IF EXISTS ${ADMIN}`);
  await cleanup();
});

describe("restore --globals", { timeout: 180_000 }, () => {
  it("never replaces the connecting role's password, leaves existing roles alone, creates missing ones, and says so", async () => {
    const result = await cli(["--json", "restore", "--file", globalsArchive, "--globals"], NEW.admin);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { database: { roles: Roles }; warnings: string[] };
    expect(report.database.roles.created).toContain(GONE);
    expect(report.database.roles.skipped).toEqual(expect.arrayContaining([ADMIN, APP, "postgres"]));
    expect(report.database.roles.changed).toEqual([]);
    expect(report.warnings.join("\n")).toMatch(new RegExp(`"${ADMIN}", the role this restore connects as, is never changed`));
    expect(report.warnings.join("\n")).toMatch(new RegExp(`left as they are .*"${APP}".*--globals-overwrite`));

    expect(await canLogIn(ADMIN, NEW.admin)).toBe(true);
    expect(await canLogIn(APP, NEW.app)).toBe(true);
    expect(await canLogIn(GONE, OLD.gone)).toBe(true);
    // The tool's own next step still logs in.
    const again = await cli(["restore", "--file", globalsArchive, "--globals"], NEW.admin);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(String(again.stdout)).toMatch(/roles skipped \(exist here\): .*"vya_rg_app"/);
  });

  it("--globals-overwrite replaces existing roles, still never the connecting one", async () => {
    const result = await cli(["--json", "restore", "--file", globalsArchive, "--globals", "--globals-overwrite"], NEW.admin);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { database: { roles: Roles } };
    expect(report.database.roles.changed).toContain(APP);
    expect(report.database.roles.changed).not.toContain(ADMIN);
    expect(await canLogIn(APP, OLD.app)).toBe(true);
    expect(await canLogIn(ADMIN, NEW.admin)).toBe(true);
    expect(await canLogIn(ADMIN, OLD.admin)).toBe(false);
  });
});
