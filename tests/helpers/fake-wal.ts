import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { segmentName } from "../../src/pitr/wal-name.js";
import { walMarkerKey, walObjectKey, walPrefix } from "../../src/pitr/wal-store.js";
import { fakeBackup, type FakeBackup, type FakeGroup } from "./fake-backups.js";

/**
 * A PITR instance's history laid out without a server: base backups (sidecars with a `pitr`
 * block) and archived WAL (object + marker, as wal-push writes them), so retention tests can
 * judge WAL in milliseconds. The WAL bytes are not real WAL: retention reads names only.
 */
const SEG = 16 * 1024 * 1024;
const lsnAt = (segno: number, offset = 0x28) => {
  const pos = segno * SEG + offset;
  return `${Math.floor(pos / 0x1_0000_0000).toString(16).toUpperCase()}/${(pos % 0x1_0000_0000).toString(16).toUpperCase()}`;
};

/** A base backup of `instance` started at `startedAt`, on `timeline`, spanning segments start…stop. */
export function fakeBaseBackup(instance: FakeGroup["instance"], startedAt: Date, start: number, stop: number, timeline = 1): FakeBackup {
  const stopTime = new Date(startedAt.getTime() + 1000).toISOString();
  return fakeBackup({ instance, kind: "basebackup", database: null }, startedAt, {
    pitr: { start_lsn: lsnAt(start), stop_lsn: lsnAt(stop, 0x100), timeline, start_time: startedAt.toISOString(), stop_time: stopTime, system_identifier: "7300000000000000001", segment_size: SEG },
  });
}

export function segments(timeline: number, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => segmentName(timeline, from + i));
}

/** One archived WAL file: storage key → bytes (the gzip object, and its marker unless `markerless`). */
export function fakeWal(server: string, instance: string, name: string, markerless = false): Map<string, Buffer> {
  const prefix = walPrefix(server, instance);
  const raw = Buffer.from(`fake WAL ${name}\n`);
  const stored = gzipSync(raw);
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  const marker = { format_version: 1, kind: "wal", name, sha256: sha(raw), size_bytes: raw.length, stored: { sha256: sha(stored), size_bytes: stored.length, compression: { algorithm: "gzip", level: 1 } }, archived_at: new Date().toISOString(), tool: { name: "vya-backupdb", version: "test" } };
  const out = new Map([[walObjectKey(prefix, name), stored]]);
  if (!markerless) out.set(walMarkerKey(prefix, name), Buffer.from(JSON.stringify(marker)));
  return out;
}

/** Writes storage objects below a directory (a local storage root, or the SFTP server's side). */
export async function writeObjects(root: string, objects: Map<string, Buffer>): Promise<void> {
  for (const [key, body] of objects) {
    await mkdir(join(root, key, ".."), { recursive: true });
    await writeFile(join(root, key), body);
  }
}

/**
 * Four base backups of `instance` (segments 0x10, 0x20, 0x30 on timeline 1; 0x46 on timeline 2
 * after a promotion) and the WAL around them: segments 0x08…0x44 of timeline 1 with backup
 * labels and the promoted server's .partial, 00000002.history, timeline 2's 0x44…0x4A, and a
 * killed push's object without its marker (0x05). `keysFrom(segno)`: the WAL keys a policy
 * keeping the base backups from that segment on must leave (every history file included).
 */
export function pitrLayout(instance: FakeGroup["instance"], server = "db01") {
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n, 2, 30));
  const bases = [fakeBaseBackup(instance, day(0), 0x10, 0x12), fakeBaseBackup(instance, day(1), 0x20, 0x22), fakeBaseBackup(instance, day(2), 0x30, 0x32), fakeBaseBackup(instance, day(3), 0x46, 0x47, 2)];
  const names = [
    ...segments(1, 0x08, 0x44),
    "000000010000000000000010.00000028.backup",
    "000000010000000000000020.00000028.backup",
    "000000010000000000000030.00000028.backup",
    "000000010000000000000044.partial",
    "00000002.history",
    ...segments(2, 0x44, 0x4a),
    "000000020000000000000046.00000028.backup",
  ];
  const leftover = segments(1, 0x05, 0x05)[0] as string;
  const wal = new Map<string, Buffer>();
  for (const name of names) for (const [k, v] of fakeWal(server, instance.name, name)) wal.set(k, v);
  for (const [k, v] of fakeWal(server, instance.name, leftover, true)) wal.set(k, v);
  // Written out here rather than derived with the code under test: <8 timeline><8 log><8 seg>.
  const segnoOf = (name: string) => (name.endsWith(".history") ? Infinity : parseInt(name.slice(8, 16), 16) * 256 + parseInt(name.slice(16, 24), 16));
  const nameOf = (key: string) => (key.split("/").at(-1) ?? "").replace(/\.gz(\.json)?$/, "");
  return {
    bases,
    wal,
    keysFrom: (segno: number) => [...wal.keys()].filter((k) => segnoOf(nameOf(k)) >= segno).sort(),
    deletedBefore: (segno: number) => [...new Set([...wal.keys()].map(nameOf))].filter((n) => segnoOf(n) < segno).sort(),
  };
}
