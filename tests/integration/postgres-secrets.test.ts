import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { allNames, writeDbConfig } from "../helpers/db-run.js";
import { writeRecordingWrapper } from "../helpers/fake-tools.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
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
    const wrappers = join(dir, "wrappers");
    const tmp = join(dir, "tmp");
    await mkdir(wrappers);
    await mkdir(tmp);
    const argvLog = join(dir, "argv.log");
    for (const tool of ["pg_dump", "pg_dumpall", "psql"]) await writeRecordingWrapper(wrappers, tool, join(pg.binDir, tool), argvLog);
    const logFile = join(dir, "run.log");
    const config = await writeDbConfig(dir, "secrets.yaml", [{ id: 1, name: "pg-secret", type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: PASSWORD, databases: [DB], globals: true }], { log_file: logFile });
    const result = await runCli(["-c", config, "--log-level", "debug", "--json", "backup"], { pathPrepend: [wrappers], env: { TMPDIR: tmp } });
    expect(result.exitCode, String(result.stderr)).toBe(0);

    const argv = await readFile(argvLog, "utf8");
    // The wrappers really ran: version probes, queries, both dumps.
    expect(argv).toMatch(/^pg_dump\x1f--format=plain/m);
    expect(argv).toMatch(/^pg_dumpall\x1f--globals-only/m);
    expect(argv).toMatch(/^psql\x1f/m);
    // Each connecting tool was handed a 0600 credential file; none saw PGPASSWORD.
    expect(argv).toMatch(/^credfile pg_dump 600$/m);
    expect(argv).toMatch(/^credfile pg_dumpall 600$/m);
    expect(argv).not.toMatch(/PGPASSWORD|MYSQL_PWD/);

    const sidecars = (await allNames(join(dir, "backups"))).filter((n) => n.endsWith(".json"));
    expect(sidecars).toHaveLength(2);
    const outputs: [string, string][] = [
      ["argv", argv],
      ["stdout", String(result.stdout)],
      ["stderr", String(result.stderr)],
      ["log file", await readFile(logFile, "utf8")],
      ...(await Promise.all(sidecars.map(async (s): Promise<[string, string]> => [s, await readFile(join(dir, "backups", s), "utf8")]))),
    ];
    expect(outputs.find(([, text]) => text.includes(PASSWORD))?.[0]).toBeUndefined();
    // The debug log did show the dump commands (so the check above looked at real content).
    expect(outputs[3]?.[1]).toMatch(/dump started/);
    expect(await readdir(tmp)).toEqual([]);
  });
});
