import { createReadStream } from "node:fs";
import type { Duplex, Readable } from "node:stream";
import { constants, createGunzip, createGzip } from "node:zlib";
import { availableParallelism } from "node:os";
import { createParallelGzip } from "./parallel-gzip.js";
import { zstdCompressor, zstdDecompressor, zstdProgramReading } from "./zstd.js";

/**
 * The compression stage, kept separate from the archive formats so a codec can be replaced
 * without touching the writers: each is a Duplex that takes raw bytes and gives compressed ones.
 */
export type CompressionAlgorithm = "gzip" | "zstd";

export interface CompressionSpec {
  algorithm: CompressionAlgorithm;
  level: number;
}

export function createCompressor(spec: CompressionSpec): Duplex {
  switch (spec.algorithm) {
    case "gzip":
      // Every core deflating (pigz's method) when there is more than one and something to deflate.
      if (spec.level > 0 && availableParallelism() > 1) return createParallelGzip({ level: spec.level });
      // 128 KiB chunks: fewer calls into zlib than the 16 KiB default, same output.
      return createGzip({ level: spec.level, chunkSize: 128 * 1024, memLevel: constants.Z_DEFAULT_MEMLEVEL });
    case "zstd":
      return zstdCompressor(spec.level);
  }
}

export function createDecompressor(algorithm: CompressionAlgorithm): Duplex {
  switch (algorithm) {
    case "gzip":
      // 256 KiB chunks instead of 16 KiB ones: fewer, larger writes downstream.
      return createGunzip({ chunkSize: 256 * 1024 });
    case "zstd":
      return zstdDecompressor();
  }
}

/** A compressed file's content as a stream (errors of the file and of the codec end it). */
export function decompressedFile(path: string, algorithm: CompressionAlgorithm): Readable {
  const direct = algorithm === "zstd" ? zstdProgramReading(path) : null;
  if (direct) return direct;
  const decompressor = createDecompressor(algorithm);
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  input.on("error", (err) => decompressor.destroy(err));
  // Whoever stops reading early destroys the output: the file is closed with it.
  decompressor.once("close", () => input.destroy());
  return input.pipe(decompressor);
}
