import { describe, expect, it } from "vitest";
import { propertyStatements, setClause } from "../../src/restore/pg-database-properties.js";

describe("PostgreSQL database properties", () => {
  it("settings are quoted as pg_dump does: list settings item by item", () => {
    expect(setClause("work_mem=8MB")).toBe(`SET "work_mem" TO '8MB'`);
    expect(setClause(`search_path="$user", public, "Odd, ""q"""`)).toBe(`SET "search_path" TO '$user', 'public', 'Odd, "q"'`);
    expect(setClause("search_path=")).toBe(`SET "search_path" TO ''`);
  });

  it("statements for the target name; missing owner and grantees are warned about, never applied", () => {
    const props = {
      engine: "postgres" as const,
      owner: "gone",
      acl: [
        { grantee: null, privilege: "TEMPORARY", grantable: false },
        { grantee: "reader", privilege: "CONNECT", grantable: true },
        { grantee: "gone", privilege: "CREATE", grantable: false },
      ],
      comment: "it's",
      settings: ["work_mem=8MB"],
      role_settings: [{ role: "reader", settings: ["statement_timeout=5s"] }, { role: "ghost", settings: ["work_mem=1MB"] }],
    };
    const { statements, warnings } = propertyStatements('new"db', props, new Set(["reader"]));
    expect(statements).toEqual([
      `REVOKE ALL ON DATABASE "new""db" FROM PUBLIC`,
      `GRANT TEMPORARY ON DATABASE "new""db" TO PUBLIC`,
      `GRANT CONNECT ON DATABASE "new""db" TO "reader" WITH GRANT OPTION`,
      `COMMENT ON DATABASE "new""db" IS 'it''s'`,
      `ALTER DATABASE "new""db" SET "work_mem" TO '8MB'`,
      `ALTER ROLE "reader" IN DATABASE "new""db" SET "statement_timeout" TO '5s'`,
    ]);
    expect(warnings.join("\n")).toMatch(/owner "gone" does not exist here/);
    expect(warnings.join("\n")).toMatch(/grants .* left out: "gone"/);
    expect(warnings.join("\n")).toMatch(/role "ghost" .* does not exist here/);
  });
});
