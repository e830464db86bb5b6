import { describe, expect, it } from "vitest";
import { compareVersions, mariadbHasSandbox, mysqlClientProblem, parseVersion, pgClientProblem } from "../../src/restore/versions.js";

const v = (text: string) => {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(text);
  return parsed;
};

describe("PostgreSQL client rules", () => {
  it("parses tool and sidecar versions", () => {
    expect(parseVersion("15.18")).toEqual({ major: 15, minor: 18, patch: 0 });
    expect(parseVersion("psql (PostgreSQL) 16.4 (Debian)")).toEqual({ major: 16, minor: 4, patch: 0 });
    expect(parseVersion("9.6.24")).toEqual({ major: 9, minor: 6, patch: 24 });
    expect(parseVersion(undefined)).toBeNull();
    expect(compareVersions(v("15.14"), v("15.2"))).toBeGreaterThan(0);
  });

  it("psql must be at least the pg_dump (major and minor)", () => {
    expect(pgClientProblem("psql", v("15.18"), v("15.18"))).toBeNull();
    expect(pgClientProblem("psql", v("17.0"), v("15.18"))).toBeNull();
    expect(pgClientProblem("psql", v("15.13"), v("15.14"))).toMatch(/psql 15\.13 is too old: .*pg_dump 15\.14 .*\\restrict.*postgresql-client-15 \(15\.14 or newer\)/);
    expect(pgClientProblem("psql", v("15.18"), v("17.6"))).toMatch(/install postgresql-client-17/);
  });

  it("pg_restore needs the pg_dump's major only", () => {
    expect(pgClientProblem("pg_restore", v("16.0"), v("16.9"))).toBeNull();
    expect(pgClientProblem("pg_restore", v("15.18"), v("16.1"))).toMatch(/pg_restore 15\.18 is too old: .*newer major/);
  });
});

describe("MariaDB sandbox line", () => {
  it.each([
    ["10.4.34", false],
    ["10.5.24", false],
    ["10.5.25", true],
    ["10.6.17", false],
    ["10.6.18", true],
    ["10.11.7", false],
    ["10.11.8", true],
    ["10.11.19", true],
    ["11.3.2", false],
    ["11.4.2", true],
    ["11.8.1", true],
    ["8.0.36", false],
  ])("%s writes/reads it: %s", (version, expected) => {
    expect(mariadbHasSandbox(v(version))).toBe(expected);
  });

  it("a client that cannot read the dump is explained", () => {
    expect(mysqlClientProblem({ flavour: "mariadb", version: v("10.11.19") }, "mariadb-dump", v("10.11.19"))).toBeNull();
    expect(mysqlClientProblem({ flavour: "mariadb", version: v("10.11.6") }, "mariadb-dump", v("10.11.19"))).toMatch(/mariadb client 10\.11\.6 is too old .*sandbox mode/);
    expect(mysqlClientProblem({ flavour: "mysql", version: v("8.0.36") }, "mysqldump", v("10.11.19"))).toMatch(/Oracle's mysql client does not understand/);
    // Oracle's own mysqldump writes no sandbox line; an old MariaDB dump neither.
    expect(mysqlClientProblem({ flavour: "mysql", version: v("8.0.36") }, "mysqldump", v("8.0.36"))).toBeNull();
    expect(mysqlClientProblem({ flavour: "mariadb", version: v("10.3.39") }, "mysqldump", v("10.3.39"))).toBeNull();
  });
});
