import { appendFile, open, truncate, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileBody, type BodyChange } from "../../src/archive/file-body.js";
import { ZipWriter } from "../../src/archive/zip.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

/** Opens `name`, lets `meanwhile` change the file after the first chunk, and reads the body to the end. */
async function readChanging(name: string, content: Buffer, meanwhile: (path: string) => Promise<void>) {
  const path = join(dir, name);
  await writeFile(path, content);
  const handle = await open(path, "r");
  try {
    const stat = await handle.stat();
    const changes: BodyChange[] = [];
    const chunks: Buffer[] = [];
    let first = true;
    for await (const chunk of readFileBody(handle, stat, (c) => changes.push(c))) {
      chunks.push(chunk);
      if (first) await meanwhile(path);
      first = false;
    }
    return { body: Buffer.concat(chunks), changes, size: stat.size };
  } finally {
    await handle.close();
  }
}

describe("readFileBody: exactly the size the file had when opened", () => {
  const big = Buffer.alloc(3 * 1024 * 1024, "x");

  it("a file that grows is cut at its opened size and reported as grown", async () => {
    const { body, changes, size } = await readChanging("grows", big, (p) => appendFile(p, "more"));
    expect(body.length).toBe(size);
    expect(body.equals(big)).toBe(true);
    expect(changes).toEqual([{ kind: "grew" }]);
  });

  it("a file that shrinks is padded with zeros to its opened size and reported with the bytes read", async () => {
    const { body, changes, size } = await readChanging("shrinks", big, (p) => truncate(p, 1024 * 1024 + 10));
    expect(body.length).toBe(size);
    expect(body.subarray(0, 1024 * 1024 + 10).equals(big.subarray(0, 1024 * 1024 + 10))).toBe(true);
    expect(body.subarray(1024 * 1024 + 10).every((b) => b === 0)).toBe(true);
    expect(changes).toEqual([{ kind: "shrank", read: 1024 * 1024 + 10 }]);
  });

  it("a file rewritten in place (same size, new mtime) is reported as modified", async () => {
    const { changes } = await readChanging("rewritten", big, (p) => utimes(p, new Date(), new Date("2030-01-01T00:00:00Z")));
    expect(changes).toEqual([{ kind: "modified" }]);
  });

  it("an unchanged file reads back whole with no change reported", async () => {
    const { body, changes } = await readChanging("still", big, async () => undefined);
    expect(body.equals(big)).toBe(true);
    expect(changes).toEqual([]);
  });
});

describe("ZipWriter", () => {
  it("rejects finalize() when an entry's source fails, instead of hanging (the process used to exit 13 silently)", async () => {
    const out = new PassThrough();
    out.resume();
    const zip = new ZipWriter(out, 6);
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" }));
      },
    });
    zip.addStream("broken.sql", failing);
    await expect(zip.finalize()).rejects.toThrow(/EIO/);
  }, 10_000);
});
