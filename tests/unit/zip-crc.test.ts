import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEntries } from "../../src/restore/entries.js";
import { firstEntryData, seeded, zipOf } from "../helpers/dump-archives.js";
import { handZip } from "../fixtures/archives/build.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * The zip reader every restore and verify goes through: a flipped bit anywhere in an entry's
 * data either fails the read (CRC-32, size, inflate) or changes nothing; and a consumer never
 * receives the end of an entry whose CRC failed (the held-back last chunk), so a client fed
 * from it never reaches EOF.
 */
let dir: string;
let cleanup: () => Promise<void>;
const text = Array.from({ length: 400 }, (_, i) => `INSERT INTO t VALUES (${i}, 'value-${i}-${"x".repeat(i % 17)}');`).join("\n") + "\n";

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-zip-crc-"));
});
afterAll(async () => cleanup());

async function readBody(path: string, seen: Buffer[]): Promise<Buffer> {
  for await (const entry of readEntries(path, "zip")) {
    for await (const chunk of entry.body()) seen.push(chunk);
  }
  return Buffer.concat(seen);
}

describe("zip entry CRC-32", () => {
  for (const kind of ["deflated", "stored"] as const) {
    it(`100 random bit flips in ${kind} entry data: every read fails or is byte-identical`, async () => {
      const original = kind === "deflated" ? await zipOf("d.sql", text) : handZip([{ name: "d.sql", data: text }]);
      const { start, end } = firstEntryData(original);
      const random = seeded(kind === "deflated" ? 1 : 2);
      let refused = 0;
      for (let i = 0; i < 100; i++) {
        const bytes = Buffer.from(original);
        const at = start + Math.floor(random() * (end - start));
        bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8));
        const path = join(dir, `${kind}-${i}.zip`);
        await writeFile(path, bytes);
        const seen: Buffer[] = [];
        const outcome = await readBody(path, seen).then(
          (body) => body.toString(),
          () => null,
        );
        if (outcome === null) {
          refused++;
          // What was handed out before the failure is never the whole entry.
          expect(Buffer.concat(seen).length).toBeLessThan(Buffer.byteLength(text));
        } else expect(outcome).toBe(text);
      }
      expect(refused).toBeGreaterThan(50);
    });
  }

  it("an intact entry reads back whole", async () => {
    const path = join(dir, "intact.zip");
    await writeFile(path, await zipOf("d.sql", text));
    expect((await readBody(path, [])).toString()).toBe(text);
    expect((await readFile(path)).length).toBeGreaterThan(0);
  });
});
