import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { filesBelow, s3Remote, sftpRemote } from "../helpers/remotes.js";
import { startS3, type S3Server } from "../helpers/s3.js";
import { startSshd, type SshServer } from "../helpers/sshd.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * list, restore and verify from remote storage after the local copy is gone (keep: false):
 * restored trees are compared with the source bytes; a damaged remote copy is refused.
 */
let dir: string;
let cleanup: () => Promise<void>;
let s3: S3Server;
let ssh: SshServer;
let env: Record<string, string>;
let src: string;
let config: string;
let archiveName: string;
let archiveKey: string;

async function tree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.set(relative(root, join(entry.parentPath, entry.name)), (await readFile(join(entry.parentPath, entry.name))).toString("base64"));
  }
  return out;
}

function expectNoSecrets(...outputs: unknown[]): void {
  for (const output of outputs) {
    expect(String(output)).not.toContain(s3.secretAccessKey);
    expect(String(output)).not.toContain(ssh.passphrase);
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-remote-restore-"));
  [s3, ssh] = await Promise.all([startS3(), startSshd()]);
  env = { TEST_S3_SECRET: s3.secretAccessKey, TEST_SFTP_PASSPHRASE: ssh.passphrase };
  src = join(dir, "src");
  await mkdir(join(src, "sub"), { recursive: true });
  await writeFile(join(src, "a.txt"), "restored from far away\n");
  await writeFile(join(src, "sub", "blob.bin"), randomBytes(300_000));
  config = join(dir, "config.yaml");
  await writeFile(
    config,
    stringify({
      server: { name: "db01" },
      storage: { local: { path: join(dir, "local"), keep: false }, remotes: [s3Remote(s3, { prefix: "r" }), sftpRemote(ssh, join(ssh.root, "r"))] },
      instances: [{ id: 3, name: "app-files", type: "files", paths: [src] }],
    }),
  );
  const backup = await runCli(["-c", config, "--json", "backup"], { env });
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  expect(await filesBelow(join(dir, "local"))).toEqual([]); // only the remotes hold it now
  archiveKey = (await filesBelow(join(ssh.root, "r"))).find((f) => f.endsWith(".tar.gz")) as string;
  archiveName = archiveKey.split("/").pop() as string;
});
afterAll(async () => {
  await Promise.all([s3?.stop(), ssh?.stop()]);
  await cleanup?.();
});

describe("reading remote storage", () => {
  it.each(["offsite", "nas"])("list --storage %s lists the backup from its sidecar", async (name) => {
    const result = await runCli(["-c", config, "list", "--storage", name], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain(archiveName);
    expect(String(result.stdout)).toMatch(/1 backup in /);
    const local = await runCli(["-c", config, "list"], { env });
    expect(String(local.stdout)).not.toContain(archiveName);
    expectNoSecrets(result.stdout, result.stderr);
  });

  it.each(["offsite", "nas"])("restore --storage %s restores the same bytes with the local copy gone", async (name) => {
    const target = join(dir, `restored-${name}`);
    const result = await runCli(["-c", config, "restore", "--file", archiveName, "--storage", name, "--target", target], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await tree(join(target, relative("/", src)))).toEqual(await tree(src));
    expectNoSecrets(result.stdout, result.stderr);
  });

  it("restore without --storage looks locally, then in each remote in order", async () => {
    const target = join(dir, "restored-any");
    const result = await runCli(["-c", config, "--json", "restore", "--file", archiveName, "--target", target], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect((JSON.parse(String(result.stdout)) as { archive: { location: string } }).archive.location).toBe(`s3://${s3.bucket}/r/${archiveKey}`);
    expect(await tree(join(target, relative("/", src)))).toEqual(await tree(src));
  });

  it.each(["offsite", "nas"])("verify --storage %s checks the downloaded copy", async (name) => {
    const result = await runCli(["-c", config, "verify", "--file", archiveName, "--storage", name], { env });
    expect(result.exitCode, String(result.stdout)).toBe(0);
    expect(String(result.stdout)).toContain("1 archive verified");
  });

  it("refuses a damaged remote copy: verify and restore fail on the checksum, nothing restored", async () => {
    const copy = join(ssh.root, "r", archiveKey);
    const bytes = await readFile(copy);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff; // same size, different content
    await writeFile(copy, bytes);
    const verify = await runCli(["-c", config, "verify", "--file", archiveName, "--storage", "nas"], { env });
    expect(verify.exitCode).toBe(1);
    expect(String(verify.stdout)).toMatch(/FAIL checksum: .*sha256/);
    const target = join(dir, "restored-damaged");
    const restore = await runCli(["-c", config, "restore", "--file", archiveName, "--storage", "nas", "--target", target], { env });
    expect(restore.exitCode).toBe(1);
    expect(String(restore.stderr)).toMatch(/sha256/);
    expect(await readdir(target).catch(() => [])).toEqual([]);
  });

  it("names the storages searched when no storage holds the archive", async () => {
    const result = await runCli(["-c", config, "restore", "--file", "app-files_20000101T000000000Z_abcdef.tar.gz", "--target", join(dir, "nothing")], { env });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain("not in the remotes either (offsite, nas)");
  });

  it("lists an S3 object that is not a backup only with --all", async () => {
    const client = s3.client();
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "r/db01/app-files/stray.tar.gz", Body: "x" }));
    client.destroy();
    const plain = await runCli(["-c", config, "list", "--storage", "offsite"], { env });
    expect(String(plain.stdout)).not.toContain("stray.tar.gz");
    const all = await runCli(["-c", config, "list", "--storage", "offsite", "--all"], { env });
    expect(String(all.stdout)).toMatch(/stray\.tar\.gz\s+INCOMPLETE/);
  });
});
