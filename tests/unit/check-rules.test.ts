import { describe, expect, it } from "vitest";
import { inlineSecrets } from "../../src/check/config-file.js";
import { fixFor } from "../../src/check/fix-hints.js";
import { grantedOn } from "../../src/check/privileges-mysql.js";
import { pitrSettingsResults } from "../../src/check/pitr.js";
import { oneLine } from "../../src/check/result.js";
import type { PostgresInstance } from "../../src/config/schema.js";

describe("inlineSecrets", () => {
  it("names secret keys written inline, not references", () => {
    const config = {
      instances: [{ password: "hunter2" }, { password: "${env:PW}" }, { password: "${file:/etc/pw}" }],
      storage: { remotes: [{ secret_access_key: "${credential:s3}" }, { passphrase: "x$y" }, { private_key: "" }] },
      notifications: { email: { password: "${credential:smtp} and more" } },
    };
    expect(inlineSecrets(config)).toEqual(["instances[0].password", "storage.remotes[1].passphrase", "notifications.email.password"]);
  });
});

describe("grantedOn (SHOW GRANTS)", () => {
  it.each([
    [["GRANT ALL PRIVILEGES ON *.* TO `root`@`%`"], "app", ["EVENT", "SELECT", "SHOW VIEW", "TRIGGER"]],
    [["GRANT USAGE ON *.* TO `b`@`%`", "GRANT SELECT, SHOW VIEW ON `app`.* TO `b`@`%`"], "app", ["SELECT", "SHOW VIEW"]],
    [["GRANT SELECT ON `other`.* TO `b`@`%`"], "app", []],
    [["GRANT SELECT, EVENT ON `app\\_%`.* TO `b`@`%`"], "app_prod", ["EVENT", "SELECT"]],
    [["GRANT SELECT ON `app`.`t1` TO `b`@`%`"], "app", []],
  ])("%j on %s", (grants, database, expected) => {
    expect([...grantedOn(grants, database)].filter((p) => ["SELECT", "SHOW VIEW", "TRIGGER", "EVENT"].includes(p)).sort()).toEqual(expected);
  });
});

describe("one line per check", () => {
  it("joins a client's lines, each once", () => {
    expect(oneLine("FATAL: no\npassword from file\nFATAL: no\npassword from file\n")).toBe("FATAL: no; password from file");
  });
  it.each([
    ['FATAL:  password authentication failed for user "x"', /user and password/],
    ["ERROR 1045 (28000): Access denied for user", /user and password/],
    ["connection to server at \"10.0.0.1\", port 5432 failed: Connection refused", /host\/port/],
    ["no file matches paths [\"/x/*\"]", /paths patterns/],
  ])("%s → fix", (message, fix) => expect(fixFor(message, "instances[0]")).toMatch(fix));
});

describe("pitr archiving (check)", () => {
  const instance = { id: 4, name: "pg-main", type: "postgres", user: "backup" } as PostgresInstance;
  const good = { wal_level: "replica", archive_mode: "on", archive_command: "/usr/bin/vya-backupdb -c /etc/vya-backupdb/db01.yaml wal-push %p %f -i 4" };
  it("settings that archive through wal-push for this instance: one OK line", () => {
    expect(pitrSettingsResults(good, instance)).toEqual([{ check: "pitr archiving", target: "pg-main", status: "ok", detail: "wal_level replica, archive_mode on, archive_command runs wal-push for this instance" }]);
  });
  it("each problem is its own FAIL line with the fix for that setting", () => {
    const results = pitrSettingsResults({ wal_level: "minimal", archive_mode: "off", archive_command: "/usr/bin/vya-backupdb wal-push %p %f -i 5" }, instance);
    expect(results.map((r) => [r.status, r.fix])).toEqual([
      ["fail", "ALTER SYSTEM SET wal_level = replica; then restart PostgreSQL"],
      ["fail", "ALTER SYSTEM SET archive_mode = on; then restart PostgreSQL"],
      ["fail", "ALTER SYSTEM SET archive_command = 'vya-backupdb -c <this config> wal-push %p %f -i 4'; SELECT pg_reload_conf() (docs/pitr.md)"],
    ]);
    expect(results[2]?.detail).toMatch(/archives for instance 5, not 4 \(pg-main\)/);
  });
});
