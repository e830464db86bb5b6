import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastSegnoOfEnd, segmentName } from "../../src/pitr/wal-name.js";
import { runCli } from "../helpers/cli.js";
import { ids, poll, postgresOsUser, startArchivingServer, switchAndWaitArchived, waitPromoted } from "../helpers/pitr-cluster.js";
import { psql, startPostgres, type PgServer } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";
import { stringify } from "yaml";
import { s3Objects, s3Remote } from "../helpers/remotes.js";
import { startS3, type S3Server } from "../helpers/s3.js";
import { startTcpGate, type TcpGate } from "../helpers/tcp-gate.js";

/**
 * Point-in-time recovery end to end on a dedicated PostgreSQL cluster whose archive_command is
 * the built CLI's wal-push, with the primary's backups encrypted (age: base backup and every WAL
 * file, decrypted by restore --until and by the restored server's wal-fetch): base backup, rows
 * before / after a recorded time, restore --until into a new data directory, started: exactly
 * the rows before the target. Then the same again onto the restored server's timeline 2, while
 * (concurrently, on the primary) an S3 remote goes down and comes back.
 *
 * Kept fast: one primary for every case; segments closed with pg_switch_wal() and polled, never
 * waited for; the restored servers use their own copy of the config (restoreConfig), so the
 * remote-down case can change the primary's config while they run; the last restored server
 * does not archive.
 */
const user = postgresOsUser();
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
/** The config restore --until (and so the restored servers' wal-fetch / wal-push) uses: local storage only. */
let restoreConfig: string;
const stops: (() => Promise<void>)[] = [];
let primary: PgServer;
let restored: PgServer;
let s3: S3Server;
let gate: TcpGate;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const cli = (args: string[], file = config) => runCli(["-c", file, ...args], { user });
const walDir = () => join(dir, "store", "db01", "postgres-1", "_wal");
const baseDir = () => join(dir, "store", "db01", "postgres-1", "_base");

/** The server's clock in UTC with "Z", a few ms after every commit so far (then truncated to ms by --until). */
async function targetNow(info: PgServer): Promise<string> {
  return (await psql(info, `SELECT pg_sleep(0.005); SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)).trim().split("\n").at(-1) ?? "";
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-pitr-"));
  await chmod(dir, 0o755);
  await chown(dir, user.uid, user.gid);
  config = join(dir, "config.yaml");
  restoreConfig = join(dir, "restore-config.yaml");
  identity = await generateX25519Identity();
  const started = await startArchivingServer(join(dir, "primary"), config);
  stops.push(started.stop);
  primary = started.info;
  // The remote-down test adds an S3 remote behind a gate it closes (wal-push reads the config each time).
  s3 = await startS3();
  stops.push(() => s3.stop());
  gate = await startTcpGate(s3.port);
  stops.push(() => gate.stop());
  await writeConfig(false);
  await writeConfig(false, restoreConfig, false);
});

let identity: string;

/**
 * The primary's config encrypts (age recipients); the restored servers' config does not (their
 * WAL is stored plain, which also proves mixed archives work) but holds the identity that reads
 * the primary's encrypted base backup and WAL.
 */
async function writeConfig(withRemote: boolean, file = config, encrypt = true): Promise<void> {
  const secretFile = join(dir, "s3-secret");
  const keyFile = join(dir, "age-key.txt");
  await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
  await chown(keyFile, user.uid, user.gid);
  await writeFile(secretFile, s3.secretAccessKey, { mode: 0o600 });
  await chown(secretFile, user.uid, user.gid);
  const remotes = withRemote ? [s3Remote(s3, { endpoint: `http://127.0.0.1:${gate.port}`, secret_access_key: `\${file:${secretFile}}`, retries: 0 })] : [];
  await writeFile(
    file,
    stringify({
      server: { name: "db01" },
      storage: { local: { path: join(dir, "store") }, remotes },
      encryption: encrypt ? { age: { recipients: [await identityToRecipient(identity)] }, identity: `\${file:${keyFile}}` } : { identity: `\${file:${keyFile}}` },
      instances: [{ id: 1, type: "postgres", host: primary.host, port: primary.port, user: primary.user, password: primary.password, databases: ["postgres"], globals: false, pitr: { enabled: true } }],
    }),
    { mode: 0o600 },
  );
  await chown(file, user.uid, user.gid);
}

afterAll(async () => {
  if (process.env.VYA_PITR_LOG) console.log((await readFile(join(dir, "primary", "postgres.log"), "utf8").catch(() => "")).split("\n").slice(-60).join("\n"));
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await cleanup();
});

describe("point-in-time recovery", { timeout: 300_000 }, () => {
  it("restore --until brings back exactly the rows committed before the target (encrypted base backup and WAL)", async () => {
    await psql(primary, `CREATE TABLE pitr_rows (id int PRIMARY KEY); INSERT INTO pitr_rows SELECT generate_series(1, 100)`);
    // check on a server that really archives through wal-push: the pitr line is OK (other lines may warn).
    const checked = await cli(["check", "-i", "1"]);
    expect(String(checked.stdout)).toMatch(/^OK {4}pitr archiving: \S+: wal_level replica, archive_mode on, archive_command runs wal-push for this instance$/m);
    const backup = await cli(["backup", "-i", "1"]);
    expect(backup.stderr).not.toMatch(/"level":(50|60)/);
    expect(backup.exitCode).toBe(0);
    const sidecarName = (await readdir(baseDir())).find((f) => f.endsWith(".tar.gz.age.json"));
    const sidecar = JSON.parse(await readFile(join(baseDir(), sidecarName ?? ""), "utf8"));
    expect(sidecar).toMatchObject({ kind: "basebackup", dump_tool: { name: "pg_basebackup" }, pitr: { timeline: 1, segment_size: 16 * 1024 * 1024 }, encryption: { algorithm: "age-v1" } });
    expect(sidecar.pitr.system_identifier).toMatch(/^\d+$/);
    expect(sidecar.contents.map((e: { name: string }) => e.name)).toContain("PG_VERSION");

    await psql(primary, "INSERT INTO pitr_rows SELECT generate_series(101, 150)");
    const target = await targetNow(primary);
    await psql(primary, "DELETE FROM pitr_rows WHERE id <= 50; INSERT INTO pitr_rows SELECT generate_series(151, 160)");
    await switchAndWaitArchived(primary);
    // Every WAL file is stored encrypted: no plain gzip object at all.
    const stored = await readdir(walDir());
    expect(stored.filter((f) => f.endsWith(".gz.age")).length).toBeGreaterThanOrEqual(2);
    expect(stored.filter((f) => f.endsWith(".gz"))).toEqual([]);

    const into = join(dir, "restored");
    const early = await cli(["restore", "-i", "1", "--until", "2000-01-01T00:00:00Z", "--target", into], restoreConfig);
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toMatch(/before the end of the earliest base backup/);

    const restore = await cli(["restore", "-i", "1", "--until", target, "--target", into], restoreConfig);
    expect(restore.stderr).not.toMatch(/"level":(40|50|60)/);
    expect(restore.exitCode).toBe(0);
    expect(restore.stdout).toMatch(/recovery_target_time = '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+00'/);
    expect(await readFile(join(into, "postgresql.auto.conf"), "utf8")).not.toMatch(/recovery_target_time = '[^']*Z'/);

    const again = await cli(["restore", "-i", "1", "--until", target, "--target", into], restoreConfig);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/is not empty/);

    const started = await startArchivingServer(join(dir, "restored-run"), restoreConfig, into);
    stops.push(started.stop);
    restored = started.info;
    await waitPromoted(restored);
    expect(await ids(restored)).toEqual(range(1, 150));
  });

  // Independent from here on: the restored server (restoreConfig) and the primary (config).
  describe.concurrent("after the first recovery", () => {
    it("a second point-in-time recovery follows the restored server onto timeline 2; verify checks the chain across it", async ({ expect }) => {
      expect((await psql(restored, "SELECT timeline_id FROM pg_control_checkpoint()")).trim()).not.toBe("1");
      await psql(restored, "CHECKPOINT; INSERT INTO pitr_rows SELECT generate_series(1000, 1009)");
      const target = await targetNow(restored);
      await psql(restored, "DELETE FROM pitr_rows");
      await switchAndWaitArchived(restored);
      expect(await readdir(walDir())).toContain("00000002.history.gz.json");

      // verify of the PITR instance: the chain from the base backup is continuous onto timeline 2 (history files decrypted)…
      const verified = await cli(["verify", "-i", "1", "--latest"], restoreConfig);
      expect(verified.stdout).toMatch(/wal-chain: continuous 0{7}1\w{16} … 0{7}2\w{16} on timeline 2/);
      expect(verified.exitCode).toBe(0);
      // …and a segment gone from inside it (the base backup's last one) is reported, by name (then put back for the recovery below).
      const sidecar = JSON.parse(await readFile(join(baseDir(), (await readdir(baseDir())).find((f) => f.endsWith(".json")) ?? ""), "utf8"));
      const removed = segmentName(1, lastSegnoOfEnd(sidecar.pitr.stop_lsn));
      const markerFile = join(walDir(), `${removed}.gz.json`);
      const marker = await readFile(markerFile);
      await rm(markerFile);
      const broken = await cli(["verify", "-i", "1", "--latest"], restoreConfig);
      expect(broken.exitCode).toBe(1);
      expect(broken.stdout).toContain(removed);
      await writeFile(markerFile, marker);

      const into = join(dir, "restored-2");
      const restore = await cli(["restore", "-i", "1", "--until", target, "--target", into], restoreConfig);
      expect(restore.exitCode).toBe(0);
      // Not archiving: nothing after it reads its timeline, and its pushes would only cost time.
      await mkdir(join(dir, "restored-2-run"));
      const started = await startPostgres(join(dir, "restored-2-run"), undefined, { data: into });
      stops.push(started.stop);
      await waitPromoted(started.info);
      expect(await ids(started.info)).toEqual([...range(1, 150), ...range(1000, 1009)]);
    });

    it("a remote down fails archiving (the segment stays in pg_wal); back up, archiving catches up to the remote", async ({ expect }) => {
      const stat = async () => (await psql(primary, "SELECT failed_count, coalesce(last_archived_wal, '') FROM pg_stat_archiver")).trim().split("|");
      const failedBefore = Number((await stat())[0]);
      gate.setOpen(false);
      await writeConfig(true);
      await psql(primary, "INSERT INTO pitr_rows SELECT generate_series(3000, 3009)");
      // The insert position: with synchronous_commit off the write position may still sit on the last switch's boundary.
      const name = (await psql(primary, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")).trim();
      await psql(primary, "SELECT pg_switch_wal()");
      await poll("an archiving failure", async () => (Number((await stat())[0]) > failedBefore ? true : null));
      const pgWal = join(dir, "primary", "data", "pg_wal");
      expect(existsSync(join(pgWal, name))).toBe(true);
      expect(existsSync(join(pgWal, "archive_status", `${name}.ready`))).toBe(true);
      // Local storage got it, the remote did not: no marker there, so it is not archived yet.
      expect([...(await s3Objects(s3, "db01/postgres-1/_wal/")).keys()]).not.toContain(`db01/postgres-1/_wal/${name}.gz.json`);

      gate.setOpen(true);
      await poll(`${name} archived after the remote came back`, async () => (((await stat())[1]?.slice(8) ?? "") >= name.slice(8) ? true : null));
      expect(existsSync(join(pgWal, "archive_status", `${name}.ready`))).toBe(false);
      const remote = await s3Objects(s3, "db01/postgres-1/_wal/");
      const local = await readFile(join(walDir(), `${name}.gz.json`), "utf8");
      expect(JSON.parse(remote.get(`db01/postgres-1/_wal/${name}.gz.json`)?.toString("utf8") ?? "{}").sha256).toBe(JSON.parse(local).sha256);
      // Encrypted per push (the local copy came from the failed attempt): the remote's object is the one its own marker describes.
      const object = remote.get(`db01/postgres-1/_wal/${name}.gz.age`) ?? Buffer.alloc(0);
      expect(createHash("sha256").update(object).digest("hex")).toBe(JSON.parse(remote.get(`db01/postgres-1/_wal/${name}.gz.json`)?.toString("utf8") ?? "{}").stored.sha256);
    });
  });
});
