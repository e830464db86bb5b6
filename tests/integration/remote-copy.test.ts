import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { filesBelow, s3Metadata, s3Objects, s3Remote, sftpRemote } from "../helpers/remotes.js";
import { startRemoteServers, type RemoteServers } from "../helpers/remote-servers.js";
import type { S3Server } from "../helpers/s3.js";
import type { SshServer } from "../helpers/sshd.js";

let servers: RemoteServers | undefined;
let dir: string;
let s3: S3Server;
let ssh: SshServer;
let env: Record<string, string>;

beforeAll(async () => {
  servers = await startRemoteServers("vya-remote-");
  ({ dir, s3, ssh, env } = servers);
  await writeFile(join(dir, "src", "a.txt"), "hello remote\n");
  await writeFile(join(dir, "src", "b.bin"), randomBytes(200_000));
});
afterAll(async () => {
  await servers?.stop();
});

/** A config with one files instance and the given remotes; each case gets its own local root. */
async function writeConfig(name: string, remotes: Record<string, unknown>[], local: Record<string, unknown> = {}, paths = [`${dir}/src/*`]): Promise<{ file: string; local: string }> {
  const localRoot = join(dir, name, "local");
  const file = join(dir, name, "config.yaml");
  await mkdir(join(dir, name), { recursive: true });
  const config = {
    server: { name: "db01" },
    storage: { local: { path: localRoot, ...local }, remotes },
    instances: [{ id: 3, name: "app-files", type: "files", paths, compression_level: 1 }],
  };
  await writeFile(file, stringify(config));
  return { file, local: localRoot };
}

function expectNoSecrets(...outputs: unknown[]): void {
  for (const output of outputs) {
    const text = String(output);
    expect(text).not.toContain(s3.secretAccessKey);
    expect(text).not.toContain(ssh.passphrase);
  }
}

describe("copies to S3 and SFTP", () => {
  it("copies every archive and sidecar byte-exact to both remotes, sha256 in the S3 metadata", async () => {
    const { file, local } = await writeConfig("both", [s3Remote(s3, { prefix: "backups/db01" }), sftpRemote(ssh, join(ssh.root, "both"))]);
    const result = await runCli(["-c", file, "--json", "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { units: { status: string; remotes: { remote: string; status: string }[] }[] };
    expect(report.units[0]?.remotes.map((r) => [r.remote, r.status])).toEqual([
      ["offsite", "success"],
      ["nas", "success"],
    ]);

    const localFiles = await filesBelow(local);
    expect(localFiles).toHaveLength(2);
    const archiveKey = localFiles.find((f) => f.endsWith(".tar.gz")) as string;
    expect(localFiles).toContain(`${archiveKey}.json`);

    const objects = await s3Objects(s3, "backups/db01/");
    expect([...objects.keys()].sort()).toEqual(localFiles.map((f) => `backups/db01/${f}`));
    const sftpFiles = await filesBelow(join(ssh.root, "both"));
    expect(sftpFiles).toEqual(localFiles);
    for (const key of localFiles) {
      const bytes = await readFile(join(local, key));
      expect(objects.get(`backups/db01/${key}`)?.equals(bytes), key).toBe(true);
      expect((await readFile(join(ssh.root, "both", key))).equals(bytes), key).toBe(true);
    }
    const sidecar = JSON.parse(await readFile(join(local, `${archiveKey}.json`), "utf8")) as { archive: { sha256: string } };
    expect((await s3Metadata(s3, `backups/db01/${archiveKey}`)).sha256).toBe(sidecar.archive.sha256);
    expectNoSecrets(result.stdout, result.stderr, ...[...objects.values()].map((b) => b.toString("latin1")));
  });

  it("copies several units running at once over the same remote connections", async () => {
    const name = "concurrent";
    const localRoot = join(dir, name, "local");
    await mkdir(join(dir, name), { recursive: true });
    const file = join(dir, name, "config.yaml");
    await writeFile(
      file,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: localRoot }, remotes: [s3Remote(s3, { prefix: name }), sftpRemote(ssh, join(ssh.root, name))] },
        instances: [1, 2, 3, 4].map((id) => ({ id, name: `files-${id}`, type: "files", paths: [`${dir}/src/*`] })),
        options: { concurrency: 4 },
      }),
    );
    const result = await runCli(["-c", file, "backup"], { env });
    expect(result.exitCode, String(result.stdout)).toBe(0);
    const localFiles = await filesBelow(localRoot);
    expect(localFiles).toHaveLength(8);
    expect(await filesBelow(join(ssh.root, name))).toEqual(localFiles);
    const objects = await s3Objects(s3, `${name}/`);
    for (const key of localFiles) {
      const bytes = await readFile(join(localRoot, key));
      expect(objects.get(`${name}/${key}`)?.equals(bytes), key).toBe(true);
      expect((await readFile(join(ssh.root, name, key))).equals(bytes), key).toBe(true);
    }
  });

  it("uploads an archive larger than one part through the multipart path", async () => {
    const big = join(dir, "big-src");
    await mkdir(big, { recursive: true });
    await writeFile(join(big, "random.bin"), randomBytes(12 * 1024 * 1024));
    const { file, local } = await writeConfig("multipart", [s3Remote(s3, { prefix: "mp" })], {}, [`${big}/*`]);
    const result = await runCli(["-c", file, "--log-level", "debug", "backup"], { env: { ...env, VYA_BACKUPDB_S3_PART_SIZE: String(5 * 1024 * 1024) } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const archiveKey = (await filesBelow(local)).find((f) => f.endsWith(".tar.gz")) as string;
    const bytes = await readFile(join(local, archiveKey));
    expect(bytes.length).toBeGreaterThan(10 * 1024 * 1024);
    const objects = await s3Objects(s3, "mp/");
    expect(objects.get(`mp/${archiveKey}`)?.equals(bytes)).toBe(true);
    const uploaded = String(result.stderr)
      .split("\n")
      .filter((l) => l.includes("uploaded and verified"))
      .map((l) => JSON.parse(l) as { key: string; multipart: boolean; parts: number })
      .filter((l) => l.key.endsWith(".tar.gz"));
    expect(uploaded).toEqual([expect.objectContaining({ multipart: true, parts: 3 })]);
    expectNoSecrets(result.stdout, result.stderr);
  });

  it("storage.local.keep: false removes the local copy only after both remotes verified it", async () => {
    const { file, local } = await writeConfig("nokeep", [s3Remote(s3, { prefix: "nokeep" }), sftpRemote(ssh, join(ssh.root, "nokeep"))], { keep: false });
    const result = await runCli(["-c", file, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    // The table's last column wraps to fit 100 columns.
    expect(String(result.stdout).replace(/\s+/g, " ")).toContain(".tar.gz + offsite, nas (local copy removed)");
    expect(await filesBelow(local)).toEqual([]);
    expect((await s3Objects(s3, "nokeep/")).size).toBe(2);
    expect(await filesBelow(join(ssh.root, "nokeep"))).toHaveLength(2);
  });

  it("keep: false keeps the local copy when a remote fails", async () => {
    const { file, local } = await writeConfig("nokeep-fail", [sftpRemote(ssh, join(ssh.root, "nokeep-fail"), { host_key_sha256: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })], { keep: false });
    const result = await runCli(["-c", file, "backup"], { env });
    expect(result.exitCode).toBe(1);
    expect(await filesBelow(local)).toHaveLength(2);
  });
});

describe("failing remotes", () => {
  it("refuses a wrong host key, names the remote and the fingerprint seen, keeps the local backup", async () => {
    const { file, local } = await writeConfig("hostkey", [sftpRemote(ssh, join(ssh.root, "hostkey"), { host_key_sha256: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })]);
    const result = await runCli(["-c", file, "backup"], { env: { ...env, VYA_BACKUPDB_RETRY_DELAY_MS: "10" } });
    expect(result.exitCode).toBe(1);
    const out = `${String(result.stdout)}\n${String(result.stderr)}`;
    expect(out).toContain('remote "nas"');
    expect(out).toContain(`the server presented ${ssh.hostKeySha256}`);
    expect(out).not.toContain("retrying"); // a host key mismatch is never retried
    expect(await filesBelow(local)).toHaveLength(2);
    expect(await filesBelow(join(ssh.root, "hostkey"))).toEqual([]);
    expectNoSecrets(result.stdout, result.stderr);
  });

  it("accepts the host key from a known_hosts file, and refuses a host missing from it with the fingerprint to pin", async () => {
    const knownHosts = join(dir, "known_hosts");
    await writeFile(knownHosts, `[127.0.0.1]:${ssh.port} ${ssh.hostKeyLine}\n`);
    const good = await writeConfig("known-ok", [sftpRemote(ssh, join(ssh.root, "known-ok"), { host_key_sha256: undefined, known_hosts: knownHosts })]);
    const ok = await runCli(["-c", good.file, "backup"], { env });
    expect(ok.exitCode, String(ok.stderr)).toBe(0);
    expect(await filesBelow(join(ssh.root, "known-ok"))).toHaveLength(2);

    const otherHosts = join(dir, "known_hosts_other");
    await writeFile(otherHosts, `otherhost ${ssh.hostKeyLine}\n`);
    const bad = await writeConfig("known-missing", [sftpRemote(ssh, join(ssh.root, "known-missing"), { host_key_sha256: undefined, known_hosts: otherHosts })]);
    const refused = await runCli(["-c", bad.file, "backup"], { env });
    expect(refused.exitCode).toBe(1);
    expect(String(refused.stdout) + String(refused.stderr)).toContain(`host_key_sha256: "${ssh.hostKeySha256}"`);
  });

  it("retries a dead S3 endpoint with backoff, then fails the run (exit 1) naming the remote; the local copy stays", async () => {
    const { file, local } = await writeConfig("dead", [s3Remote(s3, { name: "dead-s3", endpoint: "http://127.0.0.1:9", retries: 2 })]);
    const result = await runCli(["-c", file, "backup"], { env: { ...env, VYA_BACKUPDB_RETRY_DELAY_MS: "10" } });
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr);
    expect(stderr.match(/attempt \d failed, retrying/g)).toHaveLength(2);
    expect(String(result.stdout)).toContain('remote "dead-s3"');
    expect(String(result.stdout)).toMatch(/ECONNREFUSED/);
    const files = await filesBelow(local);
    expect(files).toHaveLength(2);
    expectNoSecrets(result.stdout, result.stderr);
  });

  it("does not retry an authentication failure and never prints the password", async () => {
    const password = `wrong-pass-${randomBytes(6).toString("hex")}`;
    const { file, local } = await writeConfig("auth", [
      sftpRemote(ssh, join(ssh.root, "auth"), { private_key_file: undefined, passphrase: undefined, password: "${env:TEST_SFTP_PASSWORD}" }),
    ]);
    const result = await runCli(["-c", file, "--log-level", "debug", "--json", "backup"], { env: { ...env, TEST_SFTP_PASSWORD: password, VYA_BACKUPDB_RETRY_DELAY_MS: "10" } });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/remote \\?"nas\\?".*authentication failed/);
    expect(String(result.stderr)).not.toContain("retrying");
    expect(String(result.stdout) + String(result.stderr)).not.toContain(password);
    expect(await filesBelow(local)).toHaveLength(2);
  });
});

describe("credentials and object options", () => {
  it("takes S3 credentials from the AWS chain (environment) when the config names none", async () => {
    const { file, local } = await writeConfig("chain", [s3Remote(s3, { prefix: "chain", access_key_id: undefined, secret_access_key: undefined })]);
    const result = await runCli(["-c", file, "backup"], { env: { ...env, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect([...(await s3Objects(s3, "chain/")).keys()].sort()).toEqual((await filesBelow(local)).map((f) => `chain/${f}`));
    expectNoSecrets(result.stdout, result.stderr);
  });

  it("asks for server-side encryption and the storage class on every archive upload", async () => {
    const { file } = await writeConfig("sse", [s3Remote(s3, { prefix: "sse", server_side_encryption: "AES256", storage_class: "STANDARD_IA" })]);
    const started = s3.requestHeaders.length;
    const result = await runCli(["-c", file, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const all = s3.requestHeaders.slice(started).filter((r) => r.line.startsWith("PUT /vya-test/sse/"));
    // The run's record of its planned units (verify --latest) goes first; then archive and sidecar, each a single part.
    expect(all.filter((r) => r.line.includes("/.runs/"))).toHaveLength(1);
    const puts = all.filter((r) => !r.line.includes("/.runs/"));
    expect(puts).toHaveLength(2);
    for (const put of puts) {
      expect(put.headers["x-amz-server-side-encryption"]).toBe("AES256");
      expect(put.headers["x-amz-storage-class"]).toBe("STANDARD_IA");
      expect(put.headers["content-md5"]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(put.headers["x-amz-meta-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("accepts the SFTP private key itself through a secret reference", async () => {
    const { file, local } = await writeConfig("inline-key", [
      sftpRemote(ssh, join(ssh.root, "inline-key"), { private_key_file: undefined, private_key: `\${file:${ssh.clientKeyFile}}` }),
    ]);
    const result = await runCli(["-c", file, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await filesBelow(join(ssh.root, "inline-key"))).toEqual(await filesBelow(local));
    const key = await readFile(ssh.clientKeyFile, "utf8");
    expect(String(result.stdout) + String(result.stderr)).not.toContain(key.split("\n")[1]);
  });
});

describe("unusable remotes", () => {
  it("fails the unit naming the remote when its private key file cannot be read", async () => {
    const { file, local } = await writeConfig("nokey", [sftpRemote(ssh, join(ssh.root, "nokey"), { private_key_file: join(dir, "missing-key") })]);
    const result = await runCli(["-c", file, "backup"], { env });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toContain(`remote "nas": cannot read private_key_file ${join(dir, "missing-key")}`);
    expect(await filesBelow(local)).toHaveLength(2);
  });

  it("list --storage on an unreachable remote exits 1 with one line naming it", async () => {
    const { file } = await writeConfig("list-dead", [s3Remote(s3, { name: "dead-s3", endpoint: "http://127.0.0.1:9", retries: 0 })]);
    const result = await runCli(["-c", file, "list", "--storage", "dead-s3"], { env });
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr).trim()).toMatch(/^vya-backupdb: remote "dead-s3": list .*ECONNREFUSED/);
    expect(String(result.stderr)).not.toMatch(/\n\s+at /); // no stack trace
    expectNoSecrets(result.stdout, result.stderr);
  });
});

describe("rejected credentials", () => {
  // s3rver checks the access key id but not SigV4 signatures, so the refusal comes from an unknown key id.
  it("does not retry S3's refusal of unknown credentials and never prints the secret key", async () => {
    const wrong = `wrong-s3-secret-${randomBytes(6).toString("hex")}`;
    const { file, local } = await writeConfig("s3-auth", [s3Remote(s3, { prefix: "auth", access_key_id: "UNKNOWNKEY", secret_access_key: "${env:WRONG_SECRET}" })]);
    const result = await runCli(["-c", file, "--log-level", "debug", "backup"], { env: { ...env, WRONG_SECRET: wrong, VYA_BACKUPDB_RETRY_DELAY_MS: "10" } });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/remote "offsite".*Access Key Id you provided does not exist/);
    expect(String(result.stderr)).not.toContain("retrying");
    expect(String(result.stdout) + String(result.stderr)).not.toContain(wrong);
    expect(await filesBelow(local)).toHaveLength(2);
    expect((await s3Objects(s3, "auth/")).size).toBe(0);
  });
});

describe("backup --dry-run", () => {
  it("checks each remote is reachable and writable with a probe it deletes", async () => {
    const { file, local } = await writeConfig("probe", [s3Remote(s3, { prefix: "probe" }), sftpRemote(ssh, join(ssh.root, "probe"))]);
    const result = await runCli(["-c", file, "backup", "--dry-run"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/ok\s+offsite\s+s3/);
    expect(String(result.stdout)).toMatch(/ok\s+nas\s+sftp/);
    expect((await s3Objects(s3, "probe/")).size).toBe(0);
    expect(await filesBelow(join(ssh.root, "probe"))).toEqual([]);
    expect(await readdir(local).catch(() => [])).toEqual([]);
  });

  it("fails (exit 1) when a remote is unreachable", async () => {
    const { file } = await writeConfig("probe-dead", [s3Remote(s3, { name: "dead-s3", endpoint: "http://127.0.0.1:9", retries: 0 })]);
    const result = await runCli(["-c", file, "backup", "--dry-run"], { env });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/FAILED\s+dead-s3\s+s3\s+remote "dead-s3"/);
  });
});
