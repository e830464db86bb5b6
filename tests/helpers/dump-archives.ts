import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { ZipWriter } from "../../src/archive/zip.js";
import { handZip, writeArchiveWithSidecar, type SidecarFields } from "../fixtures/archives/build.js";

/** A one-entry zip of `text`, written by the tool's own ZipWriter as a real dump archive is. */
export async function zipOf(name: string, text: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const zip = new ZipWriter(out, 6);
  zip.addStream(name, Readable.from([Buffer.from(text)]));
  await zip.finalize();
  return Buffer.concat(chunks);
}

/**
 * A plain dump of `database` (default "broken") holding `sql`, with a matching sidecar, where a
 * backup of `instance` to <dir>/backups would have put it: for restores that must fail midway,
 * and for forged archives. `stored`: the entry is not deflated (its bytes lie in the zip as
 * they are, so a flipped bit changes exactly one character). Returns its path.
 */
export async function writeBrokenDump(
  dir: string,
  instance: NonNullable<SidecarFields["instance"]>,
  dumpTool: { name: string; version: string },
  sql: string,
  options: { database?: string; stored?: boolean } = {},
): Promise<string> {
  const database = options.database ?? "broken";
  const folder = join(dir, "backups", "db01", instance.name, database);
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${instance.name}_${database}_20260101T000000000Z_abc123.zip`);
  const entry = `${database}.sql`;
  const bytes = options.stored ? handZip([{ name: entry, data: sql }]) : await zipOf(entry, sql);
  await writeArchiveWithSidecar(path, bytes, {
    kind: "database",
    instance,
    database,
    dump_format: "plain",
    dump_tool: dumpTool,
    contents: [{ name: entry, size: Buffer.byteLength(sql), type: "file" }],
  });
  return path;
}

/** Where the first entry's (compressed) data lies in a zip: after its local header. */
export function firstEntryData(zip: Buffer): { start: number; end: number } {
  if (zip.readUInt32LE(0) !== 0x04034b50) throw new Error("not a zip local header");
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  // The central directory holds the real compressed size (the local header may defer it).
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cd = zip.readUInt32LE(eocd + 16);
  return { start, end: start + zip.readUInt32LE(cd + 20) };
}

/** Flips bit `bit` of byte `offset` of the file and rewrites its sidecar's size and sha256 to match (a forged sidecar). */
export async function flipBitWithForgedSidecar(path: string, offset: number, bit: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] ?? 0) ^ (1 << bit);
  await writeFile(path, bytes);
  const sidecar = JSON.parse(await readFile(`${path}.json`, "utf8")) as { archive: { size_bytes: number; sha256: string } };
  sidecar.archive.size_bytes = bytes.length;
  sidecar.archive.sha256 = createHash("sha256").update(bytes).digest("hex");
  await writeFile(`${path}.json`, JSON.stringify(sidecar, null, 2));
}

/** A seeded generator (mulberry32): the same "random" flips in every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
