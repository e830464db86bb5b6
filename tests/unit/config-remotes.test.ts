import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { s3ClientConfig } from "../../src/storage/s3-client.js";
import { normalizePrefix } from "../../src/storage/s3.js";
import { ConfigError } from "../../src/util/errors.js";

const base = { server: { name: "db01" }, storage: { local: { path: "/var/backups/x" } } };
const s3 = { name: "offsite", type: "s3", bucket: "b" };
const sftp = { name: "nas", type: "sftp", host: "nas.local", username: "backup", path: "/srv/backups", private_key_file: "/etc/k" };

function problemsOf(remotes: unknown[], env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig({ ...base, storage: { ...base.storage, remotes } }, { file: "test.yaml", env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("remote config", () => {
  it("fills defaults (region, port, retries, path style)", () => {
    const { config } = parseConfig({ ...base, storage: { ...base.storage, remotes: [s3, sftp] } }, { file: "t", env: {} });
    expect(config.storage.remotes[0]).toMatchObject({ region: "us-east-1", prefix: "", force_path_style: false, retries: 4 });
    expect(config.storage.remotes[1]).toMatchObject({ port: 22, retries: 4 });
  });

  it.each([
    [[{ ...s3, access_key_id: "AKIA" }], "storage.remotes[0].secret_access_key: give access_key_id and secret_access_key together"],
    [[{ ...s3, secret_access_key: "x" }], "storage.remotes[0].access_key_id: give access_key_id and secret_access_key together"],
    [[{ ...s3, kms_key_id: "k" }], 'storage.remotes[0].kms_key_id: kms_key_id needs server_side_encryption: "aws:kms"'],
    [[{ ...sftp, private_key_file: undefined }], "storage.remotes[0].password: give private_key_file, private_key or password"],
    [[{ ...sftp, private_key: "k" }], "storage.remotes[0].private_key_file: give private_key or private_key_file, not both"],
    [[{ ...sftp, path: "backups" }], 'storage.remotes[0].path: expected an absolute path, got "backups"'],
    [[{ ...sftp, host_key_sha256: "SHA256:x", known_hosts: "/k" }], "storage.remotes[0].known_hosts: give host_key_sha256 or known_hosts, not both"],
    [[{ ...s3, name: "local" }], 'storage.remotes[0].name: "local" names the local storage'],
    [[s3, { ...sftp, name: "offsite" }], 'storage.remotes[1].name: duplicate remote name "offsite"'],
    [[{ ...s3, server_side_encryption: "SSE-C" }], "storage.remotes[0].server_side_encryption"],
    [[{ ...sftp, retries: 50 }], "storage.remotes[0].retries"],
  ])("rejects %j", (remotes, expected) => {
    expect(problemsOf(remotes).join("\n")).toContain(expected);
  });

  it("never shows a secret in a problem message", () => {
    const problems = problemsOf([{ ...s3, secret_access_key: "${env:S}", bucket: "" }], { S: "very-secret-value" });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).not.toContain("very-secret-value");
  });
});

describe("S3 client settings", () => {
  const remote = (extra: Record<string, unknown> = {}) =>
    parseConfig({ ...base, storage: { ...base.storage, remotes: [{ ...s3, ...extra }] } }, { file: "t", env: {} }).config.storage.remotes[0] as Parameters<typeof s3ClientConfig>[0];

  it("uses the AWS credential chain unless both keys are given, and never retries inside the SDK", () => {
    expect(s3ClientConfig(remote()).credentials).toBeUndefined();
    expect(s3ClientConfig(remote({ access_key_id: "A", secret_access_key: "B", session_token: "T" })).credentials).toEqual({ accessKeyId: "A", secretAccessKey: "B", sessionToken: "T" });
    expect(s3ClientConfig(remote()).maxAttempts).toBe(1);
  });

  it("sends checksums only when required to S3-compatible endpoints", () => {
    expect(s3ClientConfig(remote()).requestChecksumCalculation).toBeUndefined();
    expect(s3ClientConfig(remote({ endpoint: "http://127.0.0.1:9000", force_path_style: true }))).toMatchObject({
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
  });

  it.each([
    ["", ""],
    ["db01", "db01/"],
    ["/db01/", "db01/"],
    ["a/b//", "a/b/"],
  ])("prefix %j is the folder %j", (prefix, expected) => {
    expect(normalizePrefix(prefix)).toBe(expected);
  });
});
