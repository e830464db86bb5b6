import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { archiveFileName } from "../../src/catalog/naming.js";
import { unitDirectory } from "../../src/catalog/run-record.js";
import type { S3Server } from "./s3.js";

/**
 * Backups made without running a backup: a small archive and a valid sidecar with a chosen
 * start time, so retention tests can lay out years of history in milliseconds. The archive's
 * bytes are not a real zip: the catalogue (and so retention) reads only sidecars and sizes.
 */
export interface FakeBackup {
  /** Storage key of the archive (the sidecar is key + ".json"). */
  key: string;
  name: string;
  startedAt: string;
  archive: Buffer;
  sidecar: string;
}

export interface FakeGroup {
  server?: string;
  instance: { id: number; name: string; type: "postgres" | "mysql" | "files" };
  kind: "database" | "globals" | "files" | "basebackup";
  database: string | null;
}

export function fakeBackup(group: FakeGroup, startedAt: Date, extra: Record<string, unknown> = {}): FakeBackup {
  const server = group.server ?? "db01";
  const runId = randomBytes(3).toString("hex");
  const name = archiveFileName({ instance: group.instance.name, database: group.database, kind: group.kind, startedAt, runId, extension: "zip" });
  const key = `${unitDirectory(server, group.instance.name, group.database, group.kind)}/${name}`;
  const archive = Buffer.from(`fake archive ${name}\n`);
  const sidecar = {
    format_version: 1,
    backup_id: randomBytes(8).toString("hex"),
    run_id: runId,
    status: "completed",
    server: { name: server },
    instance: group.instance,
    kind: group.kind,
    database: group.database,
    patterns: null,
    archive: { file: name, format: "zip", size_bytes: archive.length, sha256: createHash("sha256").update(archive).digest("hex"), compression: { algorithm: "deflate", level: 6 } },
    started_at: startedAt.toISOString(),
    completed_at: new Date(startedAt.getTime() + 1000).toISOString(),
    duration_ms: 1000,
    dump_tool: null,
    dump_format: null,
    source_server_version: null,
    tool: { name: "vya-backupdb", version: "test" },
    contents: [],
    warnings: [],
    ...extra,
  };
  return { key, name, startedAt: sidecar.started_at, archive, sidecar: JSON.stringify(sidecar) };
}

/** One backup a day at 02:30 UTC for `days` days, the last one `endDaysAgo` days before now. */
export function dailyBackups(group: FakeGroup, days: number, endDaysAgo = 1, now = Date.now()): FakeBackup[] {
  const lastDay = new Date(now - endDaysAgo * 86_400_000);
  const last = Date.UTC(lastDay.getUTCFullYear(), lastDay.getUTCMonth(), lastDay.getUTCDate(), 2, 30);
  return Array.from({ length: days }, (_, i) => fakeBackup(group, new Date(last - (days - 1 - i) * 86_400_000)));
}

/** Writes archives and sidecars below a directory (a local storage root, or the SFTP server's side). */
export async function writeFakeBackups(root: string, backups: readonly FakeBackup[]): Promise<void> {
  const dirs = new Set(backups.map((b) => dirname(join(root, b.key))));
  await Promise.all([...dirs].map((d) => mkdir(d, { recursive: true })));
  for (const b of backups) {
    await writeFile(join(root, b.key), b.archive);
    await writeFile(join(root, `${b.key}.json`), b.sidecar);
  }
}

/** The same into a bucket below `prefix` ("" or "folder/"). */
export async function putFakeBackups(s3: S3Server, prefix: string, backups: readonly FakeBackup[]): Promise<void> {
  const client = s3.client();
  try {
    for (const b of backups) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}${b.key}`, Body: b.archive }));
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}${b.key}.json`, Body: b.sidecar }));
    }
  } finally {
    client.destroy();
  }
}

/** The keys (archive and sidecar) a set of backups occupies, sorted. */
export function keysOf(backups: readonly FakeBackup[]): string[] {
  return backups.flatMap((b) => [b.key, `${b.key}.json`]).sort();
}
