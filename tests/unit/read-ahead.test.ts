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

  it("re-opens after a lost connection and resumes where it failed, byte-exact", async () => {
    const data = randomBytes(700_000);
    let generation = 0;
    let failed = false;
    const reasons: string[] = [];
    const src: RandomAccessSource = {
      size: data.length,
      read: async (offset, length) => {
        const mine = generation;
        await new Promise((r) => setTimeout(r, Math.random() * 2));
        // The first connection dies once reads pass 300 kB: every request still on it fails.
        if (mine === 0 && offset >= 300_000) {
          failed = true;
          throw Object.assign(new Error("the SFTP connection was lost"), { code: "ECONNRESET" });
        }
        return data.subarray(offset, offset + length);
      },
      close: async () => undefined,
      reopen: async (reason) => {
        reasons.push(reason.message);
        generation++;
      },
    };
    expect((await collect(new ReadAheadStream(src, 16 * 1024, 8, 2))).equals(data)).toBe(true);
    expect(failed).toBe(true);
    expect(reasons).toEqual(["the SFTP connection was lost"]);
  });

  it("gives up when re-opening is not allowed or the error is permanent", async () => {
    const failing = (code: string): RandomAccessSource => ({
      size: 100_000,
      read: async (offset) => {
        if (offset >= 50_000) throw Object.assign(new Error(`failed: ${code}`), { code });
        return Buffer.alloc(Math.min(16 * 1024, 100_000 - offset));
      },
      close: async () => undefined,
      reopen: async () => undefined,
    });
    await expect(collect(new ReadAheadStream(failing("ECONNRESET"), 16 * 1024, 4, 0))).rejects.toThrow("failed: ECONNRESET");
    await expect(collect(new ReadAheadStream(failing("EACCES"), 16 * 1024, 4, 3))).rejects.toThrow("failed: EACCES");
  });
});
