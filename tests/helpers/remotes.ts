import { GetObjectCommand, ListObjectsV2Command, HeadObjectCommand } from "@aws-sdk/client-s3";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import type { S3Server } from "./s3.js";
import type { SshServer } from "./sshd.js";

/** Config entries for the test servers (pure functions: no I/O). */
export function s3Remote(s3: S3Server, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "offsite",
    type: "s3",
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    force_path_style: true,
    access_key_id: s3.accessKeyId,
    secret_access_key: "${env:TEST_S3_SECRET}",
    ...extra,
  };
}

export function sftpRemote(ssh: SshServer, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "nas",
    type: "sftp",
    host: ssh.host,
    port: ssh.port,
    username: ssh.username,
    private_key_file: ssh.clientKeyFile,
    passphrase: "${env:TEST_SFTP_PASSPHRASE}",
    host_key_sha256: ssh.hostKeySha256,
    path,
    ...extra,
  };
}

/** Run records (`<server>/.runs/…`, see catalog/run-record.ts) are left out: these helpers count backups. */
const isRunRecord = (key: string) => /(^|\/)\.runs\//.test(key);

/** Every object in the bucket below `prefix` (run records left out), as key → bytes. */
export async function s3Objects(s3: S3Server, prefix = ""): Promise<Map<string, Buffer>> {
  const client = s3.client();
  try {
    const out = new Map<string, Buffer>();
    const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    for (const item of page.Contents ?? []) {
      if (isRunRecord(item.Key ?? "")) continue;
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: item.Key }));
      out.set(item.Key as string, Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()));
    }
    return out;
  } finally {
    client.destroy();
  }
}

export async function s3Metadata(s3: S3Server, key: string): Promise<Record<string, string>> {
  const client = s3.client();
  try {
    return (await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }))).Metadata ?? {};
  } finally {
    client.destroy();
  }
}

/** Every file below `dir` (the SFTP server's side of a remote is a local directory here), relative, "/"-separated. */
export async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .filter((f) => !isRunRecord(f))
    .sort();
}
