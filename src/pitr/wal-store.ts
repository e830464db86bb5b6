import { posix } from "node:path";
import { text } from "node:stream/consumers";
import { z } from "zod";
import { pathSegment } from "../catalog/naming.js";
import type { Storage } from "../storage/storage.js";

/**
 * Where archived WAL lives in every storage, and its completion marker:
 *   <server>/<instance>/_wal/<wal file name>.gz        the file, gzip-compressed
 *   <server>/<instance>/_wal/<wal file name>.gz.json   the marker, written last
 * Like a sidecar, the marker is what makes the object count: an object without one is a partial
 * (a killed upload) and is overwritten by the next push. "_wal" is never a database's folder:
 * pathSegment() digests names starting with "_".
 */
export const WAL_FOLDER = "_wal";
export const WAL_MARKER_VERSION = 1;

export const walMarkerSchema = z
  .object({
    format_version: z.number().int(),
    kind: z.literal("wal"),
    name: z.string(),
    /** sha256 and size of the WAL file itself (what PostgreSQL handed over). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size_bytes: z.number().int().nonnegative(),
    stored: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size_bytes: z.number().int().nonnegative(), compression: z.object({ algorithm: z.string(), level: z.number() }) }),
    archived_at: z.string(),
    tool: z.object({ name: z.string(), version: z.string() }),
  })
  .loose();

export type WalMarker = z.infer<typeof walMarkerSchema>;

export function walPrefix(server: string, instance: string): string {
  return `${pathSegment(server)}/${pathSegment(instance)}/${WAL_FOLDER}/`;
}

export function walObjectKey(prefix: string, name: string): string {
  return `${prefix}${name}.gz`;
}

export function walMarkerKey(prefix: string, name: string): string {
  return `${walObjectKey(prefix, name)}.json`;
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

/** Every WAL file name with a marker in `storage` under `prefix`, with the marker's modification time. */
export async function listArchivedWal(storage: Storage, prefix: string): Promise<{ name: string; modified: Date }[]> {
  const objects = await storage.list(prefix);
  const keys = new Set(objects.map((o) => o.key));
  const out: { name: string; modified: Date }[] = [];
  for (const object of objects) {
    const base = posix.basename(object.key);
    if (!base.endsWith(".gz.json")) continue;
    const name = base.slice(0, -".gz.json".length);
    if (keys.has(walObjectKey(prefix, name))) out.push({ name, modified: object.modified });
  }
  return out;
}
