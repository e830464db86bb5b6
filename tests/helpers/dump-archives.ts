import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { ZipWriter } from "../../src/archive/zip.js";
import { writeArchiveWithSidecar, type SidecarFields } from "../fixtures/archives/build.js";

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
 * A plain dump of database "broken" holding `sql`, with a matching sidecar, where a backup of
 * `instance` to <dir>/backups would have put it: for restores that must fail midway. Returns its path.
 */
export async function writeBrokenDump(dir: string, instance: NonNullable<SidecarFields["instance"]>, dumpTool: { name: string; version: string }, sql: string): Promise<string> {
  const folder = join(dir, "backups", "db01", instance.name, "broken");
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${instance.name}_broken_20260101T000000000Z_abc123.zip`);
  await writeArchiveWithSidecar(path, await zipOf("broken.sql", sql), {
    kind: "database",
    instance,
    database: "broken",
    dump_format: "plain",
    dump_tool: dumpTool,
    contents: [{ name: "broken.sql", size: Buffer.byteLength(sql), type: "file" }],
  });
  return path;
}
