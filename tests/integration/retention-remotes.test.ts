import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { decideRetention } from "../../src/retention/policy.js";
import { retentionSchema } from "../../src/retention/policy-schema.js";
import { runCli } from "../helpers/cli.js";
import { dailyBackups, keysOf, putFakeBackups, writeFakeBackups, type FakeBackup, type FakeGroup } from "../helpers/fake-backups.js";
import { pitrLayout, writeObjects } from "../helpers/fake-wal.js";
import { filesBelow, s3Remote, sftpRemote } from "../helpers/remotes.js";
import { startRemoteServers, type RemoteServers } from "../helpers/remote-servers.js";

/** cleanup on S3 (s3rver) and SFTP (sshd): each storage judged on its own listing, by its own policy. */
const GLOBAL = { keep_daily: 7, keep_weekly: 4, timezone: "UTC" };
const OFFSITE = { keep_last: 2, keep_monthly: 12, timezone: "UTC" };
const NAS = { keep_daily: 3, timezone: "UTC" };
const group: FakeGroup = { instance: { id: 1, name: "pg-main", type: "postgres" }, kind: "database", database: "app" };
const PREFIX = "backups/";
const S3_FOREIGN = [`${PREFIX}db01/pg-main/app/pg-main_app_20200101T000000000Z_abcdef.zip`, `${PREFIX}db01/pg-main/app/readme.txt`, `${PREFIX}db01/notes.json`, "outside/db01/pg-main/app/x.zip"];
const SFTP_FOREIGN = ["db01/pg-main/app/foreign.zip", "db01/pg-main/app/keep-me.txt"];

let servers: RemoteServers | undefined;
beforeAll(async () => {
  servers = await startRemoteServers("vya-retention-remotes-");
});
afterAll(async () => {
  await servers?.stop();
});

function kept(backups: FakeBackup[], policy: Record<string, unknown>): FakeBackup[] {
  const decisions = decideRetention(backups.map((b) => ({ id: b.key, time: Date.parse(b.startedAt) })), retentionSchema.parse(policy), Date.now());
  const keep = new Set(decisions.filter((d) => d.keep).map((d) => d.id));
  return backups.filter((b) => keep.has(b.key));
}

async function bucketKeys(s: RemoteServers): Promise<string[]> {
  const client = s.s3.client();
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: s.s3.bucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key as string));
      token = page.NextContinuationToken;
    } while (token);
    return keys.sort();
  } finally {
    client.destroy();
  }
}

describe("cleanup on S3 and SFTP remotes", () => {
  it("dry run changes nothing; cleanup leaves each remote exactly its own policy's set, foreign objects untouched", async () => {
    const s = servers as RemoteServers;
    const store = join(s.dir, "store");
    const sftpRoot = join(s.ssh.root, "retention");
    // The remotes drifted apart: the newest upload never reached S3.
    const all = dailyBackups(group, 45);
    const onS3 = all.slice(0, -1);
    await writeFakeBackups(store, all);
    await putFakeBackups(s.s3, PREFIX, onS3);
    await writeFakeBackups(sftpRoot, all);
    const client = s.s3.client();
    for (const key of S3_FOREIGN) await client.send(new PutObjectCommand({ Bucket: s.s3.bucket, Key: key, Body: "foreign" }));
    client.destroy();
    for (const key of SFTP_FOREIGN) {
      await mkdir(join(sftpRoot, key, ".."), { recursive: true });
      await writeFile(join(sftpRoot, key), "foreign");
    }
    const config = join(s.dir, "config.yaml");
    await writeFile(
      config,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: store }, remotes: [s3Remote(s.s3, { prefix: PREFIX, retention: OFFSITE }), sftpRemote(s.ssh, sftpRoot, { retention: NAS })] },
        retention: GLOBAL,
        instances: [{ id: 1, name: "pg-main", type: "postgres", user: "u", databases: ["app"] }],
      }),
    );
    const before = { s3: await bucketKeys(s), sftp: await filesBelow(sftpRoot), local: await filesBelow(store) };

    const dry = await runCli(["-c", config, "--json", "cleanup", "--dry-run"], { env: s.env });
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    expect({ s3: await bucketKeys(s), sftp: await filesBelow(sftpRoot), local: await filesBelow(store) }).toEqual(before);
    const planned = JSON.parse(String(dry.stdout)) as { storages: { storage: string; kept: number; deleted: number }[] };
    const counts = Object.fromEntries(planned.storages.map((p) => [p.storage, [p.kept, p.deleted]]));
    expect(counts).toEqual({
      local: [kept(all, GLOBAL).length, 45 - kept(all, GLOBAL).length],
      offsite: [kept(onS3, OFFSITE).length, 44 - kept(onS3, OFFSITE).length],
      nas: [3, 42],
    });

    const run = await runCli(["-c", config, "cleanup"], { env: s.env });
    expect(run.exitCode, `${String(run.stdout)}\n${String(run.stderr)}`).toBe(0);
    expect(await bucketKeys(s)).toEqual([...keysOf(kept(onS3, OFFSITE)).map((k) => `${PREFIX}${k}`), ...S3_FOREIGN].sort());
    expect(await filesBelow(sftpRoot)).toEqual([...keysOf(kept(all, NAS)), ...SFTP_FOREIGN].sort());
    expect(await filesBelow(store)).toEqual(keysOf(kept(all, GLOBAL)));
    for (const output of [run.stdout, run.stderr, dry.stdout, dry.stderr]) {
      expect(String(output)).not.toContain(s.s3.secretAccessKey);
      expect(String(output)).not.toContain(s.ssh.passphrase);
    }
  });

  it("a PITR instance's WAL goes with its base backups on each remote, by that remote's policy", async () => {
    const s = servers as RemoteServers;
    const instance = { id: 7, name: "pg-pitr", type: "postgres" as const };
    const { bases, wal, keysFrom } = pitrLayout(instance);
    const sftpRoot = join(s.ssh.root, "pitr");
    await writeFakeBackups(sftpRoot, bases);
    await writeObjects(sftpRoot, wal);
    const s3Prefix = "pitr/";
    await putFakeBackups(s.s3, s3Prefix, bases);
    const client = s.s3.client();
    for (const [key, body] of wal) await client.send(new PutObjectCommand({ Bucket: s.s3.bucket, Key: `${s3Prefix}${key}`, Body: body }));
    client.destroy();
    const config = join(s.dir, "pitr.yaml");
    await writeFile(
      config,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: join(s.dir, "pitr-store") }, remotes: [s3Remote(s.s3, { prefix: s3Prefix, retention: { keep_last: 1 } }), sftpRemote(s.ssh, sftpRoot, { retention: { keep_last: 3 } })] },
        instances: [{ ...instance, user: "u", pitr: { enabled: true } }],
      }),
    );
    const run = await runCli(["-c", config, "cleanup", "--storage", "offsite", "--storage", "nas"], { env: s.env });
    expect(run.exitCode, `${String(run.stdout)}\n${String(run.stderr)}`).toBe(0);
    // offsite keeps the newest base backup (timeline 2, from segment 0x46); nas the three from 0x20.
    expect((await bucketKeys(s)).filter((k) => k.startsWith(s3Prefix))).toEqual([...keysOf(bases.slice(3)), ...keysFrom(0x46)].map((k) => `${s3Prefix}${k}`).sort());
    expect(await filesBelow(sftpRoot)).toEqual([...keysOf(bases.slice(1)), ...keysFrom(0x20)].sort());
  });
});
