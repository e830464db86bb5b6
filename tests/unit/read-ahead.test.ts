import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ReadAheadStream, type RandomAccessSource } from "../../src/storage/read-ahead.js";

/** An in-memory file whose reads finish in random order and may return less than asked. */
function source(data: Buffer, options: { maxRead?: number; failAt?: number } = {}) {
  const stats = { inFlight: 0, maxInFlight: 0, closed: false };
  const src: RandomAccessSource = {
    size: data.length,
    read: async (offset, length) => {
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      stats.inFlight--;
      if (options.failAt !== undefined && offset >= options.failAt) throw Object.assign(new Error("connection lost"), { code: 7 });
      return data.subarray(offset, offset + Math.min(length, options.maxRead ?? length));
    },
    close: async () => {
      stats.closed = true;
    },
  };
  return { src, stats };
}

async function collect(stream: ReadAheadStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("ReadAheadStream", () => {
  it("delivers every byte in order with several reads in flight, then closes", async () => {
    const data = randomBytes(1_000_003);
    const { src, stats } = source(data);
    expect((await collect(new ReadAheadStream(src, 16 * 1024, 8))).equals(data)).toBe(true);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(stats.maxInFlight).toBeLessThanOrEqual(8);
    expect(stats.closed).toBe(true);
  });

  it("asks again when the server answers with less than requested", async () => {
    const data = randomBytes(300_000);
    const { src } = source(data, { maxRead: 5_000 });
    expect((await collect(new ReadAheadStream(src, 64 * 1024, 4))).equals(data)).toBe(true);
  });

  it("handles an empty file", async () => {
    const { src, stats } = source(Buffer.alloc(0));
    expect((await collect(new ReadAheadStream(src))).length).toBe(0);
    expect(stats.closed).toBe(true);
  });

  it("fails the stream with the read error and still closes the handle", async () => {
    const { src, stats } = source(randomBytes(500_000), { failAt: 200_000 });
    await expect(collect(new ReadAheadStream(src, 32 * 1024, 4))).rejects.toThrow("connection lost");
    expect(stats.closed).toBe(true);
  });
});
