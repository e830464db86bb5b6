import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat as statFile } from "node:fs/promises";
import { posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import SftpClient from "ssh2-sftp-client";
import type { ConnectConfig, SFTPWrapper, Stats } from "ssh2";
import { UploadDigest } from "./digest.js";
import { notFoundError } from "./not-found.js";
import { remoteFailure } from "./remote-error.js";
import { checkHostKey, hostKeyAlgorithms, readKnownHosts, type HostKeyExpectation } from "./host-key.js";
import { ReadAheadStream } from "./read-ahead.js";
import { PermanentError, TransientError, isTransient, withRetry, type RetryPolicy } from "./retry.js";
import type { PutOptions, PutSource, Storage, StoredObject } from "./storage.js";

export interface SftpConnection {
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  privateKey?: Buffer | string | undefined;
  passphrase?: string | undefined;
  hostKey: HostKeyExpectation;
  /** Absolute directory on the server that keys are relative to. */
  root: string;
}

export interface SftpStorageOptions {
  retry: RetryPolicy;
  onRetry?: (what: string, attempt: number, error: Error) => void;
}

const WRITE_BUFFER = 4 * 1024 * 1024;

/** Temporary upload names: hidden, beside the target, never listed as objects. */
const TEMP_RE = /^\..+\.[0-9a-f]{8}\.partial$/;

/**
 * A directory on an SSH server. One connection, opened on first use and re-opened after a
 * transient failure. Uploads go to a hidden temporary name and are renamed into place
 * (posix-rename where the server offers it), so a reader never sees half an archive.
 */
export class SftpStorage implements Storage {
  readonly kind = "sftp" as const;
  private client: SftpClient | undefined;
  /** The raw SFTP channel of `client`, for pipelined reads. */
  private wrapper: SFTPWrapper | undefined;
  private connecting: Promise<SftpClient> | undefined;
  private readonly orphans = new Set<string>();
  private readonly streams = new Map<SftpClient, Set<Writable | Readable>>();

  constructor(
    readonly name: string,
    private readonly conn: SftpConnection,
    private readonly options: SftpStorageOptions,
  ) {}

  private pathOf(key: string): string {
    const path = posix.resolve(this.conn.root, key.replace(/^\/+/, ""));
    if (path !== this.conn.root && !path.startsWith(`${this.conn.root.replace(/\/+$/, "")}/`)) throw new PermanentError(`key ${key} is outside ${this.conn.root}`);
    return path;
  }

  private session(): Promise<SftpClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<SftpClient> {
    let refused: string | null = null;
    const known = this.conn.hostKey.sha256 === undefined ? readKnownHosts(this.conn.hostKey) : [];
    const algorithms = hostKeyAlgorithms(known);
    // The library's default listeners print to stdout; a dropped connection just forgets the client.
    const client: SftpClient = new SftpClient(this.name, { error: () => this.forget(client), end: () => this.forget(client), close: () => this.forget(client) });
    const config: ConnectConfig = {
      host: this.conn.host,
      port: this.conn.port,
      username: this.conn.username,
      readyTimeout: 20_000,
      keepaliveInterval: 15_000,
      hostVerifier: (key: Buffer) => {
        refused = checkHostKey(key, this.conn.hostKey, known);
        return refused === null;
      },
      ...(algorithms.length > 0 ? { algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] } } : {}),
      ...(this.conn.password !== undefined ? { password: this.conn.password } : {}),
      ...(this.conn.privateKey !== undefined ? { privateKey: this.conn.privateKey } : {}),
      ...(this.conn.passphrase !== undefined ? { passphrase: this.conn.passphrase } : {}),
    };
    let wrapper: SFTPWrapper;
    try {
      wrapper = await client.connect(config);
    } catch (err) {
      await client.end().catch(() => undefined);
      if (refused !== null) throw new PermanentError(refused);
      const message = err instanceof Error ? err.message : String(err);
      if (/authentication methods failed|privateKey|passphrase/i.test(message)) throw new PermanentError(`authentication failed for ${this.conn.username}@${this.conn.host}: ${message}`, { cause: err });
      throw err;
    }
    // ssh2 never calls back a pending read or write when the connection dies, so the streams in
    // use are failed here; otherwise a transfer would wait forever (and Node exit with 13).
    wrapper.once("close", () => {
      this.forget(client);
      const lost = Object.assign(new Error(`the SFTP connection to ${this.conn.host}:${this.conn.port} was lost`), { code: "ECONNRESET" });
      for (const stream of this.streams.get(client) ?? []) stream.destroy(lost);
      this.streams.delete(client);
    });
    this.client = client;
    this.wrapper = wrapper;
    this.streams.set(client, new Set());
    return client;
  }

  /** Registers a stream of ours to fail if `client`'s connection dies while it is in use. */
  private track<T extends Writable | Readable>(client: SftpClient, stream: T): T {
    const set = this.streams.get(client);
    if (!set) {
      stream.destroy(Object.assign(new Error("the SFTP connection was lost"), { code: "ECONNRESET" }));
      return stream;
    }
    set.add(stream);
    stream.once("close", () => set.delete(stream));
    return stream;
  }

  private forget(client: SftpClient): void {
    if (this.client === client) {
      this.client = undefined;
      this.wrapper = undefined;
    }
  }

  private async reset(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.wrapper = undefined;
    await client?.end().catch(() => undefined);
  }

  private retry<T>(what: string, op: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(
      this.options.retry,
      async () => {
        try {
          return await op();
        } catch (err) {
          if (isTransient(err)) await this.reset();
          throw err;
        }
      },
      { ...(signal ? { signal } : {}), onRetry: (attempt, error) => this.options.onRetry?.(what, attempt, error) },
    ).catch((err: unknown) => {
      throw remoteFailure(this.name, what, err);
    });
  }

  async put(key: string, source: PutSource, options: PutOptions = {}): Promise<void> {
    if ("file" in source) {
      const { size } = await statFile(source.file);
      await this.retry(`upload ${key}`, () => this.uploadOnce(key, createReadStream(source.file), size, options), options.signal);
    } else {
      await this.uploadOnce(key, source.stream, source.size, options).catch((err: unknown) => {
        throw remoteFailure(this.name, `upload ${key}`, err);
      });
    }
  }

  private async uploadOnce(key: string, body: Readable, size: number | undefined, options: PutOptions): Promise<void> {
    const target = this.pathOf(key);
    const dir = posix.dirname(target);
    const temp = posix.join(dir, `.${posix.basename(target)}.${randomBytes(4).toString("hex")}.partial`);
    const client = await this.session();
    await this.removeOrphans(client);
    const digest = new UploadDigest();
    try {
      await this.ensureDir(client, dir);
      // A deep write buffer lets ssh2 send the buffered chunks as parallel WRITE requests
      // (_writev) instead of waiting for each acknowledgement: one round trip per chunk
      // would cap throughput at chunk size / latency.
      const out = client.createWriteStream(temp, { flags: "w", mode: 0o600, highWaterMark: WRITE_BUFFER });
      // ssh2's own stream cannot be failed once its channel is gone (its destroy waits for the
      // server): the pipeline is failed through our stage instead.
      this.track(client, digest);
      await pipeline(body, digest, out, ...(options.signal ? [{ signal: options.signal }] : []));
      const sent = digest.result();
      if (size !== undefined && sent.bytes !== size) throw new PermanentError(`${key}: read ${sent.bytes} bytes, expected ${size} (the local file changed during the upload)`);
      if (options.sha256 && sent.sha256 !== options.sha256) throw new PermanentError(`${key}: the local file's sha256 is ${sent.sha256}, the sidecar says ${options.sha256}`);
      const written = await client.stat(temp);
      if (written.size !== sent.bytes) throw new TransientError(`${this.describe(key)}: the server holds ${written.size} bytes, ${sent.bytes} were sent`);
      await this.renameIntoPlace(client, temp, target);
      const placed = await client.stat(target);
      if (placed.size !== sent.bytes) throw new TransientError(`${this.describe(key)}: the server holds ${placed.size} bytes after the rename, ${sent.bytes} were sent`);
    } catch (err) {
      body.destroy();
      // When the connection itself is gone the temporary file cannot be removed now: the next
      // attempt removes it once reconnected. Its hidden ".partial" name keeps it out of listings.
      if (this.client === client) await client.delete(temp, true).catch(() => this.orphans.add(temp));
      else this.orphans.add(temp); // the connection is gone: calls on it would never return
      if (options.signal?.aborted) throw new PermanentError("upload interrupted", { cause: options.signal.reason });
      throw err;
    }
  }

  /** Temporary files of failed attempts whose connection died before they could be removed. */
  private async removeOrphans(client: SftpClient): Promise<void> {
    for (const path of [...this.orphans]) {
      await client.delete(path, true);
      this.orphans.delete(path);
    }
  }

  /** mkdir -p that tolerates another upload of this run creating the same directory meanwhile. */
  private async ensureDir(client: SftpClient, dir: string): Promise<void> {
    if ((await client.exists(dir)) === "d") return;
    const parent = posix.dirname(dir);
    if (parent !== dir) await this.ensureDir(client, parent);
    try {
      await client.mkdir(dir, false);
    } catch (err) {
      if ((await client.exists(dir)) !== "d") throw err;
    }
  }

  private async renameIntoPlace(client: SftpClient, temp: string, target: string): Promise<void> {
    try {
      await client.posixRename(temp, target); // atomic replace (posix-rename@openssh.com)
    } catch {
      // Plain SFTP rename refuses to overwrite: remove the old object first.
      await client.delete(target, true);
      await client.rename(temp, target);
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    return this.retry(`download ${key}`, async () => {
      const client = await this.session();
      // Fail here (not found, permission) rather than on the first read.
      if ((await client.exists(path)) !== "-") throw notFoundError(this.describe(key));
      return this.track(client, await this.readAhead(path));
    });
  }

  private async readAhead(path: string): Promise<Readable> {
    const wrapper = this.wrapper;
    if (!wrapper) throw new TransientError(`${this.name}: the SFTP connection closed`);
    const call = <T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void) =>
      new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
    const handle = await call<Buffer>((cb) => wrapper.open(path, "r", cb));
    try {
      const { size } = await call<Stats>((cb) => wrapper.fstat(handle, cb));
      return new ReadAheadStream({
        size,
        read: (offset, length) =>
          new Promise<Buffer>((resolve, reject) => {
            const buffer = Buffer.allocUnsafe(length);
            wrapper.read(handle, buffer, 0, length, offset, (err, bytes) => (err ? reject(err) : resolve(buffer.subarray(0, bytes))));
          }),
        close: () => call<void>((cb) => wrapper.close(handle, (err) => cb(err, undefined))),
      });
    } catch (err) {
      wrapper.close(handle, () => undefined);
      throw err;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const start = this.pathOf(prefix);
    return this.retry(`list ${prefix}`, async () => {
      const client = await this.session();
      const out: StoredObject[] = [];
      const walk = async (dir: string): Promise<void> => {
        if ((await client.exists(dir)) !== "d") return;
        for (const entry of await client.list(dir)) {
          const path = posix.join(dir, entry.name);
          if (entry.type === "d") await walk(path);
          else if (entry.type === "-" && !TEMP_RE.test(entry.name)) {
            out.push({ key: posix.relative(this.conn.root, path), size: entry.size, modified: new Date(entry.modifyTime) });
          }
        }
      };
      await walk(start);
      return out;
    });
  }

  async stat(key: string): Promise<StoredObject | null> {
    const path = this.pathOf(key);
    return this.retry(`stat ${key}`, async () => {
      const client = await this.session();
      if ((await client.exists(path)) !== "-") return null;
      const info = await client.stat(path);
      return { key, size: info.size, modified: new Date(info.modifyTime) };
    });
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await this.retry(`delete ${key}`, async () => {
      await (await this.session()).delete(path, true);
    });
  }

  describe(key: string): string {
    return `sftp://${this.conn.username}@${this.conn.host}:${this.conn.port}${this.pathOf(key)}`;
  }

  async close(): Promise<void> {
    await this.reset();
  }
}
