import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { parseReport } from "../helpers/db-run.js";
import { createDatabase, dropDatabase } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/** Issue 8 item 8: the old config's backup_filters.included_databases restricts the backup; it never widens to every database. */
const pg = inject("postgres");
const DATABASES = ["vya_lf_keep_a", "vya_lf_keep_b", "vya_lf_other", "vya_lf_tmp"];
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  for (const db of DATABASES) await createDatabase(pg, db);
});
afterAll(async () => {
  for (const db of DATABASES) await dropDatabase(pg, db);
  await cleanup();
});

describe("legacy backup_filters", () => {
  it("included_databases and excluded_databases decide what is backed up, against the real server", async () => {
    const backups = join(dir, "backups");
    const legacy = join(dir, "old.json");
    await writeFile(
      legacy,
      JSON.stringify({
        server_info: { server_name: "wfdb02" },
        paths: { backup_path: backups },
        databases: { postgresql: { enabled: true, host: pg.host, port: pg.port, user: pg.user, secret: pg.password } },
        backup_filters: { postgresql: { included_databases: ["vya_lf_keep_a", "vya_lf_keep_b", "vya_lf_tmp"], excluded_databases: ["vya_lf_tmp"] } },
      }),
    );
    const result = await runCli(["-c", legacy, "--json", "backup"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = parseReport(result.stdout);
    const dumped = report.units.filter((u) => u.kind === "database").map((u) => u.database).sort();
    expect(dumped).toEqual(["vya_lf_keep_a", "vya_lf_keep_b"]);
    // On disk too: one folder per database, nothing for the others (postgres, template1, vya_lf_other …).
    const folders = (await readdir(join(backups, "wfdb02", "postgres-1"))).filter((n) => !n.startsWith("_globals")).sort();
    expect(folders).toEqual(["vya_lf_keep_a", "vya_lf_keep_b"]);
    expect(String(result.stderr)).not.toContain(pg.password);
  });
});
