import { describe, expect, it } from "vitest";
import { archiveDirectory, archiveFileName, safeSegment, timestampForName } from "../../src/catalog/naming.js";

describe("archive naming", () => {
  it("uses a sortable UTC timestamp to the millisecond", () => {
    expect(timestampForName(new Date("2026-01-02T03:04:05.678Z"))).toBe("20260102T030405678Z");
  });

  it("sorts by time and differs between runs in the same millisecond", () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const a = archiveFileName({ instance: "pg", database: "app", startedAt: at, runId: "aaaaaa", extension: "zip" });
    const b = archiveFileName({ instance: "pg", database: "app", startedAt: at, runId: "bbbbbb", extension: "zip" });
    const later = archiveFileName({ instance: "pg", database: "app", startedAt: new Date("2026-01-02T03:04:06.000Z"), runId: "000000", extension: "zip" });
    expect(a).toBe("pg_app_20260102T030405678Z_aaaaaa.zip");
    expect(a).not.toBe(b);
    expect([later, b, a].sort()).toEqual([a, b, later]);
  });

  it("keeps path segments safe", () => {
    expect(safeSegment("../etc")).toBe("__etc");
    expect(safeSegment("my db/ü")).toBe("my_db__");
    expect(archiveDirectory("/b", "db01", "pg-main", "app")).toBe("/b/db01/pg-main/app");
    expect(archiveDirectory("/b", "db01", "files-3", null)).toBe("/b/db01/files-3");
  });
});
