import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { list as tarList, type ReadEntry } from "tar";

export async function sha256File(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

/** Every file below dir (recursive), absolute paths. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

export interface TarEntryInfo {
  path: string;
  type: string;
  mode: number;
  mtime: number;
  linkpath?: string;
  content?: Buffer;
}

/** Reads a tar.gz with node-tar, collecting each entry's header and content. */
export async function readTarGz(file: string): Promise<Map<string, TarEntryInfo>> {
  const entries = new Map<string, TarEntryInfo>();
  await tarList({
    file,
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = [];
      const info: TarEntryInfo = { path: entry.path.replace(/\/$/, ""), type: entry.type, mode: (entry.mode ?? 0) & 0o7777, mtime: entry.mtime?.getTime() ?? 0 };
      if (entry.linkpath) info.linkpath = entry.linkpath;
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => {
        if (entry.type === "File") info.content = Buffer.concat(chunks);
      });
      entries.set(info.path, info);
    },
  });
  return entries;
}
