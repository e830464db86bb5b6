import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mariadb, quoteMysqlString } from "../helpers/mariadb.js";
import { backupThroughRecorders } from "../helpers/secret-backup.js";
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
    const { result, argv, tmp, runtime, sidecars, outputs } = await backupThroughRecorders(dir, ["mariadb-dump", "mariadb"].map((t): [string, string] => [t, `/usr/bin/${t}`]), { id: 1, name: "my-secret", type: "mysql", host: my.host, port: my.port, user: USER, password: PASSWORD, databases: [DB] });
    expect(result.exitCode, String(result.stderr)).toBe(0);

    const dumps = argv.split("\n").filter((l) => l.startsWith("mariadb-dump\x1f--defaults"));
    expect(dumps).toHaveLength(1);
    expect(dumps[0]?.split("\x1f")[1]).toMatch(/^--defaults-extra-file=/);
    expect(argv.split("\n").filter((l) => l.startsWith("mariadb\x1f") && !l.includes("--version")).every((l) => l.split("\x1f")[1]?.startsWith("--defaults-extra-file="))).toBe(true);
    expect(argv).toMatch(/^credfile mariadb-dump 600$/m);
    expect(argv).not.toMatch(/PGPASSWORD|MYSQL_PWD/);

    expect(sidecars).toHaveLength(1);
    expect(outputs.find(([, text]) => text.includes(PASSWORD))?.[0]).toBeUndefined();
    expect(await readdir(tmp)).toEqual([]);
    expect(await readdir(runtime)).toEqual([]); // where the credential files went (readdir fails if it was never made): removed
  });
});
