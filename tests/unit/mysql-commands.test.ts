import { describe, expect, it } from "vitest";
import { MYSQL_FAILURE_LINES, mysqlDumpCommand, mysqlQueryCommand, oracleOnlyFlags, sqlString } from "../../src/sources/mysql/commands.js";
import { mysqlConnectionArgs, mysqlSslArgs } from "../../src/sources/mysql/connection.js";
import { mysqlDumpOptionProblem } from "../../src/sources/mysql/dump-options.js";
import { parseBatchRows } from "../../src/sources/mysql/queries.js";
import { ignoredTables } from "../../src/sources/mysql/select.js";
import { mysqlCandidates } from "../../src/sources/mysql/tools.js";
import { parseClientVersion, type MysqlClientVersion } from "../../src/sources/mysql/version.js";

const mariadb: MysqlClientVersion = { flavour: "mariadb", version: "10.11.19", major: 10, minor: 11 };
const oracle80: MysqlClientVersion = { flavour: "mysql", version: "8.0.36", major: 8, minor: 0 };
const oracle57: MysqlClientVersion = { flavour: "mysql", version: "5.7.44", major: 5, minor: 7 };
const target = { host: "10.0.0.5", port: 3307, user: "backup", password: "pw", socket: undefined, ssl: undefined, ssl_ca: undefined };

describe("mysql client detection", () => {
  it("reads flavour and version from every --version shape", () => {
    expect(parseClientVersion("mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)")).toEqual(mariadb);
    expect(parseClientVersion("mariadb-dump from 11.4.3-MariaDB, client 10.19 for debian-linux-gnu (x86_64)")).toEqual({ flavour: "mariadb", version: "11.4.3", major: 11, minor: 4 });
    expect(parseClientVersion("mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)")).toEqual(oracle80);
    expect(parseClientVersion("mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)")).toEqual(oracle57);
    expect(parseClientVersion("something else")).toBeNull();
  });
});

describe("mysql tool search", () => {
  it("dump_path as a file is used alone; as a directory its tools; else PATH, mariadb-dump before mysqldump", async () => {
    const names = ["mariadb-dump", "mysqldump"] as const;
    expect(await mysqlCandidates(names, { explicit: "/opt/mysql/bin/mysqldump" }, true)).toEqual([{ name: "mariadb-dump", file: "/opt/mysql/bin/mysqldump" }]);
    expect(await mysqlCandidates(names, { explicit: "/tmp" }, true)).toEqual([
      { name: "mariadb-dump", file: "/tmp/mariadb-dump" },
      { name: "mysqldump", file: "/tmp/mysqldump" },
    ]);
    expect(await mysqlCandidates(names, { pathEnv: "/a:/b" }, true)).toEqual([
      { name: "mariadb-dump", file: "/a/mariadb-dump" },
      { name: "mysqldump", file: "/a/mysqldump" },
      { name: "mariadb-dump", file: "/b/mariadb-dump" },
      { name: "mysqldump", file: "/b/mysqldump" },
    ]);
  });
});

describe("mysql dump command", () => {
  it("MariaDB client: defaults file first, consistent InnoDB flags, no Oracle-only flags", () => {
    const conn = mysqlConnectionArgs("/tmp/c/my.cnf", target, "mariadb");
    const cmd = mysqlDumpCommand("/usr/bin/mariadb-dump", mariadb, conn, { database: "shop", ignoreTables: ["shop.logs"], dumpOptions: ["--skip-comments"] });
    expect(cmd).toEqual({
      file: "/usr/bin/mariadb-dump",
      args: [
        "--defaults-extra-file=/tmp/c/my.cnf",
        "--host=10.0.0.5",
        "--port=3307",
        "--protocol=TCP",
        "--single-transaction",
        "--quick",
        "--routines",
        "--triggers",
        "--events",
        "--hex-blob",
        "--default-character-set=utf8mb4",
        "--no-tablespaces",
        "--ignore-table=shop.logs",
        "--skip-comments",
        "shop",
      ],
    });
    expect(cmd.args.join(" ")).not.toMatch(/gtid|column-statistics|pw/);
  });

  it("Oracle client: --set-gtid-purged=OFF (5.6+) and --column-statistics=0 (8.0+)", () => {
    expect(oracleOnlyFlags(oracle80)).toEqual(["--set-gtid-purged=OFF", "--column-statistics=0"]);
    expect(oracleOnlyFlags(oracle57)).toEqual(["--set-gtid-purged=OFF"]);
    expect(oracleOnlyFlags(mariadb)).toEqual([]);
    const cmd = mysqlDumpCommand("mysqldump", oracle80, ["--defaults-extra-file=/x"], { database: "d", ignoreTables: [], dumpOptions: [] });
    expect(cmd.args[0]).toBe("--defaults-extra-file=/x");
    expect(cmd.args).toEqual(expect.arrayContaining(["--set-gtid-purged=OFF", "--column-statistics=0"]));
    expect(cmd.args.at(-1)).toBe("d");
  });

  it("socket instead of TCP; TLS flags per flavour", () => {
    expect(mysqlConnectionArgs("/f", { ...target, socket: "/run/mysqld/mysqld.sock" }, "mariadb")).toEqual(["--defaults-extra-file=/f", "--socket=/run/mysqld/mysqld.sock"]);
    expect(mysqlSslArgs({ ssl: "verify-full", ssl_ca: "/ca.pem" }, "mariadb")).toEqual(["--ssl", "--ssl-verify-server-cert", "--ssl-ca=/ca.pem"]);
    expect(mysqlSslArgs({ ssl: "verify-full", ssl_ca: "/ca.pem" }, "mysql")).toEqual(["--ssl-mode=VERIFY_IDENTITY", "--ssl-ca=/ca.pem"]);
    expect(mysqlSslArgs({ ssl: "disable", ssl_ca: undefined }, "mariadb")).toEqual(["--skip-ssl"]);
    expect(mysqlSslArgs({ ssl: "disable", ssl_ca: undefined }, "mysql")).toEqual(["--ssl-mode=DISABLED"]);
    expect(mysqlSslArgs({ ssl: "require", ssl_ca: undefined }, "mysql")).toEqual(["--ssl-mode=REQUIRED"]);
  });

  it("queries: batch output unescaped, literals as hex so no quoting can break them", () => {
    expect(mysqlQueryCommand("mariadb", ["--defaults-extra-file=/f"], "SELECT 1").args).toEqual(["--defaults-extra-file=/f", "--default-character-set=utf8mb4", "--batch", "--skip-column-names", "--execute", "SELECT 1"]);
    expect(parseBatchRows("a\\tb\t1\nc\\\\d\\ne\tNULL\n")).toEqual([["a\tb", "1"], ["c\\d\ne", "NULL"]]);
    expect(sqlString("it's")).toBe("CONVERT(X'69742773' USING utf8mb4)");
  });

  it("exclude_tables globs become --ignore-table names", () => {
    expect(ignoredTables("shop", ["logs_2024", "logs_2025", "orders", "cache"], ["shop.logs_*", "cache", "other.orders"])).toEqual(["shop.logs_2024", "shop.logs_2025", "shop.cache"]);
  });

  it("failure lines that arrive with exit code 0 are recognised", () => {
    const line = "mysqldump: Error: 'Access denied; you need (at least one of) the PROCESS privilege(s) for this operation' when trying to dump tablespaces";
    expect(MYSQL_FAILURE_LINES.some((re) => re.test(line))).toBe(true);
    expect(MYSQL_FAILURE_LINES.some((re) => re.test("mariadb-dump: Got error: 1044: Access denied"))).toBe(true);
    expect(MYSQL_FAILURE_LINES.some((re) => re.test("-- Dump completed on 2024-01-01"))).toBe(false);
  });

  it("dump_options: connection, password, option-file, output and selection flags are rejected", () => {
    for (const ok of ["--max-allowed-packet=1G", "--skip-lock-tables", "--skip-dump-date", "--comments"]) expect(mysqlDumpOptionProblem(ok)).toBeNull();
    // The backup proves a dump whole by its "-- Dump completed" line: nothing may drop it.
    for (const bad of ["--skip-comments", "--compact", "--comments=0", "--comments=FALSE"]) expect(mysqlDumpOptionProblem(bad)).toMatch(/completion line/);
    expect(mysqlDumpOptionProblem("--host=db")).toMatch(/connection flag/);
    expect(mysqlDumpOptionProblem("-P3306")).toMatch(/connection flag/);
    expect(mysqlDumpOptionProblem("--password=hunter2")).toBe('"--password=***" is a password flag: set host, port, socket, user, password (or password_file), ssl and ssl_ca on the instance instead');
    expect(mysqlDumpOptionProblem("-phunter2")).not.toContain("hunter2");
    expect(mysqlDumpOptionProblem("--defaults-file=/root/.my.cnf")).toMatch(/option-file flag/);
    expect(mysqlDumpOptionProblem("--ssl-mode=DISABLED")).toMatch(/connection flag/);
    expect(mysqlDumpOptionProblem("--result-file=/tmp/x")).toMatch(/output flag/);
    expect(mysqlDumpOptionProblem("--all-databases")).toMatch(/selection flag/);
    expect(mysqlDumpOptionProblem("shop")).toMatch(/not a flag/);
  });
});
