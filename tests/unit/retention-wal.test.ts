import { describe, expect, it } from "vitest";
import type { GroupMember } from "../../src/retention/groups.js";
import { judgeWal } from "../../src/retention/wal.js";
import { isWalObjectKey, walDeletionKeys, walInListing } from "../../src/pitr/wal-store.js";

const P = "db01/pg/_wal/";
const at = new Date("2026-11-30T00:00:00Z");
const obj = (key: string, size = 10) => ({ key, size, modified: at });
const base = (start: string, pitr = true) =>
  ({ entry: { name: `b-${start}`, key: `db01/pg/_base/b-${start}.tar.gz`, sidecar: { pitr: pitr ? { start_lsn: start, stop_lsn: start, timeline: 1, start_time: "", stop_time: "", system_identifier: "1", segment_size: 16 * 1024 * 1024 } : undefined } }, time: 0 }) as unknown as GroupMember;

describe("WAL in a storage listing", () => {
  it("classifies marker + object (plain or .age), a marker or an object alone; ignores other names and folders", () => {
    const listing = walInListing(
      [
        obj(`${P}000000010000000000000001.gz`),
        obj(`${P}000000010000000000000001.gz.json`, 1),
        obj(`${P}000000010000000000000002.gz.age`),
        obj(`${P}000000010000000000000002.gz.json`, 1),
        obj(`${P}000000010000000000000003.gz`),
        obj(`${P}000000010000000000000004.gz.json`),
        obj(`${P}.000000010000000000000005.gz.o-1.partial`),
        obj(`${P}readme.txt`),
        obj(`${P}sub/000000010000000000000006.gz`),
        obj("db01/pg/app/000000010000000000000007.gz"),
      ],
      P,
    );
    const byName = Object.fromEntries(listing.map((w) => [w.name, { archived: w.archived, bytes: w.bytes }]));
    expect(byName).toEqual({
      "000000010000000000000001": { archived: true, bytes: 11 },
      "000000010000000000000002": { archived: true, bytes: 11 },
      "000000010000000000000003": { archived: false, bytes: 10 },
      "000000010000000000000004": { archived: false, bytes: 10 },
    });
  });

  it("a journal names a WAL file by its plain object key; deleting it removes the marker first, then either object", () => {
    expect(isWalObjectKey(`${P}000000010000000000000001.gz`)).toBe(true);
    expect(isWalObjectKey(`${P}000000010000000000000001.gz.json`)).toBe(false);
    expect(isWalObjectKey("db01/pg/app/pg_app_x.tar.gz")).toBe(false);
    expect(walDeletionKeys(`${P}000000010000000000000001.gz`)).toEqual([`${P}000000010000000000000001.gz.json`, `${P}000000010000000000000001.gz`, `${P}000000010000000000000001.gz.age`]);
  });

  it("judges nothing when a kept base backup has no pitr facts, or none is kept", () => {
    const listed = [obj(`${P}000000010000000000000001.gz`), obj(`${P}000000010000000000000001.gz.json`)];
    expect(judgeWal("local", "db01", { id: 1, name: "pg" }, [base("0/5000028", false)], listed)).toBeNull();
    expect(judgeWal("local", "db01", { id: 1, name: "pg" }, [], listed)).toBeNull();
    const verdict = judgeWal("local", "db01", { id: 1, name: "pg" }, [base("0/5000028")], listed);
    expect(verdict?.doomed).toEqual([`${P}000000010000000000000001.gz`]);
    expect(verdict?.detail).toMatchObject({ kept: 0, deleted: ["000000010000000000000001"], bytes: 20 });
  });
});
