import type { Transform } from "node:stream";
import { createGzip, constants } from "node:zlib";

/**
 * The compression stage, kept separate from the archive formats so another codec
 * (zstd, parallel deflate) can replace it without touching the writers.
 */
export type CompressionAlgorithm = "gzip";

export interface CompressionSpec {
  algorithm: CompressionAlgorithm;
  level: number;
}

export function createCompressor(spec: CompressionSpec): Transform {
  switch (spec.algorithm) {
    case "gzip":
      // 128 KiB chunks: fewer calls into zlib than the 16 KiB default, same output.
      return createGzip({ level: spec.level, chunkSize: 128 * 1024, memLevel: constants.Z_DEFAULT_MEMLEVEL });
  }
}
