import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { HashCounter } from "../archive/hash-counter.js";
import type { LocalArchive } from "../catalog/fetch.js";
import type { Sidecar } from "../catalog/sidecar.js";
import { InterruptedError, OperationError } from "../util/errors.js";
import { ownerTag } from "../util/owner.js";
import { hasKeys, MissingKeyError } from "./keys.js";
import { createDecryptStream, decryptionError, type AgeKeys } from "./streams.js";

/** The sidecar's `encryption` field, when the archive is encrypted. */
export function encryptionOf(sidecar: Sidecar): NonNullable<Sidecar["encryption"]> | null {
  return sidecar.encryption ?? null;
}

/**
 * An encrypted archive decrypted into a private temporary directory (0700, file 0600, under
 * `scratchDir`), so every reader (zip needs random access, pg_restore a file) works unchanged.
 * The whole ciphertext is authenticated before the caller reads a byte: a wrong key, a
 * truncated or altered file fails here, before anything is restored. The plaintext's size and
 * sha256 are checked against the sidecar.
 */
export async function decryptedArchive(local: LocalArchive, sidecar: Sidecar, keys: AgeKeys | undefined, what: string, options: { scratchDir?: string | undefined; signal?: AbortSignal | undefined }): Promise<LocalArchive> {
  const encryption = encryptionOf(sidecar);
  if (!encryption) return local;
  if (!hasKeys(keys)) throw new MissingKeyError(what);
  const dir = await mkdtemp(join(options.scratchDir ?? tmpdir(), `vya-decrypt-${ownerTag()}-`));
  const path = join(dir, basename(local.path).replace(/\.age$/, ""));
  const plain = new HashCounter();
  try {
    await pipeline(createReadStream(local.path, { highWaterMark: 1 << 20 }), createDecryptStream(keys), plain, createWriteStream(path, { flags: "wx", mode: 0o600 }), options.signal ? { signal: options.signal } : {});
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (options.signal?.aborted) throw new InterruptedError(options.signal);
    if ((err as NodeJS.ErrnoException).code && (err as NodeJS.ErrnoException).syscall) throw new OperationError(`cannot decrypt ${what}: ${(err as Error).message}`, { cause: err });
    throw decryptionError(err, what);
  }
  const expected = encryption.plaintext;
  const sha256 = plain.digest();
  if (expected && (plain.bytes !== expected.size_bytes || sha256 !== expected.sha256)) {
    await rm(dir, { recursive: true, force: true });
    throw new OperationError(`${what} decrypted to ${plain.bytes} bytes with sha256 ${sha256}, but its sidecar records ${expected.size_bytes} bytes, sha256 ${expected.sha256}: not the archive that was backed up`);
  }
  return {
    path,
    async release() {
      await rm(dir, { recursive: true, force: true });
      await local.release();
    },
  };
}
