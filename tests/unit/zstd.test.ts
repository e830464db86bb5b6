import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { builtinZstd, zstdCompressor, zstdDecompressor, zstdProgramReading, zstdProgramArgs } from "../../src/archive/zstd.js";

async function collect(stream: NodeJS.ReadableStream & NodeJS.WritableStream, input: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(Readable.from([input]), stream, async function* (source) {
    for await (const chunk of source) parts.push(chunk as Buffer);
  });
  return Buffer.concat(parts);
}

const data = Buffer.concat([Buffer.from("INSERT INTO t VALUES (1, 'abc');\n".repeat(20000)), randomBytes(300_000)]);

describe("zstd stage", () => {
  it("feature-detects the built-in codec: used with level and checksum when zlib has it and no zstd program is installed", () => {
    expect(builtinZstd(zlib) === null).toBe(typeof (zlib as unknown as Record<string, unknown>).createZstdCompress !== "function");
    const calls: unknown[] = [];
    const fake = {
      createZstdCompress: (options: unknown) => (calls.push(["c", options]), new PassThrough()),
      createZstdDecompress: (options: unknown) => (calls.push(["d", options]), new PassThrough()),
      constants: { ZSTD_c_compressionLevel: 100, ZSTD_c_checksumFlag: 201 },
    };
    // The program is installed here: it comes first, the built-in codec is not touched.
    zstdCompressor(7, { lib: fake }).destroy();
    zstdDecompressor({ lib: fake }).destroy();
    expect(calls).toEqual([]);
    zstdCompressor(7, { lib: fake, path: "" });
    zstdDecompressor({ lib: fake, path: "" });
    expect(calls).toEqual([
      ["c", { params: { 100: 7, 201: 1 }, chunkSize: 128 * 1024 }],
      ["d", { params: {}, chunkSize: 256 * 1024 }],
    ]);
    // Neither the program nor the built-in codec: the error names both fixes.
    expect(() => zstdCompressor(3, { lib: {}, path: "" })).toThrow(/Node\.js ≥ 22\.15.*zstd program/);
    // Missing constants: not usable, whatever the functions.
    expect(builtinZstd({ createZstdCompress: () => null, createZstdDecompress: () => null, constants: {} })).toBeNull();
  });

  it("the program path writes a standard frame with a checksum: zstd -d reads it, and it round-trips", async () => {
    const compressed = await collect(zstdCompressor(3, { lib: {} }), data);
    expect(compressed.length).toBeLessThan(data.length / 2);
    expect(execFileSync("zstd", ["-dc"], { input: compressed, maxBuffer: 1 << 26 }).equals(data)).toBe(true);
    const file = join(tmpdir(), `vya-zstd-${process.pid}.zst`);
    writeFileSync(file, compressed);
    try {
      expect(execFileSync("zstd", ["-lv", file]).toString()).toMatch(/Check: XXH64/);
    } finally {
      rmSync(file, { force: true });
    }
    expect((await collect(zstdDecompressor({ lib: {} }), compressed)).equals(data)).toBe(true);
  });

  it("a damaged or cut stream fails the program path with zstd's own words, before its end", async () => {
    const compressed = await collect(zstdCompressor(3, { lib: {} }), data);
    await expect(collect(zstdDecompressor({ lib: {} }), compressed.subarray(0, compressed.length - 100))).rejects.toThrow(/zstd exited with code 1: .*\S/);
    const flipped = Buffer.from(compressed);
    const at = Math.floor(flipped.length / 3);
    flipped[at] = (flipped[at] ?? 0) ^ 0x55;
    await expect(collect(zstdDecompressor({ lib: {} }), flipped)).rejects.toThrow(/zstd exited with code 1/);
  });

  it("compresses on as many threads as cores (-T), one frame zstd -d reads; one core, one thread", () => {
    expect(zstdProgramArgs({ compress: 3, threads: 1 })).toEqual(["-3", "--check", "-c", "-q"]);
    expect(zstdProgramArgs({ compress: 5, threads: 2 })).toEqual(["-5", "-T2", "--check", "-c", "-q"]);
    const big = Buffer.concat([data, data, randomBytes(3 << 20), data]);
    const compressed = execFileSync("zstd", zstdProgramArgs({ compress: 3, threads: 2 }), { input: big, maxBuffer: 1 << 26 });
    expect(execFileSync("zstd", ["-dc"], { input: compressed, maxBuffer: 1 << 26 }).equals(big)).toBe(true);
  });

  it("a .zst file read by the program from its path: the content, or zstd's own words for a damaged one", async () => {
    const compressed = await collect(zstdCompressor(3, { lib: {} }), data);
    const file = join(tmpdir(), `vya-zstd-file-${process.pid}.zst`);
    const read = async () => {
      const parts: Buffer[] = [];
      for await (const chunk of zstdProgramReading(file) ?? []) parts.push(chunk as Buffer);
      return Buffer.concat(parts);
    };
    try {
      writeFileSync(file, compressed);
      expect((await read()).equals(data)).toBe(true);
      writeFileSync(file, compressed.subarray(0, compressed.length - 50));
      await expect(read()).rejects.toThrow(/zstd exited with code 1: .*\S/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
