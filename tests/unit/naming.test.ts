import { describe, expect, it } from "vitest";
import { archiveDirectory, archiveFileName, GLOBALS_SEGMENT, pathSegment, timestampForName } from "../../src/catalog/naming.js";

describe("archive naming", () => {
  it("uses a sortable UTC timestamp to the millisecond", () => {
    expect(timestampForName(new Date("2026-01-02T03:04:05.678Z"))).toBe("20260102T030405678Z");
  });

  it("sorts by time and differs between runs in the same millisecond", () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const a = archiveFileName({ instance: "pg", database: "app", kind: "database", startedAt: at, runId: "aaaaaa", extension: "zip" });
    const b = archiveFileName({ instance: "pg", database: "app", kind: "database", startedAt: at, runId: "bbbbbb", extension: "zip" });
    const later = archiveFileName({ instance: "pg", database: "app", kind: "database", startedAt: new Date("2026-01-02T03:04:06.000Z"), runId: "000000", extension: "zip" });
    expect(a).toBe("pg_app_20260102T030405678Z_aaaaaa.zip");
    expect(a).not.toBe(b);
    expect([later, b, a].sort()).toEqual([a, b, later]);
  });

  it("keeps plain lowercase names as they are, so existing layouts do not move", () => {
    expect(pathSegment("app")).toBe("app");
    expect(pathSegment("pg-main.v2_x")).toBe("pg-main.v2_x");
    expect(archiveDirectory("/b", "db01", "pg-main", "app", "database")).toBe("/b/db01/pg-main/app");
    expect(archiveDirectory("/b", "db01", "files-3", null, "files")).toBe("/b/db01/files-3");
    expect(archiveDirectory("/b", "db01", "pg-main", "_globals", "globals")).toBe(`/b/db01/pg-main/${GLOBALS_SEGMENT}`);
  });

  it("gives names that sanitise alike distinct segments, even on a case-insensitive file system", () => {
    const names = ["c c", "c_c", "c'c", "cäc", "c/c", "c\\c", "Reporting Ü", "Reporting Ö", "Sales", "sales", "SALES", "_globals", "..", ".", "", "c~c", "ÿ".repeat(70), "ÿ".repeat(71)];
    const segments = names.map(pathSegment);
    expect(new Set(segments.map((s) => s.toLowerCase())).size).toBe(names.length);
    // A database named like the globals folder does not land in it.
    expect(segments).not.toContain(GLOBALS_SEGMENT);
    for (const segment of segments) {
      expect(segment).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._~-]*$/);
      expect(segment.length).toBeLessThanOrEqual(80);
    }
    // Still readable: the sanitised name, then a short digest of the exact name.
    expect(pathSegment("c c")).toMatch(/^c_c~[0-9a-f]{8}$/);
    expect(pathSegment("Reporting Ü")).toMatch(/^Reporting_U~[0-9a-f]{8}$/);
    expect(pathSegment("Sales")).toMatch(/^Sales~[0-9a-f]{8}$/);
    expect(pathSegment("c c")).toBe(pathSegment("c c"));
  });

  it("keeps path segments safe", () => {
    expect(pathSegment("../etc")).toMatch(/^_.?_etc~[0-9a-f]{8}$/);
    expect(pathSegment("my db/ü")).toMatch(/^my_db_u~[0-9a-f]{8}$/);
    expect(pathSegment(".hidden")).toMatch(/^_hidden~/);
  });

  it("names every unit of a run distinctly, the globals unit included", () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const file = (database: string, kind: "database" | "globals") =>
      archiveDirectory("/b", "db01", "pg", database, kind) + "/" + archiveFileName({ instance: "pg", database, kind, startedAt: at, runId: "abcdef", extension: "zip" });
    const paths = [file("_globals", "globals"), file("_globals", "database"), file("c c", "database"), file("c_c", "database"), file("C_C", "database")];
    expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(paths.length);
  });
});
