import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { PartPlan } from "./part-size.js";

export type ObjectParams = Omit<PutObjectCommandInput, "Body" | "ContentLength" | "ContentMD5"> & { Bucket: string; Key: string };

export interface FileUploadResult {
  bytes: number;
  sha256: string;
  /** MD5 of the whole content: a single-part object's ETag. */
  md5: string | undefined;
  parts: number;
  multipart: boolean;
}

/**
 * Uploads `size` bytes of a file. Parts are read in order into a fixed pool of `queueSize`
 * buffers that are reused, so resident memory is queueSize × partSize whatever the archive size
 * and no garbage builds up; each part carries its Content-MD5, so S3 rejects a part damaged in
 * transit. The bytes are hashed (sha256) as they are read. On any failure or abort the multipart
 * upload is aborted: no orphan parts.
 */
export async function uploadFile(client: S3Client, params: ObjectParams, file: string, size: number, plan: PartPlan, signal?: AbortSignal): Promise<FileUploadResult> {
  const handle = await open(file, "r");
  try {
    if (size <= plan.partSize) return await putSingle(client, params, handle, size, signal);
    return await putMultipart(client, params, handle, size, plan, signal);
  } finally {
    await handle.close();
  }
}

async function readExactly(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`the file ended at byte ${position + done}, expected ${length - done} more (it changed during the upload)`);
    done += bytesRead;
  }
  return buffer.subarray(0, length);
}

async function putSingle(client: S3Client, params: ObjectParams, handle: FileHandle, size: number, signal?: AbortSignal): Promise<FileUploadResult> {
  const body = await readExactly(handle, Buffer.allocUnsafe(size), size, 0);
  const md5 = createHash("md5").update(body).digest();
  await client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: size, ContentMD5: md5.toString("base64") }), { abortSignal: signal });
  return { bytes: size, sha256: createHash("sha256").update(body).digest("hex"), md5: md5.toString("hex"), parts: 1, multipart: false };
}

async function putMultipart(client: S3Client, params: ObjectParams, handle: FileHandle, size: number, plan: PartPlan, signal?: AbortSignal): Promise<FileUploadResult> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(params), { abortSignal: signal });
  if (!UploadId) throw new Error("CreateMultipartUpload returned no UploadId");
  const { Bucket, Key } = params;
  try {
    const free: Buffer[] = Array.from({ length: plan.queueSize }, () => Buffer.allocUnsafe(plan.partSize));
    const inFlight = new Set<Promise<void>>();
    const parts: CompletedPart[] = [];
    const sha = createHash("sha256");
    let failure: unknown;
    let offset = 0;
    let partNumber = 0;
    while (offset < size && failure === undefined) {
      signal?.throwIfAborted();
      while (free.length === 0) await Promise.race(inFlight);
      if (failure !== undefined) break;
      const buffer = free.pop() as Buffer;
      const length = Math.min(plan.partSize, size - offset);
      const body = await readExactly(handle, buffer, length, offset);
      sha.update(body);
      const number = ++partNumber;
      const upload: Promise<void> = client
        .send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: number, Body: body, ContentLength: length, ContentMD5: createHash("md5").update(body).digest("base64") }), { abortSignal: signal })
        .then(
          (out) => void parts.push({ PartNumber: number, ETag: out.ETag }),
          (err: unknown) => void (failure ??= err),
        )
        .finally(() => {
          free.push(buffer);
          inFlight.delete(upload);
        });
      inFlight.add(upload);
      offset += length;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    signal?.throwIfAborted();
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal });
    return { bytes: size, sha256: sha.digest("hex"), md5: undefined, parts: parts.length, multipart: true };
  } catch (err) {
    // Not with the caller's signal: an interrupted upload must still be aborted before exit.
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
    throw err;
  }
}
