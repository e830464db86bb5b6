import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BIN } from "../helpers/cli.js";
import { filesBelow, s3Objects, s3Remote, sftpRemote } from "../helpers/remotes.js";
import { startRemoteServers, type RemoteServers } from "../helpers/remote-servers.js";
import type { S3Server } from "../helpers/s3.js";
import type { SshServer } from "../helpers/sshd.js";

let servers: RemoteServers | undefined;
let dir: string;
let s3: S3Server;
let ssh: SshServer;
let env: Record<string, string>;

beforeAll(async () => {
  servers = await startRemoteServers("vya-remote-int-");
  ({ dir, s3, ssh, env } = servers);
  // Incompressible and stored (level 0): big enough that the upload takes a while on loopback.
  await writeFile(join(dir, "src", "blob.bin"), randomBytes(96 * 1024 * 1024));
});
afterAll(async () => {
  await servers?.stop();
});

async function writeConfig(name: string, remote: Record<string, unknown>): Promise<{ file: string; local: string }> {
  const local = join(dir, name, "local");
  const file = join(dir, name, "config.yaml");
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(
    file,
    stringify({
      server: { name: "db01" },
      storage: { local: { path: local, keep: false }, remotes: [remote] },
      instances: [{ id: 3, name: "blob", type: "files", paths: [`${dir}/src/*`], compression_level: 0 }],
    }),
  );
  return { file, local };
}

/** Starts the CLI without waiting: clean env plus the remotes' secrets, never throwing on a non-zero exit. */
function spawnCli(args: string[], extraEnv: Record<string, string> = {}) {
  return execa(BIN, args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env, ...extraEnv },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
}

/** Whether a file being downloaded into `scratch` has passed `bytes` (the moment to cut the connection). */
async function downloadPast(scratch: string, bytes: number): Promise<boolean> {
  const downloading = (await readdir(scratch, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const sizes = await Promise.all(downloading.map((e) => stat(join(e.parentPath, e.name)).then((s) => s.size, () => 0)));
  return sizes.some((size) => size > bytes);
}

/**
 * Polls (every 10 ms) while `child` runs; once `ready()` holds, calls `act()`, and stops when that
 * took effect. Whether it did before the child exited: the tests need to know they interrupted it.
 */
async function actWhen(child: { exitCode: number | null }, ready: () => Promise<boolean>, act: () => boolean): Promise<boolean> {
  while (child.exitCode === null) {
    if (await ready()) {
      if (act()) return true;
    } else await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** Kills every sshd session (each connection is served by a child of the listening sshd); whether there was one. */
function cutSftpConnections(): boolean {
  const sessions = ssh.sessions();
  for (const pid of sessions) process.kill(pid, "SIGKILL");
  return sessions.length > 0;
}

/** Starts a backup, sends SIGTERM once `ready()` says the upload is under way, returns the result. */
async function killDuringUpload(config: string, ready: () => Promise<boolean>, extraEnv: Record<string, string> = {}) {
  const child = spawnCli(["-c", config, "backup"], extraEnv);
  const killed = await actWhen(child, ready, () => {
    child.kill("SIGTERM");
    return true;
  });
  const result = await child;
  return { result, killed };
}

describe("an upload killed midway", () => {
  it("SFTP: exits 143, removes the temporary file, leaves no sidecar remotely; the local copy stays", async () => {
    const root = join(ssh.root, "killed");
    const { file, local } = await writeConfig("sftp", sftpRemote(ssh, root));
    const { result, killed } = await killDuringUpload(file, async () => (await filesBelow(root)).some((f) => f.endsWith(".partial")));
    expect(killed, `the upload finished before it could be interrupted: ${String(result.stderr)}`).toBe(true);
    expect(result.exitCode, String(result.stderr)).toBe(143);
    expect(await filesBelow(root)).toEqual([]);
    const kept = await filesBelow(local);
    expect(kept.filter((f) => f.endsWith(".tar.gz") || f.endsWith(".tar.gz.json"))).toHaveLength(2);
    expect(String(result.stderr)).not.toContain(ssh.passphrase);
  });

  it("S3: exits 143, aborts the multipart upload, leaves no object and no sidecar; the local copy stays", async () => {
    const { file, local } = await writeConfig("s3", s3Remote(s3, { prefix: "killed" }));
    const started = s3.requests.length;
    const { result, killed } = await killDuringUpload(file, async () => s3.requests.slice(started).some((r) => r.startsWith("PUT ") && r.includes("partNumber=")), {
      VYA_BACKUPDB_S3_PART_SIZE: String(5 * 1024 * 1024),
    });
    expect(killed, `the upload finished before it could be interrupted: ${String(result.stderr)}`).toBe(true);
    expect(result.exitCode, String(result.stderr)).toBe(143);
    expect((await s3Objects(s3, "killed/")).size).toBe(0);
    const mine = s3.requests.slice(started);
    const initiated = mine.find((r) => r.startsWith("POST ") && r.includes("?uploads"));
    expect(initiated).toBeDefined();
    expect(mine.some((r) => r.startsWith("DELETE ") && r.includes("uploadId="))).toBe(true);
    expect(mine.some((r) => r.startsWith("POST ") && r.includes("uploadId="))).toBe(false); // never completed
    expect(await filesBelow(local)).toHaveLength(2);
    expect(String(result.stderr)).not.toContain(s3.secretAccessKey);
  });
});

describe("a connection dropped midway", () => {
  it("SFTP: the upload is retried on a new connection and completes byte-exact, leaving no temporary file", async () => {
    const root = join(ssh.root, "dropped");
    const { file, local } = await writeConfig("dropped", sftpRemote(ssh, root, { retries: 3 }));
    await writeFile(file, (await readFile(file, "utf8")).replace("keep: false", "keep: true"));
    const child = spawnCli(["-c", file, "backup"], { VYA_BACKUPDB_RETRY_DELAY_MS: "50" });
    const dropped = await actWhen(child, async () => (await filesBelow(root)).some((f) => f.endsWith(".partial")), cutSftpConnections);
    const result = await child;
    expect(dropped, "the upload finished before the connection could be cut").toBe(true);
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toMatch(/attempt 1 failed, retrying/);
    const localFiles = await filesBelow(local);
    expect(await filesBelow(root)).toEqual(localFiles); // no .partial left behind
    for (const key of localFiles) expect((await readFile(join(root, key))).equals(await readFile(join(local, key))), key).toBe(true);
  });

  it("SFTP: a download whose connection drops resumes on a new connection, and verify passes", async () => {
    const root = join(ssh.root, "download");
    const scratch = join(dir, "scratch");
    await mkdir(scratch, { recursive: true });
    const file = join(dir, "download.yaml");
    await writeFile(
      file,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: join(dir, "download-local"), keep: false }, remotes: [sftpRemote(ssh, root, { retries: 3 })] },
        instances: [{ id: 3, name: "blob", type: "files", paths: [`${dir}/src/*`], compression_level: 0 }],
        options: { tmp_dir: scratch },
      }),
    );
    const backup = await execa(BIN, ["-c", file, "backup"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env }, extendEnv: false, reject: false });
    expect(backup.exitCode, String(backup.stdout)).toBe(0);
    const name = ((await filesBelow(root)).find((f) => f.endsWith(".tar.gz")) ?? "").split("/").pop() ?? "";

    const child = spawnCli(["-c", file, "verify", "--file", name, "--storage", "nas"], { VYA_BACKUPDB_RETRY_DELAY_MS: "50" });
    const dropped = await actWhen(child, () => downloadPast(scratch, 8 * 1024 * 1024), cutSftpConnections);
    const result = await child;
    expect(dropped, "the download finished before the connection could be cut").toBe(true);
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain("1 archive verified");
    expect(String(result.stderr)).toMatch(/download .*attempt 1 failed, retrying/);
    expect(await readdir(scratch)).toEqual([]); // the downloaded copy is removed afterwards
  });

  it("S3: a download whose connection drops resumes with a Range request, and verify passes", async () => {
    const scratch = join(dir, "scratch-s3");
    await mkdir(scratch, { recursive: true });
    const file = join(dir, "download-s3.yaml");
    await writeFile(
      file,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: join(dir, "download-s3-local"), keep: false }, remotes: [s3Remote(s3, { prefix: "download", retries: 3 })] },
        instances: [{ id: 3, name: "blob", type: "files", paths: [`${dir}/src/*`], compression_level: 0 }],
        options: { tmp_dir: scratch },
      }),
    );
    const processEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env, VYA_BACKUPDB_RETRY_DELAY_MS: "50" };
    const backup = await execa(BIN, ["-c", file, "backup"], { env: processEnv, extendEnv: false, reject: false });
    expect(backup.exitCode, String(backup.stdout)).toBe(0);
    const key = [...(await s3Objects(s3, "download/")).keys()].find((k) => k.endsWith(".tar.gz")) ?? "";
    const name = key.split("/").pop() ?? "";

    const started = s3.requestHeaders.length;
    const child = execa(BIN, ["-c", file, "verify", "--file", name, "--storage", "offsite"], { env: processEnv, extendEnv: false, reject: false, stdin: "ignore" });
    const dropped = await actWhen(child, () => downloadPast(scratch, 8 * 1024 * 1024), () => s3.dropConnections() > 0);
    const result = await child;
    expect(dropped, "the download finished before the connection could be cut").toBe(true);
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain("1 archive verified");
    expect(String(result.stderr)).toMatch(/download .*attempt 1 failed, retrying/);
    const ranged = s3.requestHeaders.slice(started).filter((r) => r.line.startsWith("GET ") && r.headers.range);
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged[0]?.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(ranged[0]?.headers["if-match"]).toBeTruthy();
  });
});
