/**
 * CRC-32 of two concatenated pieces from the CRC-32 of each and the second one's length:
 * zlib's crc32_combine (1.2.12+: multiplication modulo the CRC polynomial, x^(8·len2) by
 * repeated squaring). Lets blocks compressed on different threads be checksummed there.
 */
const POLY = 0xedb88320;

/** a(x)·b(x) modulo p(x), bits reflected as zlib keeps them. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p = (p ^ b) >>> 0;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? ((b >>> 1) ^ POLY) >>> 0 : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^n) modulo p(x), n = 0..31. */
const X2N: readonly number[] = (() => {
  const table = [0x40000000];
  let p = 0x40000000;
  for (let n = 1; n < 32; n++) table.push((p = multModP(p, p)));
  return table;
})();

/** x^(n·2^k) modulo p(x); n may pass 2^32 (lengths of big archives). */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31] as number, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  return (multModP(x2nModP(length2, 3), crc1 >>> 0) ^ (crc2 >>> 0)) >>> 0;
}
