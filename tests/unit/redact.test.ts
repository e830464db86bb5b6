import { describe, expect, it } from "vitest";
import { sealSidecar } from "../../src/catalog/sidecar-secrets.js";
import { sidecarSchema, type Sidecar } from "../../src/catalog/sidecar.js";
import { OperationError } from "../../src/util/errors.js";
import { Redactor } from "../../src/util/redact.js";

function redactorOf(...secrets: string[]): Redactor {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

const SHA = "0123456789abcdef1234567890abcdef0123456789abcdef1234567890abcdef";

function sidecar(extra: Partial<Sidecar> = {}): Sidecar {
  return {
    format_version: 1,
    backup_id: "2b7c1234-0000-4000-8000-000000001234",
    run_id: "a1b2c3",
    status: "completed",
    server: { name: "db01" },
    instance: { id: 1, name: "pg-main", type: "postgres" },
    kind: "database",
    database: "app",
    patterns: null,
    archive: { file: "pg-main_app_20261130T123456789Z_a1b2c3.zip", format: "zip", size_bytes: 123456, sha256: SHA, compression: { algorithm: "deflate", level: 6 } },
    started_at: "2026-11-30T12:34:56.789Z",
    completed_at: "2026-11-30T12:34:57.789Z",
    duration_ms: 1000,
    dump_tool: { name: "pg_dump", version: "15.4" },
    dump_format: "plain",
    source_server_version: "15.4",
    tool: { name: "vya-backupdb", version: "0.1.0" },
    contents: [{ name: "app.sql", size: 1234, type: "file" }],
    tables: [{ schema: "public", name: "t", rows_estimate: 1234 }],
    warnings: [],
    ...extra,
  };
}

describe("sidecar and secrets", () => {
  it("leaves structure, names, digests and timestamps alone when a secret is a common word or number", () => {
    // Each of these is a substring of some field of the sidecar above.
    for (const secret of ["postgres", "completed", "1234", "abcdef", "2026", "pg_dump", "deflate", "vya-backupdb"]) {
      const original = sidecar();
      const sealed = sealSidecar(original, redactorOf(secret));
      expect(sealed).toEqual(original);
      expect(sidecarSchema.safeParse(JSON.parse(JSON.stringify(sealed))).success).toBe(true);
    }
  });

  it("leaves out database properties that hold a secret, with a warning naming the field only", () => {
    const database_properties = { engine: "postgres" as const, owner: "postgres", acl: null, comment: "c", settings: [], role_settings: [] };
    const sealed = sealSidecar(sidecar({ database_properties }), redactorOf("postgres"));
    expect(sealed.database_properties).toBeUndefined();
    expect(sealed.warnings).toEqual([expect.stringMatching(/^the database's properties .* not recorded: database_properties\.owner holds a configured secret/)]);
    expect(sealSidecar(sidecar({ database_properties }), redactorOf("hunter2")).database_properties).toEqual(database_properties);
  });

  it("redacts free text (warnings)", () => {
    const sealed = sealSidecar(sidecar({ warnings: ["pg_dump: warning: connection to postgres failed"] }), redactorOf("postgres"));
    expect(sealed.warnings).toEqual(["pg_dump: warning: connection to *** failed"]);
  });

  it("fails with a clear reason, without the secret, when a name would carry it", () => {
    const cases: [Partial<Sidecar>, string][] = [
      [{ database: "my-hunter2-db" }, "database"],
      [{ contents: [{ name: "hunter2.sql", size: 1 }] }, "contents[0].name"],
      [{ tables: [{ schema: "public", name: "x_hunter2", rows_estimate: null }] }, "tables[0].name"],
      [{ patterns: { paths: ["/srv/hunter2/**"], exclude: [] } }, "patterns.paths[0]"],
      [{ server: { name: "hunter2" } }, "server.name"],
    ];
    for (const [extra, field] of cases) {
      let error: unknown;
      try {
        sealSidecar(sidecar(extra), redactorOf("hunter2"));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(OperationError);
      const message = (error as Error).message;
      expect(message).toContain(field);
      expect(message).toMatch(/secret/);
      expect(message).not.toContain("hunter2");
    }
  });
});

describe("structured output redaction", () => {
  it("keeps JSON output parseable when a secret is a number, a key or a word", () => {
    const report = { ok: true, run_id: "a1b2c3", level: 30, units: [{ status: "success", size_bytes: 123456, sha256: SHA, database: "app", error: "login as app with 123456 failed" }] };
    const redactor = redactorOf("123456", "status", "true", "app");
    const parsed = JSON.parse(redactor.json(report)) as typeof report;
    expect(parsed.ok).toBe(true);
    expect(parsed.units[0]?.size_bytes).toBe(123456);
    expect(parsed.units[0]?.status).toBe("success");
    expect(parsed.units[0]?.sha256).toBe(SHA);
    // Free text and names are still scrubbed.
    expect(parsed.units[0]?.error).toBe("login as *** with *** failed");
    expect(parsed.units[0]?.database).toBe("***");
  });

  it("scrubs log lines value by value, so every line stays one JSON object", () => {
    const redactor = redactorOf("30", "level", "hunter2", 'q"uote');
    const line = `${JSON.stringify({ level: 30, time: 1764505200000, msg: "login with hunter2 refused", err: 'pw q"uote' })}\n`;
    const out = redactor.logLine(line);
    expect(out.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed).toEqual({ level: 30, time: 1764505200000, msg: "login with *** refused", err: "pw ***" });
    // Not JSON (should not happen): still scrubbed as text.
    expect(redactor.logLine("plain hunter2 text\n")).toBe("plain *** text\n");
  });
});
