import { readFileSync } from "node:fs";
import type { Config, Remote } from "../config/schema.js";
import { UsageError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";
import { defaultKnownHostsFiles } from "./host-key.js";
import { LocalStorage } from "./local.js";
import { RemoteError } from "./remote-error.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
import type { Storage } from "./storage.js";
import { UnavailableStorage } from "./unavailable.js";

export interface StorageContext {
  redactor: Redactor;
  logger?: Logger | undefined;
  /** Read for the two tuning knobs below; defaults to process.env. */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Tuning knobs read from the environment, in this one place. Not config keys: they exist so
 * tests and benchmarks can shorten backoff delays and exercise multipart uploads with small
 * files, against real servers, without mocks.
 *   VYA_BACKUPDB_RETRY_DELAY_MS  first retry delay (default 1000; the cap is 30× that)
 *   VYA_BACKUPDB_S3_PART_SIZE    smallest S3 part in bytes (default and minimum 5 MiB)
 */
export function tuningFromEnv(env: NodeJS.ProcessEnv = process.env): { retryDelayMs: number | undefined; s3PartSize: number | undefined } {
  const num = (name: string) => {
    const value = env[name];
    if (value === undefined || value === "") return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name}=${value}: expected a non-negative number`);
    return n;
  };
  return { retryDelayMs: num("VYA_BACKUPDB_RETRY_DELAY_MS"), s3PartSize: num("VYA_BACKUPDB_S3_PART_SIZE") };
}

export function retryPolicyFor(remote: Remote, env?: NodeJS.ProcessEnv): RetryPolicy {
  const delay = tuningFromEnv(env).retryDelayMs;
  return delay === undefined ? { ...DEFAULT_RETRY, retries: remote.retries } : { retries: remote.retries, minDelayMs: delay, maxDelayMs: delay * 30 };
}

/**
 * Opens the storage a remote config names. Nothing connects before the first operation, and a
 * backend's code (the AWS SDK, ssh2) is loaded only when a remote of its type is opened.
 */
export async function openRemote(remote: Remote, ctx: StorageContext): Promise<Storage> {
  const env = ctx.env ?? process.env;
  const retry = retryPolicyFor(remote, env);
  const onRetry = (what: string, attempt: number, error: Error) =>
    ctx.logger?.warn({ remote: remote.name, attempt, err: ctx.redactor.redact(error.message) }, `${what}: attempt ${attempt} failed, retrying`);
  if (remote.type === "s3") {
    const [{ S3Storage }, { createS3Client }] = await Promise.all([import("./s3.js"), import("./s3-client.js")]);
    return new S3Storage(remote, createS3Client(remote), {
      retry,
      partSize: tuningFromEnv(env).s3PartSize,
      onRetry,
      onUploaded: (info) => ctx.logger?.debug({ remote: remote.name, ...info }, "uploaded and verified"),
    });
  }
  let privateKey: string | undefined = remote.private_key;
  if (remote.private_key_file !== undefined) {
    try {
      privateKey = readFileSync(remote.private_key_file, "utf8");
    } catch (err) {
      throw new RemoteError(remote.name, `cannot read private_key_file ${remote.private_key_file}`, err);
    }
    ctx.redactor.add(privateKey);
  }
  const { SftpStorage } = await import("./sftp.js");
  return new SftpStorage(
    remote.name,
    {
      host: remote.host,
      port: remote.port,
      username: remote.username,
      password: remote.password,
      privateKey,
      passphrase: remote.passphrase,
      hostKey: {
        sha256: remote.host_key_sha256,
        knownHostsFiles: remote.known_hosts !== undefined ? [remote.known_hosts] : defaultKnownHostsFiles(),
        host: remote.host,
        port: remote.port,
      },
      root: remote.path,
    },
    { retry, onRetry },
  );
}

export function openLocal(config: Config): LocalStorage {
  return new LocalStorage(config.storage.local.path, "local");
}

/** "local" or a remote's name, as `--storage NAME` takes it. */
export async function openNamedStorage(config: Config, name: string, ctx: StorageContext): Promise<Storage> {
  if (name === "local") return openLocal(config);
  const remote = config.storage.remotes.find((r) => r.name === name);
  if (!remote) {
    const known = ["local", ...config.storage.remotes.map((r) => r.name)].join(", ");
    throw new UsageError(`--storage ${name}: no such storage (known: ${known})`);
  }
  return openRemote(remote, ctx);
}

/** Every configured remote, in config order; one that cannot be opened fails each operation instead. */
export async function openRemotes(config: Config, ctx: StorageContext): Promise<Storage[]> {
  return Promise.all(
    config.storage.remotes.map((remote) =>
      openRemote(remote, ctx).catch((err: unknown) => new UnavailableStorage(remote.name, remote.type, err instanceof Error ? err : new Error(String(err)))),
    ),
  );
}
