import { createWriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { HashCounter } from "../archive/hash-counter.js";
import type { Storage } from "../storage/storage.js";
import { describeError, OperationError, UsageError } from "../util/errors.js";
import { fsyncDir, partialPath } from "../util/fs.js";
import { parseAnyWalName } from "./wal-name.js";
import type { AgeKeys } from "../crypto/streams.js";
import { openWalContent } from "./wal-read.js";
import { readWalMarker } from "./wal-store.js";

/** Not archived anywhere: PostgreSQL's end-of-archive signal (restore_command exits non-zero). */
export class WalNotFoundError extends OperationError {}

export interface WalFetchRequest {
  name: string;
  /** %p: where PostgreSQL wants the file. */
  path: string;
  prefix: string;
  /** The keys for encrypted objects (config's encryption.identity); unused for plain ones. */
  keys?: AgeKeys | undefined;
}

/**
 * restore_command: the first storage (local, then the remotes in config order) holding a marker
 * for `name` serves it; the object is unpacked to a temporary name beside %p, its sha256 and
 * size checked against the marker, then renamed into place. A storage that fails (down, damaged
 * object) is passed over for the next; none holding it is WalNotFoundError.
 */
export async function walFetch(request: WalFetchRequest, storages: Storage[], signal?: AbortSignal): Promise<{ storage: string }> {
  if (!parseAnyWalName(request.name)) throw new UsageError(`wal-fetch: "${request.name}" is not a WAL segment, history file or backup label name`);
  const failures: string[] = [];
  for (const storage of storages) {
    try {
      const marker = await readWalMarker(storage, request.prefix, request.name);
      if (!marker) continue;
      const temp = partialPath(request.path);
      const check = new HashCounter();
      try {
        const content = await openWalContent(storage, request.prefix, marker, request.keys);
        await pipeline([...content, check, createWriteStream(temp, { flags: "wx", mode: 0o600 })], signal ? { signal } : {});
        const sha256 = check.digest();
        if (sha256 !== marker.sha256 || check.bytes !== marker.size_bytes) {
          throw new OperationError(`${request.name} read back as ${check.bytes} bytes, sha256 ${sha256}; its marker says ${marker.size_bytes} bytes, ${marker.sha256}`);
        }
        const handle = await open(temp, "r");
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, request.path);
        await fsyncDir(dirname(request.path));
        return { storage: storage.name };
      } finally {
        await rm(temp, { force: true });
      }
    } catch (err) {
      failures.push(`${storage.name}: ${describeError(err)}`);
    }
  }
  if (failures.length > 0) throw new OperationError(`wal-fetch ${request.name} failed: ${failures.join("; ")}`);
  throw new WalNotFoundError(`${request.name} is not archived`);
}
