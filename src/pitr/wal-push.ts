import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HashCounter } from "../archive/hash-counter.js";
import { createCompressor } from "../archive/compressor.js";
import type { Storage } from "../storage/storage.js";
import { describeError, OperationError, UsageError } from "../util/errors.js";
import { ioFailure } from "../util/io-error.js";
import { TOOL_NAME, VERSION } from "../version.js";
import { parseAnyWalName } from "./wal-name.js";
import { makeWalScratch, sweepWalScratch } from "./wal-scratch.js";
import { markedObjectKey, readWalMarker, walMarkerKey, WAL_MARKER_VERSION, type WalMarker } from "./wal-store.js";
import type { EncryptionPlan } from "../crypto/target.js";

export interface WalPushRequest {
  /** %p: the file's path (relative to the data directory, PostgreSQL's working directory). */
  path: string;
  /** %f: its name. */
  name: string;
  prefix: string;
  compressionLevel: number;
  tmpDir?: string | undefined;
  /** The instance's encryption (crypto/target.ts encryptionPlan), when its backups are encrypted: the object is stored as `<name>.gz.age`. */
  encryption?: EncryptionPlan | null | undefined;
}

export type PushOutcome = "stored" | "already-archived";

/**
 * archive_command: the file compressed and hashed once into a temporary file, then stored in
 * every storage in parallel, object first (verified by the backend's put) and marker last. Exit 0
 * only when every storage holds it. The same content already archived is success (PostgreSQL
 * retries after a crash between our exit and its bookkeeping); different content under the
 * name is refused and left untouched.
 */
export async function walPush(request: WalPushRequest, storages: Storage[], signal?: AbortSignal): Promise<Record<string, PushOutcome>> {
  if (!parseAnyWalName(request.name)) throw new UsageError(`wal-push: "${request.name}" is not a WAL segment, history file or backup label name`);
  const tmp = request.tmpDir ?? tmpdir();
  // What killed pushes left (PostgreSQL may SIGKILL us on a fast shutdown) goes first.
  await sweepWalScratch(tmp);
  const scratch = await makeWalScratch(tmp);
  try {
    const packed = join(scratch, `${request.name}.gz`);
    const raw = new HashCounter();
    const stored = new HashCounter();
    const encryption = request.encryption ?? null;
    // The age code is loaded only when the instance encrypts (start-up of every push counts).
    const encrypt = encryption ? [(await import("../crypto/streams.js")).createEncryptStream(encryption.target)] : [];
    try {
      await pipeline([createReadStream(request.path), raw, createCompressor({ algorithm: "gzip", level: request.compressionLevel }), ...encrypt, stored, createWriteStream(packed, { mode: 0o600 })], { signal });
    } catch (err) {
      throw ioFailure("reading and compressing the WAL file", request.path, err);
    }
    const marker: WalMarker = {
      format_version: WAL_MARKER_VERSION,
      kind: "wal",
      name: request.name,
      sha256: raw.digest(),
      size_bytes: raw.bytes,
      stored: {
        sha256: stored.digest(),
        size_bytes: stored.bytes,
        compression: { algorithm: "gzip", level: request.compressionLevel },
        ...(encryption ? { encryption: { algorithm: encryption.record.algorithm, recipients: encryption.record.recipients } } : {}),
      },
      archived_at: new Date().toISOString(),
      tool: { name: TOOL_NAME, version: VERSION },
    };
    const results = await Promise.allSettled(storages.map((storage) => pushOne(storage, request, packed, marker, signal)));
    const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`${(storages[i] as Storage).name}: ${describeError(r.reason)}`] : []));
    if (failures.length > 0) throw new OperationError(`wal-push ${request.name} failed (PostgreSQL keeps the file and retries): ${failures.join("; ")}`);
    return Object.fromEntries(results.map((r, i) => [(storages[i] as Storage).name, (r as PromiseFulfilledResult<PushOutcome>).value]));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function pushOne(storage: Storage, request: WalPushRequest, packed: string, marker: WalMarker, signal?: AbortSignal): Promise<PushOutcome> {
  const existing = await readWalMarker(storage, request.prefix, request.name);
  if (existing) {
    if (existing.sha256 !== marker.sha256 || existing.size_bytes !== marker.size_bytes) {
      throw new OperationError(
        `a different ${request.name} is already archived at ${storage.describe(markedObjectKey(request.prefix, existing))} (sha256 ${existing.sha256}, ours ${marker.sha256}): refusing to replace it`,
      );
    }
    // Same content: done, provided the object the marker vouches for is really there.
    const object = await storage.stat(markedObjectKey(request.prefix, existing));
    if (object && object.size === existing.stored.size_bytes) return "already-archived";
  }
  // Object first (verified by the backend), then our marker: it describes exactly this object.
  await storage.put(markedObjectKey(request.prefix, marker), { file: packed }, { sha256: marker.stored.sha256, contentType: marker.stored.encryption ? "application/octet-stream" : "application/gzip", ...(signal ? { signal } : {}) });
  const body = `${JSON.stringify(marker, null, 2)}\n`;
  await storage.put(walMarkerKey(request.prefix, request.name), { stream: Readable.from([Buffer.from(body)]), size: Buffer.byteLength(body) }, {
    sha256: createHash("sha256").update(body).digest("hex"),
    contentType: "application/json",
    ...(signal ? { signal } : {}),
  });
  return "stored";
}
