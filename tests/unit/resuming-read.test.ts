import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ResumingReadStream } from "../../src/storage/resuming-read.js";

/** Serves `data` from an offset; the first `breaks` responses fail after `after` bytes. */
function opener(data: Buffer, options: { breaks: number; after: number; code?: string; resumes?: number }) {
  const offsets: number[] = [];
  let broken = 0;
  return {
    offsets,
    stream: new ResumingReadStream({
      size: data.length,
      resumes: options.resumes ?? 3,
      delay: async () => undefined,
      open: async (offset) => {
        offsets.push(offset);
        const rest = data.subarray(offset);
        if (broken >= options.breaks) return Readable.from([rest.subarray(0, rest.length >> 1), rest.subarray(rest.length >> 1)]);
        broken++;
        return new Readable({
          read() {
            this.push(rest.subarray(0, options.after));
            this.destroy(Object.assign(new Error("aborted"), { code: options.code ?? "ECONNRESET" }));
          },
        });
      },
    }),
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("ResumingReadStream", () => {
  it("resumes a broken response from the byte where it stopped, byte-exact", async () => {
    const data = randomBytes(200_000);
    const { stream, offsets } = opener(data, { breaks: 2, after: 30_000 });
    expect((await collect(stream)).equals(data)).toBe(true);
    expect(offsets).toEqual([0, 30_000, 60_000]);
  });

  it("fails after its resumes are used up, or at once on a permanent error", async () => {
    const data = randomBytes(100_000);
    await expect(collect(opener(data, { breaks: 5, after: 1_000, resumes: 2 }).stream)).rejects.toThrow("aborted");
    const permanent = opener(data, { breaks: 1, after: 1_000, code: "EACCES" });
    await expect(collect(permanent.stream)).rejects.toThrow("aborted");
    expect(permanent.offsets).toEqual([0]);
  });
});
