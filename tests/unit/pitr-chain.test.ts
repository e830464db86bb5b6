import { describe, expect, it } from "vitest";
import { checkChain, newestSegment, parseArchive, walNeededBy, type BaseBackupWal } from "../../src/pitr/chain.js";
import { lastSegnoOfEnd, parseAnyWalName, parseHistory, parseLsn, parseWalName, segmentName, segnoOfLsn } from "../../src/pitr/wal-name.js";
import { restoreCommand, recoveryConf } from "../../src/pitr/recovery-settings.js";
import { parseUntil, pgTargetTime } from "../../src/pitr/target-time.js";
import { parseBackupFacts } from "../../src/pitr/base-info.js";
import { parseSegmentSize } from "../../src/pitr/base-backup.js";
import { archiveSettingsProblems } from "../../src/pitr/server-check.js";

describe("WAL names", () => {
  it.each([
    ["000000010000000000000003", { kind: "segment", timeline: 1, segno: 3 }],
    ["0000000200000001000000FF", { kind: "segment", timeline: 2, segno: 256 + 255 }],
    ["00000002.history", { kind: "history", timeline: 2, segno: -1 }],
    ["000000010000000000000002.00000028.backup", { kind: "backup-label", timeline: 1, segno: 2 }],
    ["000000010000000000000005.partial", { kind: "partial", timeline: 1, segno: 5 }],
  ])("%s", (name, expected) => expect(parseWalName(name)).toEqual({ name, ...expected }));

  it.each(["", "00000001000000000000000", "0000000100000000000001000", "000000000000000000000001", "../000000010000000000000001", "00000001.history.x", "000000010000000000000001.gz", "archive_status"])("refuses %j", (name) => {
    expect(parseWalName(name)).toBeNull();
  });

  it("a server with 1 MiB segments (initdb --wal-segsize=1) names segments past FF: accepted when the size is not known", () => {
    expect(parseWalName("000000010000000000000100")).toBeNull();
    expect(parseAnyWalName("000000010000000000000100")).toMatchObject({ kind: "segment", timeline: 1 });
    expect(parseAnyWalName("000000010000000000001000")).toBeNull();
    // Ordering by segment number still follows the names for the default size.
    const a = parseAnyWalName("0000000100000000000000FF");
    const b = parseAnyWalName("000000010000000100000000");
    expect(a && b && a.segno < b.segno).toBe(true);
  });

  it("names round-trip and LSNs map to segments", () => {
    expect(segmentName(3, 256 + 7)).toBe("000000030000000100000007");
    expect(parseLsn("1/2000028")).toBe(0x1_0000_0000 + 0x2000028);
    expect(segnoOfLsn("0/2000028")).toBe(2);
    expect(segnoOfLsn("1/0")).toBe(256);
    // An end point exactly on a segment boundary ends in the segment before.
    expect(lastSegnoOfEnd("0/3000000")).toBe(2);
    expect(lastSegnoOfEnd("0/3000100")).toBe(3);
  });

  it("reads history files", () => {
    expect(parseHistory("1\t0/3000198\tno recovery target specified\n\n2\t0/5000000\tbefore 2026-11-30 14:05:00+00\n")).toEqual([
      { timeline: 1, switchLsn: "0/3000198" },
      { timeline: 2, switchLsn: "0/5000000" },
    ]);
    expect(() => parseHistory("x\t0/1\n")).toThrow(/malformed/);
  });
});

const base: BaseBackupWal = { name: "b1", timeline: 1, start_lsn: "0/2000028", stop_lsn: "0/2000138" };
const names = (from: number, to: number, tli = 1) => Array.from({ length: to - from + 1 }, (_, i) => segmentName(tli, from + i));

describe("checkChain", () => {
  it("a continuous chain from the base's start segment is ok", () => {
    const report = checkChain(base, parseArchive(names(1, 6)), new Map());
    expect(report).toMatchObject({ ok: true, timeline: 1, first: "000000010000000000000002", last: "000000010000000000000006", gap: null, missing_for_consistency: [] });
  });

  it("a missing segment after the stop point is a gap; before it the backup is unusable", () => {
    expect(checkChain(base, parseArchive([...names(2, 3), ...names(5, 6)]), new Map())).toMatchObject({ ok: false, gap: "000000010000000000000004", last: "000000010000000000000003" });
    expect(checkChain({ ...base, stop_lsn: "0/4000100" }, parseArchive([...names(2, 3), ...names(5, 6)]), new Map())).toMatchObject({
      ok: false,
      missing_for_consistency: ["000000010000000000000004"],
    });
  });

  it("follows a timeline switch through its history file, and needs that file", () => {
    const history = new Map([[2, parseHistory("1\t0/4000100\tbefore x\n")]]);
    // Timeline 1 up to segment 3, timeline 2 from segment 4 (the switch segment) on.
    const archived = [...names(2, 6), ...names(4, 7, 2), "00000002.history"];
    expect(checkChain(base, parseArchive(archived), history)).toMatchObject({ ok: true, timeline: 2, last: "000000020000000000000007" });
    expect(checkChain(base, parseArchive(archived.filter((n) => n !== "00000002.history")), history)).toMatchObject({ ok: false, missing_history: ["00000002.history"] });
    expect(checkChain(base, parseArchive([...names(2, 6), ...names(5, 7, 2), "00000002.history"]), history)).toMatchObject({ ok: false, gap: "000000020000000000000004" });
    // Timeline 1 past the switch (segments 5, 6) is abandoned WAL: without timeline 2's, the chain simply ends.
    expect(checkChain(base, parseArchive([...names(2, 6), "00000002.history"]), history)).toMatchObject({ ok: true, last: "000000010000000000000003" });
  });
});

describe("walNeededBy (retention)", () => {
  it("keeps every segment from the oldest kept base's start on, and every history file", () => {
    const archived = parseArchive([...names(1, 9), "000000010000000000000005.00000028.backup", "00000002.history", "000000020000000000000003"]);
    const kept: BaseBackupWal[] = [{ name: "b2", timeline: 1, start_lsn: "0/5000028", stop_lsn: "0/5000100" }, { name: "b3", timeline: 1, start_lsn: "0/8000028", stop_lsn: "0/8000100" }];
    const { keep, remove } = walNeededBy(kept, archived);
    expect(remove.map((f) => f.name).sort()).toEqual([...names(1, 4), "000000020000000000000003"].sort());
    expect(keep.map((f) => f.name)).toContain("00000002.history");
    expect(keep.map((f) => f.name)).toContain("000000010000000000000005.00000028.backup");
    expect(keep).toHaveLength(archived.length - remove.length);
  });
});

describe("newestSegment (status)", () => {
  it("is the highest segment, its age from when it was archived", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    const files = parseArchive(["000000010000000000000004", "000000010000000000000006", "00000002.history"]).map((file, i) => ({ file, archivedAt: new Date(now.getTime() - (3 - i) * 60_000) }));
    expect(newestSegment(files, now)).toEqual({ name: "000000010000000000000006", age_seconds: 120 });
    expect(newestSegment([], now)).toBeNull();
  });
});

describe("--until and recovery settings", () => {
  it.each([
    ["2026-11-30T14:05:00Z", "2026-11-30T14:05:00.000Z"],
    ["2026-11-30T16:05:00+02:00", "2026-11-30T14:05:00.000Z"],
    ["2026-11-30 09:05:00.250-0500", "2026-11-30T14:05:00.250Z"],
    ["2026-11-30T14:05Z", "2026-11-30T14:05:00.000Z"],
  ])("%s", (text, iso) => expect(parseUntil(text).toISOString()).toBe(iso));

  it("reads a time without offset in the local zone", () => {
    expect(parseUntil("2026-11-30 14:05:00").getTime()).toBe(new Date(2026, 10, 30, 14, 5, 0).getTime());
  });

  it.each(["yesterday", "2026-11-30", "2026-02-30 10:00", "2026-11-30T25:00Z", "2026-11-30T14:05:00+2"])("refuses %j", (text) => {
    expect(() => parseUntil(text)).toThrow(/--until/);
  });

  it("writes the target time without the Z PostgreSQL 15 refuses", () => {
    expect(pgTargetTime(new Date("2026-11-30T14:05:00.123Z"))).toBe("2026-11-30 14:05:00.123+00");
  });

  it("quotes restore_command for sh and for postgresql.conf", () => {
    const settings = { self: ["/opt/vya backupdb/bin/vya-backupdb"], configFile: "/etc/it's.yaml", instance: "1" };
    expect(restoreCommand(settings)).toBe(`'/opt/vya backupdb/bin/vya-backupdb' -c '/etc/it'\\''s.yaml' --log-level warn wal-fetch %f %p -i 1`);
    const conf = recoveryConf({ ...settings, targetTime: "2026-11-30 14:05:00.000+00", action: "promote" });
    expect(conf).toContain(`restore_command = '''/opt/vya backupdb/bin/vya-backupdb'' -c ''/etc/it''\\''''s.yaml'' --log-level warn wal-fetch %f %p -i 1'`);
    expect(conf).toContain("recovery_target_time = '2026-11-30 14:05:00.000+00'");
    expect(conf).toContain("recovery_target_action = 'promote'");
  });
});

describe("base backup facts", () => {
  it("reads backup_label and the backup_manifest's WAL range", () => {
    const label = "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060\nBACKUP METHOD: streamed\nBACKUP FROM: primary\nSTART TIME: 2026-11-30 19:33:01 UTC\nLABEL: pg_basebackup base backup\nSTART TIMELINE: 2\n";
    const manifest = `{ "Path": "global/pg_control", "Size": 8192 }\n],\n"WAL-Ranges": [\n{ "Timeline": 2, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }\n],\n"Manifest-Checksum": "ab"}\n`;
    expect(parseBackupFacts(label, manifest)).toEqual({ start_lsn: "0/2000028", stop_lsn: "0/2000100", timeline: 2 });
    expect(() => parseBackupFacts(label, "{}")).toThrow(/start and end points/);
  });
  it("reads wal_segment_size", () => {
    expect(parseSegmentSize("16MB")).toBe(16 * 1024 * 1024);
    expect(parseSegmentSize("1GB")).toBe(1024 ** 3);
  });
});

describe("archiveSettingsProblems (check)", () => {
  const instance = { id: 1, name: "pg-main" };
  const good = { wal_level: "replica", archive_mode: "on", archive_command: "/usr/bin/vya-backupdb -c /etc/vya-backupdb/config.yaml wal-push %p %f -i 1" };
  it("accepts a server archiving through wal-push for this instance", () => {
    expect(archiveSettingsProblems(good, instance)).toEqual([]);
    expect(archiveSettingsProblems({ ...good, archive_command: "'/opt/x/vya-backupdb' wal-push %p %f --instance pg-main", archive_mode: "always", wal_level: "logical" }, instance)).toEqual([]);
  });
  it.each([
    [{ wal_level: "minimal" }, /wal_level is minimal/],
    [{ archive_mode: "off" }, /archive_mode is off/],
    [{ archive_command: "cp %p /mnt/wal/%f" }, /does not call vya-backupdb wal-push/],
    [{ archive_command: "vya-backupdb wal-push %f %p -i 1" }, /"%p %f" right after wal-push/],
    [{ archive_command: "vya-backupdb wal-push %p %f -i 2" }, /for instance 2, not 1/],
    [{ archive_command: "vya-backupdb wal-push %p %f" }, /-i missing/],
  ])("%j", (change, problem) => {
    expect(archiveSettingsProblems({ ...good, ...change }, instance).join("\n")).toMatch(problem);
  });
});
