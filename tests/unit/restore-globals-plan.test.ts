import { describe, expect, it } from "vitest";
import { planGlobals } from "../../src/restore/pg-globals-plan.js";
import { splitScript } from "../../src/restore/sql-statements.js";

const SCRIPT = `--
-- PostgreSQL database cluster dump
--

\\restrict abc

SET default_transaction_read_only = off;
CREATE ROLE admin;
ALTER ROLE admin WITH SUPERUSER LOGIN PASSWORD 'SCRAM-SHA-256$4096:x;y';
CREATE ROLE app;
ALTER ROLE app WITH LOGIN PASSWORD 'md5abc';
COMMENT ON ROLE app IS 'it''s; two
lines';
CREATE ROLE "New Role";
ALTER ROLE "New Role" WITH NOLOGIN;
ALTER USER Admin PASSWORD 'x';
ALTER ROLE ALL SET work_mem = '1MB';
ALTER ROLE CURRENT_USER PASSWORD 'y';
GRANT app TO "New Role" GRANTED BY admin;
GRANT pg_monitor TO app, admin;
CREATE TABLESPACE ts OWNER app LOCATION '/srv/ts';
DO $$ BEGIN EXECUTE 'ALTER ROLE admin PASSWORD ''z'''; END $$;

\\unrestrict abc
`;

describe("globals plan", () => {
  it("splits statements around quoted semicolons and keeps meta lines apart", () => {
    const parts = splitScript(SCRIPT);
    expect(parts.filter((p) => p.kind === "meta").map((p) => p.text)).toEqual(["\\restrict abc", "\\unrestrict abc"]);
    expect(parts).toContainEqual({ kind: "statement", text: "COMMENT ON ROLE app IS 'it''s; two\nlines';" });
    expect(parts).toContainEqual({ kind: "statement", text: "DO $$ BEGIN EXECUTE 'ALTER ROLE admin PASSWORD ''z'''; END $$;" });
  });

  it("never touches the connecting role (any spelling), skips existing roles, creates new ones", () => {
    const plan = planGlobals(SCRIPT, { existing: new Set(["admin", "app", "pg_monitor"]), connecting: new Set(["admin"]), overwrite: false });
    expect(plan.statements).toEqual([
      "SET default_transaction_read_only = off;",
      'CREATE ROLE "New Role";',
      'ALTER ROLE "New Role" WITH NOLOGIN;',
      'GRANT app TO "New Role" GRANTED BY admin;',
      "CREATE TABLESPACE ts OWNER app LOCATION '/srv/ts';",
    ]);
    expect(plan.creates).toEqual(["New Role"]);
    expect(plan.skipped).toEqual(["app"]);
    expect(plan.connectingNamed).toEqual(["admin"]);
    expect(plan.unexpected).toEqual(["DO …"]);
    expect(plan.metaCommands).toEqual([]);
  });

  it("--globals-overwrite changes existing roles but still not the connecting one; foreign meta-commands are reported", () => {
    const plan = planGlobals(`${SCRIPT}\\! id > /tmp/x\n`, { existing: new Set(["admin", "app"]), connecting: new Set(["admin"]), overwrite: true });
    expect(plan.statements.join("\n")).not.toMatch(/ROLE admin|USER Admin|ROLE ALL|CURRENT_USER|pg_monitor TO app, admin/);
    expect(plan.statements).toContain("ALTER ROLE app WITH LOGIN PASSWORD 'md5abc';");
    expect(plan.statements).not.toContain("CREATE ROLE app;");
    expect(plan.changes).toEqual(["app"]);
    expect(plan.metaCommands).toEqual(["\\!"]);
  });
});
