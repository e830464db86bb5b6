import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sidecarSchema } from "../../src/catalog/sidecar.js";
import { runCli } from "../helpers/cli.js";
import { allNames, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * A password that is a common word: "postgres" is also the instance type in every sidecar, so
 * scrubbing it from the sidecar's JSON made every backup of this instance unreadable.
 */
const pg = inject("postgres");
const PASSWORD = "postgres";
const ROLE = "vya_cw_role";
const DB = "vya_cw_app";
const NAMED = "vya_cw_postgres_copy";
const TARGET = "vya_cw_restored";
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-cw-"));
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await createRole(pg, ROLE, PASSWORD, { superuser: true });
  for (const db of [DB, NAMED]) {
    await dropDatabase(pg, db);
    await createDatabase(pg, db, ROLE);
    await psql(pg, "CREATE TABLE t (id int, note text); INSERT INTO t VALUES (1, 'one'), (2, 'two');", db);
  }
});
afterAll(async () => {
  for (const db of [DB, NAMED, TARGET]) await dropDatabase(pg, db);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

const instance = (databases: string[]) => ({ id: 1, name: "pg-cw", type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: PASSWORD, databases, globals: false });

describe("a password that is a common word", () => {
  it("backs up with a readable sidecar, which then lists, verifies and restores", async () => {
    const config = await writeDbConfig(dir, "cw.yaml", [instance([DB])]);
    const backup = await runCli(["-c", config, "--json", "backup"]);
    expect(backup.exitCode, String(backup.stderr)).toBe(0);
    const report = parseReport(backup.stdout);
    expect(report.units[0]?.instance.type).toBe("postgres");
    const archive = report.units[0]?.archive ?? "";

    const sidecar = sidecarSchema.parse(JSON.parse(await readFile(`${archive}.json`, "utf8")));
    expect(sidecar.instance.type).toBe("postgres");
    expect(sidecar.database).toBe(DB);
    expect(await readFile(`${archive}.json`, "utf8")).not.toContain("***");

    const listed = await runCli(["-c", config, "--json", "list"]);
    expect(listed.exitCode, String(listed.stderr)).toBe(0);
    const entries = JSON.parse(String(listed.stdout)) as { name: string; status: string; instance: { type: string }; database: string }[];
    expect(entries.map((e) => [e.name, e.status, e.instance.type, e.database])).toEqual([[basename(archive), "completed", "postgres", DB]]);

    const verified = await runCli(["-c", config, "--json", "verify", "--file", basename(archive)]);
    expect(verified.exitCode, String(verified.stdout)).toBe(0);
    expect((JSON.parse(String(verified.stdout)) as { ok: boolean }).ok).toBe(true);

    const restored = await runCli(["-c", config, "restore", "--file", basename(archive), "--target", TARGET]);
    expect(restored.exitCode, String(restored.stderr)).toBe(0);
    expect(await psql(pg, "SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM t", TARGET)).toBe("1:one,2:two\n");
  });

  it("refuses, with the reason and without the secret, a sidecar whose database name holds the password", async () => {
    const config = await writeDbConfig(dir, "named.yaml", [instance([NAMED])]);
    const backup = await runCli(["-c", config, "--json", "backup"]);
    expect(backup.exitCode).toBe(1);
    const report = parseReport(backup.stdout);
    expect(report.units[0]?.status).toBe("failed");
    expect(report.units[0]?.error).toMatch(/database holds a configured secret/);
    expect(report.units[0]?.error).not.toContain(PASSWORD);
    // Nothing that looks like a backup was left for that database.
    const left = (await allNames(join(dir, "backups"))).filter((n) => n.includes("vya_cw_") && n.includes("copy") && /\.(zip|json)$/.test(n));
    expect(left).toEqual([]);
  });
});
