import { text } from "node:stream/consumers";
import { z } from "zod";
import { pathSegment } from "../catalog/naming.js";
import type { Storage, StoredObject } from "../storage/storage.js";

/**
 * Where archived WAL lives in every storage, and its completion marker:
 *   <server>/<instance>/_wal/<wal file name>.gz        the file, gzip-compressed
 *   <server>/<instance>/_wal/<wal file name>.gz.age    …and then age-encrypted, when the instance's backups are
 *   <server>/<instance>/_wal/<wal file name>.gz.json   the marker, written last (one per name, either way)
 * Like a sidecar, the marker is what makes the object count: an object without one is a partial
 * (a killed upload) and is overwritten by the next push. "_wal" is never a database's folder:
 * pathSegment() digests names starting with "_".
 */
export const WAL_FOLDER = "_wal";
export const WAL_MARKER_VERSION = 1;
const OBJECT_SUFFIX = ".gz";
const ENCRYPTED_SUFFIX = ".age";
const MARKER_SUFFIX = ".gz.json";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const walMarkerSchema = z
  .object({
    format_version: z.number().int(),
    kind: z.literal("wal"),
    name: z.string(),
    /** sha256 and size of the WAL file itself (what PostgreSQL handed over). */
    sha256: sha256Hex,
    size_bytes: z.number().int().nonnegative(),
    stored: z.object({
      sha256: sha256Hex,
      size_bytes: z.number().int().nonnegative(),
      compression: z.object({ algorithm: z.string(), level: z.number() }),
      /** Set when the object is age-encrypted (stored as <name>.gz.age): fingerprints only, never a key. */
      encryption: z.object({ algorithm: z.literal("age-v1"), recipients: z.array(z.object({ type: z.enum(["X25519", "scrypt"]), fingerprint: z.string().nullable() })) }).optional(),
    }),
    archived_at: z.string(),
    tool: z.object({ name: z.string(), version: z.string() }),
  })
  .loose();

export type WalMarker = z.infer<typeof walMarkerSchema>;

export function walPrefix(server: string, instance: string): string {
  return `${pathSegment(server)}/${pathSegment(instance)}/${WAL_FOLDER}/`;
}

/** The stored object of `name`: `.gz`, or `.gz.age` when encrypted. */
export function walObjectKey(prefix: string, name: string, encrypted = false): string {
  return `${prefix}${name}${OBJECT_SUFFIX}${encrypted ? ENCRYPTED_SUFFIX : ""}`;
}

/** The object a marker vouches for. */
export function markedObjectKey(prefix: string, marker: WalMarker): string {
  return walObjectKey(prefix, marker.name, marker.stored.encryption !== undefined);
}

export function walMarkerKey(prefix: string, name: string): string {
  return `${prefix}${name}${MARKER_SUFFIX}`;
}

/**
 * Whether `key` is an archived WAL file's plain object key (`…/_wal/<name>.gz`): how a cleanup
 * journal names a WAL file, whose deletion is `walDeletionKeys`.
 */
export function isWalObjectKey(key: string): boolean {
  const parts = key.split("/");
  return parts.length >= 3 && parts.at(-2) === WAL_FOLDER && key.endsWith(OBJECT_SUFFIX) && !(parts.at(-1) ?? "").startsWith(".");
}

/** Deleting an archived WAL file: its marker first (it stops counting), then the object in either form. */
export function walDeletionKeys(objectKey: string): string[] {
  return [`${objectKey}.json`, objectKey, `${objectKey}${ENCRYPTED_SUFFIX}`];
}

/** The marker of `name` in `storage`; null when there is none (never archived, or a killed upload). */
export async function readWalMarker(storage: Storage, prefix: string, name: string): Promise<WalMarker | null> {
  let body: string;
  try {
    body = await text(await storage.get(walMarkerKey(prefix, name)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  return walMarkerSchema.parse(JSON.parse(body));
}

/** One WAL file name found in a listing: whether its marker and object are there, and their bytes. */
export interface WalListing {
  name: string;
  /** A marker and an object: archived. */
  archived: boolean;
  /** The marker's modification time (the object's when there is no marker). */
  modified: Date;
  /** Storage keys present for this name (marker, object(s)), and their total size. */
  keys: string[];
  bytes: number;
}

/** The WAL names in a listing of (at least) `prefix`, pure: what retention and the catalogue read. */
export function walInListing(objects: readonly StoredObject[], prefix: string): WalListing[] {
  const byName = new Map<string, { marker: StoredObject | null; objects: StoredObject[] }>();
  for (const object of objects) {
    if (!object.key.startsWith(prefix)) continue;
    const base = object.key.slice(prefix.length);
    if (base.includes("/") || base.startsWith(".")) continue;
    const isMarker = base.endsWith(MARKER_SUFFIX);
    const name = isMarker ? base.slice(0, -MARKER_SUFFIX.length) : base.endsWith(OBJECT_SUFFIX) ? base.slice(0, -OBJECT_SUFFIX.length) : base.endsWith(OBJECT_SUFFIX + ENCRYPTED_SUFFIX) ? base.slice(0, -(OBJECT_SUFFIX + ENCRYPTED_SUFFIX).length) : null;
    if (name === null) continue;
    const slot = byName.get(name) ?? { marker: null, objects: [] };
    if (isMarker) slot.marker = object;
    else slot.objects.push(object);
    byName.set(name, slot);
  }
  return [...byName].map(([name, slot]) => {
    const all = [...(slot.marker ? [slot.marker] : []), ...slot.objects];
    return {
      name,
      archived: slot.marker !== null && slot.objects.length > 0,
      modified: (slot.marker ?? slot.objects[0] as StoredObject).modified,
      keys: all.map((o) => o.key),
      bytes: all.reduce((n, o) => n + o.size, 0),
    };
  });
}

/** Every WAL file name with a marker (and an object) in `storage` under `prefix`, with the marker's modification time. */
export async function listArchivedWal(storage: Storage, prefix: string): Promise<{ name: string; modified: Date }[]> {
  return walInListing(await storage.list(prefix), prefix).filter((w) => w.archived).map((w) => ({ name: w.name, modified: w.modified }));
}
