import { stat as statFile } from "node:fs/promises";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { UploadDigest } from "./digest.js";
import { uploadFile, type ObjectParams } from "./s3-file-upload.js";
import { notFoundError } from "./not-found.js";
import { ResumingReadStream } from "./resuming-read.js";
import { remoteFailure } from "./remote-error.js";
import { planParts } from "./part-size.js";
import { PermanentError, TransientError, withRetry, type RetryPolicy } from "./retry.js";
import type { S3Remote } from "./s3-client.js";
import type { PutOptions, PutSource, Storage, StoredObject } from "./storage.js";

export interface S3StorageOptions {
  retry: RetryPolicy;
  /** Smallest multipart part (≥ 5 MiB); the plan grows it for big archives. */
  partSize?: number | undefined;
  onRetry?: (what: string, attempt: number, error: Error) => void;
  /** After each verified upload: how it went (multipart or not, parts, part size). */
  onUploaded?: (info: { key: string; bytes: number; multipart: boolean; parts: number; partSize: number }) => void;
}

/** A bucket (and prefix) on S3 or any S3-compatible service. */
export class S3Storage implements Storage {
  readonly kind = "s3" as const;
  readonly name: string;
  private readonly prefix: string;

  constructor(
    private readonly remote: S3Remote,
    private readonly client: S3Client,
    private readonly options: S3StorageOptions,
  ) {
    this.name = remote.name;
    this.prefix = normalizePrefix(remote.prefix);
  }

  private objectKey(key: string): string {
    return `${this.prefix}${key.replace(/^\/+/, "")}`;
  }

  private retry<T>(what: string, op: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(this.options.retry, op, {
      ...(signal ? { signal } : {}),
      onRetry: (attempt, error) => this.options.onRetry?.(what, attempt, error),
    }).catch((err: unknown) => {
      throw remoteFailure(this.name, what, err);
    });
  }

  async put(key: string, source: PutSource, options: PutOptions = {}): Promise<void> {
    if ("file" in source) {
      const file = source.file;
      const { size } = await statFile(file);
      await this.retry(`upload ${key}`, () => this.uploadFileOnce(key, file, size, options), options.signal);
    } else {
      // A stream cannot be read twice: one attempt.
      await this.uploadOnce(key, source.stream, source.size, options).catch((err: unknown) => {
        throw remoteFailure(this.name, `upload ${key}`, err);
      });
    }
  }

  private objectParams(key: string, options: PutOptions): ObjectParams {
    return {
      Bucket: this.remote.bucket,
      Key: this.objectKey(key),
      ...(options.sha256 ? { Metadata: { sha256: options.sha256 } } : {}),
      ContentType: options.contentType ?? "application/octet-stream",
      ...(this.remote.server_side_encryption ? { ServerSideEncryption: this.remote.server_side_encryption } : {}),
      ...(this.remote.kms_key_id ? { SSEKMSKeyId: this.remote.kms_key_id } : {}),
      ...(this.remote.storage_class ? { StorageClass: this.remote.storage_class as PutObjectCommandInput["StorageClass"] } : {}),
    };
  }

  /** Archives: read from the file into reused part buffers (bounded memory, per-part Content-MD5). */
  private async uploadFileOnce(key: string, file: string, size: number, options: PutOptions): Promise<void> {
    const plan = planParts(size, this.options.partSize);
    let sent;
    try {
      sent = await uploadFile(this.client, this.objectParams(key, options), file, size, plan, options.signal);
    } catch (err) {
      if (options.signal?.aborted) throw new PermanentError("upload interrupted", { cause: options.signal.reason });
      throw err;
    }
    await this.verify(key, sent, size, options);
    this.options.onUploaded?.({ key, bytes: sent.bytes, multipart: sent.multipart, parts: sent.parts, partSize: plan.partSize });
  }

  /** Streams of unknown origin (e.g. the dry-run probe): lib-storage's chunked upload. */
  private async uploadOnce(key: string, body: Readable, size: number | undefined, options: PutOptions): Promise<void> {
    const plan = planParts(size, this.options.partSize);
    // MD5 only matters for a single-part object, whose ETag it is; skip the CPU otherwise.
    const digest = new UploadDigest({ md5: size === undefined || size <= plan.partSize });
    const params: PutObjectCommandInput = { ...this.objectParams(key, options), Body: body.pipe(digest) };
    const Key = params.Key;
    body.on("error", (err) => digest.destroy(err));
    // leavePartsOnError false: a failed multipart upload is aborted, leaving no orphan parts.
    const upload = new Upload({ client: this.client, params, partSize: plan.partSize, queueSize: plan.queueSize, leavePartsOnError: false });
    let parts = 1;
    upload.on("httpUploadProgress", (progress) => (parts = Math.max(parts, progress.part ?? 1)));
    const onAbort = () => void upload.abort().catch(() => undefined);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (options.signal?.aborted) throw options.signal.reason;
      await upload.done();
    } catch (err) {
      if (options.signal?.aborted) {
        // done() rejects on abort before lib-storage has aborted the multipart upload itself; do it
        // here, before the process exits, so no orphan parts stay behind (billed, invisible).
        if (upload.uploadId) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.remote.bucket, Key, UploadId: upload.uploadId })).catch(() => undefined);
        }
        throw new PermanentError("upload interrupted", { cause: options.signal.reason });
      }
      throw err;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      body.destroy();
    }
    const sent = digest.result();
    await this.verify(key, sent, size, options);
    this.options.onUploaded?.({ key, bytes: sent.bytes, multipart: upload.uploadId !== undefined, parts, partSize: plan.partSize });
  }

  /** An upload counts only when the stored object is the bytes that were meant to be sent. */
  private async verify(key: string, sent: { bytes: number; sha256: string; md5: string | undefined }, size: number | undefined, options: PutOptions): Promise<void> {
    const fail = async (message: string, retryable: boolean): Promise<never> => {
      await this.delete(key).catch(() => undefined);
      throw retryable ? new TransientError(message) : new PermanentError(message);
    };
    if (size !== undefined && sent.bytes !== size) await fail(`${key}: read ${sent.bytes} bytes, expected ${size} (the local file changed during the upload)`, false);
    if (options.sha256 && sent.sha256 !== options.sha256) await fail(`${key}: the local file's sha256 is ${sent.sha256}, the sidecar says ${options.sha256}`, false);
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.remote.bucket, Key: this.objectKey(key) }));
    if (head.ContentLength !== sent.bytes) await fail(`${this.describe(key)}: stored size ${head.ContentLength} differs from the ${sent.bytes} bytes sent`, true);
    if (options.sha256 && head.Metadata?.sha256 !== options.sha256) await fail(`${this.describe(key)}: stored sha256 metadata does not match`, true);
    // A plain-hex ETag is the MD5 of the content unless SSE-KMS encrypted it; multipart ETags
    // ("…-N") are not, and are covered by size and the checksum of what was sent.
    const etag = head.ETag?.replace(/"/g, "");
    if (etag && sent.md5 && /^[0-9a-f]{32}$/i.test(etag) && this.remote.server_side_encryption !== "aws:kms" && etag.toLowerCase() !== sent.md5) {
      await fail(`${this.describe(key)}: stored content's MD5 (ETag ${etag}) differs from what was sent (${sent.md5})`, true);
    }
  }

  async get(key: string): Promise<Readable> {
    const Key = this.objectKey(key);
    const first = await this.retry(`download ${key}`, () => this.client.send(new GetObjectCommand({ Bucket: this.remote.bucket, Key }))).catch((err: unknown) => {
      throw isNotFound(err) ? notFoundError(this.describe(key), err) : err;
    });
    if (!(first.Body instanceof Readable)) throw new Error(`${this.describe(key)}: the SDK returned no readable body`);
    const body = first.Body;
    const etag = first.ETag;
    let resumed = false;
    // A broken response is resumed with a Range request, pinned to the same object by its ETag.
    return new ResumingReadStream({
      size: first.ContentLength ?? 0,
      resumes: this.options.retry.retries,
      open: async (offset) => {
        if (!resumed) {
          resumed = true;
          return body;
        }
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.remote.bucket, Key, Range: `bytes=${offset}-`, ...(etag ? { IfMatch: etag } : {}) }));
        if (!(out.Body instanceof Readable)) throw new Error(`${this.describe(key)}: the SDK returned no readable body`);
        if (!out.ContentRange?.startsWith(`bytes ${offset}-`)) {
          out.Body.destroy();
          throw new PermanentError(`${this.describe(key)}: resuming at byte ${offset}, the server answered with ${out.ContentRange ?? "the whole object"}`);
        }
        return out.Body;
      },
      delay: (attempt) => new Promise((resolve) => setTimeout(resolve, Math.min(this.options.retry.maxDelayMs, this.options.retry.minDelayMs * 2 ** (attempt - 1)))),
      onResume: (reason, attempt) => this.options.onRetry?.(`download ${key}`, attempt, reason),
    });
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.retry(`list ${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.remote.bucket, Prefix: this.objectKey(prefix), ContinuationToken: token })),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key || !item.Key.startsWith(this.prefix)) continue;
        out.push({ key: item.Key.slice(this.prefix.length), size: item.Size ?? 0, modified: item.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const head = await this.retry(`stat ${key}`, () => this.client.send(new HeadObjectCommand({ Bucket: this.remote.bucket, Key: this.objectKey(key) })));
      return { key, size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.retry(`delete ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.remote.bucket, Key: this.objectKey(key) })));
  }

  describe(key: string): string {
    return `s3://${this.remote.bucket}/${this.objectKey(key)}`;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** "db01" and "/db01/" both mean the folder "db01/"; "" is the bucket's root. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed ? `${trimmed}/` : "";
}

/** The SDK's "no such object", also when retry() has wrapped it into a RemoteError (its cause). */
function isNotFound(err: unknown): boolean {
  for (let e = err as { name?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return true;
  }
  return false;
}
