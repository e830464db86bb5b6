import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { allNames, writeDbConfig } from "../helpers/db-run.js";
import { writeRecordingWrapper } from "../helpers/fake-tools.js";
import { mariadb, quoteMysqlString } from "../helpers/mariadb.js";
import { makeTempDir } from "../helpers/tmp.js";

const my = inject("mariadb");
const DB = "vya_msecret_db";
const USER = "vya_msecret";
const PASSWORD = "S3cr3t-MY:pass\\word$1 'q' \"dq\" #not-a-comment";
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await mariadb(my, `CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t (id INT); INSERT INTO ${DB}.t VALUES (1);`);
  // The least a consistent dump with routines, triggers and events needs.
  await mariadb(my, `CREATE USER '${USER}'@'%' IDENTIFIED BY ${quoteMysqlString(PASSWORD)}; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${DB}.* TO '${USER}'@'%';`);
});
afterAll(async () => {
  await mariadb(my, `DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'%';`);
  await cleanup();
});

describe("MySQL/MariaDB credentials", () => {
  it("the password reaches no argv, environment, output, log or sidecar; a 0600 --defaults-extra-file comes first and is removed", async () => {
    const wrappers = join(dir, "wrappers");
    const tmp = join(dir, "tmp");
    await mkdir(wrappers);
    await mkdir(tmp);
    const argvLog = join(dir, "argv.log");
    for (const tool of ["mariadb-dump", "mariadb"]) await writeRecordingWrapper(wrappers, tool, `/usr/bin/${tool}`, argvLog);
    const logFile = join(dir, "run.log");
    const config = await writeDbConfig(dir, "secrets.yaml", [{ id: 1, name: "my-secret", type: "mysql", host: my.host, port: my.port, user: USER, password: PASSWORD, databases: [DB] }], { log_file: logFile });
    const result = await runCli(["-c", config, "--log-level", "debug", "--json", "backup"], { pathPrepend: [wrappers], env: { TMPDIR: tmp } });
    expect(result.exitCode, String(result.stderr)).toBe(0);

    const argv = await readFile(argvLog, "utf8");
    const dumps = argv.split("\n").filter((l) => l.startsWith("mariadb-dump\x1f--defaults"));
    expect(dumps).toHaveLength(1);
    expect(dumps[0]?.split("\x1f")[1]).toMatch(/^--defaults-extra-file=/);
    expect(argv.split("\n").filter((l) => l.startsWith("mariadb\x1f") && !l.includes("--version")).every((l) => l.split("\x1f")[1]?.startsWith("--defaults-extra-file="))).toBe(true);
    expect(argv).toMatch(/^credfile mariadb-dump 600$/m);
    expect(argv).not.toMatch(/PGPASSWORD|MYSQL_PWD/);

    const sidecars = (await allNames(join(dir, "backups"))).filter((n) => n.endsWith(".json"));
    expect(sidecars).toHaveLength(1);
    const outputs: [string, string][] = [
      ["argv", argv],
      ["stdout", String(result.stdout)],
      ["stderr", String(result.stderr)],
      ["log file", await readFile(logFile, "utf8")],
      ...(await Promise.all(sidecars.map(async (s): Promise<[string, string]> => [s, await readFile(join(dir, "backups", s), "utf8")]))),
    ];
    expect(outputs.find(([, text]) => text.includes(PASSWORD))?.[0]).toBeUndefined();
    expect(await readdir(tmp)).toEqual([]);
  });
});
