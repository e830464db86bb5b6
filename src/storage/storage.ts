import type { Readable } from "node:stream";

/**
 * The Storage contract: the one interface list, restore, verify, retention and the remote copy
 * go through. Keys are "/"-separated paths relative to the storage's root:
 *   <server>/<instance>/[<database>/]<archive>   and   <archive>.json beside it.
 */
export interface StoredObject {
  key: string;
  size: number;
  modified: Date;
}

export type PutSource = { file: string } | { stream: Readable; size?: number };

export interface PutOptions {
  /** Lowercase hex sha256 of the content, stored as metadata where the backend supports it. */
  sha256?: string;
  contentType?: string;
  /** Aborts the upload; remote backends then remove what they had written. */
  signal?: AbortSignal;
}

export interface Storage {
  readonly name: string;
  readonly kind: "local" | "s3" | "sftp";
  /** Writes the object completely or not at all (temporary name, then rename, where possible). */
  put(key: string, source: PutSource, options?: PutOptions): Promise<void>;
  get(key: string): Promise<Readable>;
  /**
   * A small object (a sidecar, a journal) read whole. Optional: readers fall back to `get`; the
   * local backend has it because a stream per file costs 5× more when 10,000 sidecars are listed.
   */
  readWhole?(key: string): Promise<Buffer>;
  /** Every object below `prefix` (recursive), in no particular order. */
  list(prefix: string): Promise<StoredObject[]>;
  /** null when the object does not exist. */
  stat(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
  /** Human-readable location of a key, e.g. /var/backups/x or s3://bucket/prefix/x (no secrets). */
  describe(key: string): string;
  close(): Promise<void>;
}
