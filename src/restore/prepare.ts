import { localArchive } from "../catalog/fetch.js";
import { decryptedArchive } from "../crypto/decrypt-file.js";
import type { AgeKeys } from "../crypto/streams.js";
import { readSidecar } from "../catalog/read.js";
import { resolveArchive, type ResolvedArchive } from "../catalog/resolve.js";
import type { Sidecar } from "../catalog/sidecar.js";
import type { Storage } from "../storage/storage.js";
import { checkArchiveIntegrity, IntegrityError } from "../verify/checksum.js";

/** An archive ready to read: its sidecar trusted and its bytes proven to match it. */
export interface PreparedArchive extends ResolvedArchive {
  sidecar: Sidecar;
  /** The archive as a local file. */
  path: string;
  location: string;
  release(): Promise<void>;
}

export interface PrepareOptions {
  scratchDir?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Called with the trusted-shape sidecar before the archive is read or downloaded: usage checks. */
  beforeRead?: ((sidecar: Sidecar) => void) | undefined;
  /** Keys for an encrypted archive (--identity, encryption.identity). */
  keys?: AgeKeys | undefined;
}

/**
 * Resolves `--file`, reads its sidecar and checks size and sha256 against it, before any
 * caller touches a database or a directory. Any mismatch throws IntegrityError (exit 1).
 */
export async function prepareArchive(spec: string, storage: Storage, options: PrepareOptions = {}): Promise<PreparedArchive> {
  const resolved = await resolveArchive(spec, storage);
  return prepareResolved(resolved, options);
}

export async function prepareResolved(resolved: ResolvedArchive, options: PrepareOptions = {}): Promise<PreparedArchive> {
  const location = resolved.storage.describe(resolved.key);
  const read = await readSidecar(resolved.storage, resolved.key);
  if (!read.ok) throw new IntegrityError(`${location}: ${read.problem}`);
  options.beforeRead?.(read.sidecar);
  const local = await localArchive(resolved.storage, resolved.key, options.scratchDir);
  let plain;
  try {
    await checkArchiveIntegrity(local.path, read.sidecar, options.signal);
    // Encrypted: decrypted and authenticated whole before any caller reads it (crypto/decrypt-file.ts).
    plain = await decryptedArchive(local, read.sidecar, options.keys, location, options);
  } catch (err) {
    await local.release();
    throw err;
  }
  return { ...resolved, sidecar: read.sidecar, path: plain.path, location, release: plain.release };
}
