import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openArchiveOutput } from "../../src/archive/output.js";
import { atomicWriteFile } from "../../src/util/fs.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
afterEach(async () => cleanup());

async function writeAll(out: NodeJS.WritableStream, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    out.on("error", reject);
    out.end(text, () => resolve());
  });
}

describe("archive output", () => {
  it("commits under the final name", async () => {
    const path = join(dir, "a.zip");
    const output = openArchiveOutput(path);
    await writeAll(output.sink, "new bytes");
    const committed = await output.commit();
    expect(committed.size_bytes).toBe(9);
    expect(await readFile(path, "utf8")).toBe("new bytes");
    expect(await readdir(dir)).toEqual(["a.zip"]);
  });

  it("never replaces an existing file: the clash fails loudly and the earlier backup is intact", async () => {
    const path = join(dir, "a.zip");
    await writeFile(path, "earlier backup");
    const output = openArchiveOutput(path);
    await writeAll(output.sink, "new bytes");
    await expect(output.commit()).rejects.toThrow(/already exists/);
    await output.abort();
    expect(await readFile(path, "utf8")).toBe("earlier backup");
    expect(await readdir(dir)).toEqual(["a.zip"]);
  });

  it("writes a sidecar exclusively when asked", async () => {
    const path = join(dir, "a.zip.json");
    await writeFile(path, "{}");
    await expect(atomicWriteFile(path, "other", 0o600, { exclusive: true })).rejects.toThrow(/already exists/);
    expect(await readFile(path, "utf8")).toBe("{}");
    expect(await readdir(dir)).toEqual(["a.zip.json"]);
    await atomicWriteFile(path, "replaced");
    expect(await readFile(path, "utf8")).toBe("replaced");
  });
});
