import { createReadStream } from "node:fs";
import { stat as statFile } from "node:fs/promises";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type SftpClient from "ssh2-sftp-client";
import { partialName } from "../util/fs.js";
import { UploadDigest } from "./digest.js";
import { notFoundError } from "./not-found.js";
import { remoteFailure } from "./remote-error.js";
import { openSftpReadStream, type SftpChannel } from "./sftp-read.js";
import { connectSftp, type SftpConnection, type SftpSession } from "./sftp-connect.js";
import { PermanentError, TransientError, isTransient, withRetry, type RetryPolicy } from "./retry.js";
import type { PutOptions, PutSource, Storage, StoredObject } from "./storage.js";

export type { SftpConnection } from "./sftp-connect.js";

export interface SftpStorageOptions {
  retry: RetryPolicy;
  onRetry?: (what: string, attempt: number, error: Error) => void;
}

const WRITE_BUFFER = 4 * 1024 * 1024;

/**
 * A directory on an SSH server. One connection, opened on first use and re-opened after a
 * transient failure. Uploads go to a hidden temporary name and are renamed into place
 * (posix-rename where the server offers it), so a reader never sees half an archive.
 */
export class SftpStorage implements Storage {
  readonly kind = "sftp" as const;
  private current: SftpSession | undefined;
  private connecting: Promise<SftpClient> | undefined;
  private readonly orphans = new Set<string>();
  /** Per connection: what to fail when it is lost (ssh2 would leave pending requests hanging). */
  private readonly onLostCallbacks = new Map<SftpClient, Set<(error: Error) => void>>();

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
    if (this.current) return Promise.resolve(this.current.client);
    this.connecting ??= connectSftp(this.name, this.conn, (session) => this.lost(session))
      .then((session) => {
        this.current = session;
        this.onLostCallbacks.set(session.client, new Set());
        return session.client;
      })
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /**
   * ssh2 never calls back a pending read or write when the connection dies, and its streams
   * cannot be destroyed then: what is in use is failed here, or a transfer would wait forever
   * (and Node exit with 13).
   */
  private lost(session: SftpSession): void {
    if (this.current === session) this.current = undefined;
    const error = Object.assign(new Error(`the SFTP connection to ${this.conn.host}:${this.conn.port} was lost`), { code: "ECONNRESET" });
    const callbacks = this.onLostCallbacks.get(session.client);
    this.onLostCallbacks.delete(session.client);
    for (const fail of callbacks ?? []) fail(error);
  }

  /** Calls `fail` if `client`'s connection is lost before the returned function is called. */
  private onLost(client: SftpClient, fail: (error: Error) => void): () => void {
    const callbacks = this.onLostCallbacks.get(client);
    if (!callbacks) {
      fail(Object.assign(new Error("the SFTP connection was lost"), { code: "ECONNRESET" }));
      return () => undefined;
    }
    callbacks.add(fail);
    return () => callbacks.delete(fail);
  }

  /** The channel of a live connection (connecting if needed), for pipelined reads. */
  private async channel(): Promise<SftpChannel> {
    const client = await this.session();
    const session = this.current;
    if (session?.client !== client) throw Object.assign(new Error("the SFTP connection was lost"), { code: "ECONNRESET" });
    return { wrapper: session.wrapper, onLost: (fail) => this.onLost(client, fail) };
  }

  private async reset(): Promise<void> {
    const session = this.current;
    this.current = undefined;
    await session?.client.end().catch(() => undefined);
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
    // Hidden, beside the target, tagged with its owner: `list` shows it as unfinished and a later backup removes it.
    const temp = posix.join(dir, partialName(posix.basename(target)));
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
      const unlisten = this.onLost(client, (error) => digest.destroy(error));
      try {
        await pipeline(body, digest, out, ...(options.signal ? [{ signal: options.signal }] : []));
      } finally {
        unlisten();
      }
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
      // attempt removes it once reconnected. Its hidden ".partial" name keeps it out of the catalogue's backups.
      if (this.current?.client === client) await client.delete(temp, true).catch(() => this.orphans.add(temp));
      else this.orphans.add(temp); // the connection is gone: calls on it would never return
      if (options.signal?.aborted) throw new PermanentError("upload interrupted", { cause: options.signal.reason });
      throw err;
    }
  }

  /** Temporary files of failed attempts whose connection died before they could be removed. */
  private async removeOrphans(client: SftpClient): Promise<void> {
    for (const path of [...this.orphans]) {
      this.orphans.delete(path);
      await client.delete(path, true).catch(() => undefined); // best effort: never fails an upload
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
      // A connection lost mid-download is re-opened up to `retries` times, resuming where it stopped.
      return openSftpReadStream(await this.channel(), path, {
        reconnect: () => this.retry(`reconnect for ${key}`, () => this.channel()),
        reopens: this.options.retry.retries,
        onReopen: (reason, attempt) => this.options.onRetry?.(`download ${key}`, attempt, reason),
      });
    });
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
          // Temporary uploads are listed too (like local partials): list --all and the sweep need them.
          else if (entry.type === "-") {
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
