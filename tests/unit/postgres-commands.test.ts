import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pgDumpallGlobalsCommand, pgDumpCommand, psqlQueryCommand } from "../../src/sources/postgres/commands.js";
import { postgresEnv } from "../../src/sources/postgres/connection.js";
import { pgDumpOptionProblem } from "../../src/sources/postgres/dump-options.js";
import { parseNulRows } from "../../src/sources/postgres/queries.js";
import { tablesAfterExclusion } from "../../src/sources/postgres/select.js";
import { findPostgresTool, toolCandidates } from "../../src/sources/postgres/tools.js";
import { canDump, parseServerVersionNum, parseToolVersion } from "../../src/sources/postgres/version.js";
import { selectDatabases } from "../../src/sources/name-glob.js";
import { writeScript } from "../helpers/fake-tools.js";
import { makeTempDir } from "../helpers/tmp.js";

const target = { host: "db.example", port: 5433, user: "backup", password: "pw", ssl: undefined, ssl_ca: undefined, socket: undefined };

describe("postgres command builders", () => {
  it("pg_dump: format, no password prompt, exclude tables, extra options; connection only in env", () => {
    const env = postgresEnv(target, { database: "app", passfile: "/tmp/x/pgpass" });
    const cmd = pgDumpCommand("/usr/lib/postgresql/16/bin/pg_dump", { format: "custom", excludeTables: ["public.log_*"], dumpOptions: ["--no-owner"] }, env);
    expect(cmd).toEqual({
      file: "/usr/lib/postgresql/16/bin/pg_dump",
      args: ["--format=custom", "--no-password", "--exclude-table=public.log_*", "--no-owner"],
      env: { PGHOST: "db.example", PGPORT: "5433", PGUSER: "backup", PGAPPNAME: "vya-backupdb", PGCONNECT_TIMEOUT: "15", PGPASSFILE: "/tmp/x/pgpass", PGDATABASE: "app" },
    });
    expect(JSON.stringify(cmd)).not.toContain("pw\"");
  });

  it("pg_dumpall globals, with --no-role-passwords when pg_authid is unreadable", () => {
    expect(pgDumpallGlobalsCommand("pg_dumpall", { noRolePasswords: false }, {}).args).toEqual(["--globals-only", "--no-password"]);
    expect(pgDumpallGlobalsCommand("pg_dumpall", { noRolePasswords: true }, {}).args).toEqual(["--globals-only", "--no-password", "--no-role-passwords"]);
  });

  it("env: socket overrides host, TLS settings, never PGPASSWORD, /dev/null passfile without a password", () => {
    const env = postgresEnv({ ...target, socket: "/run/postgresql", ssl: "verify-full", ssl_ca: "/etc/ca.pem" }, {});
    expect(env).toMatchObject({ PGHOST: "/run/postgresql", PGSSLMODE: "verify-full", PGSSLROOTCERT: "/etc/ca.pem", PGPASSFILE: "/dev/null" });
    expect(env).not.toHaveProperty("PGPASSWORD");
    expect(env).not.toHaveProperty("PGDATABASE");
  });

  it("psql queries read NUL-separated output", () => {
    expect(psqlQueryCommand("psql", "SELECT 1", {}).args).toContain("--record-separator-zero");
    expect(parseNulRows("a\0b\0c\0d\0", 2)).toEqual([["a", "b"], ["c", "d"]]);
    expect(parseNulRows("tab\there\0new\nline\0", 1)).toEqual([["tab\there"], ["new\nline"]]);
  });
});

describe("postgres versions", () => {
  it("parses tool and server versions", () => {
    expect(parseToolVersion("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")).toEqual({ major: 15, text: "15.18" });
    expect(parseToolVersion("pg_dump (PostgreSQL) 17beta2")).toEqual({ major: 17, text: "17beta2" });
    expect(parseToolVersion("pg_dump (PostgreSQL) 9.6.24")).toEqual({ major: 9, text: "9.6.24" });
    expect(parseToolVersion("mysqldump Ver 8.0")).toBeNull();
    expect(parseServerVersionNum("150018")).toEqual({ major: 15, text: "15.18" });
    expect(parseServerVersionNum("90624")).toEqual({ major: 9, text: "9.6.24" });
    expect(canDump({ major: 16, text: "16.1" }, { major: 15, text: "15.4" })).toBe(true);
    expect(canDump({ major: 14, text: "14.1" }, { major: 15, text: "15.4" })).toBe(false);
  });

  it("searches the explicit path alone, else PATH then <libRoot>/<major>/bin newest first", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const lib = join(dir, "lib");
      for (const major of ["13", "16", "9.6"]) await mkdir(join(lib, major, "bin"), { recursive: true });
      expect(await toolCandidates("pg_dump", { pathEnv: "/a:/b", libRoot: lib })).toEqual(["/a/pg_dump", "/b/pg_dump", join(lib, "16/bin/pg_dump"), join(lib, "13/bin/pg_dump"), join(lib, "9.6/bin/pg_dump")]);
      expect(await toolCandidates("psql", { explicit: join(lib, "13", "bin", "pg_dump") })).toEqual([join(lib, "13/bin/psql")]);
      expect(await toolCandidates("pg_dump", { explicit: join(lib, "13", "bin") })).toEqual([join(lib, "13/bin/pg_dump")]);

      // A too-old pg_dump on PATH is passed over for a new enough one in the lib dir.
      await writeScript(join(dir), "pg_dump", 'echo "pg_dump (PostgreSQL) 12.3"');
      await writeScript(join(lib, "16", "bin"), "pg_dump", 'echo "pg_dump (PostgreSQL) 16.2"');
      const found = await findPostgresTool("pg_dump", 15, { pathEnv: dir, libRoot: lib });
      expect(found.file).toBe(join(lib, "16/bin/pg_dump"));
      await expect(findPostgresTool("pg_dump", 17, { pathEnv: dir, libRoot: lib, serverVersion: "17.0" })).rejects.toThrow(
        /pg_dump 12\.3 \(.*\), 16\.2 \(.*\) is older than the server \(PostgreSQL 17\.0\): pg_dump 17 or newer is needed; install postgresql-client-17/,
      );
      await expect(findPostgresTool("pg_dump", 15, { pathEnv: "/nonexistent", libRoot: join(dir, "none") })).rejects.toThrow(/pg_dump not found on PATH or in .*: install postgresql-client-15/);
    } finally {
      await cleanup();
    }
  });
});

describe("postgres selection and dump_options", () => {
  it("leaves out template0/1 unless named, applies exclude globs", () => {
    const listed = ["app", "postgres", "template1", "tmp_1", "tmp_2"];
    expect(selectDatabases(listed, { databases: [], exclude: ["tmp_*"], system: ["template0", "template1"] })).toEqual(["app", "postgres"]);
    expect(selectDatabases(listed, { databases: ["template1", "tmp_1"], exclude: ["tmp_?"], system: ["template0", "template1"] })).toEqual(["template1"]);
  });

  it("filters the sidecar's tables like exclude_tables", () => {
    const tables = [
      { schema: "public", name: "log_a", rows_estimate: 1 },
      { schema: "audit", name: "log_a", rows_estimate: 1 },
      { schema: "public", name: "users", rows_estimate: 1 },
    ];
    expect(tablesAfterExclusion(tables, ["public.log_*"]).map((t) => `${t.schema}.${t.name}`)).toEqual(["audit.log_a", "public.users"]);
    expect(tablesAfterExclusion(tables, ["log_*"]).map((t) => `${t.schema}.${t.name}`)).toEqual(["public.users"]);
  });

  it("rejects connection, password and output flags, allows the rest", () => {
    for (const ok of ["--no-owner", "--no-privileges", "--schema=public", "-n", "--lock-wait-timeout=10s", "-Z5"]) expect(pgDumpOptionProblem(ok)).toBeNull();
    expect(pgDumpOptionProblem("--host=x")).toMatch(/connection flag/);
    expect(pgDumpOptionProblem("-hlocalhost")).toMatch(/"-hlocalhost" is a connection flag/);
    expect(pgDumpOptionProblem("-U")).toMatch(/connection flag/);
    expect(pgDumpOptionProblem("--dbname=postgres://u:p@h/db")).toMatch(/connection flag/);
    expect(pgDumpOptionProblem("--password")).toMatch(/password flag/);
    expect(pgDumpOptionProblem("host=x password=hunter2")).toMatch(/carries a password/);
    expect(pgDumpOptionProblem("host=x password=hunter2")).not.toContain("hunter2");
    expect(pgDumpOptionProblem("--file=/tmp/x")).toMatch(/output flag/);
    expect(pgDumpOptionProblem("-Fc")).toMatch(/format key/);
    expect(pgDumpOptionProblem("mydb")).toMatch(/not a flag/);
  });
});
