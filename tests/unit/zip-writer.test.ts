import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readFile, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDiskEntries } from "../../src/archive/disk-entries.js";
import { ZipWriter, type ZipWriterOptions } from "../../src/archive/zip.js";
import { readEntries } from "../../src/restore/entries.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * The tool's own zip writer (all-core deflate): what it writes must be an ordinary zip to
 * Info-ZIP's unzip and zipinfo, Python's zipfile and the tool's own reader, ZIP64 included.
 */
let dir: string;
let cleanup: () => Promise<void>;
let tree: string;
const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `row ${i}\t${(i * 7919) % 10007}\tsome repeated text here\n`).join(""));
const random = randomBytes(300_000);
const accented = "dossier é/naïve café – 名前.txt";
const small: ZipWriterOptions = { threads: 2, blockSize: 64 * 1024 };

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-zipw-"));
  tree = join(dir, "tree");
  await mkdir(join(tree, "dossier é"), { recursive: true });
  await writeFile(join(tree, "text.sql"), text);
  await writeFile(join(tree, "random.bin"), random);
  await writeFile(join(tree, "empty"), "");
  await writeFile(join(tree, accented), "accents\n");
  await chmod(join(tree, "random.bin"), 0o640);
  await chmod(join(tree, "dossier é"), 0o750);
  await symlink("text.sql", join(tree, "link"));
  await utimes(join(tree, "text.sql"), new Date("2024-05-06T07:08:10Z"), new Date("2024-05-06T07:08:10Z"));
});
afterAll(() => cleanup());

const NAMES = ["dossier é", accented, "empty", "link", "random.bin", "text.sql"];

async function zipTree(name: string, options: ZipWriterOptions): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  const zip = new ZipWriter(out, 6, options);
  await addDiskEntries(zip, { root: tree, names: NAMES, skip: () => false });
  await zip.finalize();
  return path;
}

const python = (script: string, ...args: string[]) => execFileSync("python3", ["-c", script, ...args], { maxBuffer: 1 << 26 }).toString();
const PY_READ = `
import sys, zipfile, json, hashlib
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: [hashlib.sha256(z.read(i)).hexdigest(), i.external_attr >> 16, i.file_size] for i in z.infolist()}))`;
const sha = (b: Buffer | string) => execFileSync("sha256sum", { input: b }).toString().split(" ")[0];

describe("ZipWriter (own zip writer, all-core deflate)", () => {
  for (const [label, options] of [
    ["plain", small],
    ["forced ZIP64 records", { ...small, forceZip64: true }],
  ] as const) {
    it(`${label}: unzip -t, zipinfo, Python's zipfile and the tool's reader agree on names, bytes, modes and times`, async () => {
      const path = await zipTree(`${label.split(" ")[0]}.zip`, options);
      execFileSync("unzip", ["-t", "-q", path]);
      const info = execFileSync("zipinfo", [path]).toString();
      expect(info).toMatch(/-rw-r-----.*random\.bin/);
      expect(info).toMatch(/drwxr-x---.*dossier é\//);
      expect(info).toMatch(/lrwxrwxrwx.*link/);
      const listed = JSON.parse(python(PY_READ, path)) as Record<string, [string, number, number]>;
      expect(listed["text.sql"]?.[0]).toBe(sha(text));
      expect(listed["random.bin"]).toEqual([sha(random), 0o100640, random.length]);
      expect(listed[accented]?.[0]).toBe(sha("accents\n"));
      expect(listed["empty"]?.[2]).toBe(0);
      expect(listed["dossier é/"]?.[1]).toBe(0o40750);
      const bytes = await readFile(path);
      // ZIP64 end of central directory record and locator: present only when forced (or needed).
      expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(label !== "plain");
      const seen: Record<string, { body: string; mode: number | null; mtime: Date | null; link: string | null }> = {};
      for await (const entry of readEntries(path, "zip")) {
        const parts: Buffer[] = [];
        for await (const c of entry.body()) parts.push(c);
        seen[entry.name] = { body: Buffer.concat(parts).toString("hex"), mode: entry.mode, mtime: entry.mtime, link: entry.linkTarget };
      }
      expect(seen["text.sql"]?.body).toBe(text.toString("hex"));
      expect(seen["text.sql"]?.mtime?.toISOString()).toBe("2024-05-06T07:08:10.000Z");
      expect(seen["random.bin"]?.mode).toBe(0o640);
      expect(seen["link"]?.link).toBe("text.sql");
    });
  }

  it("deflates on the pool's threads: the entry is the sync-flushed blocks (pigz's method), about as small as one zlib stream", async () => {
    const path = await zipTree("blocks.zip", small);
    const bytes = await readFile(path);
    // The text entry spans 24 blocks of 64 KiB; each but the last ends with a sync flush marker.
    const [offset, compressed] = python("import sys, zipfile; i = zipfile.ZipFile(sys.argv[1]).getinfo('text.sql'); print(i.header_offset, i.compress_size)", path).trim().split(" ").map(Number) as [number, number];
    const dataStart = offset + 30 + bytes.readUInt16LE(offset + 26) + bytes.readUInt16LE(offset + 28);
    const end = dataStart + compressed;
    const data = bytes.subarray(dataStart, end);
    let markers = 0;
    for (let at = data.indexOf(Buffer.from([0, 0, 0xff, 0xff])); at >= 0; at = data.indexOf(Buffer.from([0, 0, 0xff, 0xff]), at + 1)) markers++;
    expect(markers).toBeGreaterThanOrEqual(Math.floor(text.length / (64 * 1024)));
    expect(data.length).toBeLessThan(deflateRawSync(text, { level: 6 }).length * 1.02);
  });

  it("a dump stream of unknown size: ZIP64 local header and 8-byte data descriptor, read by unzip, Python and the tool", async () => {
    const path = join(dir, "stream.zip");
    const zip = new ZipWriter(createWriteStream(path), 6, small);
    const entry = zip.addStream("café.sql", Readable.from([text, text]));
    await zip.finalize();
    expect(entry.size).toBe(2 * text.length);
    execFileSync("unzip", ["-t", "-q", path]);
    const listed = JSON.parse(python(PY_READ, path)) as Record<string, [string, number, number]>;
    expect(listed["café.sql"]?.[0]).toBe(sha(Buffer.concat([text, text])));
    const bytes = await readFile(path);
    expect(bytes.readUInt16LE(4)).toBe(45);
    expect(bytes.readUInt32LE(22)).toBe(0xffffffff);
  });

  it("a stored entry (pg_dump's custom format is compressed already) keeps its bytes as they are", async () => {
    const path = join(dir, "stored.zip");
    const zip = new ZipWriter(createWriteStream(path), 6, small);
    zip.addStream("db.dump", Readable.from([random]), { store: true });
    await zip.finalize();
    const bytes = await readFile(path);
    expect(bytes.includes(random)).toBe(true);
    execFileSync("unzip", ["-t", "-q", path]);
  });

  it("more than 65,535 entries: the ZIP64 end records carry the count", async () => {
    const path = join(dir, "many.zip");
    const zip = new ZipWriter(createWriteStream(path), 6, small);
    const stat = { mode: 0o40755, mtime: new Date("2024-01-01T00:00:00Z") } as import("node:fs").Stats;
    for (let i = 0; i < 65_600; i++) void zip.addDirectory(`d${i}`, stat);
    await zip.finalize();
    expect(python("import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).infolist()))", path).trim()).toBe("65600");
    expect(execFileSync("unzip", ["-t", "-q", path]).toString()).toMatch(/No errors/);
  }, 30_000);
});
