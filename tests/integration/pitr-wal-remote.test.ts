import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { poll } from "../helpers/pitr-cluster.js";
import { sftpRemote } from "../helpers/remotes.js";
import { startSshd, type SshServer } from "../helpers/sshd.js";
import { startTcpGate, type TcpGate } from "../helpers/tcp-gate.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * wal-push with an SFTP remote behind a gate (no PostgreSQL needed: PostgreSQL only reads the
 * exit code): refused while the remote is down, stored once it is back; killed mid-upload, it
 * leaves nothing on the remote that looks archived.
 */
let dir: string;
let cleanup: () => Promise<void>;
let ssh: SshServer;
let gate: TcpGate;
let config: string;
const remoteRoot = () => join(ssh.root, "wal");
const remoteWal = () => join(remoteRoot(), "db01", "pg-wal", "_wal");
const localWal = () => join(dir, "store", "db01", "pg-wal", "_wal");
const env = () => ({ TEST_SFTP_PASSPHRASE: ssh.passphrase });
const push = (file: string, name: string) => runCli(["-c", config, "wal-push", file, name, "-i", "1"], { env: env() });

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-pitr-wal-remote-"));
  ssh = await startSshd();
  gate = await startTcpGate(ssh.port);
  await mkdir(remoteRoot(), { recursive: true });
  config = join(dir, "config.yaml");
  await writeFile(
    config,
    stringify({
      server: { name: "db01" },
      storage: { local: { path: join(dir, "store") }, remotes: [sftpRemote(ssh, remoteRoot(), { port: gate.port, retries: 0 })] },
      instances: [{ id: 1, name: "pg-wal", type: "postgres", user: "postgres", pitr: { enabled: true } }],
    }),
  );
});
afterAll(async () => {
  await gate?.stop();
  await ssh?.stop();
  await cleanup();
});

describe("wal-push to an SFTP remote", () => {
  it("refuses (exit 1, the segment is not archived there) while the SFTP server is down, and stores it once it is back", async () => {
    const name = "0000000100000000000000E0";
    const segment = join(dir, "seg-e0");
    const content = randomBytes(256 * 1024);
    await writeFile(segment, content);
    gate.setOpen(false);
    const down = await push(segment, name);
    expect(down.exitCode).toBe(1);
    expect(String(down.stderr)).toMatch(new RegExp(`wal-push ${name} failed \\(PostgreSQL keeps the file and retries\\): nas: `));
    expect(String(down.stderr)).not.toContain(ssh.passphrase);
    expect(existsSync(join(remoteWal(), `${name}.gz.json`))).toBe(false);
    // Local storage has it already: the retry finds it there and only completes the remote.
    expect(existsSync(join(localWal(), `${name}.gz.json`))).toBe(true);

    gate.setOpen(true);
    const back = await push(segment, name);
    expect(back.exitCode, String(back.stderr)).toBe(0);
    expect(gunzipSync(await readFile(join(remoteWal(), `${name}.gz`))).equals(content)).toBe(true);
    expect(JSON.parse(await readFile(join(remoteWal(), `${name}.gz.json`), "utf8"))).toMatchObject({ name, size_bytes: content.length });
  });

  it("killed mid-upload to the remote: nothing there looks archived (only a hidden .partial), and the retry stores it", async () => {
    const name = "0000000100000000000000E1";
    const segment = join(dir, "seg-e1");
    const content = randomBytes(2 * 1024 * 1024);
    await writeFile(segment, content);
    // Enough for the SSH handshake and a part of the upload, then the connection hangs.
    gate.stallAfter(512 * 1024);
    const child = startCli(["-c", config, "wal-push", segment, name, "-i", "1"], { env: env() });
    await poll("the upload to start", async () => ((await readdir(remoteWal()).catch(() => [])).some((f) => f.startsWith(`.${name}.gz`) && f.endsWith(".partial")) ? true : null), 60_000);
    child.kill("SIGKILL");
    expect((await child).signal).toBe("SIGKILL");
    gate.stallAfter(null);
    const left = (await readdir(remoteWal())).filter((f) => f.includes(name));
    expect(left.filter((f) => !f.startsWith("."))).toEqual([]);

    const retry = await push(segment, name);
    expect(retry.exitCode, String(retry.stderr)).toBe(0);
    expect(gunzipSync(await readFile(join(remoteWal(), `${name}.gz`))).equals(content)).toBe(true);
    expect(existsSync(join(remoteWal(), `${name}.gz.json`))).toBe(true);
  });
});
