import type { z } from "zod";
import type { CompressionSpec } from "../archive/compressor.js";
import type { ArchiveFormat } from "../archive/format.js";

/** The keys of an instance that say how its archives are packed. */
export interface PackingKeys {
  type: "postgres" | "mysql" | "files";
  archive?: "zip" | "tar.gz" | undefined;
  compression: "deflate" | "zstd";
  compression_level?: number | undefined;
}

/** How a unit's archive is written: its format and compressor, and the algorithm the sidecar records. */
export interface Packing {
  format: ArchiveFormat;
  compression: CompressionSpec;
  /** As the sidecar records it: "deflate", "store" (deflate level 0) or "zstd". */
  recorded: { algorithm: "deflate" | "store" | "zstd"; level: number };
}

export const DEFAULT_LEVEL = { deflate: 6, zstd: 3 } as const;
export const MAX_LEVEL = { deflate: 9, zstd: 19 } as const;

/**
 * compression: deflate keeps `archive` (zip by default for databases, tar.gz for files);
 * compression: zstd writes `.tar.zst` for files and a lone `<db>.sql.zst` stream for dumps
 * (no zip: Info-ZIP cannot read zstd entries).
 */
export function packingOf(instance: PackingKeys): Packing {
  const level = instance.compression_level ?? DEFAULT_LEVEL[instance.compression];
  if (instance.compression === "zstd") {
    return { format: instance.type === "files" ? "tar.zst" : "zst", compression: { algorithm: "zstd", level }, recorded: { algorithm: "zstd", level } };
  }
  const format = instance.archive ?? (instance.type === "files" ? "tar.gz" : "zip");
  return { format, compression: { algorithm: "gzip", level }, recorded: { algorithm: level === 0 ? "store" : "deflate", level } };
}

/** Config validation of the packing keys together (zod superRefine on each instance). */
export function checkPacking(instance: PackingKeys, ctx: z.RefinementCtx): void {
  const level = instance.compression_level;
  if (level !== undefined && level > MAX_LEVEL[instance.compression]) {
    ctx.addIssue({ code: "custom", path: ["compression_level"], message: `${instance.compression} levels go up to ${MAX_LEVEL[instance.compression]}, got ${level}` });
  }
  if (instance.compression === "zstd" && level === 0) {
    ctx.addIssue({ code: "custom", path: ["compression_level"], message: "zstd levels start at 1 (0 stores only with deflate)" });
  }
  if (instance.compression === "zstd" && instance.archive !== undefined) {
    const what = instance.type === "files" ? ".tar.zst" : "<db>.sql.zst (a dump zstd -d reads)";
    const why = instance.archive === "zip" ? "zip stays deflate: Info-ZIP's unzip cannot read zstd entries" : "tar.gz is gzip";
    ctx.addIssue({ code: "custom", path: ["archive"], message: `archive: ${instance.archive} with compression: zstd: ${why}; leave archive out, zstd writes ${what}` });
  }
}
