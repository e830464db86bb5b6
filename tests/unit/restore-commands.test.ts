import { describe, expect, it } from "vitest";
import { pgRestoreCommand, pgSql, psqlRestoreCommand } from "../../src/restore/postgres-commands.js";
import { conninfoValue, mysqlIdent, pgIdent, pgLiteral, restoreTestName } from "../../src/restore/sql-quote.js";

const env = { PGHOST: "h", PGPASSFILE: "/tmp/x/pgpass" };

describe("restore command builders", () => {
  it("psql: strict mode stops at the first error in one transaction, never a password on argv", () => {
    const strict = psqlRestoreCommand("/usr/bin/psql", env, true);
    expect(strict.args).toEqual(["--no-psqlrc", "--no-password", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction", "--file=-"]);
    expect(strict.env).toBe(env);
    expect(psqlRestoreCommand("psql", env, false).args).toEqual(["--no-psqlrc", "--no-password", "--quiet", "--set=ON_ERROR_STOP=0", "--file=-"]);
  });

  it("pg_restore: database as a connection string, jobs, single transaction, a list of entries", () => {
    const one = pgRestoreCommand("pg_restore", env, { database: "we'ird=db", jobs: 1, singleTransaction: true, useList: "/tmp/x/list", clean: true, file: "/tmp/x/d.dump" });
    expect(one.args).toEqual([
      "--no-password",
      "--exit-on-error",
      "--dbname=dbname='we\\'ird=db'",
      "--single-transaction",
      "--clean",
      "--if-exists",
      "--use-list=/tmp/x/list",
      "/tmp/x/d.dump",
    ]);
    const parallel = pgRestoreCommand("pg_restore", env, { database: "d", jobs: 4, singleTransaction: false, clean: false, file: "/tmp/d.dump" });
    expect(parallel.args).toEqual(["--no-password", "--exit-on-error", "--dbname=dbname='d'", "--jobs=4", "/tmp/d.dump"]);
  });

  it("quotes names and literals", () => {
    expect(pgIdent('a"b')).toBe('"a""b"');
    expect(pgLiteral("it's")).toBe("'it''s'");
    expect(conninfoValue("a\\b'c")).toBe("'a\\\\b\\'c'");
    expect(mysqlIdent("a`b")).toBe("`a``b`");
    expect(() => pgIdent("a\0")).toThrow(/NUL/);
    expect(pgSql.dropDatabase("x", true)).toBe('DROP DATABASE IF EXISTS "x" WITH (FORCE)');
    expect(pgSql.dropDatabase("x", false)).toBe('DROP DATABASE IF EXISTS "x"');
    expect(pgSql.countRows([{ schema: "s", name: "T" }])).toBe(`SELECT 's', 'T', count(*) FROM "s"."T"`);
  });

  it("test restore names carry a UTC timestamp", () => {
    expect(restoreTestName("shop", new Date("2026-03-04T05:06:07.890Z"))).toBe("shop_restoretest_20260304T050607Z");
    expect(restoreTestName("shop", new Date("2026-03-04T05:06:07Z"), "vyarestore")).toBe("shop_vyarestore_20260304T050607Z");
  });
});
