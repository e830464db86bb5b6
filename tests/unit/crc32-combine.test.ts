import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32Combine } from "../../src/archive/crc32-combine.js";

describe("crc32Combine (zlib's crc32_combine)", () => {
  it.each([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
    [7, 1000],
    [65536, 3],
    [131072, 131072],
    [1000003, 999983],
  ])("crc(a ++ b) from crc(a), crc(b) and |b|: %i + %i bytes", (lengthA, lengthB) => {
    const a = randomBytes(lengthA);
    const b = randomBytes(lengthB);
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
  });

  it("folds many blocks in order, as the parallel deflate does", () => {
    const blocks = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i * 777));
    const folded = blocks.reduce((crc, block) => crc32Combine(crc, crc32(block), block.length), 0);
    expect(folded).toBe(crc32(Buffer.concat(blocks)));
  });

  it("lengths past 2^32: shifting by 2^32 + 5 bytes equals shifting by 2^32, then by 5", () => {
    // With crc2 = 0 the combine is crc1 times x^(8·len2): it must compose like lengths add.
    const a = crc32(Buffer.from("abc"));
    expect(crc32Combine(a, 0, 2 ** 32 + 5)).toBe(crc32Combine(crc32Combine(a, 0, 2 ** 32), 0, 5));
    expect(crc32Combine(a, 0, 2 ** 33)).toBe(crc32Combine(crc32Combine(a, 0, 2 ** 32), 0, 2 ** 32));
  });
});
