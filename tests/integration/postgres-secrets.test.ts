import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { backupThroughRecorders } from "../helpers/secret-backup.js";
import { makeTempDir } from "../helpers/tmp.js";

const pg = inject("postgres");
const DB = "vya_secret_db";
const ROLE = "vya_secret_role";
const PASSWORD = "S3cr3t-PG:pass\\word$1 'q' \"dq\"";
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await createRole(pg, ROLE, PASSWORD, { superuser: true });
  await createDatabase(pg, DB, ROLE);
  await psql(pg, "CREATE TABLE t (id int); INSERT INTO t VALUES (1);", DB);
});
afterAll(async () => {
  await dropDatabase(pg, DB);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

describe("PostgreSQL credentials", () => {
  it("the password reaches no argv, environment, output, log or sidecar; only a 0600 PGPASSFILE that is removed", async () => {
    const { result, argv, tmp, runtime, sidecars, outputs } = await backupThroughRecorders(dir, ["pg_dump", "pg_dumpall", "psql"].map((t): [string, string] => [t, join(pg.binDir, t)]), { id: 1, name: "pg-secret", type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: PASSWORD, databases: [DB], globals: true });
    expect(result.exitCode, String(result.stderr)).toBe(0);

    // The wrappers really ran: version probes, queries, both dumps.
    expect(argv).toMatch(/^pg_dump\x1f--format=plain/m);
    expect(argv).toMatch(/^pg_dumpall\x1f--globals-only/m);
    expect(argv).toMatch(/^psql\x1f/m);
    // Each connecting tool was handed a 0600 credential file; none saw PGPASSWORD.
    expect(argv).toMatch(/^credfile pg_dump 600$/m);
    expect(argv).toMatch(/^credfile pg_dumpall 600$/m);
    expect(argv).not.toMatch(/PGPASSWORD|MYSQL_PWD/);

    expect(sidecars).toHaveLength(2);
    expect(outputs.find(([, text]) => text.includes(PASSWORD))?.[0]).toBeUndefined();
    // The debug log did show the dump commands (so the check above looked at real content).
    expect(outputs[3]?.[1]).toMatch(/dump started/);
    expect(await readdir(tmp)).toEqual([]);
    expect(await readdir(runtime)).toEqual([]); // where the credential files went (readdir fails if it was never made): removed
  });
});
